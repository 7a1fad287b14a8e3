"""modelsync: an accurate, current catalog of the AI models each provider offers to your keys.

Importing this package does no I/O and loads almost nothing: public names are resolved on first
use, so ``import modelsync`` stays cheap for CLIs and notebooks alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Catalog": "modelsync.catalog",
    "AsyncCatalog": "modelsync.catalog",
    "AsyncProviderHandle": "modelsync.catalog",
    "ProviderHandle": "modelsync.catalog",
    "Settings": "modelsync.config",
    "Model": "modelsync.model",
    "Capability": "modelsync.model",
    "Pricing": "modelsync.model",
    "ModelPreview": "modelsync.model",
    "SyncResult": "modelsync.model",
    "ModelSyncError": "modelsync.errors",
    "ConfigurationError": "modelsync.errors",
    "StoreError": "modelsync.errors",
    "ProviderError": "modelsync.errors",
    "InvalidCredentialsError": "modelsync.errors",
    "PermissionDeniedError": "modelsync.errors",
    "EndpointNotFoundError": "modelsync.errors",
    "RateLimitError": "modelsync.errors",
    "QuotaExceededError": "modelsync.errors",
    "ProviderUnavailableError": "modelsync.errors",
    "RedirectRefusedError": "modelsync.errors",
    "MalformedResponseError": "modelsync.errors",
}

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import AsyncCatalog, AsyncProviderHandle, Catalog, ProviderHandle
    from .config import Settings
    from .errors import (
        ConfigurationError,
        EndpointNotFoundError,
        InvalidCredentialsError,
        MalformedResponseError,
        ModelSyncError,
        PermissionDeniedError,
        ProviderError,
        ProviderUnavailableError,
        QuotaExceededError,
        RateLimitError,
        RedirectRefusedError,
        StoreError,
    )
    from .model import Capability, Model, ModelPreview, Pricing, SyncResult


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'modelsync' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "AsyncCatalog",
    "AsyncProviderHandle",
    "Capability",
    "Catalog",
    "ConfigurationError",
    "EndpointNotFoundError",
    "InvalidCredentialsError",
    "MalformedResponseError",
    "Model",
    "ModelPreview",
    "ModelSyncError",
    "PermissionDeniedError",
    "Pricing",
    "ProviderError",
    "ProviderHandle",
    "ProviderUnavailableError",
    "QuotaExceededError",
    "RateLimitError",
    "RedirectRefusedError",
    "Settings",
    "StoreError",
    "SyncResult",
]
