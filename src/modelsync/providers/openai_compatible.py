"""Any server speaking OpenAI's ``GET {base}/models``: vLLM, SGLang, LM Studio, llama.cpp's server,
a LiteLLM proxy, an internal gateway.

What is special:

- **No default host.** There is no URL that makes sense for "some server", so ``from_env`` refuses
  to build an adapter without one (``ConfigurationError`` naming ``OPENAI_COMPATIBLE_BASE_URL`` and
  the config-file alternative). The usual use is a *named instance*: ``my-vllm`` at
  ``http://gpu-1:8000/v1``, constructed as ``OpenAICompatibleAdapter(ProviderConfig(name="my-vllm",
  base_url=..., api_key=None), settings)``. ``self.name`` is the instance name, so each instance's
  catalog, statistics and models' ``provider`` field are its own, and two instances never share.
- **Key optional**: vLLM (``--api-key``), LiteLLM and gateways may want a Bearer token; LM Studio and
  llama.cpp usually do not. It is sent only when configured.
- **Few facts**: vLLM and SGLang add ``max_model_len`` (the served context window) and
  ``owned_by: "vllm"``/``"sglang"``; llama.cpp adds ``meta.n_ctx_train`` (the model's trained
  context); LoRA adapters on vLLM carry ``parent`` (the base model), recorded in the description.
  Nothing on the wire says chat or vision, and ids are whatever the operator chose, so capabilities
  come only from a minimal rule set (embedding and rerank ids), marked ``source="rule"``.
- **``created`` is not a creation date** on servers that stamp the time of the request into every
  entry (vLLM, SGLang and llama.cpp do); from those owners it is dropped instead of recording "now"
  as the model's birthday on every sync. Other servers' values are kept.
"""

from __future__ import annotations

from ..errors import ConfigurationError
from ..http import HttpClient
from ..model import Model
from ..rules import capabilities_from_rules, rule
from ..stats import breakdown, family
from .base import Adapter, ProviderSpec, Wire, from_unix


class _Meta(Wire):
    n_ctx_train: int | None = None


class _Entry(Wire):
    id: str
    object: str | None = None
    created: int | None = None
    owned_by: str | None = None
    root: str | None = None
    parent: str | None = None
    max_model_len: int | None = None
    meta: _Meta | None = None


class _List(Wire):
    data: list[_Entry]


# ``owned_by`` values of servers whose ``created`` is the time of the request, not of the model.
STAMPS_REQUEST_TIME = frozenset({"vllm", "sglang", "llamacpp"})

_NOT_CHAT = dict(chat=False, completion=False, function_calling=False)
# Deliberately minimal: an id that says "embedding" or "rerank" is one; nothing else is guessed.
RULES = (
    rule(r"embed", embeddings=True, **_NOT_CHAT),
    rule(r"rerank", rerank=True, embeddings=False, **_NOT_CHAT),
)

FAMILIES = (
    family("llama_models", r"llama"),
    family("qwen_models", r"qwen|qwq"),
    family("mistral_models", r"mistral|mixtral|magistral|devstral"),
    family("gemma_models", r"gemma"),
    family("deepseek_models", r"deepseek"),
)
BREAKDOWNS = (breakdown("by_owner", "owned_by"),)


class OpenAICompatibleAdapter(Adapter):
    spec = ProviderSpec(
        name="openai-compatible",
        title="OpenAI-compatible server",
        key_envs=("OPENAI_COMPATIBLE_API_KEY",),
        base_url_env="OPENAI_COMPATIBLE_BASE_URL",
        default_base_url="",
        key_required=False,
        auto_sync="probe",
    )
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = RULES

    @classmethod
    def resolve_base_url(cls, chosen: str | None, name: str) -> str:
        """An OpenAI-compatible server has no default: a missing base URL is its own error."""
        if not chosen:
            raise ConfigurationError(
                "no base URL configured (an OpenAI-compatible server has no default)",
                provider=name,
                hint=f"Set {cls.spec.base_url_env} (e.g. http://localhost:8000/v1) or base_url "
                f"in [providers.{name}] of the config file",
            )
        return chosen

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http)
        return [self.normalize(e) for e in self.parse(_List, payload).data]

    def normalize(self, e: _Entry) -> Model:
        window = e.max_model_len or (e.meta.n_ctx_train if e.meta else None)
        stamped = (e.owned_by or "").lower() in STAMPS_REQUEST_TIME
        return Model(
            provider=self.name,
            id=e.id,
            name=e.id,
            owned_by=e.owned_by,
            created=None if stamped else from_unix(e.created),
            description=f"LoRA adapter on {e.parent}" if e.parent and e.parent != e.id else None,
            capabilities=capabilities_from_rules(e.id, self.capability_rules),
            context_window=window if window and window > 0 else None,
        )
