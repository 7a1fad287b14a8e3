"""Named presets for hosts that speak OpenAI's ``GET /models``: a base URL, a key variable, quirks.

Each preset is an :class:`OpenAICompatibleAdapter` with its own spec, so it is used like a
built-in (``modelsync sync cerebras``, ``[providers.cerebras] base_url = ...``) and keeps its own
catalog. What was checked for each (base URL, key variable, whether it really lists models) is in
``PRESETS`` beside it with its source; a fact nobody could confirm says ``unverified``.

Quirks handled here, each on the hosts that have it:

- **a path in the base URL**: DeepInfra serves OpenAI's API under ``/v1/openai``; the LiteLLM
  proxy and llama.cpp's server answer at the root (``/v1/models`` is relative to it).
- **a list query**: Nebius adds details (pricing, context) only with ``?verbose=true``.
- **richer entries**: ``context_length`` (Moonshot, SambaNova, Nebius), ``max_completion_tokens``
  (SambaNova), Moonshot's ``supports_image_in``/``supports_reasoning``, and the Hugging Face
  router's per-provider table (``providers[]`` with ``context_length``, ``supports_tools``,
  ``supports_structured_output``, ``status``) and ``architecture.input_modalities``.
- **local servers** (LM Studio, llama.cpp, vLLM, a LiteLLM proxy): no key needed, and a plain
  ``sync`` includes them only when they answer, like Ollama (``auto_sync="probe"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ..http import HttpClient
from ..model import Capability, Model
from ..rules import api_caps, merge_capabilities
from .base import ProviderSpec, Wire
from .openai_compatible import OpenAICompatibleAdapter, _Entry


@dataclass(frozen=True)
class Preset:
    """What one host needs: where it is, which variable holds its key, how it lists."""

    name: str
    title: str
    base_url: str
    key_env: str
    base_url_env: str
    key_required: bool = True
    auto_sync: Literal["key", "probe"] = "key"
    list_path: str = "models"
    list_params: Mapping[str, str] = field(default_factory=dict)
    docs_url: str = ""
    #: Where the base URL, key variable and model listing were confirmed (or that they were not).
    source: str = ""
    #: Extra key variables read when the first is unset.
    more_key_envs: tuple[str, ...] = ()


PRESETS: tuple[Preset, ...] = (
    Preset(
        "cerebras",
        "Cerebras",
        "https://api.cerebras.ai/v1",
        "CEREBRAS_API_KEY",
        "CEREBRAS_BASE_URL",
        docs_url="https://cloud.cerebras.ai",
        source="cerebras-cloud-sdk-python (base URL, CEREBRAS_API_KEY, models.list); models.dev",
    ),
    Preset(
        "huggingface",
        "Hugging Face Inference Providers",
        "https://router.huggingface.co/v1",
        "HF_TOKEN",
        "HF_ROUTER_BASE_URL",
        more_key_envs=("HUGGINGFACE_API_KEY",),
        docs_url="https://huggingface.co/settings/tokens",
        source="Inference Providers docs (router.huggingface.co/v1, HF_TOKEN); /v1/models entries "
        "with providers[] seen in client code; HF_ROUTER_BASE_URL is ours",
    ),
    Preset(
        "deepinfra",
        "DeepInfra",
        "https://api.deepinfra.com/v1/openai",
        "DEEPINFRA_API_KEY",
        "DEEPINFRA_BASE_URL",
        more_key_envs=("DEEPINFRA_TOKEN",),
        docs_url="https://deepinfra.com/dash/api_keys",
        source="DeepInfra OpenAI API docs (/v1/openai base, GET /v1/openai/models); LiteLLM's "
        "DEEPINFRA_API_KEY",
    ),
    Preset(
        "nebius",
        "Nebius Token Factory",
        "https://api.tokenfactory.nebius.com/v1",
        "NEBIUS_API_KEY",
        "NEBIUS_BASE_URL",
        list_params={"verbose": "true"},
        docs_url="https://tokenfactory.nebius.com",
        source="Nebius Token Factory API reference, docs.tokenfactory.nebius.com/api-reference/"
        "introduction, read 2026-12-01 (api.tokenfactory.nebius.com/v1, NEBIUS_API_KEY, Bearer; "
        "formerly AI Studio at api.studio.nebius.com, a host whose cross-origin redirect would "
        "be refused with the key); GET /v1/models; ?verbose=true unverified (harmless if ignored)",
    ),
    Preset(
        "sambanova",
        "SambaNova Cloud",
        "https://api.sambanova.ai/v1",
        "SAMBANOVA_API_KEY",
        "SAMBANOVA_BASE_URL",
        docs_url="https://cloud.sambanova.ai/apis",
        source="SambaNova Cloud docs (base URL, SAMBANOVA_API_KEY, GET /v1/models with "
        "context_length); field list unverified",
    ),
    Preset(
        "nvidia",
        "NVIDIA NIM (API catalog)",
        "https://integrate.api.nvidia.com/v1",
        "NVIDIA_API_KEY",
        "NVIDIA_BASE_URL",
        docs_url="https://build.nvidia.com",
        source="build.nvidia.com examples (integrate.api.nvidia.com/v1, NVIDIA_API_KEY); "
        "GET /v1/models lists the catalog; models.dev lists nvidia",
    ),
    Preset(
        "moonshot",
        "Moonshot AI (Kimi)",
        "https://api.moonshot.ai/v1",
        "MOONSHOT_API_KEY",
        "MOONSHOT_BASE_URL",
        docs_url="https://platform.moonshot.ai",
        source="Moonshot platform docs (api.moonshot.ai/v1; api.moonshot.cn/v1 in China, keys "
        "differ); GET /v1/models with context_length, supports_image_in (observed)",
    ),
    Preset(
        "perplexity",
        "Perplexity",
        "https://api.perplexity.ai",
        "PERPLEXITY_API_KEY",
        "PERPLEXITY_BASE_URL",
        more_key_envs=("PPLX_API_KEY",),
        docs_url="https://www.perplexity.ai/settings/api",
        source="base URL and key verified; a model-list endpoint is UNVERIFIED (Sonar docs "
        "document none): a 404 is reported as such, nothing else breaks",
    ),
    Preset(
        "lmstudio",
        "LM Studio",
        "http://localhost:1234/v1",
        "LMSTUDIO_API_KEY",
        "LMSTUDIO_BASE_URL",
        key_required=False,
        auto_sync="probe",
        source="LM Studio docs (localhost:1234/v1, GET /v1/models; with JIT loading it lists "
        "every downloaded model); no key; the variable names are ours",
    ),
    Preset(
        "llamacpp",
        "llama.cpp server",
        "http://localhost:8080",
        "LLAMA_API_KEY",
        "LLAMACPP_BASE_URL",
        key_required=False,
        auto_sync="probe",
        list_path="v1/models",
        source="llama.cpp tools/server README (port 8080, GET /v1/models with meta.n_ctx_train, "
        "--api-key or LLAMA_API_KEY); LLAMACPP_BASE_URL is ours",
    ),
    Preset(
        "vllm",
        "vLLM",
        "http://localhost:8000/v1",
        "VLLM_API_KEY",
        "VLLM_BASE_URL",
        key_required=False,
        auto_sync="probe",
        source="vLLM OpenAI-compatible server docs (port 8000, /v1/models with max_model_len, "
        "--api-key or VLLM_API_KEY); VLLM_BASE_URL is ours",
    ),
    Preset(
        "litellm",
        "LiteLLM proxy",
        "http://localhost:4000",
        "LITELLM_PROXY_API_KEY",
        "LITELLM_PROXY_API_BASE",
        key_required=False,
        auto_sync="probe",
        list_path="v1/models",
        source="LiteLLM docs, providers/litellm_proxy (LITELLM_PROXY_API_KEY, "
        "LITELLM_PROXY_API_BASE, http://localhost:4000; /v1/models)",
    ),
)


class _HFProvider(Wire):
    provider: str | None = None
    status: str | None = None
    context_length: int | None = None
    supports_tools: bool | None = None
    supports_structured_output: bool | None = None


class _Architecture(Wire):
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None


class _PresetEntry(_Entry):
    """The OpenAI-compatible entry plus the fields some hosts add."""

    context_length: int | None = None
    max_completion_tokens: int | None = None
    supports_image_in: bool | None = None
    supports_reasoning: bool | None = None
    providers: list[_HFProvider] | None = None
    architecture: _Architecture | None = None


class _PresetList(Wire):
    data: list[_PresetEntry]


class PresetAdapter(OpenAICompatibleAdapter):
    """Base of every preset; ``preset`` says which host."""

    preset: ClassVar[Preset]

    @classmethod
    def resolve_base_url(cls, chosen: str | None, name: str) -> str:
        return chosen or cls.spec.default_base_url

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http, params=dict(self.probe_params) or None)
        return [self.normalize_preset(e) for e in self.parse(_PresetList, payload).data]

    def normalize_preset(self, e: _PresetEntry) -> Model:
        model = self.normalize(e)
        update: dict[str, Any] = {}
        stated: dict[str, Capability] = {}
        window = model.context_window or e.context_length
        live = [p for p in e.providers or [] if (p.status or "live") == "live"]
        if live:
            windows = [p.context_length for p in live if p.context_length]
            window = window or (max(windows) if windows else None)
            tools = [p.supports_tools for p in live if p.supports_tools is not None]
            structured = [
                p.supports_structured_output
                for p in live
                if p.supports_structured_output is not None
            ]
            stated.update(
                api_caps(
                    function_calling=any(tools) if tools else None,
                    structured_output=any(structured) if structured else None,
                )
            )
        if e.architecture and e.architecture.input_modalities is not None:
            inputs = tuple(e.architecture.input_modalities)
            update["input_modalities"] = inputs
            update["output_modalities"] = tuple(e.architecture.output_modalities or ())
            stated.update(api_caps(vision="image" in inputs))
        stated.update(api_caps(vision=e.supports_image_in, reasoning=e.supports_reasoning))
        if window and window > 0:
            update["context_window"] = window
        if e.max_completion_tokens and e.max_completion_tokens > 0:
            update["max_output_tokens"] = e.max_completion_tokens
        if stated:
            update["capabilities"] = merge_capabilities(stated, model.capabilities)
        return model.model_copy(update=update) if update else model


def _make(preset: Preset) -> type[PresetAdapter]:
    spec = ProviderSpec(
        name=preset.name,
        title=preset.title,
        key_envs=(preset.key_env, *preset.more_key_envs),
        base_url_env=preset.base_url_env,
        default_base_url=preset.base_url,
        key_required=preset.key_required,
        auto_sync=preset.auto_sync,
        docs_url=preset.docs_url,
    )
    namespace = {
        "spec": spec,
        "preset": preset,
        "list_path": preset.list_path,
        "probe_params": dict(preset.list_params),
        "__doc__": f"{preset.title} preset ({preset.base_url}). Source: {preset.source}",
        "__module__": __name__,
    }
    class_name = "".join(p.capitalize() for p in preset.name.split("-")) + "Adapter"
    return type(class_name, (PresetAdapter,), namespace)


ADAPTERS: dict[str, type[PresetAdapter]] = {p.name: _make(p) for p in PRESETS}

CerebrasAdapter = ADAPTERS["cerebras"]
HuggingfaceAdapter = ADAPTERS["huggingface"]
DeepinfraAdapter = ADAPTERS["deepinfra"]
NebiusAdapter = ADAPTERS["nebius"]
SambanovaAdapter = ADAPTERS["sambanova"]
NvidiaAdapter = ADAPTERS["nvidia"]
MoonshotAdapter = ADAPTERS["moonshot"]
PerplexityAdapter = ADAPTERS["perplexity"]
LmstudioAdapter = ADAPTERS["lmstudio"]
LlamacppAdapter = ADAPTERS["llamacpp"]
VllmAdapter = ADAPTERS["vllm"]
LitellmAdapter = ADAPTERS["litellm"]
