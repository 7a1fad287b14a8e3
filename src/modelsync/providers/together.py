"""Together AI: ``GET {base}/models`` answers a **bare JSON array**, Bearer auth, no pagination.

What is special:

- The body is a top-level list, not OpenAI's ``{"object": "list", "data": [...]}``; anything else
  (an object, an envelope) is a malformed answer rather than something to guess at.
- ``type`` says what the model is (``chat``, ``language``, ``code``, ``image``, ``embedding``,
  ``moderation``, ``rerank``, ``audio``, ``transcribe``, ``video``); each maps to capabilities and
  modalities stated by the API (``TYPE_FACTS``). Vision, reasoning and tool use are not in the list
  and come from id rules (``source="rule"``).
- ``pricing`` numbers are already USD per 1M tokens (``input``, ``output``, ``cached_input``);
  they are converted to ``Decimal`` through their shortest decimal text, so ``0.88`` stays exactly
  ``0.88``. Together writes ``0`` both for "free" and for "not priced per token" (image, audio,
  video and dedicated-only models are priced per image, per second or per hour, and the list then
  shows zeros). So zero input *and* output is ``Pricing(state="unknown")``, except on Together's
  explicitly free endpoints (ids ending ``-Free``), where zero is the real price. A zero cached price
  next to a real input price means "no cache pricing" and stays ``None``. Negative or non-finite
  numbers are never prices.
- ``organization`` is the owner; ``display_name`` the name; ``context_length`` of 0 (image models)
  is unknown, not zero.
- ``type`` becomes ``Model.family`` (and opens the one-line description,
  ``"chat model from Meta, license llama3.3"``); the ``by_type`` breakdown counts it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from pydantic import RootModel

from ..http import HttpClient
from ..model import Model, Pricing
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import breakdown, family
from .base import Adapter, ProviderSpec, Wire, from_unix


class _Pricing(Wire):
    hourly: float | None = None
    input: float | None = None
    output: float | None = None
    base: float | None = None
    finetune: float | None = None
    cached_input: float | None = None


class _Entry(Wire):
    id: str
    object: str | None = None
    created: int | None = None
    type: str | None = None
    display_name: str | None = None
    organization: str | None = None
    link: str | None = None
    license: str | None = None
    context_length: int | None = None
    pricing: _Pricing | None = None


class _List(RootModel[list[_Entry]]):
    pass


_IN_TEXT = ("text",)
# What each ``type`` states: capabilities (source "api"), input and output modalities.
TYPE_FACTS: dict[str, tuple[dict[str, bool], tuple[str, ...], tuple[str, ...]]] = {
    "chat": ({"chat": True, "streaming": True}, _IN_TEXT, ("text",)),
    "language": ({"chat": False, "completion": True, "streaming": True}, _IN_TEXT, ("text",)),
    "code": ({"completion": True, "streaming": True}, _IN_TEXT, ("text",)),
    "image": ({"chat": False, "image_generation": True}, _IN_TEXT, ("image",)),
    "embedding": ({"chat": False, "embeddings": True}, _IN_TEXT, ()),
    "moderation": ({"chat": False, "moderation": True}, _IN_TEXT, ("text",)),
    "rerank": ({"chat": False, "rerank": True}, _IN_TEXT, ()),
    "audio": ({"chat": False, "speech": True}, _IN_TEXT, ("audio",)),
    "transcribe": (
        {"chat": False, "transcription": True, "audio_input": True},
        ("audio",),
        ("text",),
    ),
    "video": ({"chat": False}, _IN_TEXT, ("video",)),
}

RULES = (
    rule(r"-vl-|-vl$|vision|llama-4|gemma-3|qwen3-vl", vision=True),
    rule(r"deepseek-r1|qwq|thinking|gpt-oss|magistral", reasoning=True),
    rule(
        r"llama-3\.[123]-\d+b-instruct|llama-4|qwen2\.5-(7|72)b-instruct|qwen3|deepseek-v3|"
        r"gpt-oss|kimi-k2|glm-4\.[56]|mistral-small",
        function_calling=True,
    ),
)

FAMILIES = (
    family("llama_models", r"llama"),
    family("qwen_models", r"qwen|qwq"),
    family("deepseek_models", r"deepseek"),
    family("mistral_models", r"mistral|mixtral"),
    family("gemma_models", r"gemma"),
    family("gpt_oss_models", r"gpt-oss"),
    family("flux_models", r"flux"),
)
BREAKDOWNS = (
    breakdown("by_type", "family"),
    breakdown("by_organization", "owned_by"),
)

# Together's naming for its free serverless endpoints: there a zero price is the real price.
FREE_ID = re.compile(r"-free$", re.IGNORECASE)


def usd(value: float | None) -> Decimal | None:
    """A Together price (USD per 1M tokens, a JSON number) as an exact Decimal, or ``None``."""
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return Decimal(repr(value))  # the shortest text that round-trips: 0.88 -> Decimal("0.88")


def pricing(model_id: str, p: _Pricing | None) -> Pricing | None:
    """Token prices, or "unknown" where Together's zeros cannot be told from "free"."""
    if p is None:
        return None
    inp, out = usd(p.input), usd(p.output)
    if inp is None and out is None:
        return Pricing(state="unknown")
    if not inp and not out and not FREE_ID.search(model_id):
        return Pricing(state="unknown")
    cached = usd(p.cached_input)
    return Pricing(input=inp, output=out, cached_input=cached or None, source="api")


def _describe(e: _Entry) -> str | None:
    head = f"{e.type} model" if e.type else "model"
    parts = [head + (f" from {e.organization}" if e.organization else "")]
    if e.license:
        parts.append(f"license {e.license}")
    text = ", ".join(parts)
    return None if text == "model" else text


class TogetherAdapter(Adapter):
    spec = ProviderSpec(
        name="together",
        title="Together AI",
        key_envs=("TOGETHER_API_KEY",),
        base_url_env="TOGETHER_BASE_URL",
        default_base_url="https://api.together.xyz/v1",
        docs_url="https://api.together.xyz/settings/api-keys",
    )
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = RULES

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http)
        if not isinstance(payload, list):
            raise self.malformed("model list is not a JSON array (Together answers a bare array)")
        return [self.normalize(e) for e in self.parse(_List, payload).root]

    def normalize(self, e: _Entry) -> Model:
        caps, inputs, outputs = TYPE_FACTS.get(e.type or "", ({}, (), ()))
        return Model(
            provider=self.name,
            id=e.id,
            name=e.display_name or e.id,
            sources={"name": "api"} if e.display_name else {},
            owned_by=e.organization,
            created=from_unix(e.created),
            description=_describe(e),
            family=e.type or None,
            capabilities=merge_capabilities(
                api_caps(**caps), capabilities_from_rules(e.id, self.capability_rules)
            ),
            input_modalities=inputs,
            output_modalities=outputs,
            context_window=e.context_length if e.context_length and e.context_length > 0 else None,
            pricing=pricing(e.id, e.pricing),
        )
