"""Emulated OpenAI-compatible hosts for the presets of issue 12; each registers itself on import.

Every preset speaks OpenAI's list: ``GET {base}/models`` -> ``{"object": "list", "data": [...]}``
with Bearer auth. What differs, and what each emulator reproduces:

- where the list lives under the host: ``/v1/models`` (most), ``/v1/openai/models`` (DeepInfra,
  whose base URL carries ``/v1/openai``), ``/models`` at the root of Perplexity's host;
- the extra fields some add: Moonshot ``context_length``/``supports_image_in``/
  ``supports_reasoning`` (observed in Moonshot's docs); SambaNova ``context_length``/
  ``max_completion_tokens`` (SambaNova Cloud docs; values illustrative); the Hugging Face router's
  ``providers[]`` and ``architecture`` (the router's ``/v1/models`` as client code types it);
  llama.cpp's ``meta.n_ctx_train`` (llama.cpp tools/server README); vLLM's ``max_model_len``;
- whether a key is needed: cloud hosts refuse a missing or wrong key with OpenAI's error envelope
  (``{"error": {"message", "type", "code"}}``; each host's exact wording is unverified and marked
  so); local servers accept anything when started without a key (``api_key=""``).

Model ids are real ids from each host's public catalog; ``created`` values are illustrative.
"""

from __future__ import annotations

import secrets
from typing import Any, Final

from tests.emulators.fixtures import register_fixtures
from tests.emulators.providers import BaseProvider, _bearer, _last, register_provider
from tests.emulators.providers_b import captured, vllm_card
from tests.emulators.server import Call, JsonDict, Reply

__all__ = ["PRESET_LIST_ROUTES", "PRESET_MODELS", "PresetProvider"]


class PresetProvider(BaseProvider):
    """One OpenAI-compatible host; subclasses set the name, mount point and list route."""

    name = "preset"
    api_root = "/v1"
    list_route = "/v1/models"
    local = False
    bad_key_message = "Invalid API key provided"  # wording per host unverified

    def new_request_id(self) -> str:
        return f"req_{secrets.token_hex(12)}"

    def base_headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": call.request_id}

    def _err(self, call: Call, status: int, message: str, type_: str, code: str | None) -> Reply:
        return self.json_reply(
            call, status, {"error": {"message": message, "type": type_, "code": code}}
        )

    def check_auth(self, call: Call) -> Reply | None:
        if self.local and not call.view.api_key:
            return None  # a local server started without --api-key
        if _bearer(call.request.headers) == call.view.api_key:
            return None
        return self.error(call, 401)

    def listing_payload(self, call: Call) -> Any:
        return {"object": "list", "data": list(call.view.models)}

    def serve(self, call: Call) -> Reply:
        if call.route == self.list_route:
            return self.json_reply(call, 200, self.listing_payload(call))
        return self.not_found(call)

    def not_found(self, call: Call) -> Reply:
        return self._err(call, 404, f"Not found: {call.route}", "invalid_request_error", None)

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(call, 200, {"object": "list", "data": "none"})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 401:
            return self._err(
                call, 401, self.bad_key_message, "invalid_request_error", "invalid_api_key"
            )
        if status == 403:
            return self._err(
                call, 403, "This key may not access this resource", "permission_error", None
            )
        if status == 404:
            return self.not_found(call)
        if status == 429:
            return self._err(
                call, 429, "Rate limit exceeded", "rate_limit_error", "rate_limit_exceeded"
            )
        if status >= 500:
            return self._err(call, status, "Internal server error", "server_error", None)
        return self._err(call, status, f"Request failed ({status})", "invalid_request_error", None)


class _Nebius(PresetProvider):
    """Nebius answers more only with ``?verbose=true``; the emulator mirrors that."""

    def listing_payload(self, call: Call) -> Any:
        verbose = _last(call.request.query, "verbose") == "true"
        data = [
            e
            if verbose or not isinstance(e, dict)
            else {k: v for k, v in e.items() if k != "context_length"}
            for e in call.view.models
        ]
        return {"object": "list", "data": data}


def _oa(model_id: str, owned_by: str, created: int = 1735689600, **extra: Any) -> JsonDict:
    return {"id": model_id, "object": "model", "created": created, "owned_by": owned_by, **extra}


def _hf(model_id: str, owner: str, providers: list[JsonDict], inputs: list[str]) -> JsonDict:
    return {
        "id": model_id,
        "object": "model",
        "created": 1733270400,
        "owned_by": owner,
        "architecture": {"input_modalities": inputs, "output_modalities": ["text"]},
        "providers": providers,
    }


def _hfp(
    provider: str, status: str, context: int | None, tools: bool | None, structured: bool | None
) -> JsonDict:
    entry: JsonDict = {"provider": provider, "status": status, "is_model_author": False}
    if context is not None:
        entry["context_length"] = context
    if tools is not None:
        entry["supports_tools"] = tools
    if structured is not None:
        entry["supports_structured_output"] = structured
    entry["pricing"] = {"input": 0.59, "output": 0.79}  # illustrative
    return entry


