"""Emulated providers added for issue 3 (group a); each registers itself on import.

Mistral, Groq, DeepSeek and OpenRouter, answering the way the real APIs do according to
/work/shared/reference/provider-apis.md (sections 5-8). Where the reference is silent the choice is
marked "guess" in a comment, so a failing client test can be traced to it. The default model lists
use real ids (late 2026); numbers marked "illustrative" are shaped right but not confirmed.
"""

from __future__ import annotations

import secrets
from typing import Any, Final

from tests.emulators.fixtures import register_fixtures
from tests.emulators.providers import BaseProvider, _bearer, _last, register_provider
from tests.emulators.server import Call, JsonDict, Reply

__all__ = [
    "DEEPSEEK_CLASSIC",
    "DEEPSEEK_CURRENT",
    "MISTRAL_ERROR_STYLES",
    "DeepSeekProvider",
    "GroqProvider",
    "MistralProvider",
    "OpenRouterProvider",
    "classic_deepseek",
]


def _entries(call: Call) -> list[Any]:
    return list(call.view.models)


# ------------------------------------------------------------------------------------ Mistral

#: Body shapes Mistral has answered errors with; pick one with ``Fault.status(code, kind=...)``.
#: ``detail``: ``{"detail": "Unauthorized"}`` (401 on /v1/models, 2026);
#: ``message``: ``{"message": ..., "request_id": ...}`` (2025);
#: ``object``: ``{"object": "error", "message", "type", "param", "code"}`` (429, 2026).
MISTRAL_ERROR_STYLES: Final = ("detail", "message", "object")

_MISTRAL_MESSAGES: Final[dict[int, tuple[str, str, str]]] = {
    # status: (message, object-style type, object-style code); types/codes other than 429 guessed.
    400: ("Bad Request", "invalid_request_error", "3000"),
    401: ("Unauthorized", "unauthorized", "1000"),
    403: ("Forbidden", "forbidden", "1001"),
    404: ("Not Found", "not_found", "1404"),
    405: ("Method Not Allowed", "invalid_request_error", "1405"),
    429: ("Rate limit exceeded", "rate_limited", "1300"),
    500: ("Internal server error", "internal_server_error", "5000"),
    502: ("Bad gateway", "internal_server_error", "5002"),
    503: ("Service unavailable", "service_unavailable", "5003"),
}


class MistralProvider(BaseProvider):
    """``GET /v1/models`` -> ``{"object": "list", "data": [card, ...]}``; alias ids as own cards."""

    name = "mistral"
    api_root = "/v1"

    def new_request_id(self) -> str:
        return secrets.token_hex(16)  # real ids are 32 hex digits

    def base_headers(self, call: Call) -> dict[str, str]:
        return {"mistral-correlation-id": call.request_id}  # guess at the header name

    def _err(self, call: Call, status: int, style: str, message: str | None = None) -> Reply:
        default_msg, type_, code = _MISTRAL_MESSAGES.get(
            status, ("Internal server error" if status >= 500 else "Bad Request", "error", "0")
        )
        text = message or default_msg
        body: JsonDict
        if style == "detail":
            body = {"detail": text}
        elif style == "message":
            body = {"message": text, "request_id": call.request_id}
        else:
            body = {"object": "error", "message": text, "type": type_, "param": None, "code": code}
        return self.json_reply(call, status, body)

    def check_auth(self, call: Call) -> Reply | None:
        if _bearer(call.request.headers) == call.view.api_key:
            return None
        return self._err(call, 401, "detail")

    def listing_payload(self, call: Call) -> Any:
        return {"object": "list", "data": _entries(call)}

    def serve(self, call: Call) -> Reply:
        if call.route == "/v1/models":
            return self.json_reply(call, 200, self.listing_payload(call))
        prefix = "/v1/models/"
        if call.route.startswith(prefix):
            wanted = call.route[len(prefix) :]
            for card in _entries(call):
                if isinstance(card, dict) and card.get("id") == wanted:
                    return self.json_reply(call, 200, card)
        return self.not_found(call)

    def not_found(self, call: Call) -> Reply:
        return self._err(call, 404, "detail")  # FastAPI-style default (guess)

    def method_not_allowed(self, call: Call) -> Reply:
        return self._err(call, 405, "detail")

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(
            call, 200, {"object": "list", "data": {"id": "mistral-large-latest"}}
        )

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if kind in MISTRAL_ERROR_STYLES:
            style = kind
        elif status == 401:
            style = "detail"
        elif status == 429:
            style = "object"
        else:
            style = "message"  # 5xx body shape is unverified (guess)
        message = "Requests rate limit exceeded" if status == 429 and style != "object" else None
        return self._err(call, status, style, message)


