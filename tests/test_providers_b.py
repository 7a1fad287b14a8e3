"""Group b providers (Ollama, Together, Cohere, Fireworks, any OpenAI-compatible server) end to end.

Each runs against its loopback emulator through the real ``Catalog`` and SQLite store, with the
coverage the core providers have (tests/test_sync_contract.py, test_http_errors.py,
test_pagination.py, test_secrets.py), plus exact checks of each wire format's quirks.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelsync.catalog import Catalog
from modelsync.config import Settings
from modelsync.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    ProviderUnavailableError,
    SuspiciousFetchError,
)
from modelsync.model import Capability, Model, Pricing
from modelsync.providers import adapter_class
from modelsync.providers.base import ProviderConfig
from modelsync.providers.ollama import ollama_base_url, parse_modified_at
from modelsync.providers.openai_compatible import OpenAICompatibleAdapter
from tests.emulators import Fault, ProviderEmulator, default_models, synthetic_models
from tests.emulators.ollama_show import SHOWN
from tests.emulators.providers_b import decode_cohere_token, encode_cohere_token, vllm_card
from tests.fixtures import BASE_ENV, KEY_ENV, TEST_KEYS, EmulatorFactory, Env

GROUP_B = ("ollama", "together", "cohere", "fireworks", "openai-compatible")
KEY_ENV.update(
    {
        "ollama": "OLLAMA_API_KEY",
        "together": "TOGETHER_API_KEY",
        "cohere": "COHERE_API_KEY",
        "fireworks": "FIREWORKS_API_KEY",
        "openai-compatible": "OPENAI_COMPATIBLE_API_KEY",
    }
)
BASE_ENV.update(
    {
        "ollama": "OLLAMA_HOST",
        "together": "TOGETHER_BASE_URL",
        "cohere": "COHERE_BASE_URL",
        "fireworks": "FIREWORKS_BASE_URL",
        "openai-compatible": "OPENAI_COMPATIBLE_BASE_URL",
    }
)
TEST_KEYS.update(
    {
        "ollama": "ollama-test-0123456789abcdef",
        "together": "tgp_v1_test0123456789abcdef",
        "cohere": "co-test-0123456789abcdef",
        "fireworks": "fw_test0123456789abcdef",
        "openai-compatible": "vllm-test-0123456789abcdef",
    }
)
#: Providers whose server normally runs without a key (a local Ollama, a bare vLLM).
KEYLESS = ("ollama", "openai-compatible")
_OUR_ENV = (*KEY_ENV.values(), *BASE_ENV.values(), "CO_API_KEY")
ID_FIELD = {"ollama": "model", "cohere": "name"}
LIST_PATH = {
    "ollama": "/api/tags",
    "together": "/v1/models",
    "cohere": "/v1/models",
    "fireworks": "/inference/v1/models",
    "openai-compatible": "/v1/models",
}
CANARY = "sk-CANARY-7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e"
CANARY_FRAGMENTS = (CANARY, CANARY[:10], CANARY[-8:])


@pytest.fixture(autouse=True)
def _no_stray_provider_env(env: Env) -> None:
    """The shared ``env`` fixture scrubs only the core providers' variables; scrub ours too."""
    for name in _OUR_ENV:
        env.vars.pop(name, None)


def start(emulator: EmulatorFactory, provider: str, *, keyed: bool = False, **kw: Any) -> Any:
    """An emulator as users usually meet it: Ollama and vLLM without a key unless ``keyed``."""
    if provider in KEYLESS and not keyed:
        kw.setdefault("api_key", "")
    return emulator(provider, **kw)


def ids(provider: str, entries: list[dict[str, Any]]) -> set[str]:
    return {str(e[ID_FIELD.get(provider, "id")]) for e in entries}


def by_id(catalog: Catalog, provider: str) -> dict[str, Model]:
    return {m.id: m for m in catalog.models(provider=provider)}


def api(value: bool) -> Capability:
    return Capability(supported=value, source="api")


def ruled(value: bool) -> Capability:
    return Capability(supported=value, source="rule")


def sync_error(env: Env, provider: str) -> ModelSyncError:
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider(provider).sync_models(force_refresh=True)
    return info.value


# ------------------------------------------------------------------- success, every model


@pytest.mark.parametrize("provider", GROUP_B)
def test_sync_stores_every_model_then_skips_with_zero_requests(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider)
    catalog = env.wire(emu).catalog()
    handle = catalog.provider(provider)
    first = handle.sync_models()
    assert first.status == "success"
    expected = ids(provider, default_models(provider))
    stored = catalog.models(provider=provider)
    assert {m.id for m in stored} == expected
    assert all(m.provider == provider for m in stored)
    assert first.models_synced == len(expected)
    # Ollama also asks /api/show about each model its /api/tags entry describes only in part.
    shows = len(SHOWN) if provider == "ollama" else 0
    assert first.pages == 1 and first.requests == emu.count() == 1 + shows
    assert emu.count("/api/show") == shows
    request = emu.requests[0]
    assert request.path == LIST_PATH[provider]
    if provider in KEYLESS:
        assert "authorization" not in request.headers  # no key configured: none sent
    else:
        assert request.headers["authorization"] == f"Bearer {emu.api_key}"

    second = handle.sync_models()
    assert second.status == "skipped" and second.reason == "cache_valid"
    assert emu.count() == 1 + shows  # fresh: not a single request


