"""Microsoft Entra ID tokens for Azure, without making ``azure-identity`` a dependency.

Key auth (``api-key``) needs nothing from here. Entra ID auth has two sources:

- a bearer token the user already holds, in ``AZURE_OPENAI_AD_TOKEN`` (the name the official
  ``openai`` SDK reads for ``AzureOpenAI(azure_ad_token=...)``): used as is, never refreshed;
- ``azure-identity``'s ``DefaultAzureCredential`` (environment service principal, workload
  identity, managed identity, Azure CLI...), installed with ``pip install 'modelsync[azure]'``.
  It is imported only when this source is used, so ``import modelsync`` and every other provider
  work without it; a missing package is a one-line ``ConfigurationError`` naming the extra.

Tokens are cached per scope until five minutes before they expire. ``get_token`` is blocking
(it may start a subprocess for the Azure CLI), so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..errors import ConfigurationError, InvalidCredentialsError
from ..redact import redact

#: Data plane (``{endpoint}/openai/...``) and management plane (ARM) audiences.
COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default"
ARM_SCOPE = "https://management.azure.com/.default"
EXTRA_HINT = "pip install 'modelsync[azure]'"
_REFRESH_MARGIN = 300.0


def load_credential(provider: str) -> Any:
    """A ``DefaultAzureCredential``, importing ``azure.identity`` only now."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise ConfigurationError(
            "Microsoft Entra ID sign-in needs the azure-identity package, which is not installed",
            provider=provider,
            hint=f"{EXTRA_HINT}, or set AZURE_OPENAI_API_KEY to use key auth",
        ) from None
    return DefaultAzureCredential()


class TokenCache:
    """Tokens per scope from one credential, refreshed shortly before they expire."""

    def __init__(self, provider: str, static_token: str | None = None) -> None:
        self.provider = provider
        self.static_token = static_token
        self._credential: Any = None
        self._tokens: dict[str, tuple[str, float]] = {}
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    def _lock(self) -> asyncio.Lock:
        """One lock per event loop: a blocking ``Catalog`` runs each sync in a new loop, and an
        ``asyncio.Lock`` that waited in one loop cannot be used in another."""
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = asyncio.Lock()
            self._locks = {loop: lock}  # forget closed loops' locks
        return lock

    @property
    def issued(self) -> tuple[str, ...]:
        """Every token handed out so far (for redaction)."""
        tokens = [t for t, _ in self._tokens.values()]
        return tuple(([self.static_token] if self.static_token else []) + tokens)

    async def token(self, scope: str) -> str:
        if self.static_token and scope == COGNITIVE_SCOPE:
            return self.static_token
        async with self._lock():
            cached = self._tokens.get(scope)
            if cached is not None and cached[1] - _REFRESH_MARGIN > time.time():
                return cached[0]
            if self._credential is None:
                self._credential = load_credential(self.provider)
            try:
                got = await asyncio.to_thread(self._credential.get_token, scope)
            except Exception as exc:  # azure-identity raises its own types; never let one escape
                secrets = self.issued
                first = redact(
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "", secrets
                )
                raise InvalidCredentialsError(
                    f"Microsoft Entra ID sign-in failed ({type(exc).__name__}: {first or 'no detail'})",
                    provider=self.provider,
                    hint="sign in (az login), set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, "
                    "or use AZURE_OPENAI_API_KEY",
                ) from None
            self._tokens[scope] = (str(got.token), float(got.expires_on))
            return str(got.token)
