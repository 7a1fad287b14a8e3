"""Wire-format model lists the emulators serve by default.

Entries are plain JSON-ready dicts exactly as each provider sends them, so tests exercise the
client's real parsing. Ids are real (as of 2026); timestamps, token limits and prices follow
the documented shapes (see /work/shared/reference/provider-apis.md) but some numbers are
illustrative. Every accessor returns deep copies so a test can mutate its list freely.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable
from typing import Any, Final

__all__ = ["PROVIDERS", "default_extra_plain_models", "default_models", "synthetic_models"]

PROVIDERS: Final[tuple[str, ...]] = ("openai", "anthropic", "gemini", "xai")

JsonDict = dict[str, Any]


def _oa(model_id: str, created: int, owned_by: str = "system", **extra: Any) -> JsonDict:
    """Build an OpenAI ``Model`` entry (id/object/created/owned_by plus optional fields)."""
    return {"id": model_id, "object": "model", "created": created, "owned_by": owned_by, **extra}


# Unsorted on purpose: the real endpoint does not sort `data`.
_OPENAI: Final[list[JsonDict]] = [
    _oa("gpt-4o-mini", 1721172741),
    _oa("gpt-5", 1754425777),
    _oa("dall-e-3", 1698785189),
    _oa("gpt-4.1", 1744316542),
    _oa("whisper-1", 1677532384, "openai-internal"),
    _oa("gpt-5-mini", 1754425928),
    _oa("o4-mini", 1744225351),
    _oa("text-embedding-3-small", 1705948997),
    _oa("gpt-4o", 1715367049),
    _oa("tts-1", 1681940951, "openai-internal"),
    _oa("gpt-4.1-mini", 1744318173),
    _oa("o3", 1744225308),
    _oa("gpt-3.5-turbo", 1677610602, "openai"),
    _oa("gpt-image-1", 1745517030),
    _oa("gpt-4o-2024-08-06", 1722814719),
    _oa("text-embedding-3-large", 1705953180),
    # `shutdown_date` is the optional field added to the SDK in Aug 2026; date format is a guess.
    _oa("chatgpt-4o-latest", 1723515131, shutdown_date="2026-02-17"),
    _oa("omni-moderation-latest", 1731689265),
    _oa("gpt-4o-mini-2024-07-18", 1721172717),
    _oa("gpt-5.4", 1772700000),  # released 2026-03-05; `created` illustrative
]

_FULL_SUPPORT: Final[JsonDict] = {"supported": True}

_OPUS_46_CAPABILITIES: Final[JsonDict] = {
    "batch": {"supported": True},
    "citations": {"supported": True},
    "code_execution": {"supported": True},
    "context_management": {
        "clear_thinking_20251015": {"supported": True},
        "clear_tool_uses_20250919": {"supported": True},
        "compact_20260112": {"supported": True},
        "supported": True,
    },
    "effort": {
        "high": {"supported": True},
        "low": {"supported": True},
        "max": {"supported": True},
        "medium": {"supported": True},
        "supported": True,
    },
    "image_input": {"supported": True},
    "pdf_input": {"supported": True},
    "structured_outputs": {"supported": True},
    "thinking": {
        "supported": True,
        "types": {"adaptive": {"supported": True}, "enabled": {"supported": True}},
    },
}

_CLAUDE_45_CAPABILITIES: Final[JsonDict] = {
    "batch": {"supported": True},
    "citations": {"supported": True},
    "code_execution": {"supported": True},
    "context_management": {
        "clear_thinking_20251015": {"supported": True},
        "clear_tool_uses_20250919": {"supported": True},
        "supported": True,
    },
    "effort": {"supported": False},
    "image_input": {"supported": True},
    "pdf_input": {"supported": True},
    "structured_outputs": {"supported": True},
    "thinking": {
        "supported": True,
        "types": {"adaptive": {"supported": False}, "enabled": {"supported": True}},
    },
}

# Newest first, as the real endpoint lists them. The last three are legacy-style entries with
# only the four base fields, which older responses carried.
_ANTHROPIC: Final[list[JsonDict]] = [
    {
        "type": "model",
        "id": "claude-opus-4-6",
        "display_name": "Claude Opus 4.6",
        "created_at": "2026-02-04T00:00:00Z",
        "max_input_tokens": 200000,
        "max_tokens": 128000,
        "capabilities": _OPUS_46_CAPABILITIES,
    },
    {
        "type": "model",
        "id": "claude-haiku-4-5-20251001",
        "display_name": "Claude Haiku 4.5",
        "created_at": "2025-10-15T00:00:00Z",
        "max_input_tokens": 200000,
        "max_tokens": 64000,
        "capabilities": _CLAUDE_45_CAPABILITIES,
    },
    {
        "type": "model",
        "id": "claude-sonnet-4-5-20250929",
        "display_name": "Claude Sonnet 4.5",
        "created_at": "2025-09-29T00:00:00Z",
        "max_input_tokens": 200000,
        "max_tokens": 64000,
        "capabilities": _CLAUDE_45_CAPABILITIES,
    },
    {
        "type": "model",
        "id": "claude-opus-4-1-20250805",
        "display_name": "Claude Opus 4.1",
        "created_at": "2025-08-05T00:00:00Z",
    },
    {
        "type": "model",
        "id": "claude-sonnet-4-20250514",
        "display_name": "Claude Sonnet 4",
        "created_at": "2025-05-22T00:00:00Z",
    },
    {
        "type": "model",
        "id": "claude-3-haiku-20240307",
        "display_name": "Claude Haiku 3",
        "created_at": "2024-03-07T00:00:00Z",
    },
]

_GEMINI_CHAT_METHODS: Final[list[str]] = [
    "generateContent",
    "countTokens",
    "createCachedContent",
    "batchGenerateContent",
]

_GEMINI: Final[list[JsonDict]] = [
    {
        "name": "models/gemini-3-pro-preview",
        "version": "3-pro-preview-11-2025",
        "displayName": "Gemini 3 Pro Preview",
        "description": "Gemini 3 Pro Preview",
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 65536,
        "supportedGenerationMethods": _GEMINI_CHAT_METHODS,
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
        "thinking": True,
    },
    {
        "name": "models/gemini-2.5-pro",
        "version": "2.5",
        "displayName": "Gemini 2.5 Pro",
        "description": "Stable release (June 17th, 2025) of Gemini 2.5 Pro",
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 65536,
        "supportedGenerationMethods": _GEMINI_CHAT_METHODS,
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
        "thinking": True,
    },
    {
        "name": "models/gemini-2.5-flash",
        "version": "001",
        "displayName": "Gemini 2.5 Flash",
        "description": (
            "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up"
            " to 1 million tokens, released in June of 2025."
        ),
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 65536,
        "supportedGenerationMethods": _GEMINI_CHAT_METHODS,
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
        "thinking": True,
    },
    {
        "name": "models/gemini-2.5-flash-lite",
        "version": "001",
        "displayName": "Gemini 2.5 Flash-Lite",
        "description": "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025",
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 65536,
        "supportedGenerationMethods": _GEMINI_CHAT_METHODS,
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
        "thinking": True,
    },
    {
        "name": "models/gemini-2.0-flash",
        "version": "2.0",
        "displayName": "Gemini 2.0 Flash",
        "description": "Gemini 2.0 Flash",
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 8192,
        "supportedGenerationMethods": _GEMINI_CHAT_METHODS,
        "temperature": 1,
        "topP": 0.95,
        "topK": 40,
        "maxTemperature": 2,
    },
    {
        "name": "models/gemini-1.5-pro-latest",
        "version": "001",
        "displayName": "Gemini 1.5 Pro Latest",
        "description": (
            "Alias that points to the most recent production (non-experimental) release of"
            " Gemini 1.5 Pro, our mid-size multimodal model that supports up to 2 million tokens."
        ),
        "inputTokenLimit": 2000000,
        "outputTokenLimit": 8192,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
        "temperature": 1,
        "topP": 0.95,
        "topK": 40,
        "maxTemperature": 2,
    },
    # Embedding models omit the sampling fields entirely (real-world quirk).
    {
        "name": "models/gemini-embedding-001",
        "version": "001",
        "displayName": "Gemini Embedding 001",
        "description": "Obtain a distributed representation of a text.",
        "inputTokenLimit": 2048,
        "outputTokenLimit": 1,
        "supportedGenerationMethods": ["embedContent"],
    },
    {
        "name": "models/text-embedding-004",
        "version": "004",
        "displayName": "Text Embedding 004",
        "description": "Obtain a distributed representation of a text.",
        "inputTokenLimit": 2048,
        "outputTokenLimit": 1,
        "supportedGenerationMethods": ["embedContent"],
    },
    {
        "name": "models/imagen-4.0-generate-001",
        "version": "001",
        "displayName": "Imagen 4",
        "description": "Vertex served Imagen 4.0 model",
        "inputTokenLimit": 480,
        "outputTokenLimit": 8192,
        "supportedGenerationMethods": ["predict"],
    },
]

# `/v1/language-models` entries; `/v1/models` is projected from these. Prices are integer
# USD cents per 100M tokens (30000 == $3.00 / 1M tokens).
_XAI: Final[list[JsonDict]] = [
    # Released 2026-03-09; prices from OpenRouter's listing, created/fingerprint illustrative.
    {
        "id": "grok-4.20-0309-reasoning",
        "fingerprint": "fp_4c2e1b7a90",
        "created": 1773014400,
        "object": "model",
        "owned_by": "xai",
        "version": "1.0",
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
        "prompt_text_token_price": 20000,
        "cached_prompt_text_token_price": 2000,
        "prompt_image_token_price": 20000,
        "completion_text_token_price": 60000,
        "search_price": 250000000,
        "aliases": ["grok-4.20", "grok-4.20-latest"],
    },
    {
        "id": "grok-4",
        "fingerprint": "fp_3a7881249c",
        "created": 1752019200,
        "object": "model",
        "owned_by": "xai",
        "version": "1.0",
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
        "prompt_text_token_price": 30000,
        "cached_prompt_text_token_price": 7500,
        "prompt_image_token_price": 30000,
        "completion_text_token_price": 150000,
        "search_price": 250000000,
        "aliases": ["grok-4-0709", "grok-4-latest"],
    },
    {
        "id": "grok-code-fast-1",
        "fingerprint": "fp_10f00c862d",
        "created": 1755993600,
        "object": "model",
        "owned_by": "xai",
        "version": "1.0",
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "prompt_text_token_price": 2000,
        "cached_prompt_text_token_price": 200,
        "prompt_image_token_price": 0,
        "completion_text_token_price": 15000,
        "search_price": 250000000,
        "aliases": ["grok-code-fast", "grok-code-fast-1-0825"],
    },
    {
        "id": "grok-3",
        "fingerprint": "fp_898ae9f31c",
        "created": 1743724800,
        "object": "model",
        "owned_by": "xai",
        "version": "1.0",
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "prompt_text_token_price": 30000,
        "cached_prompt_text_token_price": 7500,
        "prompt_image_token_price": 0,
        "completion_text_token_price": 150000,
        "search_price": 250000000,
        "aliases": ["grok-3-latest", "grok-3-beta"],
    },
    {
        "id": "grok-3-mini",
        "fingerprint": "fp_6a09108ff5",
        "created": 1743724800,
        "object": "model",
        "owned_by": "xai",
        "version": "1.0",
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "prompt_text_token_price": 3000,
        "cached_prompt_text_token_price": 750,
        "prompt_image_token_price": 0,
        "completion_text_token_price": 5000,
        "search_price": 250000000,
        "aliases": ["grok-3-mini-latest", "grok-3-mini-beta"],
    },
    # Spec example verbatim: omits cached/search prices although the spec marks them required.
    {
        "id": "grok-2-vision-1212",
        "fingerprint": "fp_daba7546e5",
        "created": 1733961600,
        "object": "model",
        "owned_by": "xai",
        "version": "0.1.0",
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
        "prompt_text_token_price": 20000,
        "prompt_image_token_price": 20000,
        "completion_text_token_price": 100000,
        "aliases": [],
    },
]

# Ids that appear only in xAI `/v1/models` (non-language models such as image generation).
_XAI_EXTRA_PLAIN: Final[list[str]] = ["grok-2-image-1212"]

_DEFAULTS: Final[dict[str, list[JsonDict]]] = {
    "openai": _OPENAI,
    "anthropic": _ANTHROPIC,
    "gemini": _GEMINI,
    "xai": _XAI,
}


_EXTRA_SYNTH: dict[str, Callable[[int], JsonDict]] = {}


def register_fixtures(
    provider: str, defaults: list[JsonDict], synthetic: Callable[[int], JsonDict]
) -> None:
    """Add a provider's default list and synthetic-entry maker (used by providers_*.py)."""
    _DEFAULTS[provider] = defaults
    _EXTRA_SYNTH[provider] = synthetic


