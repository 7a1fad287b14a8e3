"""Issue 3, group a: Mistral, Groq, DeepSeek and OpenRouter against their emulators.

The same bar as the core providers (success with every model, pages, bad key, 429 with
Retry-After, 5xx, exhausted retries, malformed answers, timeouts, skip when fresh, statistics,
canary key), plus each provider's quirks checked to the exact value, emulator self-tests in plain
httpx, and a property test that random answers end in success or ``MalformedResponseError`` only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from modelsync.catalog import Catalog
from modelsync.errors import (
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitError,
)
from modelsync.model import CAPABILITIES, Model, Pricing
from modelsync.stats import capability_key
from tests.emulators import Fault, ProviderEmulator, default_models, synthetic_models
from tests.emulators.providers_a import (
    DEEPSEEK_CLASSIC,
    MISTRAL_ERROR_STYLES,
    classic_deepseek,
)
from tests.fixtures import BASE_ENV, KEY_ENV, TEST_KEYS, EmulatorFactory, Env
from tests.random_answers import succeed_or_malformed

GROUP_A = ("mistral", "groq", "deepseek", "openrouter")
KEY_ENV.update(
    mistral="MISTRAL_API_KEY",
    groq="GROQ_API_KEY",
    deepseek="DEEPSEEK_API_KEY",
    openrouter="OPENROUTER_API_KEY",
)
BASE_ENV.update(
    mistral="MISTRAL_BASE_URL",
    groq="GROQ_BASE_URL",
    deepseek="DEEPSEEK_BASE_URL",
    openrouter="OPENROUTER_BASE_URL",
)
TEST_KEYS.update(
    mistral="mistral-test-0123456789abcdefABCDEF",
    groq="gsk_test0123456789abcdefABCDEF",
    deepseek="sk-test-deepseek-0123456789abcdef",
    openrouter="sk-or-v1-test0123456789abcdef0123456789",
)
LIST_PATH = {
    "mistral": "/v1/models",
    "groq": "/openai/v1/models",
    "deepseek": "/models",
    "openrouter": "/api/v1/models",
}
API_ROOT = {"mistral": "/v1", "groq": "", "deepseek": "", "openrouter": "/api/v1"}
FAMILIES = {
    "mistral": (
        "codestral_models",
        "mistral_large_models",
        "mistral_medium_models",
        "mistral_small_models",
        "ministral_models",
        "pixtral_models",
        "magistral_models",
        "devstral_models",
    ),
    "groq": ("llama_models", "gpt_oss_models", "qwen_models", "whisper_models", "by_owner"),
    "deepseek": ("deepseek_chat_models", "deepseek_reasoner_models", "deepseek_v4_models"),
    "openrouter": ("by_vendor",),
}


@pytest.fixture
def aenv(env: Env) -> Env:
    """``env`` without any of our providers' variables from the developer's shell."""
    for provider in GROUP_A:
        env.vars.pop(KEY_ENV[provider], None)
        env.vars.pop(BASE_ENV[provider], None)
    return env


def expected_ids(provider: str, entries: list[dict[str, Any]] | None = None) -> set[str]:
    """Ids the catalog must hold: Mistral's alias cards fold into their pinned ``name``."""
    entries = default_models(provider) if entries is None else entries
    if provider == "mistral":
        return {e.get("name") or e["id"] for e in entries}
    return {e["id"] for e in entries}


def by_id(catalog: Catalog, provider: str) -> dict[str, Model]:
    return {m.id: m for m in catalog.models(provider=provider)}


def sync_error(env: Env, provider: str) -> ModelSyncError:
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider(provider).sync_models(force_refresh=True)
    return info.value


def auth(emu: ProviderEmulator, key: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key or emu.api_key}"}


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


# ------------------------------------------------------------------ emulator self-tests (httpx)


@pytest.mark.parametrize("provider", GROUP_A)
def test_emulator_lists_at_the_real_path_under_a_real_base_url(
    provider: str, emulator: EmulatorFactory, client: httpx.Client
) -> None:
    emu = emulator(provider)
    assert emu.base_url == f"http://127.0.0.1:{emu.port}{API_ROOT[provider]}"
    url = f"{emu.origin}{LIST_PATH[provider]}"
    query = {"output_modalities": "all"} if provider == "openrouter" else None
    r = client.get(url, headers=auth(emu), params=query)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["data"] == default_models(provider)
    wrong = client.get(url, headers=auth(emu, "wrong-key-0000"))
    assert wrong.status_code == 401


