"""Turn an HTTP error response into one typed error: by status first, then by body.

Providers disagree on status codes (Gemini and xAI answer a bad key with 400) and on body shapes
(OpenAI's ``error.message``, xAI's ``error`` string, Cohere's ``message``, Mistral's ``detail``), so
the rules here are data: markers that reclassify a status, and paths where a message may live.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from .errors import (
    EndpointNotFoundError,
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitError,
)
from .redact import redact

# Body text (lower-cased) that means "the key is bad" whatever the status says.
BAD_KEY_MARKERS = (
    "api_key_invalid",
    "api key not valid",
    "incorrect api key",
    "invalid api key",
    "invalid_api_key",
    "invalid x-api-key",
    "authentication fails",
    "invalid api token",
    "authentication_error",
    "no_db_connection",  # a LiteLLM proxy without a database, given a key that is not its own
    "make sure your api key is valid",  # Bedrock API keys (403 {"Message": ...})
)
# AWS's machine-readable error types (``x-amzn-ErrorType``, or ``__type`` in JSON-1.x bodies)
# that mean the credentials themselves are wrong, missing or expired; AWS answers them 403 or
# 400, where a plain 403 means "valid, but not allowed".
AWS_BAD_CREDENTIAL_TYPES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "ExpiredToken",
        "IncompleteSignatureException",
        "IncompleteSignature",
        "MissingAuthenticationTokenException",
        "MissingAuthenticationToken",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
    }
)
# Body text that means "out of money or quota": waiting will not help.
QUOTA_MARKERS = (
    "insufficient_quota",
    "enforced_spend_limit_reached",
    "used all available credits",
    "monthly spending limit",
    "insufficient balance",
    "insufficient credits",
    "billing_hard_limit",
    "billing_not_active",
    "calls / month",  # Cohere trial keys: a monthly cap, not a per-minute limit
)

_HINTS: dict[type[ModelSyncError], str] = {
    InvalidCredentialsError: "Check the API key in {key_env}",
    PermissionDeniedError: "The key may not list models; check its project, region or permissions",
    EndpointNotFoundError: "Check the base URL ({base_url})",
    RateLimitError: "Rate limited; the last good catalog is kept, try again later",
    QuotaExceededError: "Add credits or raise the spend limit with the provider",
    ProviderUnavailableError: "The provider is having trouble; the last good catalog is kept",
    MalformedResponseError: "The endpoint did not answer like this provider's model-list API; "
    "check the base URL ({base_url})",
    ProviderError: "The provider rejected the request",
}


def hint_for(cls: type[ModelSyncError], *, key_env: str, base_url: str) -> str:
    for klass in cls.__mro__:
        template = _HINTS.get(klass)
        if template:
            return template.format(key_env=key_env, base_url=base_url)
    return ""


def parse_body(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def error_message(body: Any, text: str) -> str:
    """The human message wherever this provider put it, else a trimmed raw body."""
    if isinstance(body, Mapping):
        err = body.get("error")
        if isinstance(err, Mapping) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(err, str):
            return err
        for key in ("message", "detail", "msg", "Message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    snippet = " ".join(text.split())[:200]
    return snippet or "no error message"


def retry_after_seconds(
    headers: Mapping[str, str], body: Any, now: datetime | None = None
) -> float | None:
    """``retry-after-ms``, then ``Retry-After`` (seconds or HTTP date), then Gemini's RetryInfo."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(float(raw_ms) / 1000.0, 0.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw:
        try:
            return max(float(raw), 0.0)
        except ValueError:
            try:
                when = parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
    return _gemini_retry_delay(body)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def _gemini_retry_delay(body: Any) -> float | None:
    if not isinstance(body, Mapping):
        return None
    err = body.get("error")
    details = err.get("details") if isinstance(err, Mapping) else None
    if not isinstance(details, list):
        return None
    for detail in details:
        if isinstance(detail, Mapping) and str(detail.get("@type", "")).endswith("RetryInfo"):
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def classify(status: int, body_text: str, retry_hint: float | None) -> type[ModelSyncError]:
    """Status first; the body only moves an answer between neighbouring kinds."""
    lowered = body_text.lower()
    bad_key = any(marker in lowered for marker in BAD_KEY_MARKERS)
    quota = any(marker in lowered for marker in QUOTA_MARKERS)
    if status == 401:
        return InvalidCredentialsError
    if status == 403:
        return InvalidCredentialsError if bad_key else PermissionDeniedError
    if status == 400:
        return InvalidCredentialsError if bad_key else ProviderError
    if status == 402:
        return QuotaExceededError
    if status == 404:
        return EndpointNotFoundError
    if status in (408, 409):
        return ProviderUnavailableError
    if status == 429:
        if quota or (retry_hint is None and "perday" in lowered.replace("_", "")):
            return QuotaExceededError
        return RateLimitError
    if status >= 500:
        return ProviderUnavailableError
    return ProviderError


def aws_error_type(headers: Mapping[str, str], body: Any) -> str | None:
    """``UnrecognizedClientException`` from ``x-amzn-ErrorType: Name:namespace`` or ``__type``."""
    raw = headers.get("x-amzn-errortype") or (
        body.get("__type") if isinstance(body, Mapping) else None
    )
    if not isinstance(raw, str) or not raw:
        return None
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip() or None


def error_from_response(
    *,
    provider: str,
    status: int,
    headers: Mapping[str, str],
    text: str,
    secrets: tuple[str, ...],
    key_env: str,
    base_url: str,
) -> ModelSyncError:
    body = parse_body(text)
    retry_hint = retry_after_seconds(headers, body)
    cls = classify(status, text, retry_hint)
    if aws_error_type(headers, body) in AWS_BAD_CREDENTIAL_TYPES:
        cls = InvalidCredentialsError
    message = redact(error_message(body, text), secrets)
    should_retry = headers.get("x-should-retry")
    retryable = None
    if should_retry in ("true", "false") and cls.retryable:
        retryable = should_retry == "true"
    return cls(
        message,
        provider=provider,
        status_code=status,
        hint=hint_for(cls, key_env=key_env, base_url=redact(base_url, secrets)),
        retry_after=retry_hint,
        retryable=retryable,
    )
