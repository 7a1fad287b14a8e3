"""One exception taxonomy for every provider.

Callers catch a *kind* of failure (bad key, rate limit, outage, garbage answer) without caring which
provider's dialect produced it. Each error names the provider and says what to do next, and carries a
stable ``error_type`` string that lands in failure records and ``--json`` output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .results import SyncResult


class ModelSyncError(Exception):
    """Root of every error modelsync raises on purpose."""

    error_type: ClassVar[str] = "error"
    #: Whether the HTTP layer may try the same request again (a response may veto it).
    retryable: bool = False
    #: For a failed sync attempt: the error result with what the attempt cost (duration,
    #: requests, retries, pages), so callers report real figures, not zeros.
    sync_result: SyncResult | None = None

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.message = message
        self.provider = provider
        self.status_code = status_code
        self.hint = hint
        self.retry_after = retry_after
        if retryable is not None:
            self.retryable = retryable
        super().__init__(message)

    def __str__(self) -> str:
        parts = []
        if self.provider:
            parts.append(f"{self.provider}: ")
        parts.append(self.message)
        if self.status_code is not None:
            parts.append(f" (HTTP {self.status_code})")
        if self.hint:
            parts.append(f". {self.hint}")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigurationError(ModelSyncError):
    """The user's settings cannot work (unknown provider, missing key, bad store URL)."""

    error_type = "configuration_error"


class StoreError(ModelSyncError):
    """The catalog store cannot be reached or written."""

    error_type = "store_error"


class LeaseLostError(StoreError):
    """A sync's lease expired and another process took it; its write was refused."""

    error_type = "lease_lost"


class ProviderError(ModelSyncError):
    """The provider refused the request for a reason not covered by a narrower class."""

    error_type = "provider_error"


class InvalidCredentialsError(ProviderError):
    """The key is missing, malformed, revoked or wrong (401, or 400 with a bad-key body)."""

    error_type = "invalid_credentials"


class PermissionDeniedError(ProviderError):
    """The key is valid but may not list models here (403, region or project limits)."""

    error_type = "permission_denied"


class EndpointNotFoundError(ProviderError):
    """The list endpoint does not exist at the configured base URL (404)."""

    error_type = "not_found"


class RateLimitError(ProviderError):
    """Too many requests right now; ``retry_after`` says when to come back, if the provider said."""

    error_type = "rate_limited"
    retryable = True


class QuotaExceededError(ProviderError):
    """Credits, spend limit or billing quota exhausted: waiting will not help, so never retried."""

    error_type = "quota_exceeded"


class ProviderUnavailableError(ProviderError):
    """5xx, 529 overloaded, network failure or timeout: transient, retried with backoff."""

    error_type = "provider_unavailable"
    retryable = True


class ProviderUnreachableError(ProviderUnavailableError):
    """Nothing accepted the connection: a server that is down, or a local one not started."""

    error_type = "unreachable"


class RedirectRefusedError(ProviderError):
    """The provider redirected a request that carries a key to another origin.

    Following it would hand the key to whoever runs the other host, so it is refused (never
    retried): the user decides whether the new location is trustworthy and points the base URL
    at it.
    """

    error_type = "redirect_refused"


class MalformedResponseError(ProviderError):
    """The answer is not the shape we expect: HTML, truncated JSON, wrong keys, a broken page chain."""

    error_type = "malformed_response"


class SuspiciousFetchError(MalformedResponseError):
    """A well-formed answer that would shrink the catalog too much at once (empty, or half gone)."""

    error_type = "suspicious_fetch"


__all__ = [
    "ConfigurationError",
    "EndpointNotFoundError",
    "InvalidCredentialsError",
    "LeaseLostError",
    "MalformedResponseError",
    "ModelSyncError",
    "PermissionDeniedError",
    "ProviderError",
    "ProviderUnavailableError",
    "ProviderUnreachableError",
    "QuotaExceededError",
    "RateLimitError",
    "RedirectRefusedError",
    "StoreError",
    "SuspiciousFetchError",
]