@pytest.mark.parametrize("provider", GROUP_B)
def test_statistics_have_common_family_and_breakdown_keys(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider)
    result = env.wire(emu).catalog().provider(provider).sync_models()
    stats = result.statistics
    assert stats is not None
    assert stats["total_models"] == len(default_models(provider))
    for key in ("updated_at", "chat_models", "embeddings_models", "safety_filtered_models"):
        assert key in stats
    cls = adapter_class(provider)
    assert cls.families or cls.breakdowns
    for rule_ in cls.families:
        assert isinstance(stats[rule_.key], int)
    for b in cls.breakdowns:
        assert isinstance(stats[b.key], dict)


# ------------------------------------------------------------------------------ Ollama


def test_ollama_normalization(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "ollama")
    catalog = env.wire(emu).catalog()
    stats = catalog.provider("ollama").sync_models().statistics
    models = by_id(catalog, "ollama")

    # An older server: no `capabilities` in /api/tags, so /api/show says them and the context.
    r1 = models["deepseek-r1:latest"]
    assert r1.created == datetime(2025, 5, 10, 15, 6, 48, 639712, tzinfo=UTC)
    assert r1.description == "qwen2 family, 7.6B parameters, Q4_K_M quantization"
    assert r1.owned_by == "library"
    assert r1.name == "deepseek-r1:latest"
    assert r1.capabilities["chat"] == api(True)
    assert r1.capabilities["reasoning"] == api(True)
    assert r1.capabilities["function_calling"] == api(False)
    assert r1.context_window == 131072
    assert r1.input_modalities == ("text",) and r1.output_modalities == ("text",)

    qwen3 = models["qwen3:8b"]  # newer server: Ollama's own capability list, complete
    assert qwen3.created == datetime(2026, 8, 14, 7, 12, 3, 118274, tzinfo=UTC)
    assert qwen3.context_window == 40960
    assert qwen3.capabilities["chat"] == api(True)
    assert qwen3.capabilities["function_calling"] == api(True)
    assert qwen3.capabilities["reasoning"] == api(True)
    assert qwen3.capabilities["vision"] == api(False)
    assert qwen3.capabilities["embeddings"] == api(False)
    assert qwen3.input_modalities == ("text",) and qwen3.output_modalities == ("text",)

    gemma = models["gemma3:4b"]
    assert gemma.created == datetime(2026, 7, 31, 1, 44, 10, 500000, tzinfo=UTC)
    assert gemma.capabilities["vision"] == api(True)
    assert gemma.capabilities["function_calling"] == api(False)
    assert gemma.input_modalities == ("text", "image")

    embed = models["nomic-embed-text:latest"]
    assert embed.capabilities["embeddings"] == api(True)
    assert embed.capabilities["chat"] == api(False)
    assert embed.output_modalities == ()

    hf = models["hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"]  # details.families: null
    assert hf.owned_by == "bartowski"
    assert hf.description == "llama family, 1.2B parameters, Q4_K_M quantization"

    cloud = models["gpt-oss:120b-cloud"]
    assert cloud.created == datetime(2026, 9, 2, 7, 45, 0, 123456, tzinfo=UTC)

    assert stats is not None
    assert (
        stats["llama_models"],
        stats["qwen_models"],
        stats["gemma_models"],
        stats["deepseek_models"],
    ) == (2, 2, 1, 1)
    assert stats["by_family"] == {
        "deepseek2": 1,
        "gemma3": 1,
        "gptoss": 2,
        "llama": 2,
        "nomic-bert": 1,
        "qwen2": 1,
        "qwen3": 1,
    }
    assert stats["by_namespace"] == {"bartowski": 1, "library": 8}
    assert stats["chat_models"] == 8
    assert stats["embeddings_models"] == 1
    assert stats["vision_models"] == 1
    assert stats["reasoning_models"] == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-05-10T08:06:48.639712648-07:00", datetime(2025, 5, 10, 15, 6, 48, 639712, UTC)),
        ("2025-05-10T08:06:48.999999999+00:00", datetime(2025, 5, 10, 8, 6, 48, 999999, UTC)),
        ("2026-01-01T00:00:00.5Z", datetime(2026, 1, 1, 0, 0, 0, 500000, UTC)),
        ("2026-01-01T05:30:00+05:30", datetime(2026, 1, 1, 0, 0, 0, 0, UTC)),
        ("0001-01-01T00:00:00Z", None),  # Go's zero time
        ("9999-12-31T23:59:59.9-07:00", None),  # past datetime's range once in UTC
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_ollama_modified_at_parsing(value: str | None, expected: datetime | None) -> None:
    assert parse_modified_at(value) == expected


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1:11434", "http://127.0.0.1:11434"),
        ("0.0.0.0:11434", "http://127.0.0.1:11434"),
        ("0.0.0.0", "http://127.0.0.1:11434"),
        (":11434", "http://127.0.0.1:11434"),
        ("gpu-1", "http://gpu-1:11434"),
        ("gpu-1:8080/ollama", "http://gpu-1:8080/ollama"),
        ("[::]:11434", "http://[::1]:11434"),
        ("::1", "http://[::1]:11434"),
        ("'0.0.0.0:9999'", "http://127.0.0.1:9999"),
        ("gpu-1:99999", "http://gpu-1:11434"),
        ("http://localhost:11434", "http://localhost:11434"),
        ("https://ollama.com", "https://ollama.com"),
        ("http://gpu-1", "http://gpu-1"),
        ("https://ollama.example.com:443/proxy", "https://ollama.example.com/proxy"),
    ],
)
def test_ollama_host_is_read_like_ollama_reads_it(host: str, url: str) -> None:
    assert ollama_base_url(host) == url