_MISTRAL_CREATED: Final = 1766520693  # listing time: the same on every card of one answer
_MISTRAL_CAP_KEYS: Final = (
    "completion_chat",
    "function_calling",
    "reasoning",
    "completion_fim",
    "fine_tuning",
    "vision",
    "ocr",
    "classification",
    "moderation",
    "audio",
    "audio_transcription",
    "audio_transcription_realtime",
    "audio_speech",
)
# The nine keys of 2025-era answers (no reasoning / transcription / speech keys).
_MISTRAL_2025_KEYS: Final = (
    "completion_chat",
    "function_calling",
    "completion_fim",
    "fine_tuning",
    "vision",
    "ocr",
    "classification",
    "moderation",
    "audio",
)


def _mcaps(*on: str, keys: tuple[str, ...] = _MISTRAL_CAP_KEYS) -> JsonDict:
    return {k: k in on for k in keys}


def _mistral_group(
    name: str,
    others: list[str],
    caps: JsonDict,
    context: int,
    description: str,
    *,
    listed: list[str] | None = None,
    deprecation: str | None = None,
    replacement: str | None = None,
    created: int = _MISTRAL_CREATED,
) -> list[JsonDict]:
    """One card per listed id of a model, each naming it and listing the other ids as aliases."""
    ids = [name, *others]
    return [
        {
            "id": ident,
            "object": "model",
            "created": created,
            "owned_by": "mistralai",
            "capabilities": dict(caps),
            "name": name,
            "description": description,
            "max_context_length": context,
            "aliases": [i for i in ids if i != ident],
            "deprecation": deprecation,
            "deprecation_replacement_model": replacement,
            "default_model_temperature": 0.3,
            "type": "base",
        }
        for ident in (ids if listed is None else listed)
    ]


def _mistral_ft(
    ident: str, root: str, created: int, caps: JsonDict, *, archived: bool = False
) -> JsonDict:
    return {
        "id": ident,
        "object": "model",
        "created": created,
        "owned_by": "a1b2c3d4-0000-4000-8000-00000000f7e1",
        "capabilities": caps,
        "name": None,
        "description": None,
        "max_context_length": 131072,
        "aliases": [],
        "deprecation": None,
        "deprecation_replacement_model": None,
        "default_model_temperature": 0.3,
        "type": "fine-tuned",
        "job": "5f0a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b",
        "root": root,
        "archived": archived,
    }


_CHAT_TOOLS: Final = ("completion_chat", "function_calling")

