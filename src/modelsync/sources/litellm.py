"""LiteLLM's model map (``model_prices_and_context_window_backup.json``) as facts per model.

The map ships inside every ``litellm`` wheel; the catalog build reads it out of a pinned wheel
(:func:`read_from_wheel`) and never imports litellm. How its fields become ours:

- ``litellm_provider`` names the provider; :data:`PROVIDERS` maps the ones we serve (``cohere``
  and ``cohere_chat`` are both Cohere, ``together_ai`` is Together, ``fireworks_ai`` Fireworks).
  Every other provider, including all ``vertex_ai-*`` and Bedrock/Azure routes, is skipped: they
  are other APIs with other prices.
- The key minus the provider's routing prefix (``gemini/``, ``xai/``, ``together_ai/``...) is the
  model id. Keys that are not model ids are skipped: size-bucket price rows
  (``together-ai-21.1b-41b``), fine-tune templates (``ft:...``), and image quality/size variants
  (``low/1024-x-1024/gpt-image-1.5``) of providers whose ids have no ``/``.
- ``mode`` says what kind of model it is (:data:`MODES`); modes we do not describe (video, OCR,
  search, evaluation...) are skipped.
- Prices are USD per token in the map, read as exact decimals from the JSON text (never through
  a float) and multiplied by one million. ``*_above_<N>k_tokens`` keys become context tiers above
  ``N * 1000`` tokens, ``*_batches`` the batch prices, ``output_cost_per_image`` USD per image,
  ``search_context_cost_per_query`` (medium) USD per web search, ``input_cost_per_request`` USD
  per request. Priority, flex and regional prices are not list prices and are left out.
- ``max_input_tokens`` becomes the context window, ``max_output_tokens`` (else the legacy
  ``max_tokens``) the output limit. For some models LiteLLM's ``max_input_tokens`` is the prompt
  limit rather than the whole window (gpt-5: 272000 of 400000); ``reconcile`` handles that.
- ``supported_modalities`` / ``supported_output_modalities`` become modalities; PDF input is the
  ``supports_pdf_input`` capability (LiteLLM never lists ``pdf`` as a modality).
- ``supports_*`` flags become capabilities only where the map states them, true or false.
- ``deprecation_date`` is the day the model stops answering (LiteLLM's meaning: the retirement
  date, e.g. xAI's 2026-05-15), so it becomes ``shutdown_date``; ``successor_model`` becomes
  ``replacement``; ``alias_of`` says the key is an alias of another id (such a row carries
  nothing else, so it is described by its target's row).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from ..facts import MODALITIES, Facts
from . import LITELLM, SourceRecord

__all__ = ["MAP_PATH", "MODES", "PROVIDERS", "decode", "parse_litellm", "read_from_wheel"]

#: Where the map is inside a litellm wheel.
MAP_PATH: Final = "litellm/model_prices_and_context_window_backup.json"

#: ``litellm_provider`` -> our provider name.
PROVIDERS: Final[Mapping[str, str]] = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "xai": "xai",
    "mistral": "mistral",
    "groq": "groq",
    "deepseek": "deepseek",
    "together_ai": "together",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "fireworks_ai": "fireworks",
    "fireworks_ai-embedding-models": "fireworks",
    "ollama": "ollama",
    "ollama_chat": "ollama",
    "openrouter": "openrouter",
}
#: Routing prefixes a key may carry, per our provider (stripped to get the API's id).
_PREFIXES: Final[Mapping[str, tuple[str, ...]]] = {
    "openai": ("openai/", "text-completion-openai/"),
    "anthropic": ("anthropic/",),
    "gemini": ("gemini/",),
    "xai": ("xai/",),
    "mistral": ("mistral/",),
    "groq": ("groq/",),
    "deepseek": ("deepseek/",),
    "together": ("together_ai/",),
    "cohere": ("cohere_chat/", "cohere/"),
    "fireworks": ("fireworks_ai/",),
    "ollama": ("ollama_chat/", "ollama/"),
    "openrouter": ("openrouter/",),
}
#: Providers whose API ids never contain ``/``: a key that still has one is a variant row.
_FLAT_IDS: Final = frozenset(
    {"openai", "anthropic", "gemini", "xai", "mistral", "deepseek", "cohere"}
)
_PSEUDO = re.compile(r"^(together-ai|fireworks-ai)-|^ft:")

#: ``mode`` -> the capability it states (``None``: a kind we describe without one).
MODES: Final[Mapping[str, str | None]] = {
    "chat": "chat",
    "responses": "chat",
    "completion": "completion",
    "embedding": "embeddings",
    "image_generation": "image_generation",
    "image_edit": "image_generation",
    "audio_transcription": "transcription",
    "audio_speech": "speech",
    "moderation": "moderation",
    "rerank": "rerank",
    "realtime": None,
}
_FLAGS: Final[Mapping[str, str]] = {
    "supports_function_calling": "function_calling",
    "supports_vision": "vision",
    "supports_pdf_input": "pdf_input",
    "supports_audio_input": "audio_input",
    "supports_reasoning": "reasoning",
    "supports_response_schema": "structured_output",
    "supports_prompt_caching": "prompt_caching",
    "supports_web_search": "web_search",
    "supports_native_streaming": "streaming",
}
_MILLION = Decimal(1_000_000)
#: Per-token price keys -> our per-1M field.
_TOKEN_PRICES: Final[Mapping[str, str]] = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
    "output_cost_per_reasoning_token": "reasoning",
    "input_cost_per_audio_token": "audio_input",
    "output_cost_per_audio_token": "audio_output",
    "input_cost_per_token_batches": "batch_input",
    "output_cost_per_token_batches": "batch_output",
}
_TIER_KEY = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost)_above_(\d+)k_tokens$"
)
_TIER_FIELDS: Final[Mapping[str, str]] = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_from_wheel(wheel: Path) -> str:
    """The map's JSON text, read out of a litellm wheel (a zip file) without installing it."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(MAP_PATH).decode("utf-8")