def test_ollama_host_without_scheme_and_listen_address(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "ollama")
    env.vars["OLLAMA_HOST"] = f"0.0.0.0:{emu.port}"  # what `ollama serve` users export
    catalog = env.catalog()
    assert catalog.adapter("ollama").config.base_url == f"http://127.0.0.1:{emu.port}"
    assert catalog.provider("ollama").sync_models().status == "success"
    explicit = adapter_class("ollama").from_env(
        catalog.settings, env.vars, base_url=f"127.0.0.1:{emu.port}"
    )
    assert explicit.config.base_url == f"http://127.0.0.1:{emu.port}"
    del env.vars["OLLAMA_HOST"]
    default = adapter_class("ollama").from_env(catalog.settings, env.vars)
    assert default.config.base_url == "http://localhost:11434"
    assert default.config.api_key is None


def test_ollama_sends_the_cloud_key_only_when_set(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "ollama", keyed=True)
    catalog = env.wire(emu).catalog()
    assert catalog.provider("ollama").sync_models().status == "success"
    assert emu.requests[0].headers["authorization"] == f"Bearer {emu.api_key}"
    assert catalog.provider("ollama").has_valid_credentials() is True


def test_ollama_probe_is_one_tags_request(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "ollama")
    handle = env.wire(emu).catalog().provider("ollama")
    assert handle.has_valid_credentials() is True
    assert [r.path for r in emu.requests] == ["/api/tags"]


def test_ollama_empty_or_null_model_list(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "ollama", models=[])
    result = env.wire(emu).catalog().provider("ollama").sync_models()
    assert result.status == "success" and result.models_synced == 0
    emu.push(Fault.raw(200, '{"models":null}'))  # Go marshals a nil slice as null
    assert env.catalog().provider("ollama").sync_models(force_refresh=True).models_synced == 0


# ---------------------------------------------------------------------------- Together


def test_together_normalization_and_prices(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "together")
    catalog = env.wire(emu).catalog()
    stats = catalog.provider("together").sync_models().statistics
    models = by_id(catalog, "together")

    llama = models["meta-llama/Llama-3.3-70B-Instruct-Turbo"]
    assert llama.name == "Meta Llama 3.3 70B Instruct Turbo"
    assert llama.owned_by == "Meta"
    assert llama.created == datetime(2024, 12, 6, tzinfo=UTC)
    assert llama.context_window == 131072
    assert llama.pricing == Pricing(input=Decimal("0.88"), output=Decimal("0.88"), source="api")
    assert str(llama.pricing.input) == "0.88"
    assert llama.capabilities["chat"] == api(True)
    # The bundled catalog lists Together's Llama 3.3 (LiteLLM and models.dev both state tools),
    # so its answer comes before the family rule.
    assert llama.capabilities["function_calling"] == Capability(supported=True, source="catalog")
    assert llama.description == "chat model from Meta, license llama3.3"

    r1 = models["deepseek-ai/DeepSeek-R1"]
    assert r1.pricing is not None
    assert (r1.pricing.input, r1.pricing.output) == (Decimal(3), Decimal(7))
    assert r1.capabilities["reasoning"] == ruled(True)
    v31 = models["deepseek-ai/DeepSeek-V3.1"]
    assert v31.pricing is not None and v31.pricing.cached_input == Decimal("0.3")

    free = models["meta-llama/Llama-3.3-70B-Instruct-Turbo-Free"]
    assert free.pricing == Pricing(input=Decimal(0), output=Decimal(0), source="api")
    flux = models["black-forest-labs/FLUX.1-schnell"]  # zeros: priced per image, not per token
    assert flux.pricing == Pricing(state="unknown")
    assert flux.context_window is None
    assert flux.capabilities["image_generation"] == api(True)
    assert flux.capabilities["chat"] == api(False)
    assert flux.output_modalities == ("image",)
    bge = models["BAAI/bge-large-en-v1.5"]
    assert bge.pricing == Pricing(input=Decimal("0.02"), output=Decimal(0), source="api")
    assert bge.capabilities["embeddings"] == api(True)
    whisper = models["openai/whisper-large-v3"]
    assert whisper.capabilities["transcription"] == api(True)
    assert whisper.input_modalities == ("audio",)
    assert whisper.pricing == Pricing(state="unknown")
    assert models["Qwen/Qwen2.5-VL-72B-Instruct"].capabilities["vision"] == ruled(True)
    assert models["Salesforce/Llama-Rank-V1"].capabilities["rerank"] == api(True)
    assert models["meta-llama/Llama-Guard-4-12B"].capabilities["moderation"] == api(True)
    assert models["cartesia/sonic-2"].capabilities["speech"] == api(True)
    assert models["meta-llama/Meta-Llama-3-8B"].capabilities["completion"] == api(True)

    assert stats is not None
    assert stats["by_type"] == {
        "audio": 1,
        "chat": 9,
        "code": 1,
        "embedding": 1,
        "image": 1,
        "language": 1,
        "moderation": 1,
        "rerank": 1,
        "transcribe": 1,
        "video": 1,
    }
    assert stats["by_organization"]["Meta"] == 6
    assert (stats["llama_models"], stats["qwen_models"], stats["deepseek_models"]) == (7, 2, 2)
    assert (stats["flux_models"], stats["gpt_oss_models"]) == (1, 1)