_MISTRAL: Final[list[JsonDict]] = [
    # Verbatim card (thomas-marquis/mistral-client fixture): 2025-era nine capability keys.
    *_mistral_group(
        "mistral-medium-2508",
        ["mistral-medium-latest", "mistral-medium"],
        _mcaps(*_CHAT_TOOLS, "fine_tuning", "vision", keys=_MISTRAL_2025_KEYS),
        131072,
        "Update on Mistral Medium 3 with improved capabilities.",
        listed=["mistral-medium-latest", "mistral-medium-2508", "mistral-medium"],
    ),
    *_mistral_group(
        "mistral-large-2512",
        ["mistral-large-latest"],
        _mcaps(*_CHAT_TOOLS, "vision"),
        262144,
        "Mistral Large 3, our open-weight general-purpose multimodal model.",
    ),
    *_mistral_group(
        "codestral-2508",
        ["codestral-latest"],
        _mcaps(*_CHAT_TOOLS, "completion_fim", "fine_tuning"),
        256000,
        "Our cutting-edge language model for coding released August 2025.",
    ),
    # Verbatim deprecated card from a separate real response; its aliases are not listed.
    *_mistral_group(
        "codestral-2501",
        ["codestral-2412", "codestral-2411-rc5"],
        _mcaps(*_CHAT_TOOLS, "completion_fim", "fine_tuning", keys=_MISTRAL_2025_KEYS),
        256000,
        "Our cutting-edge language model for coding released December 2024.",
        listed=["codestral-2501"],
        deprecation="2026-01-31T12:00:00Z",
        replacement="codestral-latest",
        created=1768405801,
    ),
    *_mistral_group(
        "mistral-small-2506",
        ["mistral-small-latest"],
        _mcaps(*_CHAT_TOOLS, "fine_tuning", "vision"),
        131072,
        "Mistral Small 3.2, our efficient small model.",
    ),
    *_mistral_group(
        "magistral-medium-2509",
        ["magistral-medium-latest"],
        _mcaps(*_CHAT_TOOLS, "vision", "reasoning"),
        131072,
        "Our frontier-class reasoning model, September 2025.",
    ),
    *_mistral_group(
        "magistral-small-2509",
        ["magistral-small-latest"],
        _mcaps(*_CHAT_TOOLS, "vision", "reasoning"),
        131072,
        "Our small reasoning model, September 2025.",
    ),
    *_mistral_group(
        "devstral-2512",
        ["devstral-latest", "devstral-medium-latest"],
        _mcaps(*_CHAT_TOOLS),
        262144,
        "Devstral 2, our agentic coding model.",
    ),
    *_mistral_group(
        "devstral-small-2507",
        ["devstral-small-latest"],
        _mcaps(*_CHAT_TOOLS, "fine_tuning"),
        131072,
        "Our small open-weight agentic coding model.",
    ),
    *_mistral_group(
        "ministral-8b-2512",
        ["ministral-8b-latest"],
        _mcaps(*_CHAT_TOOLS, "vision", "fine_tuning"),
        262144,
        "Ministral 3 8B, a powerful edge model.",
    ),
    *_mistral_group(
        "ministral-3b-2512",
        ["ministral-3b-latest"],
        _mcaps(*_CHAT_TOOLS, "vision"),
        131072,
        "Ministral 3 3B, our smallest edge model.",
    ),
    # Deprecation date and replacement illustrative.
    *_mistral_group(
        "pixtral-large-2411",
        ["pixtral-large-latest", "mistral-large-pixtral-2411"],
        _mcaps(*_CHAT_TOOLS, "vision"),
        131072,
        "Official pixtral-large-2411 Mistral AI model",
        deprecation="2026-06-30T12:00:00Z",
        replacement="mistral-large-latest",
    ),
    # Verbatim card; two of its four ids are listed.
    *_mistral_group(
        "open-mistral-nemo",
        ["open-mistral-nemo-2407", "mistral-tiny-2407", "mistral-tiny-latest"],
        _mcaps(*_CHAT_TOOLS, "fine_tuning", keys=_MISTRAL_2025_KEYS),
        131072,
        "Our best multilingual open source model released July 2024.",
        listed=["open-mistral-nemo", "mistral-tiny-latest"],
    ),
    # An old-style card: only a subset of capability keys (no ocr/moderation/audio/reasoning).
    *_mistral_group(
        "mistral-embed",
        ["mistral-embed-2312"],
        _mcaps(
            keys=(
                "completion_chat",
                "completion_fim",
                "function_calling",
                "fine_tuning",
                "vision",
                "classification",
            )
        ),
        8192,
        "Official mistral-embed Mistral AI model",
        listed=["mistral-embed"],
    ),
    *_mistral_group(
        "codestral-embed-2505",
        ["codestral-embed"],
        _mcaps(),
        8192,
        "Our code embedding model.",
    ),
    *_mistral_group(
        "mistral-moderation-2411",
        ["mistral-moderation-latest"],
        _mcaps("moderation", "classification"),
        8192,
        "Our moderation classifier.",
    ),
    *_mistral_group(
        "mistral-ocr-2505",
        ["mistral-ocr-latest"],
        _mcaps("ocr"),
        16384,  # illustrative
        "Our document understanding (OCR) model.",
    ),
    *_mistral_group(
        "voxtral-small-2507",
        ["voxtral-small-latest"],
        _mcaps(*_CHAT_TOOLS, "audio"),
        32768,
        "Voxtral Small, our audio understanding chat model.",
    ),
    *_mistral_group(
        "voxtral-mini-transcribe-2507",
        ["voxtral-mini-latest"],
        _mcaps("audio", "audio_transcription"),
        32768,
        "Voxtral Mini Transcribe, our transcription model.",
    ),
    _mistral_ft(
        "ft:mistral-small-latest:a1b2c3d4:20260412:f00dcafe",
        "mistral-small-latest",
        1775952000,
        _mcaps(*_CHAT_TOOLS, "vision"),
    ),
    _mistral_ft(
        "ft:open-mistral-nemo:a1b2c3d4:20250901:0badf00d",
        "open-mistral-nemo",
        1756684800,
        _mcaps(*_CHAT_TOOLS),
        archived=True,
    ),
]


def _mistral_synthetic(i: int) -> JsonDict:
    name = f"mistral-synth-{i:04d}"
    [card] = _mistral_group(
        name,
        [f"{name}-latest"],
        _mcaps(*_CHAT_TOOLS),
        32768 + i,
        f"Synthetic test model number {i}.",
        listed=[name],
    )
    return card


register_provider("mistral", MistralProvider)
register_fixtures("mistral", _MISTRAL, _mistral_synthetic)


# --------------------------------------------------------------------------------------- Groq

_CROCKFORD: Final = "0123456789abcdefghjkmnpqrstvwxyz"