def _check(provider: str) -> None:
    """Fail loudly on a typo rather than serving an empty list."""
    if provider not in _DEFAULTS:
        raise ValueError(f"unknown provider {provider!r}; expected one of {PROVIDERS}")


def default_models(provider: str) -> list[JsonDict]:
    """Return a fresh deep copy of the realistic default list for ``provider``."""
    _check(provider)
    return copy.deepcopy(_DEFAULTS[provider])


def default_extra_plain_models(provider: str) -> list[str]:
    """Ids listed only by xAI's ``/v1/models`` (empty for other providers)."""
    _check(provider)
    return list(_XAI_EXTRA_PLAIN) if provider == "xai" else []


_SYNTH_EPOCH: Final[int] = 1767225600  # 2026-01-01T00:00:00Z


def _synthetic_entry(provider: str, i: int) -> JsonDict:
    """One valid entry; ``i`` makes id and timestamps unique and newest-first ordered."""
    created = _SYNTH_EPOCH - i * 86400
    if provider == "openai":
        return _oa(f"gpt-synth-{i:04d}", created)
    if provider == "anthropic":
        day = _dt.datetime.fromtimestamp(created, tz=_dt.UTC)
        return {
            "type": "model",
            "id": f"claude-synth-{i:04d}-{day:%Y%m%d}",
            "display_name": f"Claude Synth {i}",
            "created_at": day.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    if provider == "gemini":
        return {
            "name": f"models/gemini-synth-{i:04d}",
            "version": "001",
            "displayName": f"Gemini Synth {i}",
            "description": f"Synthetic test model number {i}.",
            "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
            "temperature": 1,
            "topP": 0.95,
            "topK": 64,
            "maxTemperature": 2,
        }
    if provider == "xai":
        return {
            "id": f"grok-synth-{i:04d}",
            "fingerprint": f"fp_{i:010x}",
            "created": created,
            "object": "model",
            "owned_by": "xai",
            "version": "1.0",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "prompt_text_token_price": 2000 + i,
            "cached_prompt_text_token_price": 500,
            "prompt_image_token_price": 0,
            "completion_text_token_price": 10000 + i,
            "search_price": 250000000,
            "aliases": [f"grok-synth-{i:04d}-latest"],
        }
    if provider in _EXTRA_SYNTH:
        return _EXTRA_SYNTH[provider](i)
    raise AssertionError(provider)  # unreachable: _check ran first


def synthetic_models(provider: str, n: int, *, start: int = 0) -> list[JsonDict]:
    """Return ``n`` distinct valid wire entries (numbered ``start``..``start+n-1``).

    Large lists drive multi-page pagination; ``start`` lets a test build disjoint or
    overlapping sets to simulate models being added or retired between syncs.
    """
    _check(provider)
    if n < 0 or start < 0:
        raise ValueError("n and start must be >= 0")
    return [_synthetic_entry(provider, i) for i in range(start, start + n)]