def test_together_prices_are_never_negative_or_invented(
    env: Env, emulator: EmulatorFactory
) -> None:
    entry = default_models("together")[1]
    odd = [
        {**entry, "id": "a/neg", "pricing": {"input": -1, "output": 2.5}},
        {**entry, "id": "a/none"},
        {**entry, "id": "a/tiny", "pricing": {"input": 1e-05, "output": 0.1 + 0.2}},
    ]
    odd[1].pop("pricing")
    emu = start(emulator, "together", models=odd)
    catalog = env.wire(emu).catalog()
    catalog.provider("together").sync_models()
    models = by_id(catalog, "together")
    assert models["a/neg"].pricing == Pricing(input=None, output=Decimal("2.5"), source="api")
    assert models["a/none"].pricing is None
    tiny = models["a/tiny"].pricing
    assert tiny is not None
    assert tiny.input == Decimal("0.00001")
    assert tiny.output == Decimal("0.30000000000000004")  # the number as sent, not rounded


# ------------------------------------------------------------------------------ Cohere


def test_cohere_normalization(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "cohere")
    catalog = env.wire(emu).catalog()
    stats = catalog.provider("cohere").sync_models().statistics
    assert emu.requests[0].query == {"page_size": ["1000"]}
    models = by_id(catalog, "cohere")

    plus = models["command-r-plus"]
    assert plus.name == "Command R Plus"
    assert plus.owned_by == "cohere"
    assert plus.context_window == 128000
    assert plus.lifecycle == "active"
    for cap, value in {
        "chat": True,
        "completion": True,
        "embeddings": False,
        "rerank": False,
        "function_calling": True,
        "json_mode": True,
        "structured_output": True,
        "vision": False,
    }.items():
        assert plus.capabilities[cap] == api(value), cap
    assert plus.input_modalities == ("text",) and plus.output_modalities == ("text",)

    light = models["command-light"]
    assert light.lifecycle == "deprecated"
    assert light.supports("function_calling") is None  # no features listed: unknown
    multi = models["embed-multilingual-v3.0"]
    assert multi.capabilities["embeddings"] == api(True)
    assert multi.capabilities["chat"] == api(False)
    assert multi.supports("vision") is None
    assert multi.context_window == 512
    v4 = models["embed-v4.0"]
    assert v4.capabilities["vision"] == api(True)
    assert v4.input_modalities == ("text", "image") and v4.output_modalities == ()
    assert models["rerank-v3.5"].capabilities["rerank"] == api(True)
    assert models["command-a-reasoning-08-2025"].capabilities["reasoning"] == ruled(True)
    assert models["command-a-vision-07-2025"].capabilities["function_calling"] == api(False)

    assert stats is not None
    assert stats["command_models"] == 7
    assert (stats["command_a_models"], stats["command_r_models"]) == (3, 3)
    assert (stats["embed_models"], stats["rerank_models"], stats["aya_models"]) == (3, 1, 2)
    assert (stats["chat_models"], stats["vision_models"], stats["function_calling_models"]) == (
        9,
        3,
        5,
    )


