"""The seed's sync contract, end to end, for each core provider against its emulator and SQLite."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest

from modelsync.catalog import AsyncCatalog
from modelsync.errors import (
    InvalidCredentialsError,
    ProviderUnavailableError,
    SuspiciousFetchError,
)
from tests.emulators import Fault, default_models
from tests.fixtures import CORE, EmulatorFactory, Env


def _expected_ids(provider: str) -> set[str]:
    ids = set()
    for entry in default_models(provider):
        ident = entry.get("id") or entry["name"]
        ids.add(ident.removeprefix("models/"))
    return ids


@pytest.mark.parametrize("provider", CORE)
def test_sync_stores_every_model_then_skips_with_zero_requests(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    catalog = env.wire(emu).catalog()
    handle = catalog.provider(provider)
    assert handle.get_last_sync_time() is None
    assert handle.should_refresh_models() is True

    first = handle.sync_models()
    assert first.status == "success"
    expected = _expected_ids(provider)
    if provider == "xai":
        expected |= set(getattr(emu, "extra_plain_models", []))
    assert {m.id for m in catalog.models(provider=provider)} == expected
    assert first.models_synced == len(expected)
    assert first.last_sync is not None and first.cached_until is not None
    assert first.cached_until - first.last_sync == timedelta(hours=24)
    requests_after_first = emu.count()
    assert requests_after_first >= 1

    second = handle.sync_models()
    assert second.status == "skipped"
    assert second.reason == "cache_valid"
    assert second.last_sync == first.last_sync
    assert emu.count() == requests_after_first  # no HTTP request at all

    forced = handle.sync_models(force_refresh=True)
    assert forced.status == "success"
    assert emu.count() > requests_after_first
    assert handle.get_last_sync_time() == forced.last_sync


@pytest.mark.parametrize("provider", CORE)
def test_result_envelope_matches_the_seed(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    result = env.wire(emu).catalog().provider(provider).sync_models()
    data = result.to_dict()
    for key in ("status", "models_synced", "statistics", "cached_until", "last_sync"):
        assert key in data
    assert data["status"] == "success"
    assert data["statistics"]["total_models"] == data["models_synced"]
    datetime.fromisoformat(data["cached_until"])
    json.dumps(data)  # JSON-ready


def test_keys_and_ttls_follow_the_seed(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    db = sqlite3.connect(env.store_path)
    rows = dict(
        db.execute("SELECT key, expires_at - stored_at FROM entries WHERE key LIKE 'modelsync:%'")
    )
    assert rows["modelsync:openai:models"] == pytest.approx(24 * 3600, abs=1)
    assert rows["modelsync:openai:last_sync"] == pytest.approx(7 * 86400, abs=1)
    assert rows["modelsync:openai:stats"] == pytest.approx(7 * 86400, abs=1)
    assert catalog.provider("openai").models_cache_key == "modelsync:openai:models"


def test_prefix_and_ttls_are_configurable(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars.update(
        MODELSYNC_PREFIX="acme", MODELSYNC_MODELS_TTL_HOURS="2", MODELSYNC_STATS_TTL_HOURS="3"
    )
    env.catalog().provider("openai").sync_models()
    db = sqlite3.connect(env.store_path)
    rows = dict(db.execute("SELECT key, expires_at - stored_at FROM entries"))
    assert rows["acme:openai:models"] == pytest.approx(2 * 3600, abs=1)
    assert rows["acme:openai:stats"] == pytest.approx(3 * 3600, abs=1)
    assert not any(k.startswith("modelsync:") for k in rows)


def test_refresh_interval_is_read(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["MODELSYNC_REFRESH_HOURS"] = str(0.3 / 3600)  # 0.3 s
    handle = env.catalog().provider("openai")
    assert handle.sync_models().status == "success"
    assert handle.sync_models().status == "skipped"
    time.sleep(0.35)
    assert handle.should_refresh_models() is True
    assert handle.sync_models().status == "success"


def test_expired_models_ttl_forces_refresh_and_stays_readable(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["MODELSYNC_MODELS_TTL_HOURS"] = str(0.3 / 3600)
    catalog = env.catalog()
    catalog.provider("openai").sync_models()
    time.sleep(0.35)
    assert catalog.provider("openai").should_refresh_models() is True
    emu.push(Fault.status(503), Fault.status(503), Fault.status(503), Fault.status(503))
    with pytest.raises(ProviderUnavailableError):
        catalog.provider("openai").sync_models()
    stale = catalog.models(provider="openai")
    assert len(stale) == len(_expected_ids("openai"))
    assert stale.freshness["openai"].state == "stale"
    assert stale.freshness["openai"].age_seconds is not None
    assert [f.provider for f in stale.stale] == ["openai"]


def test_failure_is_recorded_and_reraised_and_catalog_kept(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("anthropic")
    catalog = env.wire(emu).catalog()
    handle = catalog.provider("anthropic")
    handle.sync_models()
    before = [m.id for m in catalog.models(provider="anthropic")]
    emu.push(*[Fault.status(529) for _ in range(10)])
    with pytest.raises(ProviderUnavailableError) as info:
        handle.sync_models(force_refresh=True)
    assert "anthropic" in str(info.value)
    failure = handle.last_failure()
    assert failure is not None
    assert failure["error_type"] == "provider_unavailable"
    assert failure["retry_count"] == 3
    assert "anthropic" in failure["error"]
    datetime.fromisoformat(failure["failed_at"])
    assert [m.id for m in catalog.models(provider="anthropic")] == before
    status = {row["provider"]: row for row in catalog.status()}["anthropic"]
    assert status["last_failure"]["error_type"] == "provider_unavailable"
    assert status["models"] == len(before)


def test_fan_out_turns_one_failure_into_an_error_result(
    env: Env, emulator: EmulatorFactory
) -> None:
    good = emulator("openai")
    bad = emulator("gemini")
    env.wire(good, bad).vars["GEMINI_API_KEY"] = "AIza-wrong-key"
    report = env.catalog().sync()
    assert report["openai"].status == "success"
    gemini = report["gemini"].to_dict()
    assert gemini["status"] == "error"
    assert gemini["error_type"] == "invalid_credentials"
    assert "GEMINI_API_KEY" in gemini["error"]
    assert report.exit_code == 2
    assert set(report.to_dict()["providers"]) == {"openai", "gemini"}


def test_sync_selects_only_providers_with_credentials(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai")
    report = env.wire(emu).catalog().sync()
    assert list(report.results) == ["xai"]


def test_key_change_forces_a_refresh(env: Env, emulator: EmulatorFactory) -> None:
    first = emulator("openai")
    second = emulator("openai", api_key="sk-second-key-abcdef0123456789")
    second.set_models([{"id": "only-on-second", "object": "model", "created": 1, "owned_by": "x"}])
    env.wire(first)
    assert env.catalog().provider("openai").sync_models().status == "success"
    env.wire(second)
    handle = env.catalog().provider("openai")
    assert handle.should_refresh_models() is True
    result = handle.sync_models()
    assert result.status == "success"
    assert [m.id for m in env.catalog().models(provider="openai")] == ["only-on-second"]


def test_has_valid_credentials_is_cheap_cached_and_never_raises(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("anthropic")
    handle = env.wire(emu).catalog().provider("anthropic")
    assert handle.has_valid_credentials() is True
    assert emu.count() == 1
    assert emu.requests[0].query.get("limit") == ["1"]
    assert handle.has_valid_credentials() is True
    assert emu.count() == 1  # cached

    env.vars["ANTHROPIC_API_KEY"] = "sk-ant-wrong"
    wrong = env.catalog().provider("anthropic")
    assert wrong.has_valid_credentials() is False

    env.vars["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:1"  # nothing listens there
    assert env.catalog().provider("anthropic").has_valid_credentials() is False

    del env.vars["ANTHROPIC_API_KEY"]
    before = emu.count()
    assert env.catalog().provider("anthropic").has_valid_credentials() is False
    assert emu.count() == before  # no key: no request


def test_sync_spends_no_extra_request_on_credentials(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    handle = env.wire(emu).catalog().provider("openai")
    handle.sync_models()
    assert emu.count() == 1
    assert handle.has_valid_credentials() is True
    assert emu.count() == 1


@pytest.mark.parametrize("provider", CORE)
def test_get_syncable_models_previews_and_writes_nothing(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    catalog = env.wire(emu).catalog()
    preview = catalog.provider(provider).get_syncable_models()
    assert preview
    for item in preview:  # the README's shape: [{id, name, owned_by, created}]
        assert isinstance(item, dict)
        assert set(item) == {"id", "name", "owned_by", "created"}
        assert not item["id"].startswith("models/")
    assert emu.count() == 1
    assert catalog.models() == []
    assert catalog.provider(provider).get_last_sync_time() is None


def test_store_model_statistics_writes_stats(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    models = list(catalog.models(provider="openai"))
    stats = catalog.provider("openai").store_model_statistics(models[:3])
    assert stats["total_models"] == 3
    assert catalog.stats("openai") == stats


def test_async_face(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    catalog = AsyncCatalog(env=env.wire(emu).vars)

    async def go() -> str:
        report = await catalog.sync()
        return report["openai"].status

    assert asyncio.run(go()) == "success"


def test_blocking_face_inside_a_running_loop(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini")
    catalog = env.wire(emu).catalog()

    async def notebook_cell() -> str:
        # A notebook runs user code inside an event loop; the blocking API must still work.
        return catalog.sync()["gemini"].status

    assert asyncio.run(notebook_cell()) == "success"
    assert catalog.provider("gemini").get_last_sync_time() is not None


def test_async_sync_on_blocking_catalog(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai")
    catalog = env.wire(emu).catalog()
    report = asyncio.run(catalog.async_sync(force=True))
    assert report["xai"].status == "success"


def test_last_sync_time_is_recent_and_utc(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    handle = env.wire(emu).catalog().provider("openai")
    handle.sync_models()
    last = handle.get_last_sync_time()
    assert last is not None and last.tzinfo is not None
    assert datetime.now(UTC) - last < timedelta(seconds=30)


def test_named_provider_without_key_is_an_error_result(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    report = env.wire(emu).catalog().sync(["openai", "anthropic"])
    assert report["openai"].status == "success"
    assert report["anthropic"].status == "error"
    assert report["anthropic"].error_type == "invalid_credentials"
    assert "ANTHROPIC_API_KEY" in (report["anthropic"].error or "")


def test_empty_list_never_replaces_a_good_catalog(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    count = len(catalog.models())
    emu.set_models([])
    with pytest.raises(Exception) as info:
        catalog.provider("openai").sync_models(force_refresh=True)
    assert getattr(info.value, "error_type", None) == "suspicious_fetch"
    assert len(catalog.models()) == count


def test_invalid_credentials_error_type(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["OPENAI_API_KEY"] = "sk-wrong-0000000000000000"
    with pytest.raises(InvalidCredentialsError):
        env.catalog().provider("openai").sync_models()


def test_a_fetch_that_loses_most_models_is_refused(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    models = default_models("openai")
    emu.set_models(models[: len(models) // 3])
    with pytest.raises(SuspiciousFetchError):
        catalog.provider("openai").sync_models(force_refresh=True)
    assert len(catalog.models()) == len(models)
    failure = catalog.provider("openai").last_failure()
    assert failure is not None and failure["error_type"] == "suspicious_fetch"
    emu.set_models(models[:-1])  # one model gone is normal churn
    assert catalog.provider("openai").sync_models(force_refresh=True).status == "success"
    env.vars["MODELSYNC_MAX_SHRINK"] = "1"
    emu.set_models(models[:2])
    assert env.catalog().provider("openai").sync_models(force_refresh=True).models_synced == 2
