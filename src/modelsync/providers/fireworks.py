"""Fireworks AI: ``GET {base}/models`` on the OpenAI-compatible inference API, Bearer auth.

What is special:

- The envelope is OpenAI's (``{"object": "list", "data": [...]}``) but each entry states its own
  capabilities as booleans: ``supports_chat``, ``supports_tools``, ``supports_image_input``, plus
  ``context_length``. Those are API facts; ``kind`` adds what the model is (``EMBEDDING_MODEL`` ->
  embeddings; see ``KIND_FACTS``).
- Ids are account paths (``accounts/fireworks/models/glm-5``, routers under
  ``accounts/fireworks/routers/...``, fine-tunes under the customer's own account). The full id is
  kept because it is what the inference API is called with; the display name is the last segment
  made readable, with Fireworks' ``p``-for-dot version spelling undone (``v3p1`` -> ``V3.1``).
- ``owned_by`` is the entry's own, else the account segment of the id.
- The inference list is not documented as paginated, and no pagination fields have been seen.
  Error bodies are OpenAI-shaped as far as is known (a guess; ``errormap`` reads either way).
"""

from __future__ import annotations

import re

from ..http import HttpClient
from ..model import Model
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import breakdown, family
from .base import Adapter, ProviderSpec, Wire, from_unix


class _Entry(Wire):
    id: str
    object: str | None = None
    owned_by: str | None = None
    created: int | None = None
    kind: str | None = None
    supports_chat: bool | None = None
    supports_image_input: bool | None = None
    supports_tools: bool | None = None
    context_length: int | None = None


class _List(Wire):
    data: list[_Entry]


# What a model ``kind`` states beyond the booleans. EMBEDDING_MODEL is observed in the list;
# FLUMINA_BASE_MODEL (Fireworks' image-generation models, e.g. FLUX) is from the control-plane
# Model.Kind enum and has not been seen in the inference list (inferred).
KIND_FACTS: dict[str, dict[str, bool]] = {
    "EMBEDDING_MODEL": {"embeddings": True, "chat": False},
    "FLUMINA_BASE_MODEL": {"image_generation": True, "chat": False},
}

# The list says nothing about reasoning; these model lines are reasoning models by design.
RULES = (rule(r"/(deepseek-r1|qwq|gpt-oss|glm-5)|thinking", reasoning=True),)

FAMILIES = (
    family("llama_models", r"/llama"),
    family("qwen_models", r"/qwen|/qwq"),
    family("deepseek_models", r"/deepseek"),
    family("kimi_models", r"/kimi"),
    family("glm_models", r"/glm"),
    family("gpt_oss_models", r"/gpt-oss"),
    family("router_models", r"^accounts/[^/]+/routers/"),
)
BREAKDOWNS = (breakdown("by_owner", "owned_by"),)

_ACCOUNT = re.compile(r"^accounts/([^/]+)/")
_ACRONYMS = {"glm": "GLM", "gpt": "GPT", "oss": "OSS", "vl": "VL", "qwq": "QwQ", "fp8": "FP8"}
_SPELLED = {"deepseek": "DeepSeek", "flux": "FLUX"}
_VERSION_P = re.compile(r"(?<=\d)p(?=\d)")
_SIZE = re.compile(r"^\d+(\.\d+)?[bmk]$")


def readable(model_id: str) -> str:
    """``accounts/fireworks/models/llama-v3p1-8b-instruct`` -> ``Llama V3.1 8B Instruct``."""
    words = []
    for raw in model_id.rsplit("/", 1)[-1].split("-"):
        part = _VERSION_P.sub(".", raw)
        lowered = part.lower()
        if lowered in _ACRONYMS or lowered in _SPELLED:
            words.append(_ACRONYMS.get(lowered) or _SPELLED[lowered])
        elif _SIZE.match(lowered):
            words.append(lowered.upper())
        else:
            words.append(part[:1].upper() + part[1:])
    return " ".join(w for w in words if w) or model_id


class FireworksAdapter(Adapter):
    spec = ProviderSpec(
        name="fireworks",
        title="Fireworks AI",
        key_envs=("FIREWORKS_API_KEY",),
        base_url_env="FIREWORKS_BASE_URL",
        default_base_url="https://api.fireworks.ai/inference/v1",
        docs_url="https://fireworks.ai/account/api-keys",
    )
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = RULES

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http)
        return [self.normalize(e) for e in self.parse(_List, payload).data]

    def normalize(self, e: _Entry) -> Model:
        stated = merge_capabilities(
            api_caps(
                chat=e.supports_chat,
                function_calling=e.supports_tools,
                vision=e.supports_image_input,
            ),
            api_caps(**KIND_FACTS.get(e.kind or "", {})),
        )
        inputs: tuple[str, ...] = ()
        if e.supports_image_input is not None:
            inputs = ("text", "image") if e.supports_image_input else ("text",)
        outputs: tuple[str, ...] = ("text",) if e.supports_chat else ()
        if e.kind == "FLUMINA_BASE_MODEL":
            outputs = ("image",)
        account = _ACCOUNT.match(e.id)
        return Model(
            provider=self.name,
            id=e.id,
            name=readable(e.id),
            owned_by=e.owned_by or (account.group(1) if account else None),
            created=from_unix(e.created),
            capabilities=merge_capabilities(
                stated, capabilities_from_rules(e.id, self.capability_rules)
            ),
            input_modalities=inputs,
            output_modalities=outputs,
            context_window=e.context_length if e.context_length and e.context_length > 0 else None,
        )
