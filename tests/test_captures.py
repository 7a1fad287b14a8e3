"""Real captured model lists, served by the loopback emulators and synced by the real adapters.

Every figure asserted here is copied from the capture file named in the test (sources and
trimming in tests/captures/SOURCES.md), never from our code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from modelsync.catalog import Catalog
from modelsync.facts import load_bundled
from modelsync.model import Model
from tests.adapters_live import wire
from tests.capture_lists import LISTS, entries
from tests.fixtures import EmulatorFactory, Env


def synced(env: Env, emulator: EmulatorFactory, emulated: str, listed: list[Any]) -> Catalog:
    emu = emulator(emulated, models=listed)
    catalog = wire(env, emu).catalog()
    provider = "openai-compatible" if emulated == "litellm" else emulated
    result = catalog.provider(provider).sync_models()
    assert result.status == "success", result.error
    return catalog


def models_of(catalog: Catalog) -> dict[str, Model]:
    return {m.id: m for m in catalog.models()}


@pytest.mark.parametrize(("emulated", "directory", "name", "key"), LISTS)
def test_every_capture_syncs_completely(
    emulated: str, directory: str, name: str, key: str, env: Env, emulator: EmulatorFactory
) -> None:
    listed = entries(directory, name, key)
    catalog = synced(env, emulator, emulated, listed)
    stored = models_of(catalog)
    if emulated == "mistral":  # one model per group of cards naming it
        expected = {c["name"] for c in listed}
    elif emulated == "gemini":
        expected = {e["name"].removeprefix("models/") for e in listed}
    else:
        expected = {e["id"] for e in listed}
    assert set(stored) == expected


def test_openrouter_2026_capture(env: Env, emulator: EmulatorFactory) -> None:
    listed = entries("openrouter", "models-2026-08-04", "data")
    models = models_of(synced(env, emulator, "openrouter", listed))
    assert len(models) == 4
    sonnet = models["anthropic/claude-sonnet-4"]
    assert sonnet.context_window == 1000000
    assert sonnet.max_output_tokens == 64000
    assert sonnet.aliases == ("anthropic/claude-4-sonnet-20250522",)
    assert sonnet.created == datetime.fromtimestamp(1747930371, UTC)
    assert sonnet.pricing is not None and sonnet.pricing.tiers[0].above_tokens == 200000
    mini = models["openai/gpt-4.1-mini"]
    assert mini.pricing is not None
    assert (mini.pricing.input, mini.pricing.output) == (Decimal("0.4"), Decimal("1.6"))
    assert mini.pricing.cached_input == Decimal("0.1")
    assert mini.pricing.per_web_search == Decimal("0.01")
    assert mini.context_window == 1047576
    assert mini.knowledge_cutoff == "2024-06-30"
    assert mini.supports("vision") is True
    assert models["openai/gpt-3.5-turbo"].supports("vision") is False
    assert models["openai/gpt-3.5-turbo"].max_output_tokens == 4096


def test_openrouter_2025_capture(env: Env, emulator: EmulatorFactory) -> None:
    listed = entries("openrouter", "models-2025-04-23", "data")
    models = models_of(synced(env, emulator, "openrouter", listed))
    assert len(models) == 30
    auto = models["openrouter/auto"]
    assert auto.pricing is not None and auto.pricing.state == "dynamic"  # "-1"
    deep = models["perplexity/sonar-deep-research"]
    assert deep.pricing is not None
    assert deep.pricing.reasoning == Decimal("3")
    assert deep.pricing.per_web_search == Decimal("0.005")
    assert (deep.pricing.input, deep.pricing.output) == (Decimal("2"), Decimal("8"))
    search = models["openai/gpt-4o-search-preview"]
    assert search.pricing is not None
    assert search.pricing.per_request == Decimal("0.035")
    assert search.pricing.per_image == Decimal("0.003613")
    flash = models["google/gemini-2.0-flash-001"]
    assert flash.pricing is not None
    assert flash.pricing.cached_input == Decimal("0.025")
    assert flash.pricing.cache_write == Decimal("0.1833")
    assert flash.pricing.per_image == Decimal("0.0000258")
    assert flash.context_window == 1000000
    assert models["openai/o3"].max_output_tokens == 100000


def test_gemini_capture(env: Env, emulator: EmulatorFactory) -> None:
    listed = entries("gemini", "models-2026-08-05", "models")
    models = models_of(synced(env, emulator, "gemini", listed))
    assert len(models) == 50
    flash = models["gemini-2.5-flash"]
    assert (flash.context_window, flash.max_output_tokens) == (1048576, 65536)
    assert flash.version == "001"
    assert flash.supports("reasoning") is True  # "thinking": true
    assert flash.supports("batch") is True and flash.supports("prompt_caching") is True
    tts = models["gemini-2.5-flash-preview-tts"]
    assert (tts.context_window, tts.max_output_tokens) == (8192, 16384)
    assert tts.supports("vision") is False and tts.supports("speech") is True
    embed = models["gemini-embedding-001"]
    assert embed.name == "Gemini Embedding 001"
    assert embed.context_window == 2048
    assert embed.supports("embeddings") is True and embed.supports("chat") is False
    assert models["imagen-4.0-generate-001"].supports("image_generation") is True
    assert models["gemini-2.5-flash-image"].name == "Nano Banana"
    # A preview in August 2026; the catalog knows Google has shut it down since (models.dev
    # marks a model deprecated only once it is shut down), and that beats the list's old word.
    facts = load_bundled().lookup("gemini", "gemini-3-pro-preview")
    assert facts is not None and facts.lifecycle == "retired"
    assert models["gemini-3-pro-preview"].lifecycle == "retired"


def test_mistral_capture(env: Env, emulator: EmulatorFactory) -> None:
    listed = entries("mistral", "models-2025-12-23", "data")
    models = models_of(synced(env, emulator, "mistral", listed))
    assert len(models) == 6
    medium = models["mistral-medium-2508"]
    assert set(medium.aliases) == {"mistral-medium-latest", "mistral-medium"}
    assert medium.context_window == 131072
    assert medium.supports("vision") is True and medium.supports("fine_tuning") is True
    assert medium.created is None  # 1766520693 on every base card: listing time
    nemo = models["open-mistral-nemo"]
    assert set(nemo.aliases) == {
        "open-mistral-nemo-2407",
        "mistral-tiny-2407",
        "mistral-tiny-latest",
    }
    voxtral = models["voxtral-mini-2507"]
    assert voxtral.context_window == 32768
    assert voxtral.supports("audio_input") is True
    assert voxtral.supports("function_calling") is False
    ocr = models["mistral-ocr-2512"]
    assert ocr.supports("chat") is False and ocr.supports("pdf_input") is True
    assert ocr.context_window == 16384
    moderation = models["mistral-moderation-2411"]
    assert moderation.supports("moderation") is True
    assert moderation.aliases == ("mistral-moderation-latest",)


def test_litellm_capture(env: Env, emulator: EmulatorFactory) -> None:
    listed = entries("openai-compatible", "litellm-proxy-models", "data")
    models = models_of(synced(env, emulator, "litellm", listed))
    assert len(models) == 4
    assert models["gpt-4o"].context_window == 128000
    assert models["gpt-4o"].max_output_tokens == 16384
    assert models["text-embedding-3-small"].context_window == 8191
    assert models["text-embedding-3-small"].supports("embeddings") is True
    assert models["local-llama"].context_window == 32768
    assert {m.owned_by for m in models.values()} == {"openai"}
