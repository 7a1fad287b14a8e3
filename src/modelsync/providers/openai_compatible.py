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
- **What each server adds to an entry**, read when present:

  ========================  =====================================================================
  vLLM, SGLang              ``max_model_len``: the served context window; ``owned_by`` ``"vllm"`` /
                            ``"sglang"``; LoRA cards carry ``parent`` (the base model), recorded in
                            the description (vLLM's ``ModelCard`` in its OpenAI protocol module).
  LiteLLM proxy             ``max_input_tokens`` (context window), ``max_output_tokens`` and
                            ``mode`` (``chat``, ``embedding``, ``completion``, ``image_generation``,
                            ``audio_transcription``, ``audio_speech``, ``moderation``, ``rerank``,
                            ``responses``) on models whose metadata LiteLLM knows; ``owned_by`` is
                            always ``"openai"`` (seen on a real litellm 1.108.7 proxy,
                            tests/captures/openai-compatible/).
  llama.cpp server          ``meta.n_ctx_train`` (the trained context: the window when nothing
                            says more), ``owned_by: "llamacpp"`` (server README, ``GET /v1/models``).
  LM Studio                 nothing beyond id/object/owned_by on ``/v1/models``; its window and
                            type are on the native ``/api/v0/models`` (``max_context_length``),
                            which a gateway may copy: ``max_context_length`` is read if present.
  TGI                       the one served model, id/object/created/owned_by only; limits live on
                            ``/info``, which is not read.
  ========================  =====================================================================

  ``mode`` is the server's statement, so it is an API fact (``chat`` -> chat, ``embedding`` ->
  embeddings and not chat...). Otherwise ids are whatever the operator chose, so capabilities
  come only from a minimal rule set (embedding and rerank ids), marked ``source="rule"``.
- **``created`` is not a creation date** on servers that stamp the time of the request into every
  entry (vLLM, SGLang and llama.cpp do) nor when every entry of a list shares one value (a LiteLLM
  proxy sends one constant, 1677610602, for every model): then it is dropped instead of recording
  a made-up birthday. Other servers' values are kept.
- **LiteLLM's wrong-key answers**: no key is 401 ``auth_error`` ("Authentication Error, ..."); a key
  that is not the master key, on a proxy without a database, is 400 ``no_db_connection`` ("No
  connected db."). Both are invalid credentials (``errormap.BAD_KEY_MARKERS``).
"""

from __future__ import annotations

from ..errors import ConfigurationError
from ..http import HttpClient
from ..model import Capability, Model
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
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
    # LiteLLM proxy
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    mode: str | None = None
    # LM Studio's native fields, when a gateway passes them through
    max_context_length: int | None = None


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

#: LiteLLM's ``mode`` -> what it states. Unknown modes state nothing.
MODE_CAPS: dict[str, dict[str, bool]] = {
    "chat": {"chat": True},
    "responses": {"chat": True},
    "completion": {"completion": True},
    "embedding": {"embeddings": True, "chat": False},
    "image_generation": {"image_generation": True, "chat": False},
    "audio_transcription": {"transcription": True, "audio_input": True, "chat": False},
    "audio_speech": {"speech": True, "chat": False},
    "moderation": {"moderation": True, "chat": False},
    "rerank": {"rerank": True, "chat": False},
}


def _positive(*values: int | None) -> int | None:
    """The first positive value: the most specific limit a server gave."""
    return next((v for v in values if v is not None and v > 0), None)


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
        entries = self.parse(_List, payload).data
        stamps = {e.created for e in entries}
        shared = len(entries) > 1 and len(stamps) == 1
        return [self.normalize(e, shared_created=shared) for e in entries]

    def normalize(self, e: _Entry, *, shared_created: bool = False) -> Model:
        window = _positive(
            e.max_model_len,
            e.max_input_tokens,
            e.max_context_length,
            e.meta.n_ctx_train if e.meta else None,
        )
        stamped = shared_created or (e.owned_by or "").lower() in STAMPS_REQUEST_TIME
        stated: dict[str, Capability] = api_caps(**MODE_CAPS.get((e.mode or "").lower(), {}))
        return Model(
            provider=self.name,
            id=e.id,
            name=e.id,
            owned_by=e.owned_by,
            created=None if stamped else from_unix(e.created),
            description=f"LoRA adapter on {e.parent}" if e.parent and e.parent != e.id else None,
            capabilities=merge_capabilities(
                stated, capabilities_from_rules(e.id, self.capability_rules)
            ),
            context_window=window,
            max_output_tokens=_positive(e.max_output_tokens),
        )