def test_cohere_every_page_is_followed(env: Env, emulator: EmulatorFactory) -> None:
    models = synthetic_models("cohere", 7)
    emu = start(emulator, "cohere", models=models, page_size=2)
    catalog = env.wire(emu).catalog()
    result = catalog.provider("cohere").sync_models()
    assert result.status == "success"
    assert result.models_synced == 7
    assert result.pages == result.requests == emu.count() == 4
    assert {m.id for m in catalog.models(provider="cohere")} == ids("cohere", models)
    tokens = [r.query.get("page_token") for r in emu.requests]
    assert tokens == [
        None,
        [encode_cohere_token(2)],
        [encode_cohere_token(4)],
        [encode_cohere_token(6)],
    ]
    assert all(r.query["page_size"] == ["1000"] for r in emu.requests)


def test_cohere_repeated_token_is_a_loop_and_a_cut_chain_is_refused(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, "cohere", models=synthetic_models("cohere", 6), page_size=2)
    catalog = env.wire(emu).catalog()
    catalog.provider("cohere").sync_models()
    emu.cursor_fault = "repeat"
    err = sync_error(env, "cohere")
    assert isinstance(err, MalformedResponseError) and "repeated" in str(err)
    # Cohere has no has_more flag: an empty token ends the chain. The shrink guard keeps the
    # last good catalog instead of storing the first page alone.
    emu.cursor_fault = "null"
    assert isinstance(sync_error(env, "cohere"), SuspiciousFetchError)
    assert len(catalog.models(provider="cohere")) == 6


def test_cohere_page_count_is_capped(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "cohere", models=synthetic_models("cohere", 10), page_size=1)
    env.wire(emu).vars["MODELSYNC_MAX_PAGES"] = "3"
    err = sync_error(env, "cohere")
    assert isinstance(err, MalformedResponseError) and "more than 3 pages" in str(err)
    assert emu.count() == 3


def test_cohere_key_from_co_api_key(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "cohere")
    env.wire(emu)
    env.vars["CO_API_KEY"] = env.vars.pop("COHERE_API_KEY")
    assert env.catalog().provider("cohere").sync_models().status == "success"
    env.vars["CO_API_KEY"] = "co-wrong-key-0123456789"
    err = sync_error(env, "cohere")
    assert isinstance(err, InvalidCredentialsError)
    assert "CO_API_KEY" in str(err) and "COHERE_API_KEY" not in str(err)
    env.vars["COHERE_API_KEY"] = emu.api_key  # set both: COHERE_API_KEY wins
    assert env.catalog().adapter("cohere").config.key_env == "COHERE_API_KEY"
    assert env.catalog().provider("cohere").sync_models(force_refresh=True).status == "success"


# --------------------------------------------------------------------------- Fireworks


def test_fireworks_normalization(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "fireworks")
    catalog = env.wire(emu).catalog()
    stats = catalog.provider("fireworks").sync_models().statistics
    models = by_id(catalog, "fireworks")

    glm = models["accounts/fireworks/models/glm-5"]  # the full id: it is what the API takes
    assert glm.name == "GLM 5"
    assert glm.owned_by == "fireworks"
    assert glm.created == datetime.fromtimestamp(1770826344, UTC)
    assert glm.context_window == 202752
    assert glm.capabilities["chat"] == api(True)
    assert glm.capabilities["function_calling"] == api(True)
    assert glm.capabilities["vision"] == api(False)
    assert glm.capabilities["reasoning"] == ruled(True)
    assert glm.input_modalities == ("text",) and glm.output_modalities == ("text",)
    llama = models["accounts/fireworks/models/llama-v3p1-8b-instruct"]
    assert llama.name == "Llama V3.1 8B Instruct"
    assert llama.capabilities["function_calling"] == api(False)
    maverick = models["accounts/fireworks/models/llama4-maverick-instruct-basic"]
    assert maverick.capabilities["vision"] == api(True)
    assert maverick.input_modalities == ("text", "image")
    embed = models["accounts/fireworks/models/nomic-embed-text-v1p5"]
    assert embed.capabilities["embeddings"] == api(True)
    assert embed.capabilities["chat"] == api(False)
    assert embed.name == "Nomic Embed Text V1.5"
    flux = models["accounts/fireworks/models/flux-1-schnell-fp8"]
    assert flux.capabilities["image_generation"] == api(True)
    assert flux.context_window is None
    assert models["accounts/acme-corp/models/support-bot-v2"].owned_by == "acme-corp"

    assert stats is not None
    assert stats["by_owner"] == {"acme-corp": 1, "fireworks": 12}
    assert (stats["router_models"], stats["kimi_models"], stats["qwen_models"]) == (1, 2, 3)
    assert (stats["chat_models"], stats["embeddings_models"], stats["vision_models"]) == (10, 2, 2)
    assert stats["function_calling_models"] == 7


def test_fireworks_owner_falls_back_to_the_account(env: Env, emulator: EmulatorFactory) -> None:
    entry = {"id": "accounts/someone/models/tuned", "object": "model", "supports_chat": True}
    emu = start(emulator, "fireworks", models=[entry])
    catalog = env.wire(emu).catalog()
    catalog.provider("fireworks").sync_models()
    (model,) = catalog.models(provider="fireworks")
    assert model.owned_by == "someone"
    assert model.supports("function_calling") is None  # not stated: unknown, not False


