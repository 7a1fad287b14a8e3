"""Provider adapters, found by name without importing the ones a command does not use."""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigurationError

if TYPE_CHECKING:  # importing base pulls in httpx; reads from the store must not pay for it
    from .base import Adapter

BUILTIN: dict[str, str] = {
    "openai": "modelsync.providers.openai:OpenAIAdapter",
    "anthropic": "modelsync.providers.anthropic:AnthropicAdapter",
    "gemini": "modelsync.providers.gemini:GeminiAdapter",
    "xai": "modelsync.providers.xai:XAIAdapter",
    # group a (issue 3)
    "mistral": "modelsync.providers.mistral:MistralAdapter",
    "groq": "modelsync.providers.groq:GroqAdapter",
    "deepseek": "modelsync.providers.deepseek:DeepSeekAdapter",
    "openrouter": "modelsync.providers.openrouter:OpenRouterAdapter",
    # group b (issue 3)
    "ollama": "modelsync.providers.ollama:OllamaAdapter",
    "together": "modelsync.providers.together:TogetherAdapter",
    "cohere": "modelsync.providers.cohere:CohereAdapter",
    "fireworks": "modelsync.providers.fireworks:FireworksAdapter",
    "openai-compatible": "modelsync.providers.openai_compatible:OpenAICompatibleAdapter",
    # issue 12: Azure and the OpenAI-compatible presets
    "azure": "modelsync.providers.azure:AzureAdapter",
    "cerebras": "modelsync.providers.presets:CerebrasAdapter",
    "huggingface": "modelsync.providers.presets:HuggingfaceAdapter",
    "deepinfra": "modelsync.providers.presets:DeepinfraAdapter",
    "nebius": "modelsync.providers.presets:NebiusAdapter",
    "sambanova": "modelsync.providers.presets:SambanovaAdapter",
    "nvidia": "modelsync.providers.presets:NvidiaAdapter",
    "moonshot": "modelsync.providers.presets:MoonshotAdapter",
    "perplexity": "modelsync.providers.presets:PerplexityAdapter",
    "lmstudio": "modelsync.providers.presets:LmstudioAdapter",
    "llamacpp": "modelsync.providers.presets:LlamacppAdapter",
    "vllm": "modelsync.providers.presets:VllmAdapter",
    "litellm": "modelsync.providers.presets:LitellmAdapter",
    # clouds (issue 12)
    "vertex": "modelsync.providers.vertex:VertexAdapter",
    "bedrock": "modelsync.providers.bedrock:BedrockAdapter",
}


#: Third-party packages add providers under this entry-point group (see the README, "Plugins").
ENTRY_POINT_GROUP = "modelsync.providers"


@functools.cache
def plugins() -> dict[str, str]:
    """Providers that installed packages declare as entry points, ``name -> module:Class``."""
    from importlib.metadata import entry_points

    found: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def known_providers() -> list[str]:
    """Built-in providers first, then plugins (a plugin cannot shadow a built-in name)."""
    return [*BUILTIN, *(name for name in plugins() if name not in BUILTIN)]


def adapter_class(name: str) -> type[Adapter]:
    """The adapter class for a provider type, imported only now."""
    from .base import Adapter

    target = BUILTIN.get(name) or plugins().get(name)
    if target is None:
        raise ConfigurationError(
            f"unknown provider {name!r}",
            hint="known providers: " + ", ".join(known_providers()),
        )
    module, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(
            f"provider {name!r} cannot be loaded from {target} ({type(exc).__name__}: {exc})",
            hint="reinstall the package that provides it, or remove it",
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise ConfigurationError(
            f"provider {name!r} at {target} is not a modelsync Adapter subclass",
            hint="a plugin's entry point must name a subclass of modelsync.providers.base.Adapter",
        )
    return cls


__all__ = ["adapter_class", "known_providers"]