class GroqProvider(BaseProvider):
    """``GET /openai/v1/models`` under base ``https://api.groq.com``; OpenAI-style errors."""

    name = "groq"
    api_root = ""
    list_route = "/openai/v1/models"

    def new_request_id(self) -> str:
        # Real ids look like req_01jngbvsctfy0bmjw87yea904b (a lower-case ULID).
        return "req_01" + "".join(secrets.choice(_CROCKFORD) for _ in range(24))

    def base_headers(self, call: Call) -> dict[str, str]:
        # Groq sends these on every answer (values illustrative).
        return {
            "x-request-id": call.request_id,
            "x-groq-region": "us-west-1",
            "x-ratelimit-limit-requests": "14400",
            "x-ratelimit-limit-tokens": "6000",
            "x-ratelimit-remaining-requests": "14399",
            "x-ratelimit-remaining-tokens": "6000",
            "x-ratelimit-reset-requests": "6s",
            "x-ratelimit-reset-tokens": "0s",
        }

    def _err(
        self,
        call: Call,
        status: int,
        message: str,
        type_: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        error: JsonDict = {"message": message, "type": type_}
        if code is not None:
            error["code"] = code
        return self.json_reply(call, status, {"error": error}, headers)  # no "param" key

    def check_auth(self, call: Call) -> Reply | None:
        if _bearer(call.request.headers) == call.view.api_key:
            return None
        # Guess: a missing key gets the same answer as a wrong one.
        return self._err(call, 401, "Invalid API Key", "invalid_request_error", "invalid_api_key")

    def listing_payload(self, call: Call) -> Any:
        return {"object": "list", "data": _entries(call)}

    def serve(self, call: Call) -> Reply:
        if call.route == self.list_route:
            return self.json_reply(call, 200, self.listing_payload(call))
        return self.not_found(call)

    def not_found(self, call: Call) -> Reply:
        req = call.request
        return self._err(  # wording from memory (guess)
            call,
            404,
            f"Unknown request URL: {req.method} {req.path}. Please check the URL for typos, "
            "or see the docs at https://console.groq.com/docs/",
            "invalid_request_error",
            "unknown_url",
        )

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(
            call, 200, {"object": "list", "data": {"id": "llama-3.1-8b-instant"}}
        )

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 401:
            return self._err(
                call, 401, "Invalid API Key", "invalid_request_error", "invalid_api_key"
            )
        if status == 404:
            return self.not_found(call)
        if status == 429:
            # Groq always sends retry-after (seconds) on 429; a Fault's value replaces this one.
            return self._err(
                call,
                429,
                "Rate limit reached for model `llama-3.3-70b-versatile` in organization "
                "`org_01emulator0000000000000000` service tier `on_demand` on requests per minute "
                "(RPM): Limit 30, Used 30, Requested 1. Please try again in 2s. Visit "
                "https://console.groq.com/docs/rate-limits for more information.",
                "requests",
                "rate_limit_exceeded",
                {"retry-after": "2", "x-ratelimit-remaining-requests": "0"},
            )
        if status == 503:
            return self._err(  # guess at the wording
                call, 503, "Service Unavailable", "internal_server_error", "service_unavailable"
            )
        if status >= 500:
            return self._err(call, status, "Internal Server Error", "internal_server_error")
        return self._err(
            call, status, f"Request failed with status {status}.", "invalid_request_error"
        )


def _groq(
    ident: str, created: int, owner: str, context: int, max_out: int, *, active: bool = True
) -> JsonDict:
    return {
        "id": ident,
        "object": "model",
        "created": created,
        "owned_by": owner,
        "active": active,
        "context_window": context,
        "public_apps": None,
        "max_completion_tokens": max_out,
    }


# Unsorted, as served. The first four are verbatim (llama-3.1-8b-instant's max illustrative);
# other `created` values and limits are illustrative.
_GROQ: Final[list[JsonDict]] = [
    _groq("llama-3.1-8b-instant", 1693721698, "Meta", 131072, 131072),
    _groq("qwen/qwen3-32b", 1748396646, "Alibaba Cloud", 131072, 40960),
    _groq("moonshotai/kimi-k2-instruct-0905", 1757046093, "Moonshot AI", 262144, 16384),
    _groq("whisper-large-v3-turbo", 1728413088, "OpenAI", 448, 448),
    _groq("openai/gpt-oss-120b", 1754408224, "OpenAI", 131072, 65536),
    _groq("llama-3.3-70b-versatile", 1733447754, "Meta", 131072, 32768),
    _groq("meta-llama/llama-4-scout-17b-16e-instruct", 1743874824, "Meta", 131072, 8192),
    _groq("openai/gpt-oss-20b", 1754407957, "OpenAI", 131072, 65536),
    _groq("groq/compound", 1756949530, "Groq", 131072, 8192),
    _groq("meta-llama/llama-guard-4-12b", 1746743847, "Meta", 131072, 1024),
    _groq("whisper-large-v3", 1693721698, "OpenAI", 448, 448),
    _groq("meta-llama/llama-4-maverick-17b-128e-instruct", 1743877158, "Meta", 131072, 8192),
    _groq("openai/gpt-oss-safeguard-20b", 1761708789, "OpenAI", 131072, 65536),
    _groq("canopylabs/orpheus-v1-english", 1766186316, "Canopy Labs", 4000, 50000),
    _groq("groq/compound-mini", 1756949707, "Groq", 131072, 8192),
    _groq("meta-llama/llama-prompt-guard-2-86m", 1748632165, "Meta", 512, 512),
    _groq("allam-2-7b", 1737672203, "SDAIA", 4096, 4096),
    # Listed but no longer served: PlayAI voices were replaced by Orpheus at the end of 2025.
    _groq("playai-tts", 1740682771, "PlayAI", 8192, 8192, active=False),
]

_GROQ_OWNERS: Final = ("Meta", "OpenAI", "Alibaba Cloud", "Moonshot AI")


def _groq_synthetic(i: int) -> JsonDict:
    return _groq(
        f"synth/model-{i:04d}", 1767225600 - i * 86400, _GROQ_OWNERS[i % 4], 131072, 8192 + i
    )


register_provider("groq", GroqProvider)
register_fixtures("groq", _GROQ, _groq_synthetic)


# ----------------------------------------------------------------------------------- DeepSeek


def _mask_deepseek_key(key: str) -> str:
    """DeepSeek echoes a bad key as ``****`` plus its last four characters."""
    return "****" + key[-4:]


_DEEPSEEK_ERRORS: Final[dict[int, tuple[str, str, str | None]]] = {
    # status: (message, type, code). 402/429/5xx wording from the error-code page names (guess).
    400: ("Invalid Format", "invalid_request_error", "invalid_request_error"),
    402: ("Insufficient Balance", "unknown_error", "invalid_request_error"),
    404: ("Not Found", "invalid_request_error", None),
    422: ("Invalid Parameters", "invalid_request_error", "invalid_request_error"),
    429: ("Rate Limit Reached", "rate_limit_error", "rate_limit_exceeded"),
    500: ("Server Error", "api_error", None),
    503: ("Server Overloaded", "api_error", None),
}


class DeepSeekProvider(BaseProvider):
    """``GET /models`` (and ``/v1/models``); classic or current entries, whichever are set.

    Which generation it speaks is the data: :data:`DEEPSEEK_CURRENT` (the default) or
    :data:`DEEPSEEK_CLASSIC`, or :func:`classic_deepseek` of any current list, via ``set_models``.
    """

    name = "deepseek"
    api_root = ""
    routes = ("/models", "/v1/models")

    def new_request_id(self) -> str:
        return secrets.token_hex(16)

    def base_headers(self, call: Call) -> dict[str, str]:
        return {"x-ds-trace-id": call.request_id}  # guess at the header name

    def _err(self, call: Call, status: int, message: str, type_: str, code: str | None) -> Reply:
        body = {"error": {"message": message, "type": type_, "param": None, "code": code}}
        return self.json_reply(call, status, body)

    def _auth_error(self, call: Call, key: str | None) -> Reply:
        if key is None:
            message = "Authentication Fails (auth header format should be Bearer sk-...)"
        else:
            message = f"Authentication Fails, Your api key: {_mask_deepseek_key(key)} is invalid"
        return self._err(call, 401, message, "authentication_error", "invalid_request_error")

    def check_auth(self, call: Call) -> Reply | None:
        key = _bearer(call.request.headers)
        return None if key == call.view.api_key else self._auth_error(call, key)

    def listing_payload(self, call: Call) -> Any:
        return {"object": "list", "data": _entries(call)}

    def serve(self, call: Call) -> Reply:
        if call.route in self.routes:
            return self.json_reply(call, 200, self.listing_payload(call))
        return self.not_found(call)

    def not_found(self, call: Call) -> Reply:
        return self.error(call, 404)

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(call, 200, {"object": "list", "data": "deepseek-chat"})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 401:
            return self._auth_error(call, _bearer(call.request.headers) or "sk-missing")
        default = (
            ("Server Error", "api_error", None)
            if status >= 500
            else (
                "Invalid Format",
                "invalid_request_error",
                "invalid_request_error",
            )
        )
        message, type_, code = _DEEPSEEK_ERRORS.get(status, default)
        return self._err(call, status, message, type_, code)


#: Through 2025: id/object/owned_by only, no ``created`` (verbatim).
DEEPSEEK_CLASSIC: Final[list[JsonDict]] = [
    {"id": "deepseek-chat", "object": "model", "owned_by": "deepseek"},
    {"id": "deepseek-reasoner", "object": "model", "owned_by": "deepseek"},
]

#: 2026 docs: limits, modalities and effort levels. The first two are the doc example; the
#: other two are the classic ids in the new shape (their values illustrative).
DEEPSEEK_CURRENT: Final[list[JsonDict]] = [
    {
        "id": "deepseek-flash",
        "object": "model",
        "owned_by": "deepseek",
        "name": "DeepSeek-V4.1-Flash",
        "context_window": 1048576,
        "max_output_tokens": 393216,
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
        "effort": {"supported_levels": ["low", "high", "max"], "default_level": "high"},
        "api_capabilities": {"anthropic_messages": {"system_prompt_update": "in-history"}},
    },
    {
        "id": "deepseek-v4-pro",
        "object": "model",
        "owned_by": "deepseek",
        "name": "DeepSeek-V4-Pro",
        "context_window": 1048576,
        "max_output_tokens": 393216,
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "effort": {"supported_levels": ["low", "high", "max"], "default_level": "high"},
    },
    {
        "id": "deepseek-chat",
        "object": "model",
        "owned_by": "deepseek",
        "name": "DeepSeek-V4.1-Flash (non-thinking)",
        "context_window": 1048576,
        "max_output_tokens": 65536,
        "input_modalities": ["text"],
        "output_modalities": ["text"],
    },
    {
        "id": "deepseek-reasoner",
        "object": "model",
        "owned_by": "deepseek",
        "name": "DeepSeek-V4.1-Flash (thinking)",
        "context_window": 1048576,
        "max_output_tokens": 393216,
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "effort": {"supported_levels": ["high"], "default_level": "high"},
    },
]


def classic_deepseek(entries: list[JsonDict]) -> list[JsonDict]:
    """The same models as a classic (2025) answer would list them: id/object/owned_by only."""
    return [{k: e[k] for k in ("id", "object", "owned_by") if k in e} for e in entries]


def _deepseek_synthetic(i: int) -> JsonDict:
    return {
        "id": f"deepseek-synth-{i:04d}",
        "object": "model",
        "owned_by": "deepseek",
        "name": f"DeepSeek-Synth-{i}",
        "context_window": 131072,
        "max_output_tokens": 8192 + i,
        "input_modalities": ["text"],
        "output_modalities": ["text"],
    }


register_provider("deepseek", DeepSeekProvider)
register_fixtures("deepseek", DEEPSEEK_CURRENT, _deepseek_synthetic)


# --------------------------------------------------------------------------------- OpenRouter


def _output_modalities(entry: Any) -> list[Any] | None:
    arch = entry.get("architecture") if isinstance(entry, dict) else None
    outs = arch.get("output_modalities") if isinstance(arch, dict) else None
    return outs if isinstance(outs, list) else None


class OpenRouterProvider(BaseProvider):
    """``GET /api/v1/models``: public (a key is optional), filtered by ``output_modalities``.

    Without the parameter only text-output models are listed (the real default); ``all`` lists
    everything. Setting ``page_size`` turns on ``offset``/``limit`` pages with ``links.next``
    (shape from the newer SDK types; unverified on the wire).
    """

    name = "openrouter"
    api_root = "/api/v1"

    def base_headers(self, call: Call) -> dict[str, str]:
        return {"access-control-allow-origin": "*"}

    def _err(self, call: Call, status: int, message: str, **extra: Any) -> Reply:
        return self.json_reply(
            call, status, {"error": {"message": message, "code": status, **extra}}
        )

    def check_auth(self, call: Call) -> Reply | None:
        headers = call.request.headers
        key = _bearer(headers)
        if key is None:
            if call.route == "/api/v1/key":
                return self._err(call, 401, "No auth credentials found")
            return None  # the model list is public
        return None if key == call.view.api_key else self._err(call, 401, "User not found.")

    def _filtered(self, call: Call) -> list[Any]:
        wanted = _last(call.request.query, "output_modalities") or "text"
        entries = _entries(call)
        if wanted != "all":
            modalities = {m.strip() for m in wanted.split(",")}
            entries = [
                e
                for e in entries
                if (outs := _output_modalities(e)) is None or modalities.intersection(outs)
            ]
        param = _last(call.request.query, "supported_parameters")
        if param:
            entries = [
                e
                for e in entries
                if not isinstance(e, dict) or param in (e.get("supported_parameters") or ())
            ]
        return entries

    def listing_payload(self, call: Call) -> Any:
        return {"data": self._filtered(call)}

    def serve(self, call: Call) -> Reply:
        route = call.route
        if route == "/api/v1/models":
            return self._list(call)
        if route == "/api/v1/models/count":
            return self.json_reply(call, 200, {"data": {"count": len(self._filtered(call))}})
        if route == "/api/v1/key":
            key = call.view.api_key
            label = f"{key[:9]}...{key[-3:]}" if len(key) > 12 else "***"
            return self.json_reply(
                call,
                200,
                {
                    "data": {
                        "label": label,
                        "limit": None,
                        "usage": 0,
                        "limit_remaining": None,
                        "is_free_tier": False,
                        "rate_limit": {"requests": 500, "interval": "10s"},
                    }
                },
            )
        return self.not_found(call)

    def _list(self, call: Call) -> Reply:
        entries = self._filtered(call)
        size = call.view.page_size
        if size is None:
            return self.json_reply(call, 200, {"data": entries})
        query = call.request.query
        try:
            offset = int(_last(query, "offset") or 0)
            limit = min(int(_last(query, "limit") or size), size)
        except ValueError:
            return self._err(call, 400, "Invalid offset or limit")  # guess at the wording
        page = entries[offset : offset + limit]
        body: JsonDict = {"data": page, "totalCount": len(entries)}
        following = offset + limit
        fault = call.view.cursor_fault
        if fault == "repeat" and offset:
            body["links"] = {"next": f"/api/v1/models?offset={offset}&limit={limit}"}
        elif fault == "null" and following < len(entries):
            body["links"] = {"next": f"/api/v1/models?limit={limit}"}
        elif following < len(entries):
            body["links"] = {"next": f"/api/v1/models?offset={following}&limit={limit}"}
        else:
            body["links"] = {"next": None}
        return self.json_reply(call, 200, body)

    def not_found(self, call: Call) -> Reply:
        return self._err(call, 404, "Not Found")  # guess

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(call, 200, {"data": {"id": "openai/gpt-5.4"}})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 401:
            key = _bearer(call.request.headers)
            return self._err(
                call, 401, "No auth credentials found" if key is None else "User not found."
            )
        messages = {  # wording guessed except 401
            402: "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
            403: "Key is disabled.",
            404: "Not Found",
            408: "Request timed out.",
            429: "Rate limit exceeded: limit_rpm/global. Please try again later.",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }
        message = messages.get(status, f"Request failed with status {status}.")
        return self._err(call, status, message)


_DEFAULT_PARAMS: Final[JsonDict] = {
    "temperature": None,
    "top_p": None,
    "top_k": None,
    "frequency_penalty": None,
    "presence_penalty": None,
    "repetition_penalty": None,
}


def _or(
    ident: str,
    name: str,
    created: int,
    context: int,
    inputs: list[str],
    outputs: list[str],
    pricing: dict[str, str],
    params: list[str],
    *,
    slug: str | None = None,
    max_out: int | None = None,
    moderated: bool = False,
    tokenizer: str = "Other",
    description: str = "",
    **extra: Any,
) -> JsonDict:
    return {
        "id": ident,
        "canonical_slug": slug or ident,
        "hugging_face_id": "",
        "name": name,
        "created": created,
        "description": description or f"{name}.",
        "context_length": context,
        "architecture": {
            "modality": "+".join(inputs) + "->" + "+".join(outputs),
            "input_modalities": inputs,
            "output_modalities": outputs,
            "tokenizer": tokenizer,
            "instruct_type": None,
        },
        "pricing": pricing,
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": max_out,
            "is_moderated": moderated,
        },
        "per_request_limits": None,
        "supported_parameters": params,
        "default_parameters": dict(_DEFAULT_PARAMS),
        **extra,
    }