# ------------------------------------------------------------------- OpenAI-compatible


def test_openai_compatible_vllm_normalization(env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, "openai-compatible")
    catalog = env.wire(emu).catalog()
    catalog.provider("openai-compatible").sync_models()
    models = by_id(catalog, "openai-compatible")
    base = models["meta-llama/Llama-3.1-8B-Instruct"]
    assert base.context_window == 131072
    assert base.owned_by == "vllm"
    assert base.created is None  # vLLM stamps the request time: not a creation date
    assert base.capabilities == {}  # nothing on the wire, and no guessing from the id
    lora = models["sql-lora"]
    assert lora.description == "LoRA adapter on meta-llama/Llama-3.1-8B-Instruct"
    assert lora.context_window is None


def test_openai_compatible_needs_a_base_url(env: Env) -> None:
    settings_ = Settings.load(env.vars)
    with pytest.raises(ConfigurationError) as info:
        OpenAICompatibleAdapter.from_env(settings_, env.vars)
    assert "base URL" in str(info.value)
    assert "OPENAI_COMPATIBLE_BASE_URL" in str(info.value)


def test_two_openai_compatible_instances_keep_separate_catalogs(
    env: Env, emulator: EmulatorFactory
) -> None:
    first = start(emulator, "openai-compatible")
    second = start(emulator, "openai-compatible", keyed=True)
    second.set_models(
        [vllm_card("Qwen/Qwen3-Embedding-8B", 32768), vllm_card("BAAI/bge-reranker-v2-m3", 8192)]
    )
    settings_ = Settings.load(env.vars)
    a1 = OpenAICompatibleAdapter(
        ProviderConfig(name="my-vllm", base_url=first.base_url, api_key=None), settings_
    )
    a2 = OpenAICompatibleAdapter(
        ProviderConfig(name="my-vllm-2", base_url=second.base_url, api_key=second.api_key),
        settings_,
    )
    catalog = Catalog(env=env.vars, settings=settings_, adapters=[a1, a2])
    report = catalog.sync(["my-vllm", "my-vllm-2"])
    assert report["my-vllm"].status == report["my-vllm-2"].status == "success"
    one = catalog.models(provider="my-vllm")
    two = catalog.models(provider="my-vllm-2")
    assert {m.id for m in one} == {"meta-llama/Llama-3.1-8B-Instruct", "sql-lora"}
    assert {m.id for m in two} == {"Qwen/Qwen3-Embedding-8B", "BAAI/bge-reranker-v2-m3"}
    assert {m.provider for m in one} == {"my-vllm"}
    assert {m.provider for m in two} == {"my-vllm-2"}
    assert catalog.provider("my-vllm").models_cache_key == "modelsync:my-vllm:models"
    assert "authorization" not in first.requests[0].headers
    assert second.requests[0].headers["authorization"] == f"Bearer {second.api_key}"
    served = by_id(catalog, "my-vllm-2")
    assert served["BAAI/bge-reranker-v2-m3"].capabilities["rerank"] == ruled(True)
    embedder = served["Qwen/Qwen3-Embedding-8B"]
    assert embedder.capabilities["embeddings"] == ruled(True)
    assert embedder.capabilities["chat"] == ruled(False)
    assert embedder.context_window == 32768
    stats = catalog.stats("my-vllm-2")
    assert stats is not None and stats["embeddings_models"] == 1
    # A second sync of one instance is fresh; the other instance is untouched by it.
    assert catalog.provider("my-vllm").sync_models().status == "skipped"
    assert first.count() == second.count() == 1


# --------------------------------------------------------------- errors, retries, timeouts


@pytest.mark.parametrize("provider", GROUP_B)
def test_bad_key_is_invalid_credentials_naming_the_env_var(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider, keyed=True)
    env.wire(emu).vars[KEY_ENV[provider]] = "wrong-key-0123456789"
    err = sync_error(env, provider)
    assert isinstance(err, InvalidCredentialsError)
    assert err.status_code == 401
    assert str(err).startswith(f"{provider}: ")
    assert KEY_ENV[provider] in str(err)
    assert emu.count() == 1  # never retried


@pytest.mark.parametrize("provider", GROUP_B)
def test_429_with_retry_after_then_success(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider)
    emu.push(Fault.status(429, retry_after="0.2"))
    started = time.monotonic()
    result = env.wire(emu).catalog().provider(provider).sync_models()
    assert result.status == "success"
    assert result.retries == 1
    assert time.monotonic() - started >= 0.2
    shows = len(SHOWN) if provider == "ollama" else 0  # Ollama's /api/show after the list
    assert result.requests == emu.count() == 2 + shows