def decode(text: str) -> Any:
    """Decode the map with every number an exact ``Decimal`` (``3e-07`` never becomes a float)."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def _price(value: Any) -> Decimal | None:
    if isinstance(value, Decimal) and value.is_finite() and value >= 0:
        return value
    return None


def _per_million(value: Any) -> Decimal | None:
    d = _price(value)
    return None if d is None else (d * _MILLION).normalize()


def _count(value: Any) -> int | None:
    if isinstance(value, Decimal) and value == value.to_integral_value() and value > 0:
        return int(value)
    return None


def _strip(provider: str, key: str) -> str:
    for prefix in _PREFIXES.get(provider, ()):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _pricing(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    prices: dict[str, Any] = {}
    for theirs, ours in _TOKEN_PRICES.items():
        d = _per_million(entry.get(theirs))
        if d is not None:
            prices[ours] = d
    if "cached_input" not in prices:
        hit = _per_million(entry.get("input_cost_per_token_cache_hit"))
        if hit is not None:
            prices["cached_input"] = hit
    for theirs, ours in (
        ("output_cost_per_image", "per_image"),
        ("input_cost_per_request", "per_request"),
    ):
        d = _price(entry.get(theirs))
        if d is not None:
            prices[ours] = d.normalize()
    search = entry.get("search_context_cost_per_query")
    if isinstance(search, Mapping):
        d = _price(search.get("search_context_size_medium"))
        if d is not None:
            prices["per_web_search"] = d.normalize()
    tiers: dict[int, dict[str, Any]] = {}
    for key, value in entry.items():
        m = _TIER_KEY.match(key)
        d = _per_million(value) if m else None
        if m and d is not None:
            size = int(m.group(2)) * 1000
            tiers.setdefault(size, {"above_tokens": size})[_TIER_FIELDS[m.group(1)]] = d
    if tiers:
        prices["tiers"] = [tiers[size] for size in sorted(tiers)]
    if not any(k != "tiers" for k in prices):
        return None
    return prices


def _modalities(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    kept = [m for m in value if isinstance(m, str) and m in MODALITIES]
    return tuple(kept) or None


def _facts(provider: str, model_id: str, entry: Mapping[str, Any], mode: str) -> Facts:
    caps: dict[str, bool] = {}
    kind = MODES[mode]
    if kind is not None:
        caps[kind] = True
    for theirs, ours in _FLAGS.items():
        flag = entry.get(theirs)
        if isinstance(flag, bool):
            caps[ours] = flag
    if entry.get("supports_audio_output") is True:
        caps["speech"] = True
    deprecation = entry.get("deprecation_date")
    successor = entry.get("successor_model")
    data: dict[str, Any] = {
        "provider": provider,
        "id": model_id,
        "capabilities": caps,
        "input_modalities": _modalities(entry.get("supported_modalities")),
        "output_modalities": _modalities(entry.get("supported_output_modalities")),
        "context_window": _count(entry.get("max_input_tokens")),
        "max_output_tokens": _count(entry.get("max_output_tokens"))
        or _count(entry.get("max_tokens")),
        "shutdown_date": deprecation
        if isinstance(deprecation, str) and _DAY.match(deprecation)
        else None,
        "replacement": _strip(provider, successor) if isinstance(successor, str) else None,
        "pricing": _pricing(entry),
        "origin": LITELLM,
    }
    return Facts.model_validate(data)


def parse_litellm(payload: Any) -> Iterator[SourceRecord]:
    """Yield a record per map entry of our providers; rows that are not models are skipped.

    ``payload`` is the map decoded by :func:`decode`. A row that fails validation is skipped
    too (the build's report lists what :func:`skipped` says about it).
    """
    if not isinstance(payload, Mapping):
        raise ValueError("LiteLLM's map is not a JSON object")
    for key, row in payload.items():
        if not isinstance(row, Mapping) or not isinstance(key, str):
            continue
        entry: Mapping[str, Any] = row
        target = row.get("alias_of")
        if "litellm_provider" not in row and isinstance(target, str):
            # An alias row carries only ``alias_of``: it takes the target row's provider.
            aliased = payload.get(target)
            if isinstance(aliased, Mapping):
                entry = {**aliased, "alias_of": target}
        provider = PROVIDERS.get(str(entry.get("litellm_provider")))
        mode = entry.get("mode")
        if provider is None or mode not in MODES or skipped(provider, key) is not None:
            continue
        model_id = _strip(provider, key)
        try:
            facts = _facts(provider, model_id, entry, str(mode))
        except ValidationError:
            continue
        alias_of = entry.get("alias_of")
        yield SourceRecord(
            source=LITELLM,
            key=key,
            facts=facts,
            alias_of=_strip(provider, alias_of) if isinstance(alias_of, str) else None,
        )


def skipped(provider: str, key: str) -> str | None:
    """Why a key of one of our providers is not a model id, or ``None`` if it is one."""
    model_id = _strip(provider, key)
    if _PSEUDO.match(model_id):
        return "a price bucket or fine-tune template, not a model id"
    if provider in _FLAT_IDS and "/" in model_id:
        return "a quality/size variant row of another id"
    return None