PRESET_MODELS: Final[dict[str, list[JsonDict]]] = {
    "cerebras": [
        _oa("llama3.1-8b", "Meta"),
        _oa("llama-3.3-70b", "Meta"),
        _oa("gpt-oss-120b", "OpenAI"),
        _oa("qwen-3-32b", "Qwen"),
    ],
    "huggingface": [
        _hf(
            "meta-llama/Llama-3.3-70B-Instruct",
            "meta-llama",
            [
                _hfp("groq", "live", 131072, True, True),
                _hfp("nebius", "live", 131072, True, False),
                _hfp("hyperbolic", "staging", 262144, None, None),
            ],
            ["text"],
        ),
        _hf(
            "Qwen/Qwen2.5-VL-7B-Instruct",
            "Qwen",
            [_hfp("hyperbolic", "live", 32768, False, None)],
            ["text", "image"],
        ),
        _hf(
            "deepseek-ai/DeepSeek-R1",
            "deepseek-ai",
            [_hfp("together", "live", 163840, None, None)],
            ["text"],
        ),
    ],
    "deepinfra": [
        _oa("meta-llama/Meta-Llama-3.1-8B-Instruct", "deepinfra"),
        _oa("deepseek-ai/DeepSeek-V3", "deepinfra"),
        _oa("BAAI/bge-large-en-v1.5", "deepinfra"),
    ],
    "nebius": [
        _oa("meta-llama/Llama-3.3-70B-Instruct", "system", context_length=131072),
        _oa("Qwen/Qwen3-235B-A22B", "system", context_length=40960),
    ],
    "sambanova": [
        _oa(
            "Meta-Llama-3.3-70B-Instruct",
            "SambaNova",
            context_length=131072,
            max_completion_tokens=3072,
        ),
        _oa("DeepSeek-R1", "SambaNova", context_length=32768, max_completion_tokens=8192),
    ],
    "nvidia": [
        _oa("meta/llama-3.1-8b-instruct", "meta", created=735790403),
        _oa("nvidia/llama-3.1-nemotron-70b-instruct", "nvidia", created=735790403),
        _oa("mistralai/mixtral-8x7b-instruct-v0.1", "mistralai", created=735790403),
        _oa("nvidia/nv-embedqa-e5-v5", "nvidia", created=735790403),
    ],
    "moonshot": [
        _oa(
            "kimi-k2-0905-preview",
            "moonshot",
            context_length=262144,
            supports_image_in=False,
            supports_reasoning=False,
        ),
        _oa(
            "kimi-latest",
            "moonshot",
            context_length=131072,
            supports_image_in=True,
            supports_reasoning=False,
        ),
        _oa(
            "kimi-k2-thinking",
            "moonshot",
            context_length=262144,
            supports_image_in=False,
            supports_reasoning=True,
        ),
    ],
    "perplexity": [
        _oa("sonar", "perplexity", created=0),
        _oa("sonar-pro", "perplexity", created=0),
    ],
    "lmstudio": [
        _oa("qwen2.5-7b-instruct", "organization_owner"),
        _oa("text-embedding-nomic-embed-text-v1.5", "organization_owner"),
    ],
    "llamacpp": [
        _oa(
            "ggml-org/gemma-3-1b-it-GGUF",
            "llamacpp",
            meta={"vocab_type": 2, "n_vocab": 262144, "n_ctx_train": 32768, "n_embd": 1152},
        ),
    ],
    "vllm": [vllm_card("Qwen/Qwen3-8B", 40960)],
}

#: Where each host serves the list, relative to its origin; base URL = origin + api_root.
PRESET_LIST_ROUTES: Final[dict[str, tuple[str, str]]] = {
    # name: (api_root, list route)
    "cerebras": ("/v1", "/v1/models"),
    "huggingface": ("/v1", "/v1/models"),
    "deepinfra": ("/v1/openai", "/v1/openai/models"),
    "nebius": ("/v1", "/v1/models"),
    "sambanova": ("/v1", "/v1/models"),
    "nvidia": ("/v1", "/v1/models"),
    "moonshot": ("/v1", "/v1/models"),
    "perplexity": ("", "/models"),
    "lmstudio": ("/v1", "/v1/models"),
    "llamacpp": ("", "/v1/models"),
    "vllm": ("/v1", "/v1/models"),
    "litellm": ("", "/v1/models"),
}
_LOCAL: Final = frozenset({"lmstudio", "llamacpp", "vllm", "litellm"})


def _register(name: str) -> None:
    api_root, route = PRESET_LIST_ROUTES[name]
    base = _Nebius if name == "nebius" else PresetProvider
    cls = type(
        f"{name.capitalize()}Provider",
        (base,),
        {"name": name, "api_root": api_root, "list_route": route, "local": name in _LOCAL},
    )
    register_provider(name, cls)

    def synthetic(i: int) -> JsonDict:
        return _oa(f"synth/{name}-model-{i:04d}", "synth", created=1767225600 - i * 86400)

    register_fixtures(name, PRESET_MODELS[name], synthetic)


for _name in PRESET_MODELS:
    _register(_name)
# The LiteLLM proxy's emulator is the one built from a real run (providers_b.LiteLLMProxyProvider,
# registered with the captured list); the preset reads it at ``/v1/models`` from the origin.
PRESET_MODELS["litellm"] = captured("openai-compatible", "litellm-proxy-models")["data"]