@pytest.mark.parametrize(
    ("provider", "status"),
    [
        ("ollama", 500),
        ("ollama", 503),
        ("together", 503),
        ("cohere", 500),
        ("fireworks", 500),
        ("openai-compatible", 502),
    ],
)
def test_5xx_then_success(provider: str, status: int, env: Env, emulator: EmulatorFactory) -> None:
    emu = start(emulator, provider)
    emu.push(Fault.status(status), Fault.status(status))
    result = env.wire(emu).catalog().provider(provider).sync_models()
    assert result.status == "success"
    assert result.retries == 2


@pytest.mark.parametrize("provider", GROUP_B)
def test_retries_exhausted_keeps_the_last_good_catalog(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider)
    catalog = env.wire(emu).catalog()
    catalog.provider(provider).sync_models()
    before = [m.id for m in catalog.models(provider=provider)]
    emu.reset_requests()
    emu.push(*[Fault.status(503) for _ in range(6)])
    err = sync_error(env, provider)
    assert isinstance(err, ProviderUnavailableError)
    assert emu.count() == 4  # 1 + MODELSYNC_MAX_RETRIES (3)
    assert [m.id for m in env.catalog().models(provider=provider)] == before
    failure = catalog.provider(provider).last_failure()
    assert failure is not None and failure["error_type"] == "provider_unavailable"


@pytest.mark.parametrize("kind", ["malformed", "html", "wrong_shape"])
@pytest.mark.parametrize("provider", GROUP_B)
def test_garbage_answers_are_malformed_responses(
    provider: str, kind: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider)
    fault = {"malformed": Fault.malformed, "html": Fault.html, "wrong_shape": Fault.wrong_shape}
    emu.push(fault[kind](), fault[kind]())
    err = sync_error(env.wire(emu), provider)
    assert isinstance(err, MalformedResponseError)
    assert emu.count() == 1
    if kind == "malformed":
        assert "invalid JSON" in str(err)
    if kind == "html":
        assert "HTML" in str(err) and "base URL" in str(err)


@pytest.mark.parametrize("provider", GROUP_B)
def test_timeout_is_provider_unavailable(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider)
    env.wire(emu).vars.update(MODELSYNC_REQUEST_TIMEOUT="0.2", MODELSYNC_MAX_RETRIES="1")
    emu.push(Fault.hang(1.5), Fault.hang(1.5))
    started = time.monotonic()
    err = sync_error(env, provider)
    assert isinstance(err, ProviderUnavailableError)
    assert "0.2s" in str(err)
    assert time.monotonic() - started < 1.4
    assert emu.count() == 2


# ------------------------------------------------------------------------------ secrets


def _store_bytes(tmp: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp.glob("catalog.db*"))


def _assert_clean(text: str | bytes) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for fragment in CANARY_FRAGMENTS:
        assert fragment not in blob


@pytest.mark.parametrize("provider", GROUP_B)
def test_canary_key_never_leaks(
    provider: str, env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = emulator(provider, api_key=CANARY)
    catalog = env.wire(good).catalog()
    assert catalog.provider(provider).sync_models().status == "success"
    for obj in (catalog, catalog.engine(provider), catalog.adapter(provider)):
        _assert_clean(repr(obj))
    _assert_clean(repr(catalog.adapter(provider).config))

    rejecting = emulator(provider, api_key="a-different-accepted-key-000")
    env.wire(rejecting).vars[KEY_ENV[provider]] = CANARY
    err = sync_error(env, provider)
    assert isinstance(err, InvalidCredentialsError)
    _assert_clean(str(err))
    _assert_clean(repr(err))

    env.wire(good)
    good.push(*[Fault.status(500) for _ in range(6)])
    _assert_clean(str(sync_error(env, provider)))
    for record in caplog.records:
        _assert_clean(record.getMessage())
    _assert_clean(caplog.text)
    _assert_clean(_store_bytes(env.tmp))


# --------------------------------------------------------------------- property: no escapes

_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities too: Python's json writes and reads them
    st.text(max_size=12),
)
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def _listing(provider: str) -> Any:
    models = default_models(provider)
    if provider == "together":
        return models
    if provider in ("ollama", "cohere"):
        return {"models": models}
    return {"object": "list", "data": models}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@st.composite
def _mutated(draw: st.DrawFn, provider: str) -> Any:
    """The real listing with a few values replaced by random JSON or removed."""
    payload: Any = _listing(provider)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(_paths(payload))))
        value = draw(_JSON)
        if not path:
            payload = value
            continue
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()):
            parent[path[-1]] = value
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    return payload


