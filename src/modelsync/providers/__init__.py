"""Provider adapters, found by name without importing the ones a command does not use."""

from __future__ import annotations

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
    # group b (issue 3)
}


def known_providers() -> list[str]:
    return list(BUILTIN)


def adapter_class(name: str) -> type[Adapter]:
    target = BUILTIN.get(name)
    if target is None:
        raise ConfigurationError(
            f"unknown provider {name!r}",
            hint="known providers: " + ", ".join(BUILTIN),
        )
    module, _, attr = target.partition(":")
    cls: type[Adapter] = getattr(importlib.import_module(module), attr)
    return cls


__all__ = ["adapter_class", "known_providers"]
