"""DeepSeek: ``GET {base}/models`` (base ``https://api.deepseek.com``; ``.../v1`` works too), Bearer.

Two generations of the same list, both handled by one schema where everything past ``id`` is
optional:

- **Classic** (through 2025): ``{id, object, owned_by}`` only, with **no** ``created``. The model
  keeps ``created=None`` (unknown) rather than inventing a date, and capabilities come from id rules.
- **Current** (2026): adds ``name``, ``context_window`` (input plus output), ``max_output_tokens``,
  ``input_modalities``/``output_modalities`` and ``effort`` (``supported_levels``,
  ``default_level``). These are API facts: image input means vision, and a non-empty list of
  effort levels means the model reasons. An empty or missing ``effort`` says nothing (a model
  may reason without adjustable effort, as ``deepseek-reasoner`` does), so the rules decide.

A 402 "Insufficient Balance" is an exhausted account, ``QuotaExceededError``, never retried; the
generic error map does that by status.
"""

from __future__ import annotations

from ..http import HttpClient
from ..model import Model
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import family
from .base import Adapter, ProviderSpec, Wire, from_unix
from .naming import display_name


class _Effort(Wire):
    supported_levels: list[str] | None = None
    default_level: str | None = None


class _Entry(Wire):
    id: str
    created: int | None = None
    owned_by: str | None = None
    name: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None
    effort: _Effort | None = None


class _List(Wire):
    data: list[_Entry]


RULES = (
    rule(r"^deepseek", chat=True, streaming=True, function_calling=True, json_mode=True),
    rule(r"^deepseek-(chat|v3)", reasoning=False),
    rule(r"reasoner|-r1", reasoning=True),
)

FAMILIES = (
    family("deepseek_chat_models", r"^deepseek-chat"),
    family("deepseek_reasoner_models", r"reasoner|-r1"),
    family("deepseek_v4_models", r"v4|^deepseek-flash"),
)


def _title(model_id: str) -> str:
    return display_name(model_id).replace("Deepseek", "DeepSeek")


class DeepSeekAdapter(Adapter):
    spec = ProviderSpec(
        name="deepseek",
        title="DeepSeek",
        key_envs=("DEEPSEEK_API_KEY",),
        base_url_env="DEEPSEEK_BASE_URL",
        default_base_url="https://api.deepseek.com",
        docs_url="https://platform.deepseek.com/api_keys",
    )
    families = FAMILIES
    capability_rules = RULES

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http)
        return [self.normalize(e) for e in self.parse(_List, payload).data]

    def normalize(self, e: _Entry) -> Model:
        inputs = tuple(e.input_modalities or ())
        outputs = tuple(e.output_modalities or ())
        levels = e.effort.supported_levels if e.effort else None
        stated = api_caps(
            vision=("image" in inputs) if inputs else None,
            audio_input=True if "audio" in inputs else None,
            image_generation=True if "image" in outputs else None,
            reasoning=True if levels else None,
        )
        return Model(
            provider=self.name,
            id=e.id,
            name=e.name or _title(e.id),
            sources={"name": "api"} if e.name else {},
            owned_by=e.owned_by or "deepseek",
            created=from_unix(e.created),
            capabilities=merge_capabilities(
                stated, capabilities_from_rules(e.id, self.capability_rules)
            ),
            input_modalities=inputs,
            output_modalities=outputs,
            context_window=e.context_window or None,
            max_output_tokens=e.max_output_tokens or None,
        )