@pytest.mark.parametrize("provider", GROUP_B)
def test_random_payloads_succeed_or_are_malformed(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = start(emulator, provider)
    catalog = env.wire(emu).catalog()
    engine = catalog.engine(provider)
    assert catalog.provider(provider).sync_models().status == "success"

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(payload=st.one_of(_JSON, _mutated(provider)))
    def check(payload: Any) -> None:
        before = engine.cached_models()
        body = json.dumps(payload)
        emu.clear_faults()
        emu.push(*[Fault.raw(200, body) for _ in range(3)])  # Cohere may ask for more pages
        try:
            catalog.provider(provider).sync_models(force_refresh=True)
        except MalformedResponseError:
            assert engine.cached_models() == before
        finally:
            emu.clear_faults()

    check()


# ------------------------------------------------------------------ emulator self-tests


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


@pytest.mark.parametrize("provider", GROUP_B)
def test_emulator_lists_at_the_real_path(provider: str, client: httpx.Client) -> None:
    with ProviderEmulator.start(provider, api_key="k-123") as emu:
        root = {"together": "/v1", "fireworks": "/inference/v1", "openai-compatible": "/v1"}
        assert emu.base_url == f"http://127.0.0.1:{emu.port}{root.get(provider, '')}"
        r = client.get(emu.origin + LIST_PATH[provider], headers={"authorization": "Bearer k-123"})
        assert r.status_code == 200
        body = r.json()
        listed = body if provider == "together" else body.get("models", body.get("data"))
        assert isinstance(listed, list)
        assert ids(provider, listed) == ids(provider, default_models(provider))
        if provider == "openai-compatible":  # vLLM stamps `created` with the time of the request
            assert all(abs(e["created"] - time.time()) < 60 for e in listed)


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        ("ollama", {"error": "unauthorized"}),
        ("cohere", {"message": "invalid api token"}),
        ("openai-compatible", {"error": "Unauthorized"}),
        (
            "together",
            {
                "error": {
                    "message": "Invalid API key provided. You can find your API key at "
                    "https://api.together.xyz/settings/api-keys.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            },
        ),
    ],
)
def test_emulator_bad_key_bodies(provider: str, body: Any, client: httpx.Client) -> None:
    with ProviderEmulator.start(provider, api_key="k-123") as emu:
        r = client.get(emu.origin + LIST_PATH[provider], headers={"authorization": "Bearer nope"})
        assert r.status_code == 401
        assert r.json() == body


@pytest.mark.parametrize("provider", KEYLESS)
def test_emulator_without_key_ignores_auth(provider: str, client: httpx.Client) -> None:
    with ProviderEmulator.start(provider, api_key="") as emu:
        for headers in ({}, {"authorization": "Bearer anything"}):
            assert client.get(emu.origin + LIST_PATH[provider], headers=headers).status_code == 200


def test_emulator_ollama_quirks(client: httpx.Client) -> None:
    with ProviderEmulator.start("ollama", api_key="") as emu:
        assert client.get(emu.origin + "/").text == "Ollama is running"
        missing = client.get(emu.origin + "/api/nope")
        assert (missing.status_code, missing.text) == (404, "404 page not found")
        emu.push(Fault.status(500))
        failed = client.get(emu.origin + "/api/tags")
        assert failed.json() == {"error": "model list cache unavailable"}
        body = client.get(emu.origin + "/api/tags").json()
        families = [m["details"]["families"] for m in body["models"]]
        assert None in families
        assert any("capabilities" in m for m in body["models"])
        assert any("capabilities" not in m for m in body["models"])


def test_emulator_cohere_pages(client: httpx.Client) -> None:
    models = synthetic_models("cohere", 5)
    with ProviderEmulator.start("cohere", api_key="k", models=models, page_size=2) as emu:
        auth = {"authorization": "Bearer k"}
        url = emu.origin + "/v1/models"
        first = client.get(url, params={"page_size": "1000"}, headers=auth).json()
        assert [m["name"] for m in first["models"]] == ids_list(models[:2])
        assert decode_cohere_token(first["next_page_token"]) == 2
        assert first["next_page_token"] == "eyJvZmZzZXQiOjJ9"  # base64 of {"offset":2}
        last = client.get(
            url, params={"page_size": "1000", "page_token": encode_cohere_token(4)}, headers=auth
        ).json()
        assert "next_page_token" not in last and len(last["models"]) == 1
        bad = client.get(url, params={"page_token": "!!"}, headers=auth)
        assert bad.status_code == 400 and "message" in bad.json()
        assert client.get(url, params={"page_size": "0"}, headers=auth).status_code == 400
        assert client.get(url, headers=auth).json()["next_page_token"]  # default size 20, cap 2


def ids_list(entries: list[dict[str, Any]]) -> list[str]:
    return [str(e["name"]) for e in entries]


def test_emulator_together_answers_a_bare_array(client: httpx.Client) -> None:
    with ProviderEmulator.start("together", api_key="k") as emu:
        body = client.get(emu.base_url + "/models", headers={"authorization": "Bearer k"}).json()
        assert isinstance(body, list) and body[0]["id"] == "Austism/chronos-hermes-13b"
        emu.push(Fault.wrong_shape())
        shape = client.get(emu.base_url + "/models", headers={"authorization": "Bearer k"})
        assert isinstance(shape.json(), dict)
