"""Per-provider wire behaviour: auth checks, list endpoints, pagination and error bodies.

Each class answers the way the real API does according to
/work/shared/reference/provider-apis.md (sections 1-4). Where the reference is silent the
choice is marked "guess" in a comment, so a failing client test can be traced to it.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import secrets
from typing import Any, Final

from tests.emulators.fixtures import PROVIDERS
from tests.emulators.server import Call, JsonDict, ProviderSpec, Reply

__all__ = [
    "AnthropicProvider",
    "BaseProvider",
    "GeminiProvider",
    "OpenAIProvider",
    "XAIProvider",
    "make_provider",
]


def _bearer(headers: dict[str, str]) -> str | None:
    """Token from ``Authorization: Bearer <token>``; ``None`` when absent, empty or not Bearer."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _last(query: dict[str, list[str]], name: str) -> str | None:
    """Last value of a query parameter (what most servers use for repeats); ``""`` -> ``None``."""
    values = query.get(name)
    return values[-1] if values and values[-1] != "" else None


def _entry_id(entry: Any) -> Any:
    """Anthropic cursor id of an entry; tolerant of deliberately broken test entries."""
    return entry.get("id") if isinstance(entry, dict) else None


class BaseProvider:
    """Shared rendering helpers; subclasses implement the provider-specific pieces."""

    name: str
    api_root: str
    #: Routes answered to a POST too (Ollama's ``/api/show``); every other POST is refused.
    post_routes: frozenset[str] = frozenset()
    json_indent: int | None = None
    json_content_type: str = "application/json"

    def new_request_id(self) -> str:
        return f"req_{secrets.token_hex(16)}"

    def base_headers(self, call: Call) -> dict[str, str]:
        """Headers the provider puts on every answer it produces itself."""
        return {}

    def json_reply(
        self, call: Call, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> Reply:
        body = json.dumps(payload, indent=self.json_indent, ensure_ascii=False).encode("utf-8")
        return Reply(
            status, body, self.json_content_type, {**self.base_headers(call), **(headers or {})}
        )

    def listing_payload(self, call: Call) -> Any:
        """The unpaginated listing body for ``call.route`` (used to build truncated JSON)."""
        raise NotImplementedError

    def malformed(self, call: Call) -> Reply:
        """A proper prefix of a JSON object is never valid JSON, so half the body will do."""
        text = json.dumps(self.listing_payload(call), indent=self.json_indent)
        reply = self.json_reply(call, 200, None)
        reply.body = text[: max(1, len(text) // 2)].encode("utf-8")
        return reply

    def method_not_allowed(self, call: Call) -> Reply:
        return self.error(call, 405)

    # The rest of the ProviderSpec protocol, implemented by every subclass.

    def check_auth(self, call: Call) -> Reply | None:
        raise NotImplementedError

    def serve(self, call: Call) -> Reply:
        raise NotImplementedError

    def not_found(self, call: Call) -> Reply:
        raise NotImplementedError

    def wrong_shape(self, call: Call) -> Reply:
        raise NotImplementedError

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        raise NotImplementedError


# ---------------------------------------------------------------------------------- OpenAI

_OPENAI_KEYS_URL: Final = "https://platform.openai.com/account/api-keys"


def mask_openai_key(key: str) -> str:
    """OpenAI echoes bad keys as first 5 chars, asterisks, last 4 (short keys: all masked,
    a guess)."""
    if len(key) <= 9:
        return "*" * len(key)
    return key[:5] + "*" * (len(key) - 9) + key[-4:]


class OpenAIProvider(BaseProvider):
    """``GET {base}/models`` -> ``{"object": "list", "data": [...]}``; no pagination."""

    name = "openai"
    api_root = "/v1"
    json_indent = 2  # api.openai.com pretty-prints its JSON

    def base_headers(self, call: Call) -> dict[str, str]:
        return {
            "openai-version": "2020-10-01",
            "x-request-id": call.request_id,
            "openai-processing-ms": str(random.randint(40, 400)),
        }

    def _err(
        self,
        call: Call,
        status: int,
        message: str,
        type_: str,
        code: str | int | None,
        param: str | None = None,
    ) -> Reply:
        body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
        return self.json_reply(call, status, body)

    def _auth_error(self, call: Call, key: str | None) -> Reply:
        if key is None:
            return self._err(
                call,
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), "
                "or as the password field (with blank username) if you're accessing the API "
                f"from your browser and are prompted for a username and password. You can "
                f"obtain an API key from {_OPENAI_KEYS_URL}.",
                "invalid_request_error",
                None,
            )
        return self._err(
            call,
            401,
            f"Incorrect API key provided: {mask_openai_key(key)}. "
            f"You can find your API key at {_OPENAI_KEYS_URL}.",
            "invalid_request_error",
            "invalid_api_key",
        )

    def check_auth(self, call: Call) -> Reply | None:
        key = _bearer(call.request.headers)
        return None if key == call.view.api_key else self._auth_error(call, key)

    def listing_payload(self, call: Call) -> Any:
        return {"object": "list", "data": call.view.models}

    def serve(self, call: Call) -> Reply:
        if call.route == "/v1/models":
            return self.json_reply(call, 200, self.listing_payload(call))
        return self.not_found(call)

    def not_found(self, call: Call) -> Reply:
        req = call.request
        return self._err(
            call, 404, f"Invalid URL ({req.method} {req.path})", "invalid_request_error", None
        )

    def method_not_allowed(self, call: Call) -> Reply:
        req = call.request
        msg = f"Invalid method for URL ({req.method} {req.path})"  # guess at the exact text
        return self._err(call, 405, msg, "invalid_request_error", None)

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(call, 200, {"object": "list"})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 401:
            return self._auth_error(call, _bearer(call.request.headers))
        if status == 404:
            return self.not_found(call)
        if status == 405:
            return self.method_not_allowed(call)
        if status == 429 and kind == "quota":
            return self._err(
                call,
                429,
                "You exceeded your current quota, please check your plan and billing details. "
                "For more information on this error, read the docs: "
                "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                "insufficient_quota",
                "insufficient_quota",
            )
        if status == 429:
            return self._err(
                call,
                429,
                "Rate limit reached in organization org-emulator0000000000000000 on requests per "
                "min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms. "
                "Visit https://platform.openai.com/account/rate-limits to learn more.",
                "requests",
                "rate_limit_exceeded",
            )
        if status == 403:
            return self._err(
                call,
                403,
                "Country, region, or territory not supported",
                "request_forbidden",
                "unsupported_country_region_territory",
            )
        if status == 500:
            return self._err(
                call,
                500,
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
                None,
            )
        if status == 502:  # Cloudflare-fronted gateway errors carry an int code
            return self._err(call, 502, "Bad gateway.", "cf_bad_gateway", 502)
        if status == 503:
            return self._err(
                call,
                503,
                "The engine is currently overloaded, please try again later.",
                "server_error",
                None,
            )
        if status == 504:
            return self._err(call, 504, "Gateway timeout.", "cf_gateway_timeout", 504)
        type_ = "server_error" if status >= 500 else "invalid_request_error"
        return self._err(call, status, f"Request failed with status {status}.", type_, None)


# ------------------------------------------------------------------------------- Anthropic

_ANTHROPIC_VERSIONS: Final = frozenset({"2023-06-01", "2023-01-01"})
_ANTHROPIC_TYPES: Final[dict[int, tuple[str, str]]] = {
    400: ("invalid_request_error", "Invalid request"),
    401: ("authentication_error", "invalid x-api-key"),
    402: (
        "billing_error",
        "Your credit balance is too low to access the Anthropic API. "
        "Please go to Plans & Billing to upgrade or purchase credits.",
    ),
    403: (
        "permission_error",
        "Your API key does not have permission to use the specified resource.",
    ),
    404: ("not_found_error", "Not Found"),
    405: ("invalid_request_error", "Method Not Allowed"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: (
        "rate_limit_error",
        "This request would exceed the rate limit for your organization "
        "(00000000-0000-4000-8000-000000000000) of 50 requests per minute. For details, refer "
        "to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for "
        "current usage. Please try again later.",
    ),
    500: ("api_error", "Internal server error"),
    504: ("timeout_error", "Request timeout"),
    529: ("overloaded_error", "Overloaded"),
}
_BASE58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class AnthropicProvider(BaseProvider):
    """``GET /v1/models`` with ``limit``/``after_id``/``before_id`` cursor pagination."""

    name = "anthropic"
    api_root = ""

    def new_request_id(self) -> str:
        # Real ids look like req_011CaJCR7Pm2Jh2LbWpBH5Y6.
        return "req_011C" + "".join(secrets.choice(_BASE58) for _ in range(20))

    def base_headers(self, call: Call) -> dict[str, str]:
        return {"request-id": call.request_id}

    def _err(self, call: Call, status: int, type_: str, message: str, **extra: Any) -> Reply:
        error: JsonDict = {"type": type_, "message": message, **extra}
        body = {"type": "error", "error": error, "request_id": call.request_id}
        return self.json_reply(call, status, body)

    def check_auth(self, call: Call) -> Reply | None:
        headers = call.request.headers
        api_key = headers.get("x-api-key") or None
        bearer = _bearer(headers)
        # Guess: the key is checked before the version header.
        if api_key is None and bearer is None:
            return self._err(call, 401, "authentication_error", "x-api-key header is required")
        if api_key is not None and api_key != call.view.api_key:
            return self._err(call, 401, "authentication_error", "invalid x-api-key")
        if api_key is None and bearer != call.view.api_key:
            # Guess at the OAuth-token wording.
            return self._err(call, 401, "authentication_error", "Invalid bearer token")
        version = headers.get("anthropic-version")
        if not version:
            return self._err(
                call, 400, "invalid_request_error", "anthropic-version: header is required"
            )
        if version not in _ANTHROPIC_VERSIONS:
            # Guess at the wording; the real API rejects unknown versions with a 400.
            return self._err(
                call,
                400,
                "invalid_request_error",
                f"anthropic-version: invalid version {version!r}",
            )
        return None

    def listing_payload(self, call: Call) -> Any:
        models = call.view.models
        return {
            "data": models,
            "has_more": False,
            "first_id": _entry_id(models[0]) if models else None,
            "last_id": _entry_id(models[-1]) if models else None,
        }

    def serve(self, call: Call) -> Reply:
        if call.route != "/v1/models":
            return self.not_found(call)
        query = call.request.query
        raw_limit = _last(query, "limit")
        limit = 20
        if raw_limit is not None:
            try:
                limit = int(raw_limit)
            except ValueError:
                limit = 0
            if not 1 <= limit <= 1000:
                return self._err(
                    call,
                    400,
                    "invalid_request_error",
                    f"limit: Input should be a valid integer between 1 and 1000, got {raw_limit!r}",
                )
        after_id, before_id = _last(query, "after_id"), _last(query, "before_id")
        if after_id is not None and before_id is not None:
            return self._err(
                call, 400, "invalid_request_error", "Cannot specify both after_id and before_id"
            )
        models = call.view.models
        ids = [_entry_id(m) for m in models]
        size = min(limit, call.view.page_size or limit)
        cursor = after_id if after_id is not None else before_id
        if cursor is not None and cursor not in ids:
            which = "after_id" if after_id is not None else "before_id"
            return self._err(
                call, 400, "invalid_request_error", f"{which}: model {cursor!r} not found"
            )
        if before_id is not None:
            end = ids.index(before_id)
            start = max(0, end - size)
            page, has_more = models[start:end], start > 0
        else:
            start = 0 if after_id is None else ids.index(after_id) + 1
            page, has_more = models[start : start + size], start + size < len(models)
        first_id = _entry_id(page[0]) if page else None
        last_id = _entry_id(page[-1]) if page else None
        fault = call.view.cursor_fault
        if fault == "repeat" and after_id is not None:
            last_id, has_more = after_id, True
        elif fault == "null" and has_more:
            last_id = None
        body = {"data": page, "has_more": has_more, "first_id": first_id, "last_id": last_id}
        return self.json_reply(call, 200, body)

    def not_found(self, call: Call) -> Reply:
        return self.error(call, 404)

    def wrong_shape(self, call: Call) -> Reply:
        body = {
            "data": {"id": "claude-opus-4-6"},
            "has_more": False,
            "first_id": None,
            "last_id": None,
        }
        return self.json_reply(call, 200, body)

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 429 and kind == "quota":
            return self._err(
                call,
                429,
                "rate_limit_error",
                "You have reached your specified API usage limits. "
                "You will regain access on 2026-12-01 at 00:00 UTC.",
                details={"error_code": "enforced_spend_limit_reached"},
            )
        if status == 401:
            denied = self.check_auth(call)
            if denied is not None and denied.status == 401:
                return denied
        default = (
            ("api_error", "Internal server error")
            if status >= 500
            else ("invalid_request_error", "Invalid request")
        )
        type_, message = _ANTHROPIC_TYPES.get(status, default)
        return self._err(call, status, type_, message)


# ---------------------------------------------------------------------------------- Gemini

_GOOGLE_STATUS: Final[dict[int, tuple[str, str]]] = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: (
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    ),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: ("NOT_FOUND", "Requested entity was not found."),
    409: ("ABORTED", "The operation was aborted."),
    429: (
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
    ),
    499: ("CANCELLED", "The operation was cancelled."),
    500: (
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    ),
    501: ("UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled."),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
    504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
}
_GOOGLE_SERVICE: Final = "generativelanguage.googleapis.com"
_GEMINI_LIST_ROUTES: Final = frozenset({"/v1beta/models", "/v1/models"})
_TOKEN_TAG: Final = "emu1:"


def encode_page_token(offset: int) -> str:
    """Opaque-looking token (unpadded urlsafe base64), like Google's protobuf tokens."""
    return base64.urlsafe_b64encode(f"{_TOKEN_TAG}{offset}".encode()).decode().rstrip("=")


def decode_page_token(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not text.startswith(_TOKEN_TAG) or not text[len(_TOKEN_TAG) :].isdigit():
        return None
    return int(text[len(_TOKEN_TAG) :])


class GoogleRpcProvider(BaseProvider):
    """What Google's APIs share on the wire: pretty-printed JSON, their headers, and the RPC
    error envelope ``{"error": {"code", "message", "status", "details"}}``, whose default
    messages each service words its own way (:attr:`rpc_statuses`)."""

    api_root = ""
    json_indent = 2  # Google APIs pretty-print
    json_content_type = "application/json; charset=UTF-8"
    #: HTTP status -> (RPC status, the service's default message).
    rpc_statuses: dict[int, tuple[str, str]] = {}

    def base_headers(self, call: Call) -> dict[str, str]:
        return {"vary": "Origin, X-Origin, Referer", "x-content-type-options": "nosniff"}

    def _rpc(
        self,
        call: Call,
        status: int,
        message: str | None = None,
        details: list[JsonDict] | None = None,
    ) -> Reply:
        default = (
            ("INTERNAL", "Internal error encountered.")
            if status >= 500
            else ("FAILED_PRECONDITION", "Precondition check failed.")
        )
        rpc_status, default_message = self.rpc_statuses.get(status, default)
        error: JsonDict = {
            "code": status,
            "message": message or default_message,
            "status": rpc_status,
        }
        if details:
            error["details"] = details
        return self.json_reply(call, status, {"error": error})

    def _bad_field(self, call: Call, field: str, message: str) -> Reply:
        details: list[JsonDict] = [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": message}],
            }
        ]
        return self._rpc(call, 400, message, details)

    def not_found(self, call: Call) -> Reply:
        return self._rpc(call, 404, "Method not found.")

    def method_not_allowed(self, call: Call) -> Reply:
        # Google routes on method + path, so a wrong verb is "Method not found." (guess).
        return self.not_found(call)


class GeminiProvider(GoogleRpcProvider):
    """``GET /v1beta/models`` with ``pageSize``/``pageToken``; Google RPC error envelope."""

    name = "gemini"
    rpc_statuses = _GOOGLE_STATUS

    def _key_invalid(self, call: Call) -> Reply:
        message = "API key not valid. Please pass a valid API key."
        details: list[JsonDict] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": _GOOGLE_SERVICE},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            },
        ]
        return self._rpc(call, 400, message, details)

    def _unauthenticated(self, call: Call) -> Reply:
        """What Google answers when an API key is sent as an OAuth Bearer token."""
        details: list[JsonDict] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                "metadata": {
                    "service": _GOOGLE_SERVICE,
                    "method": "google.ai.generativelanguage.v1beta.ModelService.ListModels",
                },
            }
        ]
        return self._rpc(call, 401, None, details)

    def _unregistered(self, call: Call) -> Reply:
        return self._rpc(
            call,
            403,
            "Method doesn't allow unregistered callers (callers without established identity). "
            "Please use API Key or other form of API consumer identity to call this API.",
        )

    def check_auth(self, call: Call) -> Reply | None:
        headers = call.request.headers
        # The header wins when both are sent (guess; the SDK only ever sends the header).
        key = headers.get("x-goog-api-key") or _last(call.request.query, "key")
        if key is None:
            return (
                self._unauthenticated(call)
                if "authorization" in headers
                else self._unregistered(call)
            )
        return None if key == call.view.api_key else self._key_invalid(call)

    def listing_payload(self, call: Call) -> Any:
        return {"models": call.view.models}

    def serve(self, call: Call) -> Reply:
        if call.route not in _GEMINI_LIST_ROUTES:
            return self.not_found(call)
        query = call.request.query
        raw_size = _last(query, "pageSize")
        requested = 50
        if raw_size is not None:
            try:
                requested = int(raw_size)
            except ValueError:
                return self._bad_field(
                    call, "page_size", f"Invalid value at 'page_size' (TYPE_INT32), \"{raw_size}\""
                )
            if requested < 0:
                return self._bad_field(call, "page_size", "page_size must not be negative")  # guess
            requested = 50 if requested == 0 else min(requested, 1000)
        size = min(requested, call.view.page_size or requested)
        token = _last(query, "pageToken")
        offset = 0
        if token is not None:
            decoded = decode_page_token(token)
            if decoded is None:
                return self._bad_field(call, "page_token", "Invalid page token.")  # guess
            offset = decoded
        models = call.view.models
        page = models[offset : offset + size]
        more = offset + size < len(models)
        # proto3 JSON omits empty repeated fields: an empty page is literally `{}`.
        body: JsonDict = {"models": page} if page else {}
        fault = call.view.cursor_fault
        if fault == "repeat" and token is not None:
            body["nextPageToken"] = token
        elif fault == "null" and more:
            body["nextPageToken"] = ""
        elif more:
            body["nextPageToken"] = encode_page_token(offset + size)
        return self.json_reply(call, 200, body)

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(call, 200, {"models": {"name": "models/gemini-2.5-pro"}})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 400 and kind == "api_key":
            return self._key_invalid(call)
        if status == 401:
            return self._unauthenticated(call)
        if status == 403 and kind == "unregistered":
            return self._unregistered(call)
        if status != 429:
            return self._rpc(call, status)
        per = "Day" if kind == "quota" else "Minute"
        details: list[JsonDict] = [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": f"{_GOOGLE_SERVICE}/generate_content_free_tier_requests",
                        "quotaId": f"GenerateRequestsPer{per}PerProjectPerModel-FreeTier",
                        "quotaDimensions": {"location": "global", "model": "gemini-2.5-pro"},
                        "quotaValue": "250" if kind == "quota" else "5",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            },
        ]
        if retry_delay is not None:
            details.append(
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
            )
        return self._rpc(call, 429, None, details)


