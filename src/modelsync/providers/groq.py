"""Groq: ``GET {base}/openai/v1/models`` (base ``https://api.groq.com``), Bearer auth, one page.

The list is OpenAI-shaped, but the real answer carries more than the SDK types: ``context_window``,
``max_completion_tokens``, ``active`` and ``public_apps``. ``owned_by`` is the model's vendor
("Meta", "OpenAI", "Alibaba Cloud", "Moonshot AI"...), not Groq, so statistics break the catalog
down ``by_owner``.

``active: false`` becomes lifecycle ``retired``, not ``deprecated``: Groq keeps listing a model it
has stopped serving (requests to it fail), and gives no shutdown date. ``deprecated`` means
"still answers, going away on a date"; a user picking a model from the catalog must not pick an
inactive one. A missing ``active`` (older answers, proxies) says nothing and stays ``active``.

The list states no capabilities, so they come from id rules (``source="rule"``): Whisper models
transcribe and do not chat, Orpheus/PlayAI voices speak, Llama Guard and the safeguard models
moderate, ``groq/compound`` searches the web. 429s carry ``retry-after`` (seconds) and the
``x-ratelimit-*`` headers; the shared HTTP layer honours ``retry-after``.
"""

from __future__ import annotations

from ..http import HttpClient
from ..model import Model
from ..rules import capabilities_from_rules, rule
from ..stats import breakdown, family
from .base import Adapter, ProviderSpec, Wire, from_unix
from .naming import display_name


class _Entry(Wire):
    id: str
    created: int | None = None
    owned_by: str | None = None
    active: bool | None = None
    context_window: int | None = None
    max_completion_tokens: int | None = None


class _List(Wire):
    data: list[_Entry]


_NOT_CHAT = dict(chat=False, streaming=False, function_calling=False, json_mode=False)

RULES = (
    rule(
        r"^(llama-|meta-llama/llama-[34]|openai/gpt-oss|qwen|moonshotai/|groq/compound|allam|"
        r"deepseek|mistral|gemma|meta-llama/llama-guard)",
        chat=True,
        streaming=True,
        json_mode=True,
    ),
    rule(
        r"^(llama-3\.[13]|meta-llama/llama-4|openai/gpt-oss|qwen/qwen3|moonshotai/kimi)",
        function_calling=True,
    ),
    rule(
        r"^openai/gpt-oss(?!-safeguard)|^moonshotai/kimi|^meta-llama/llama-4",
        structured_output=True,
    ),
    rule(r"^meta-llama/llama-4-(scout|maverick)", vision=True),
    rule(r"^(openai/gpt-oss|qwen/qwen3|deepseek-r1)", reasoning=True),
    rule(r"^groq/compound", web_search=True),
    rule(r"llama-guard|safeguard", moderation=True, function_calling=False),
    # Prompt Guard classifies prompts, but through the chat endpoint (LiteLLM's map: mode chat):
    # whether that is "chat" is left to the catalogs.
    rule(r"prompt-guard", moderation=True, function_calling=False, json_mode=False),
    rule(r"^(distil-)?whisper", transcription=True, audio_input=True, **_NOT_CHAT),
    rule(r"tts|^canopylabs/orpheus", speech=True, **_NOT_CHAT),
)

FAMILIES = (
    family("llama_models", r"llama"),
    family("gpt_oss_models", r"gpt-oss"),
    family("qwen_models", r"qwen"),
    family("whisper_models", r"whisper"),
)

BREAKDOWNS = (breakdown("by_owner", "owned_by"),)


class GroqAdapter(Adapter):
    spec = ProviderSpec(
        name="groq",
        title="Groq",
        key_envs=("GROQ_API_KEY",),
        base_url_env="GROQ_BASE_URL",
        default_base_url="https://api.groq.com",
        docs_url="https://console.groq.com/keys",
    )
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = RULES
    list_path = "openai/v1/models"

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http)
        return [self.normalize(e) for e in self.parse(_List, payload).data]

    def normalize(self, e: _Entry) -> Model:
        caps = capabilities_from_rules(e.id, self.capability_rules)
        inputs, outputs = _modalities({k for k, c in caps.items() if c.supported})
        return Model(
            provider=self.name,
            id=e.id,
            name=display_name(e.id),
            owned_by=e.owned_by,
            created=from_unix(e.created),
            capabilities=caps,
            input_modalities=inputs,
            output_modalities=outputs,
            context_window=e.context_window or None,
            max_output_tokens=e.max_completion_tokens or None,
            lifecycle="retired" if e.active is False else "active",
        )


def _modalities(yes: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Modalities implied by what the rules found; empty when no rule knew the model."""
    if "transcription" in yes:
        return ("audio",), ("text",)
    if "speech" in yes:
        return ("text",), ("audio",)
    if "chat" in yes or "moderation" in yes:
        return (("text", "image") if "vision" in yes else ("text",)), ("text",)
    return (), ()