def test_emulator_auth_bodies(emulator: EmulatorFactory, client: httpx.Client) -> None:
    mistral = emulator("mistral")
    r = client.get(mistral.base_url + "/models", headers=auth(mistral, "nope"))
    assert (r.status_code, r.json()) == (401, {"detail": "Unauthorized"})

    groq = emulator("groq")
    r = client.get(groq.base_url + "/openai/v1/models")
    assert r.json() == {
        "error": {
            "message": "Invalid API Key",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    assert r.headers["x-request-id"].startswith("req_01")

    deepseek = emulator("deepseek")
    r = client.get(deepseek.base_url + "/models", headers=auth(deepseek, "sk-wrong-abcd"))
    err = r.json()["error"]
    assert err["message"] == "Authentication Fails, Your api key: ****abcd is invalid"
    assert err["type"] == "authentication_error"
    assert client.get(deepseek.base_url + "/v1/models", headers=auth(deepseek)).status_code == 200

    router = emulator("openrouter")
    assert client.get(router.base_url + "/models").status_code == 200  # public
    bad = client.get(router.base_url + "/models", headers=auth(router, "sk-or-v1-wrong"))
    assert (bad.status_code, bad.json()) == (
        401,
        {"error": {"message": "User not found.", "code": 401}},
    )
    no_key = client.get(router.base_url + "/key")
    assert no_key.json()["error"]["message"] == "No auth credentials found"
    assert client.get(router.base_url + "/key", headers=auth(router)).status_code == 200


def test_emulator_mistral_error_styles(emulator: EmulatorFactory, client: httpx.Client) -> None:
    emu = emulator("mistral")
    emu.push(*(Fault.status(429, kind=style) for style in MISTRAL_ERROR_STYLES))
    emu.push(Fault.status(429), Fault.status(500))
    bodies = [client.get(emu.base_url + "/models").json() for _ in range(5)]
    assert bodies[0] == {"detail": "Requests rate limit exceeded"}
    assert set(bodies[1]) == {"message", "request_id"} and len(bodies[1]["request_id"]) == 32
    assert bodies[2] == {
        "object": "error",
        "message": "Rate limit exceeded",
        "type": "rate_limited",
        "param": None,
        "code": "1300",
    }
    assert bodies[3]["type"] == "rate_limited"  # the 2026 shape is the 429 default
    assert "request_id" in bodies[4]


def test_emulator_groq_rate_limit_headers(emulator: EmulatorFactory, client: httpx.Client) -> None:
    emu = emulator("groq")
    ok = client.get(emu.base_url + "/openai/v1/models", headers=auth(emu))
    assert ok.headers["x-ratelimit-limit-requests"] == "14400"
    assert ok.headers["x-ratelimit-reset-tokens"] == "0s"
    emu.push(Fault.status(429), Fault.status(429, retry_after="0.25"))
    limited = client.get(emu.base_url + "/openai/v1/models")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert limited.headers["x-ratelimit-remaining-requests"] == "0"
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert client.get(emu.base_url + "/openai/v1/models").headers["retry-after"] == "0.25"


def test_emulator_openrouter_filters_and_pages(
    emulator: EmulatorFactory, client: httpx.Client
) -> None:
    emu = emulator("openrouter")
    url = emu.base_url + "/models"
    default = {e["id"] for e in client.get(url).json()["data"]}
    everything = {
        e["id"] for e in client.get(url, params={"output_modalities": "all"}).json()["data"]
    }
    images = {
        e["id"] for e in client.get(url, params={"output_modalities": "image"}).json()["data"]
    }
    assert everything - default == {"black-forest-labs/flux.2-pro", "openai/text-embedding-3-small"}
    assert images == {
        "black-forest-labs/flux.2-pro",
        "google/gemini-2.5-flash-image",
        "openrouter/auto",
    }
    count = client.get(url + "/count", params={"output_modalities": "all"}).json()
    assert count == {"data": {"count": len(everything)}}
    emu.page_size = 4
    first = client.get(url, params={"output_modalities": "all"}).json()
    assert len(first["data"]) == 4 and first["links"]["next"].endswith("offset=4&limit=4")
    last = client.get(url, params={"output_modalities": "all", "offset": "8"}).json()
    assert last["links"] == {"next": None} and last["totalCount"] == len(everything)


def test_emulator_deepseek_generations(emulator: EmulatorFactory, client: httpx.Client) -> None:
    emu = emulator("deepseek")
    current = client.get(emu.base_url + "/models", headers=auth(emu)).json()["data"]
    assert all("context_window" in e for e in current)
    emu.set_models(classic_deepseek(current))
    classic = client.get(emu.base_url + "/models", headers=auth(emu)).json()["data"]
    assert all(set(e) == {"id", "object", "owned_by"} for e in classic)
    emu.push(Fault.status(402))
    broke = client.get(emu.base_url + "/models", headers=auth(emu))
    assert broke.status_code == 402 and broke.json()["error"]["message"] == "Insufficient Balance"


# ------------------------------------------------------------------------ the sync contract


@pytest.mark.parametrize("provider", GROUP_A)
def test_sync_stores_every_model_then_skips_with_zero_requests(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    catalog = aenv.wire(emu).catalog()
    handle = catalog.provider(provider)
    first = handle.sync_models()
    assert first.status == "success"
    assert set(by_id(catalog, provider)) == expected_ids(provider)
    assert first.models_synced == len(expected_ids(provider))
    assert first.pages == first.requests == emu.count() == 1  # unpaginated: one page, one request
    assert emu.requests[0].path == LIST_PATH[provider]
    assert emu.requests[0].headers["authorization"] == f"Bearer {emu.api_key}"

    second = handle.sync_models()
    assert (second.status, second.reason) == ("skipped", "cache_valid")
    assert emu.count() == 1  # fresh: no request at all

    forced = handle.sync_models(force_refresh=True)
    assert forced.status == "success" and emu.count() == 2


@pytest.mark.parametrize("provider", GROUP_A)
def test_statistics_have_common_keys_and_provider_families(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    stats = aenv.wire(emu).catalog().provider(provider).sync_models().statistics
    assert stats is not None
    assert stats["total_models"] == len(expected_ids(provider))
    for cap in CAPABILITIES:
        assert isinstance(stats[capability_key(cap)], int)
    for key in FAMILIES[provider]:
        assert key in stats
    datetime.fromisoformat(stats["updated_at"])


@pytest.mark.parametrize("provider", GROUP_A)
def test_bad_key_is_invalid_credentials_naming_the_env_var(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    aenv.wire(emu).vars[KEY_ENV[provider]] = "wrong-key-123456789"
    err = sync_error(aenv, provider)
    assert isinstance(err, InvalidCredentialsError)
    assert err.status_code == 401
    assert str(err).startswith(f"{provider}: ")
    assert KEY_ENV[provider] in str(err)
    assert emu.count() == 1  # never retried


@pytest.mark.parametrize("provider", GROUP_A)
def test_429_with_retry_after_then_success(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    emu.push(Fault.status(429, retry_after="0.2"))
    started = time.monotonic()
    result = aenv.wire(emu).catalog().provider(provider).sync_models()
    assert result.status == "success"
    assert result.retries == 1
    assert result.requests == emu.count() == 2
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    ("provider", "status"),
    [("mistral", 500), ("groq", 503), ("deepseek", 503), ("openrouter", 502)],
)
def test_5xx_then_success(provider: str, status: int, aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(provider)
    emu.push(Fault.status(status), Fault.status(status))
    result = aenv.wire(emu).catalog().provider(provider).sync_models()
    assert result.status == "success"
    assert result.retries == 2
    assert result.models_synced == len(expected_ids(provider))


@pytest.mark.parametrize("provider", GROUP_A)
def test_retries_exhausted_keep_the_last_good_catalog(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    catalog = aenv.wire(emu).catalog()
    catalog.provider(provider).sync_models()
    before = [m.to_dict() for m in catalog.models(provider=provider)]
    emu.reset_requests()
    emu.push(*[Fault.status(503) for _ in range(10)])
    err = sync_error(aenv, provider)
    assert isinstance(err, ProviderUnavailableError)
    assert emu.count() == 4  # 1 + MODELSYNC_MAX_RETRIES (3)
    assert [m.to_dict() for m in aenv.catalog().models(provider=provider)] == before
    failure = aenv.catalog().provider(provider).last_failure()
    assert failure is not None and failure["retry_count"] == 3


@pytest.mark.parametrize("provider", GROUP_A)
@pytest.mark.parametrize("fault", ["malformed", "html", "wrong_shape"])
def test_bad_answers_are_malformed_responses(
    provider: str, fault: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    make = {"malformed": Fault.malformed, "html": Fault.html, "wrong_shape": Fault.wrong_shape}
    emu.push(make[fault](), make[fault]())
    err = sync_error(aenv.wire(emu), provider)
    assert isinstance(err, MalformedResponseError)
    assert emu.count() == 1  # a garbage answer is not retried
    expected = {"malformed": "invalid JSON", "html": "HTML", "wrong_shape": "unexpected shape"}
    assert expected[fault] in str(err)


@pytest.mark.parametrize("provider", GROUP_A)
def test_timeout_is_provider_unavailable(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    aenv.wire(emu).vars.update(MODELSYNC_REQUEST_TIMEOUT="0.2", MODELSYNC_MAX_RETRIES="0")
    emu.push(Fault.hang(3))
    started = time.monotonic()
    err = sync_error(aenv, provider)
    assert isinstance(err, ProviderUnavailableError)
    assert "0.2s" in str(err)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("provider", GROUP_A)
def test_base_url_path_prefix_is_kept(provider: str, aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(provider, path_prefix="/proxy/team-a")
    assert aenv.wire(emu).catalog().provider(provider).sync_models().status == "success"
    assert [r.path for r in emu.requests] == ["/proxy/team-a" + LIST_PATH[provider]]


@pytest.mark.parametrize("provider", GROUP_A)
def test_credentials_probe_is_one_cheap_request(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    handle = aenv.wire(emu).catalog().provider(provider)
    assert handle.has_valid_credentials() is True
    assert emu.count() == 1
    expected = "/api/v1/key" if provider == "openrouter" else LIST_PATH[provider]
    assert emu.requests[0].path == expected
    aenv.vars[KEY_ENV[provider]] = "wrong-key-123456789"
    assert aenv.catalog().provider(provider).has_valid_credentials() is False


@pytest.mark.parametrize("provider", GROUP_A)
def test_preview_is_one_request_and_writes_nothing(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    catalog = aenv.wire(emu).catalog()
    preview = catalog.provider(provider).get_syncable_models()
    assert {p["id"] for p in preview} == expected_ids(provider)
    assert all(p["owned_by"] for p in preview)
    assert emu.count() == 1
    assert catalog.models() == []


# ------------------------------------------------------------------------------- secrets

CANARY = "sk-CANARY-7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e"
FRAGMENTS = (CANARY, CANARY[:10], CANARY[-8:])


def _store_bytes(env: Env) -> bytes:
    return b"".join(Path(p).read_bytes() for p in env.tmp.glob("catalog.db*"))


def _assert_clean(text: str | bytes) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for fragment in FRAGMENTS:
        assert fragment not in blob


@pytest.mark.parametrize("provider", GROUP_A)
def test_canary_key_never_leaks(
    provider: str, aenv: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = emulator(provider, api_key=CANARY)
    catalog = aenv.wire(good).catalog()
    assert catalog.provider(provider).sync_models().status == "success"
    for obj in (catalog, catalog.engine(provider), catalog.adapter(provider)):
        _assert_clean(repr(obj))
    _assert_clean(repr(catalog.adapter(provider).config))

    # Another host rejects the canary (DeepSeek echoes its last four characters, masked).
    rejecting = emulator(provider, api_key="a-different-accepted-key-000")
    aenv.wire(rejecting).vars[KEY_ENV[provider]] = CANARY
    with pytest.raises(ModelSyncError) as info:
        aenv.catalog().provider(provider).sync_models(force_refresh=True)
    _assert_clean(str(info.value))
    _assert_clean(repr(info.value))
    assert CANARY[-4:] not in str(info.value)  # not even a masked echo's tail
    assert aenv.catalog().provider(provider).has_valid_credentials() is False

    aenv.wire(good)
    good.push(Fault.status(429, retry_after="0"), *[Fault.status(500) for _ in range(10)])
    with pytest.raises(ModelSyncError) as info2:
        aenv.catalog().provider(provider).sync_models(force_refresh=True)
    _assert_clean(str(info2.value))
    for record in caplog.records:
        _assert_clean(record.getMessage())
    _assert_clean(caplog.text)
    _assert_clean(_store_bytes(aenv))


# --------------------------------------------------------------------------------- Mistral


def test_mistral_folds_alias_cards_into_one_model_under_the_pinned_name(
    aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("mistral")
    catalog = aenv.wire(emu).catalog()
    result = catalog.provider("mistral").sync_models()
    cards = default_models("mistral")
    assert len(cards) > result.models_synced == 21
    models = by_id(catalog, "mistral")
    medium = models["mistral-medium-2508"]
    assert medium.aliases == ("mistral-medium-latest", "mistral-medium")
    assert "mistral-medium-latest" not in models and "mistral-medium" not in models
    nemo = models["open-mistral-nemo"]
    assert nemo.aliases == ("open-mistral-nemo-2407", "mistral-tiny-2407", "mistral-tiny-latest")
    # Aliases named only in `aliases` (never listed as cards) are recorded too.
    assert models["codestral-2501"].aliases == ("codestral-2412", "codestral-2411-rc5")
    # Searching for any alias finds the model.
    for model in (medium, nemo, models["codestral-2501"]):
        for alias in model.aliases:
            found = catalog.models(provider="mistral", search=alias)
            assert model.id in {m.id for m in found}, alias
    assert [m.id for m in catalog.models(search="mistral-tiny-latest")] == ["open-mistral-nemo"]


def test_mistral_normalization_exact_values(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("mistral")
    # The adapter's own normalization, without the bundled catalog's facts merged on top.
    aenv.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    catalog = aenv.wire(emu).catalog()
    catalog.provider("mistral").sync_models()
    m = by_id(catalog, "mistral")

    medium = m["mistral-medium-2508"]
    assert medium.context_window == 131072
    assert medium.owned_by == "mistralai"
    assert medium.created is None  # `created` is listing time on base cards: dropped
    assert medium.lifecycle == "active" and medium.shutdown_date is None
    assert medium.capabilities["vision"].model_dump() == {"supported": True, "source": "api"}
    assert medium.capabilities["fine_tuning"].model_dump() == {"supported": True, "source": "api"}
    assert medium.capabilities["streaming"].model_dump() == {"supported": True, "source": "rule"}
    # The 2025-era card has no `reasoning` key: unknown, not false.
    assert medium.supports("reasoning") is None
    assert medium.input_modalities == ("text", "image")

    assert m["magistral-medium-2509"].capabilities["reasoning"].source == "api"
    assert m["magistral-medium-2509"].supports("reasoning") is True
    assert m["mistral-large-2512"].supports("reasoning") is False
    assert m["mistral-large-2512"].context_window == 262144
    assert m["codestral-2508"].supports("completion") is True  # fill-in-the-middle
    assert m["codestral-2508"].context_window == 256000

    old = m["codestral-2501"]
    assert old.lifecycle == "retired"  # its shutdown date (2026-01-31) has passed: decided at read
    assert old.shutdown_date == datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert old.replacement == "codestral-latest"

    embed = m["mistral-embed"]  # old-style card: six capability keys only
    assert embed.capabilities["embeddings"].model_dump() == {"supported": True, "source": "rule"}
    assert embed.capabilities["chat"].model_dump() == {"supported": False, "source": "api"}
    assert embed.supports("moderation") is None and embed.supports("reasoning") is None
    assert embed.context_window == 8192

    assert m["mistral-moderation-2411"].capabilities["moderation"].source == "api"
    assert m["mistral-ocr-2505"].supports("pdf_input") is True
    assert m["mistral-ocr-2505"].supports("chat") is False
    transcribe = m["voxtral-mini-transcribe-2507"]
    assert transcribe.capabilities["transcription"].model_dump() == {
        "supported": True,
        "source": "api",
    }
    assert transcribe.input_modalities == ("audio",)
    assert m["voxtral-small-2507"].supports("audio_input") is True

    ft = m["ft:mistral-small-latest:a1b2c3d4:20260412:f00dcafe"]
    assert ft.name == ft.id
    assert ft.owned_by == "a1b2c3d4-0000-4000-8000-00000000f7e1"
    assert ft.created == datetime(2026, 4, 12, tzinfo=UTC)
    assert ft.description == "Fine-tuned from mistral-small-latest."
    assert ft.lifecycle == "active"
    assert m["ft:open-mistral-nemo:a1b2c3d4:20250901:0badf00d"].lifecycle == "retired"


def test_mistral_family_counts(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("mistral")
    stats = aenv.wire(emu).catalog().provider("mistral").sync_models().statistics
    assert stats is not None
    assert {k: stats[k] for k in FAMILIES["mistral"]} == {
        "codestral_models": 3,  # codestral-2508, codestral-2501, codestral-embed-2505
        "mistral_large_models": 1,
        "mistral_medium_models": 1,
        "mistral_small_models": 2,  # mistral-small-2506 and the fine-tune of it
        "ministral_models": 2,
        "pixtral_models": 1,
        "magistral_models": 2,
        "devstral_models": 2,
    }
    assert stats["embeddings_models"] == 2 and stats["reasoning_models"] == 2


@pytest.mark.parametrize("style", MISTRAL_ERROR_STYLES)
def test_mistral_each_error_body_shape_maps_correctly(
    style: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("mistral")
    aenv.wire(emu).vars["MODELSYNC_MAX_RETRIES"] = "0"

    emu.push(Fault.status(401, kind=style))
    err = sync_error(aenv, "mistral")
    assert isinstance(err, InvalidCredentialsError)
    assert "mistral: Unauthorized (HTTP 401)" in str(err) and "MISTRAL_API_KEY" in str(err)

    emu.push(Fault.status(429, kind=style, retry_after="1.5"))
    err = sync_error(aenv, "mistral")
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 1.5
    text = "Rate limit exceeded" if style == "object" else "Requests rate limit exceeded"
    assert str(err).startswith(f"mistral: {text} (HTTP 429)")

    emu.push(Fault.status(500, kind=style))
    err = sync_error(aenv, "mistral")
    assert isinstance(err, ProviderUnavailableError)
    assert "Internal server error" in str(err)
    assert "request_id" not in str(err) and "{" not in str(err)  # the message, not the body


# ------------------------------------------------------------------------------------ Groq


def test_groq_normalization_exact_values(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("groq")
    catalog = aenv.wire(emu).catalog()
    stats = catalog.provider("groq").sync_models().statistics
    m = by_id(catalog, "groq")
    kimi = m["moonshotai/kimi-k2-instruct-0905"]
    assert (kimi.context_window, kimi.max_output_tokens) == (262144, 16384)
    assert kimi.owned_by == "Moonshot AI"
    assert kimi.created == datetime.fromtimestamp(1757046093, UTC)
    assert m["qwen/qwen3-32b"].max_output_tokens == 40960
    whisper = m["whisper-large-v3-turbo"]
    assert whisper.capabilities["transcription"].model_dump() == {
        "supported": True,
        "source": "catalog",  # the bundled catalog lists Groq's Whisper models (else: the rule)
    }
    assert whisper.supports("chat") is False
    assert (whisper.input_modalities, whisper.output_modalities) == (("audio",), ("text",))
    assert whisper.context_window == 448
    assert m["canopylabs/orpheus-v1-english"].supports("speech") is True
    assert m["meta-llama/llama-4-scout-17b-16e-instruct"].supports("vision") is True
    assert m["meta-llama/llama-guard-4-12b"].supports("moderation") is True
    assert m["groq/compound"].supports("web_search") is True
    assert m["playai-tts"].lifecycle == "retired"  # active: false
    # Groq's list says only active or not; models.dev marks Groq's preview models (beta)
    previews = {x.id for x in m.values() if x.lifecycle == "preview"}
    assert "qwen/qwen3-32b" in previews
    assert all(m[i].sources.get("lifecycle") == "catalog" for i in previews)
    assert all(x.lifecycle == "active" for x in m.values() if x.id not in {"playai-tts", *previews})
    assert stats is not None
    assert stats["by_owner"] == {
        "Alibaba Cloud": 1,
        "Canopy Labs": 1,
        "Groq": 2,
        "Meta": 6,
        "Moonshot AI": 1,
        "OpenAI": 5,
        "PlayAI": 1,
        "SDAIA": 1,
    }
    assert stats["whisper_models"] == 2 and stats["transcription_models"] == 2


def test_groq_missing_active_field_stays_active(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("groq")
    emu.set_models([{"id": "llama-3.1-8b-instant", "object": "model", "owned_by": "Meta"}])
    catalog = aenv.wire(emu).catalog()
    catalog.provider("groq").sync_models()
    [model] = catalog.models(provider="groq")
    assert model.lifecycle == "active"
    assert model.created is None
    assert model.sources["context_window"] == "catalog"  # the API gave none


def test_groq_own_retry_after_header_is_read(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("groq")
    aenv.wire(emu).vars["MODELSYNC_MAX_RETRIES"] = "0"
    emu.push(Fault.status(429))  # Groq's own 429: retry-after: 2
    err = sync_error(aenv, "groq")
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 2.0
    assert "Rate limit reached for model" in str(err)


# -------------------------------------------------------------------------------- DeepSeek


def test_deepseek_current_generation(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("deepseek")
    # The adapter's own normalization, without the bundled catalog's facts merged on top.
    aenv.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    catalog = aenv.wire(emu).catalog()
    catalog.provider("deepseek").sync_models()
    m = by_id(catalog, "deepseek")
    flash = m["deepseek-flash"]
    assert flash.name == "DeepSeek-V4.1-Flash"
    assert (flash.context_window, flash.max_output_tokens) == (1048576, 393216)
    assert (flash.input_modalities, flash.output_modalities) == (("text", "image"), ("text",))
    assert flash.capabilities["vision"].model_dump() == {"supported": True, "source": "api"}
    assert flash.capabilities["reasoning"].model_dump() == {"supported": True, "source": "api"}
    assert flash.created is None
    pro = m["deepseek-v4-pro"]
    assert pro.capabilities["vision"].model_dump() == {"supported": False, "source": "api"}
    # No effort levels stated: the rules decide.
    assert m["deepseek-chat"].capabilities["reasoning"].model_dump() == {
        "supported": False,
        "source": "rule",
    }
    assert m["deepseek-reasoner"].capabilities["reasoning"].source == "api"


def test_deepseek_classic_generation(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("deepseek", models=DEEPSEEK_CLASSIC)
    # The adapter's own normalization, without the bundled catalog's facts merged on top.
    aenv.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    catalog = aenv.wire(emu).catalog()
    result = catalog.provider("deepseek").sync_models()
    assert result.models_synced == 2
    m = by_id(catalog, "deepseek")
    chat, reasoner = m["deepseek-chat"], m["deepseek-reasoner"]
    assert chat.name == "DeepSeek Chat" and chat.owned_by == "deepseek"
    assert chat.created is None  # classic answers carry no `created`
    assert chat.context_window is None and chat.input_modalities == ()
    assert chat.supports("vision") is None  # unknown, not false
    assert reasoner.capabilities["reasoning"].model_dump() == {"supported": True, "source": "rule"}
    assert chat.capabilities["chat"].source == "rule"


def test_deepseek_base_url_with_v1_works(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("deepseek")
    aenv.wire(emu).vars["DEEPSEEK_BASE_URL"] = emu.base_url + "/v1"
    assert aenv.catalog().provider("deepseek").sync_models().status == "success"
    assert [r.path for r in emu.requests] == ["/v1/models"]


def test_deepseek_insufficient_balance_is_quota_not_retried(
    aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("deepseek")
    emu.push(Fault.status(402), Fault.status(402))
    err = sync_error(aenv.wire(emu), "deepseek")
    assert isinstance(err, QuotaExceededError)
    assert str(err).startswith("deepseek: Insufficient Balance (HTTP 402)")
    assert emu.count() == 1


# ------------------------------------------------------------------------------ OpenRouter


def test_openrouter_prices_are_exact_and_never_negative(
    aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openrouter")
    catalog = aenv.wire(emu).catalog()
    catalog.provider("openrouter").sync_models()
    m = by_id(catalog, "openrouter")

    gpt = m["openai/gpt-5.4"].pricing
    assert gpt is not None and gpt.state == "known"
    assert (gpt.input, gpt.output, gpt.cached_input) == (
        Decimal("2.5"),
        Decimal("15"),
        Decimal("0.25"),
    )
    assert str(gpt.input) == "2.5" and str(gpt.output) == "15"
    grok = m["x-ai/grok-4.20"].pricing
    assert grok is not None and (grok.input, grok.output) == (Decimal(2), Decimal(6))
    claude = m["anthropic/claude-opus-4.6"].pricing
    assert claude is not None and claude.cache_write == Decimal("6.25")
    deepseek = m["deepseek/deepseek-v3.2"].pricing
    assert deepseek is not None
    assert (deepseek.input, deepseek.cached_input) == (Decimal("0.27"), Decimal("0.216"))
    assert m["google/gemini-2.5-flash-image"].pricing == Pricing(
        state="known",
        input=Decimal("0.3"),
        output=Decimal("2.5"),
        per_image=Decimal("0.001238"),  # USD per image, not per token: unconverted
        source="api",
    )

    auto = m["openrouter/auto"].pricing  # "-1": routed, so dynamic; no numbers at all
    assert auto is not None and auto.state == "dynamic"
    assert (auto.input, auto.output, auto.cached_input) == (None, None, None)
    free = m["meta-llama/llama-3.3-70b-instruct:free"].pricing  # "0": a known zero
    assert free is not None and free.state == "known"
    assert (free.input, free.output) == (Decimal(0), Decimal(0))

    for model in m.values():
        p = model.pricing
        assert p is not None
        for value in (p.input, p.output, p.cached_input, p.cache_write, p.per_image):
            assert value is None or value >= 0


def test_openrouter_asks_for_all_output_modalities(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openrouter")
    catalog = aenv.wire(emu).catalog()
    catalog.provider("openrouter").sync_models()
    assert emu.requests[0].query["output_modalities"] == ["all"]
    m = by_id(catalog, "openrouter")
    flux = m["black-forest-labs/flux.2-pro"]  # image out only: absent from the default list
    assert flux.capabilities["image_generation"].model_dump() == {
        "supported": True,
        "source": "api",
    }
    assert flux.supports("chat") is False
    embedding = m["openai/text-embedding-3-small"]
    assert embedding.supports("embeddings") is True and embedding.supports("chat") is False
    assert len(m) == len(default_models("openrouter"))


def test_openrouter_capabilities_limits_lifecycle(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openrouter")
    catalog = aenv.wire(emu).catalog()
    stats = catalog.provider("openrouter").sync_models().statistics
    m = by_id(catalog, "openrouter")
    gpt = m["openai/gpt-5.4"]
    assert (gpt.context_window, gpt.max_output_tokens) == (1050000, 128000)
    assert gpt.owned_by == "openai" and gpt.name == "OpenAI: GPT-5.4"
    assert gpt.aliases == ("openai/gpt-5.4-20260305",)
    for cap in ("function_calling", "json_mode", "structured_output", "reasoning", "vision"):
        assert gpt.capabilities[cap].model_dump() == {"supported": True, "source": "api"}, cap
    assert gpt.supports("pdf_input") is True and gpt.supports("safety_filtering") is True
    grok = m["x-ai/grok-4.20"]
    assert grok.context_window == 2000000  # the API's, not the catalog's 1M
    assert grok.sources["max_output_tokens"] == "catalog"  # the API gave none: xAI's entry
    assert grok.created == datetime.fromtimestamp(1774979019, UTC)
    assert grok.knowledge_cutoff == "2025-09-01"
    assert "knowledge_cutoff" not in grok.sources  # the API said it
    claude = m["anthropic/claude-opus-4.6"]  # no response_format in its parameters
    assert claude.capabilities["json_mode"].model_dump() == {"supported": False, "source": "api"}
    assert m["meta-llama/llama-3.3-70b-instruct:free"].supports("reasoning") is False
    assert m["openai/gpt-4o-2024-05-13"].supports("web_search") is True
    audio = m["openai/gpt-4o-audio-preview"]
    assert audio.supports("audio_input") is True and audio.supports("speech") is True

    old = m["openai/gpt-4o-2024-05-13"]
    assert old.lifecycle == "deprecated"
    assert old.shutdown_date == datetime(2026, 12, 31, tzinfo=UTC)
    assert gpt.lifecycle == "active" and gpt.shutdown_date is None

    assert stats is not None
    assert stats["by_vendor"] == {
        "anthropic": 1,
        "black-forest-labs": 1,
        "deepseek": 1,
        "google": 1,
        "meta-llama": 1,
        "openai": 4,
        "openrouter": 1,
        "x-ai": 1,
    }


def test_openrouter_works_without_a_key_when_named(aenv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openrouter")
    aenv.wire(emu).vars.pop("OPENROUTER_API_KEY")
    catalog = aenv.catalog()
    assert catalog.provider("openrouter").has_valid_credentials() is True  # nothing to be wrong
    assert [r.path for r in emu.requests] == ["/api/v1/models/count"]
    report = catalog.sync(["openrouter"])
    assert report["openrouter"].status == "success"
    assert "authorization" not in emu.requests[1].headers
    assert len(catalog.models(provider="openrouter")) == len(default_models("openrouter"))


def test_plain_sync_includes_openrouter_only_with_its_key(
    aenv: Env, emulator: EmulatorFactory
) -> None:
    router = emulator("openrouter")
    groq = emulator("groq")
    aenv.wire(router, groq).vars.pop("OPENROUTER_API_KEY")
    report = aenv.catalog().sync()
    assert list(report.results) == ["groq"]
    assert router.count() == 0
    aenv.vars["OPENROUTER_API_KEY"] = router.api_key
    report = aenv.catalog().sync()
    assert sorted(report.results) == ["groq", "openrouter"]
    assert report["openrouter"].status == "success"


def test_openrouter_follows_links_next_pages(aenv: Env, emulator: EmulatorFactory) -> None:
    entries = synthetic_models("openrouter", 7)
    emu = emulator("openrouter", models=entries, page_size=3)
    catalog = aenv.wire(emu).catalog()
    result = catalog.provider("openrouter").sync_models()
    assert result.models_synced == 7
    assert result.pages == result.requests == emu.count() == 3
    assert [r.query.get("offset") for r in emu.requests] == [None, ["3"], ["6"]]
    assert all(r.query["output_modalities"] == ["all"] for r in emu.requests)


@pytest.mark.parametrize("fault", ["repeat", "null"])
def test_openrouter_broken_page_chain_is_refused(
    fault: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openrouter", models=synthetic_models("openrouter", 6), page_size=2)
    catalog = aenv.wire(emu).catalog()
    catalog.provider("openrouter").sync_models()
    emu.cursor_fault = fault  # type: ignore[assignment]
    with pytest.raises(MalformedResponseError):
        catalog.provider("openrouter").sync_models(force_refresh=True)
    assert len(catalog.models(provider="openrouter")) == 6


@pytest.mark.parametrize(
    ("price", "state", "value"),
    [
        ("0.0000025", "known", Decimal("2.5")),
        ("0.000000001", "known", Decimal("0.001")),
        ("0.005", "known", Decimal("5000")),
        ("0", "known", Decimal(0)),
        ("-1", "dynamic", None),
        ("-0.5", "dynamic", None),
        ("1e-7", "known", Decimal("0.1")),
    ],
)
def test_openrouter_price_conversion(
    price: str, state: str, value: Decimal | None, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openrouter")
    entry = default_models("openrouter")[0]
    entry["pricing"] = {"prompt": price, "completion": "0.000001"}
    emu.set_models([entry])
    catalog = aenv.wire(emu).catalog()
    catalog.provider("openrouter").sync_models()
    [model] = catalog.models(provider="openrouter")
    assert model.pricing is not None
    assert model.pricing.state == state
    assert model.pricing.input == value
    if value is not None:
        assert model.pricing.input is not None and str(model.pricing.input) == str(value)


@pytest.mark.parametrize("price", ["abc", "NaN", "Infinity", "1e999999999", "0x10"])
def test_openrouter_unreadable_price_is_malformed(
    price: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openrouter")
    entry = default_models("openrouter")[0]
    entry["pricing"] = {"prompt": price, "completion": "0.000001"}
    emu.set_models([entry])
    err = sync_error(aenv.wire(emu), "openrouter")
    assert isinstance(err, MalformedResponseError)
    assert "x-ai/grok-4.20" in str(err)


# ------------------------------------------------------------------------ property test

_WEIRD_STRINGS = st.sampled_from(
    [
        "",
        "-1",
        "0",
        "NaN",
        "1e400",
        "1e-400",
        "abc",
        "0.0000025",
        "2026-01-31T12:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2026-13-01",
        "fine-tuned",
        "base",
    ]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | _WEIRD_STRINGS
)
_JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


def _listing(provider: str) -> dict[str, Any]:
    body: dict[str, Any] = {"data": default_models(provider)}
    if provider != "openrouter":
        body["object"] = "list"
    return body


@st.composite
def _payloads(draw: st.DrawFn, provider: str) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(_JSON)  # anything at all
    body = _listing(provider)
    entries: list[Any] = body["data"]
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["delete", "replace", "nested", "entry", "top"]))
        if op == "top":
            body[draw(st.sampled_from(["data", "object", "links"]))] = draw(_JSON)
            continue
        if not isinstance(body.get("data"), list) or not entries:
            break
        i = draw(st.integers(0, len(entries) - 1))
        entry = entries[i]
        if op == "entry" or not isinstance(entry, dict) or not entry:
            entries[i] = draw(_JSON)
            continue
        key = draw(st.sampled_from(sorted(entry)))
        if op == "delete":
            del entry[key]
        elif op == "replace":
            entry[key] = draw(_JSON)
        elif isinstance(entry[key], dict) and entry[key]:
            entry[key][draw(st.sampled_from(sorted(entry[key])))] = draw(_JSON)
        else:
            entry[key] = draw(_JSON)
    return body


@pytest.mark.parametrize("provider", GROUP_A)
def test_random_answers_succeed_or_are_malformed(
    provider: str, aenv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    aenv.wire(emu).vars.update(MODELSYNC_MAX_RETRIES="0", MODELSYNC_MAX_SHRINK="1")
    succeed_or_malformed(aenv.catalog(), provider, emu, _payloads(provider), all_consumed=True)