# ------------------------------------------------------------------------------------- xAI

_GRPC_TEXT: Final[dict[int, str]] = {
    400: "Client specified an invalid argument",
    401: "The request does not have valid authentication credentials",
    403: "The caller does not have permission to execute the specified operation",
    404: "Some requested entity was not found",
    405: "Operation is not implemented or not supported",
    409: "The operation was aborted",
    429: "Some resource has been exhausted",
    500: "Internal error",
    501: "Operation is not implemented or not supported",
    503: "The service is currently unavailable",
    504: "The deadline expired before the operation could complete",
}
_XAI_TEAM: Final = "00000000-0000-4000-8000-00000000a1a1"
_XAI_CONSOLE: Final = "https://console.x.ai"
_XAI_PLAIN_CREATED: Final = 1733961600  # grok-2-image-1212 era; illustrative


def mask_xai_key(key: str) -> str:
    """xAI echoes keys as first 2 chars, ``***``, last 2 (``xa***YA``)."""
    return f"{key[:2]}***{key[-2:]}"


class XAIProvider(BaseProvider):
    """``GET /v1/models`` (OpenAI-shaped) and ``GET /v1/language-models`` (detailed, ``models``).

    Both are projected from one model set; ``extra_plain_models`` appear only in ``/v1/models``.
    """

    name = "xai"
    api_root = "/v1"

    def _err(self, call: Call, status: int, message: str) -> Reply:
        code = _GRPC_TEXT.get(status, "Internal error" if status >= 500 else "Unknown error")
        return self.json_reply(call, status, {"code": code, "error": message})

    def _auth_error(self, call: Call, key: str | None) -> Reply:
        if key is None:
            # Guess: no sighting of the missing-key answer; modelled on the bad-key one.
            return self._err(
                call,
                400,
                "No API key provided. Please provide an API key in the Authorization header "
                f"using Bearer auth. You can obtain an API key from {_XAI_CONSOLE}.",
            )
        return self._err(
            call,
            400,
            f"Incorrect API key provided: {mask_xai_key(key)}. "
            f"You can obtain an API key from {_XAI_CONSOLE}.",
        )

    def check_auth(self, call: Call) -> Reply | None:
        key = _bearer(call.request.headers)
        return None if key == call.view.api_key else self._auth_error(call, key)

    def plain_models(self, call: Call) -> list[Any]:
        """``/v1/models`` entries: language models projected to id/created/object/owned_by, plus
        ``context_length`` and ``image_price`` where an entry has them (xAI's 2026 docs list
        ``context_length`` on ``/v1/models`` entries)."""
        keys = ("id", "created", "object", "owned_by", "context_length", "image_price")
        out: list[Any] = []
        for entry in call.view.models:
            out.append(
                {k: entry[k] for k in keys if k in entry} if isinstance(entry, dict) else entry
            )
        for model_id in call.view.extra_plain_models:
            out.append(
                {
                    "id": model_id,
                    "created": _XAI_PLAIN_CREATED,
                    "object": "model",
                    "owned_by": "xai",
                }
            )
        return out

    def listing_payload(self, call: Call) -> Any:
        if call.route == "/v1/language-models":
            return {"models": call.view.models}
        return {"object": "list", "data": self.plain_models(call)}

    def serve(self, call: Call) -> Reply:
        if call.route in ("/v1/models", "/v1/language-models"):
            return self.json_reply(call, 200, self.listing_payload(call))
        return self.not_found(call)

    def not_found(self, call: Call) -> Reply:
        # Guess at the wording.
        return self._err(
            call, 404, f"No handler found for {call.request.method} {call.request.path}"
        )

    def wrong_shape(self, call: Call) -> Reply:
        if call.route == "/v1/language-models":
            return self.json_reply(call, 200, {"models": {"id": "grok-4"}})
        return self.json_reply(call, 200, {"object": "list"})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 400 and kind == "api_key":
            return self._auth_error(call, _bearer(call.request.headers) or "xai-invalid")
        if status == 404:
            return self.not_found(call)
        if status == 429 and kind == "quota":
            return self._err(
                call,
                429,
                f"Your team {_XAI_TEAM} has either used all available credits or reached its "
                "monthly spending limit. To continue making API requests, please purchase more "
                "credits or raise your spending limit.",
            )
        messages = {
            401: "Request could not be authenticated.",
            403: f"Your newly created team doesn't have any credits yet. You can purchase "
            f"credits on {_XAI_CONSOLE}/team/{_XAI_TEAM}.",
            429: f"Too many requests: team {_XAI_TEAM} exceeded its rate limit. Please retry later.",
            500: "Internal server error.",
            503: "Service temporarily unavailable. Please retry later.",
        }
        return self._err(
            call, status, messages.get(status, f"Request failed with status {status}.")
        )


_CLASSES: Final[dict[str, type[BaseProvider]]] = {
    "openai": OpenAIProvider,
    "anthropic": AnthropicProvider,
    "gemini": GeminiProvider,
    "xai": XAIProvider,
}
assert tuple(_CLASSES) == PROVIDERS


def register_provider(name: str, cls: type[BaseProvider]) -> None:
    """Add an emulated provider defined in another module (providers_*.py)."""
    _CLASSES[name] = cls


def make_provider(name: str) -> ProviderSpec:
    """Instantiate the behaviour for ``name``; raises ``ValueError`` for unknown providers."""
    try:
        cls = _CLASSES[name]
    except KeyError:
        raise ValueError(f"unknown provider {name!r}; expected one of {list(_CLASSES)}") from None
    return cls()