_OR_CHAT_PARAMS: Final = ["max_tokens", "temperature", "top_p", "stop", "seed"]

_OPENROUTER: Final[list[JsonDict]] = [
    # Verbatim (a real response quoted in a public repo); description shortened.
    _or(
        "x-ai/grok-4.20",
        "xAI: Grok 4.20",
        1774979019,
        2000000,
        ["text", "image", "file"],
        ["text"],
        {
            "prompt": "0.000002",
            "completion": "0.000006",
            "web_search": "0.005",
            "input_cache_read": "0.0000002",
        },
        [
            "include_reasoning",
            "logprobs",
            "max_tokens",
            "reasoning",
            "response_format",
            "seed",
            "structured_outputs",
            "temperature",
            "tool_choice",
            "tools",
            "top_logprobs",
            "top_p",
        ],
        slug="x-ai/grok-4.20-20260309",
        tokenizer="Grok",
        description="Grok 4.20 is xAI's newest flagship model with industry-leading speed and "
        "agentic tool calling capabilities. ...",
        knowledge_cutoff="2025-09-01",
        expiration_date=None,
        links={"details": "/api/v1/models/x-ai/grok-4.20-20260309/endpoints"},
    ),
    # Verbatim except `created` (illustrative).
    _or(
        "openai/gpt-5.4",
        "OpenAI: GPT-5.4",
        1772700000,
        1050000,
        ["text", "image", "file"],
        ["text"],
        {
            "prompt": "0.0000025",
            "completion": "0.000015",
            "web_search": "0.01",
            "input_cache_read": "0.00000025",
        },
        [
            "frequency_penalty",
            "include_reasoning",
            "logit_bias",
            "logprobs",
            "max_tokens",
            "presence_penalty",
            "reasoning",
            "response_format",
            "seed",
            "stop",
            "structured_outputs",
            "tool_choice",
            "tools",
            "top_logprobs",
        ],
        slug="openai/gpt-5.4-20260305",
        max_out=128000,
        moderated=True,
        tokenizer="GPT",
        expiration_date=None,
    ),
    _or(
        "anthropic/claude-opus-4.6",
        "Anthropic: Claude Opus 4.6",
        1770249600,
        1000000,
        ["text", "image", "file"],
        ["text"],
        {
            "prompt": "0.000005",
            "completion": "0.000025",
            "input_cache_read": "0.0000005",
            "input_cache_write": "0.00000625",
        },
        [*_OR_CHAT_PARAMS, "include_reasoning", "reasoning", "tool_choice", "tools"],
        slug="anthropic/claude-4.6-opus-20260205",
        max_out=128000,
        moderated=True,
        tokenizer="Claude",
        knowledge_cutoff="2025-05-01",
    ),
    # Image and text out: listed by default (it outputs text too).
    _or(
        "google/gemini-2.5-flash-image",
        "Google: Gemini 2.5 Flash Image (Nano Banana)",
        1759870431,
        32768,
        ["image", "text"],
        ["image", "text"],
        {"prompt": "0.0000003", "completion": "0.0000025", "image": "0.001238"},
        [*_OR_CHAT_PARAMS, "response_format", "structured_outputs"],
        max_out=32768,
        tokenizer="Gemini",
    ),
    # Image out only: missing from the default (text) listing, present with `all`.
    _or(
        "black-forest-labs/flux.2-pro",
        "Black Forest Labs: FLUX.2 Pro",
        1764115200,
        46864,
        ["text", "image"],
        ["image"],
        {"prompt": "0", "completion": "0", "image": "0.03"},  # per-image price illustrative
        ["seed"],
    ),
    # Embeddings out only: also missing from the default listing.
    _or(
        "openai/text-embedding-3-small",
        "OpenAI: Text Embedding 3 Small",
        1761955200,
        8192,
        ["text"],
        ["embeddings"],
        {"prompt": "0.00000002", "completion": "0"},
        [],
        tokenizer="GPT",
    ),
    # The router: the price depends on the model it picks, so "-1".
    _or(
        "openrouter/auto",
        "Auto Router",
        1699401600,
        2000000,
        ["text", "image", "audio", "file", "video"],
        ["text", "image"],
        {"prompt": "-1", "completion": "-1"},
        [*_OR_CHAT_PARAMS, "tools", "tool_choice", "response_format", "reasoning"],
    ),
    # Free variant: a known price of zero.
    _or(
        "meta-llama/llama-3.3-70b-instruct:free",
        "Meta: Llama 3.3 70B Instruct (free)",
        1733506137,
        131072,
        ["text"],
        ["text"],
        {"prompt": "0", "completion": "0"},
        [*_OR_CHAT_PARAMS, "tools", "tool_choice"],
        slug="meta-llama/llama-3.3-70b-instruct",
        max_out=2048,
        tokenizer="Llama3",
    ),
    _or(
        "deepseek/deepseek-v3.2",
        "DeepSeek: DeepSeek V3.2",
        1764594642,
        163840,
        ["text"],
        ["text"],
        {"prompt": "0.00000027", "completion": "0.0000004", "input_cache_read": "0.000000216"},
        [*_OR_CHAT_PARAMS, "include_reasoning", "reasoning", "response_format", "tools"],
        slug="deepseek/deepseek-v3.2-20251201",
        max_out=65536,
        tokenizer="DeepSeek",
    ),
    # Being retired: `expiration_date` set (date illustrative).
    _or(
        "openai/gpt-4o-2024-05-13",
        "OpenAI: GPT-4o (2024-05-13)",
        1715558400,
        128000,
        ["text", "image", "file"],
        ["text"],
        {"prompt": "0.000005", "completion": "0.000015"},
        [*_OR_CHAT_PARAMS, "response_format", "tools", "tool_choice", "web_search_options"],
        max_out=4096,
        moderated=True,
        tokenizer="GPT",
        expiration_date="2026-12-31",
    ),
    _or(
        "openai/gpt-4o-audio-preview",
        "OpenAI: GPT-4o Audio",
        1755233400,
        128000,
        ["audio", "text"],
        ["text", "audio"],
        {"prompt": "0.0000025", "completion": "0.00001", "audio": "0.00004"},
        [*_OR_CHAT_PARAMS, "response_format", "tools"],
        max_out=16384,
        moderated=True,
        tokenizer="GPT",
    ),
]


def _openrouter_synthetic(i: int) -> JsonDict:
    return _or(
        f"vendor-{i % 4}/synth-{i:04d}",
        f"Vendor {i % 4}: Synth {i}",
        1767225600 - i * 86400,
        131072,
        ["text"],
        ["text"],
        {"prompt": f"0.00000{i % 9 + 1}", "completion": "0.00001"},
        [*_OR_CHAT_PARAMS, "tools"],
    )


register_provider("openrouter", OpenRouterProvider)
register_fixtures("openrouter", _OPENROUTER, _openrouter_synthetic)
