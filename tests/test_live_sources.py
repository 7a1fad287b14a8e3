"""Live LiteLLM and genai-prices sources (issue 10 §3): fetched from a loopback copy of where
they are published, cached in a real SQLite store with their own TTL and failure record, served
stale when a refresh fails, off by default, and reconciled by the bundled build's rules."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from modelsync.config import Settings
from modelsync.errors import ConfigurationError
from modelsync.facts import FactsIndex, load_bundled
from modelsync.live import GenaiPricesSource, LiteLLMSource, LiveLayer, pinned_inputs
from modelsync.sources.genai_prices import GenaiPrices
from modelsync.stores import open_store
from modelsync.stores.base import Store
from modelsync.sync import Keys
from tests.emulators.live_sources import PublishedFiles, published
from tests.fixtures import EmulatorFactory, Env
from tests.serving import serve
from tests.test_modelsdev import quick_settings

DAY = date(2026, 12, 1)


@pytest.fixture
def files() -> Iterator[PublishedFiles]:
    server = PublishedFiles()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'live.db'}") as opened:
        yield opened


@pytest.fixture
def settings() -> Settings:
    return quick_settings(litellm_map_enabled=True, genai_prices_enabled=True)


def _litellm(files: PublishedFiles, store: Store, settings: Settings, **kw: Any) -> LiteLLMSource:
    return LiteLLMSource(store, settings, url=files.url("litellm"), **kw)


def _genai(files: PublishedFiles, store: Store, settings: Settings, **kw: Any) -> GenaiPricesSource:
    return GenaiPricesSource(store, settings, url=files.url("genai-prices"), **kw)


def _oa(model_id: str) -> dict[str, object]:
    return {"id": model_id, "object": "model", "created": 1715367049, "owned_by": "system"}


# -- LiteLLM's map ---------------------------------------------------------------------------


def test_litellm_map_is_read_as_published(
    files: PublishedFiles, store: Store, settings: Settings
) -> None:
    index = asyncio.run(_litellm(files, store, settings).get())
    assert isinstance(index, FactsIndex) and not index.stale
    gpt5 = index.lookup("openai", "gpt-5")
    assert gpt5 is not None and gpt5.pricing is not None
    # per-token JSON numbers become exact per-1M decimals, as in the build
    assert (gpt5.pricing.input, gpt5.pricing.output) == (Decimal("1.25"), Decimal("10"))
    assert gpt5.context_window == 272000  # LiteLLM's max_input_tokens, as it says
    assert gpt5.shutdown_date == date(2026, 12, 11)
    grok = index.lookup("xai", "grok-4.3")
    assert grok is not None and grok.pricing is not None
    assert grok.pricing.tiers[0].above_tokens == 200_000
    assert grok.pricing.batch_input == Decimal("1")
    # LiteLLM's alias_of row becomes an alias of its target's entry
    latest = index.lookup("anthropic", "claude-sonnet-latest")
    assert latest is not None and latest.id == "claude-sonnet-5-5"
    # rows that are not models stay out
    ids = {f.id for f in index}
    assert not {"together-ai-21.1b-41b", "ft:gpt-4o-mini-2024-07-18"} & ids
    assert not any("1024-x-1024" in i for i in ids)
    assert files.requests["litellm"] == 1


def test_litellm_entries_live_under_their_own_keys(
    files: PublishedFiles, store: Store, settings: Settings
) -> None:
    source = _litellm(files, store, settings)
    asyncio.run(source.get())
    assert source.data_key == "t:@litellm:data"
    assert store.get_value(source.data_key) is not None
    info = store.get_value(source.info_key)
    assert isinstance(info, dict) and info["fetched_at"].startswith(str(date.today().year))
    # the litellm proxy preset's records never share a key with LiteLLM's map
    proxy = Keys("t", "litellm")
    assert source.failure_key != proxy.last_failure
    assert not source.data_key.startswith(proxy.namespace)


# -- genai-prices ----------------------------------------------------------------------------


def test_genai_prices_data_is_read_as_published_with_its_match_rules(
    files: PublishedFiles, store: Store, settings: Settings
) -> None:
    prices = asyncio.run(_genai(files, store, settings).get())
    assert isinstance(prices, GenaiPrices)
    assert "aws" not in {m.provider for models in prices.models.values() for m in models}
    dated = prices.record("openai", "gpt-5-2025-08-07", DAY)  # an equals clause names it
    assert dated is not None and dated.listed
    assert dated.facts.pricing is not None and dated.facts.pricing.input == Decimal("1.25")
    snapshot = prices.record("anthropic", "claude-sonnet-4-5-20250929", DAY)
    assert snapshot is not None and not snapshot.listed  # priced by a rule, not listed
    assert snapshot.facts.pricing is not None
    assert snapshot.facts.pricing.tiers[0].input == Decimal("6")
    # a time-of-day schedule: the list price is the peak rate, never the off-peak discount
    deepseek = prices.record("deepseek", "deepseek-chat", DAY)
    assert deepseek is not None and deepseek.facts.pricing is not None
    assert deepseek.facts.pricing.input == Decimal("0.27")
    stored = store.get_value("t:@genai-prices:data")
    assert [p["id"] for p in stored["providers"]] == [
        "anthropic",
        "deepseek",
        "google",
        "mistral",
        "openai",
        "x-ai",
    ]


# -- caching, failures, staleness ------------------------------------------------------------


@pytest.mark.parametrize("name", ["litellm", "genai-prices"])
def test_second_get_within_the_ttl_makes_no_request(
    name: str, files: PublishedFiles, store: Store, settings: Settings
) -> None:
    make = _litellm if name == "litellm" else _genai
    asyncio.run(make(files, store, settings).get())
    again = make(files, store, settings)  # a new process would build a new source
    assert asyncio.run(again.get()) is not None
    assert files.requests[name] == 1
    assert again.state()["state"] == "fresh"


@pytest.mark.parametrize("name", ["litellm", "genai-prices"])
def test_refresh_failure_serves_the_last_good_copy_stale_and_records_it(
    name: str, files: PublishedFiles, store: Store, settings: Settings
) -> None:
    make = _litellm if name == "litellm" else _genai
    source = make(files, store, settings, ttl_seconds=0.3)
    assert asyncio.run(source.get()) is not None
    time.sleep(0.4)
    files.status[name] = 503
    files.retry_after[name] = "0"
    served = asyncio.run(source.get())
    assert served is not None  # the last good copy, although expired
    if isinstance(served, FactsIndex):
        assert served.stale
    failure = source.last_failure()
    assert failure is not None
    assert failure["error_type"] == "provider_unavailable" and failure["status_code"] == 503
    assert failure["error"].startswith(f"{name}: ") and files.url(name) in failure["error"]
    assert "503: Service Unavailable" in failure["error"]  # what the host answered
    assert failure["retry_count"] == 1
    assert files.requests[name] == 3  # the first fetch, then one try and one retry
    state = source.state()
    assert state["state"] == "stale" and state["last_failure"] == failure


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("litellm", b"<!DOCTYPE html><title>Rate limited</title>", "text/html"),
        ("litellm", b'{"sample_spec": {"max_tokens": 8192', "text/plain; charset=utf-8"),
        ("litellm", b'{"sample_spec": {"mode": "chat"}}', "text/plain; charset=utf-8"),
        ("genai-prices", b'{"providers": []}', "text/plain; charset=utf-8"),
        ("genai-prices", b'[{"id": "aws", "models": []}]', "text/plain; charset=utf-8"),
        ("genai-prices", b'[{"id": "openai", "models": 5}]', "text/plain; charset=utf-8"),
    ],
)
def test_a_malformed_file_never_replaces_the_good_copy(
    name: str, body: bytes, kind: str, files: PublishedFiles, store: Store, settings: Settings
) -> None:
    make = _litellm if name == "litellm" else _genai
    source = make(files, store, settings)
    asyncio.run(source.get())
    before = store.get_value(source.data_key)
    files.body[name], files.content_type[name] = body, kind
    assert asyncio.run(source.get(force=True)) is not None
    assert store.get_value(source.data_key) == before
    failure = source.last_failure()
    assert failure is not None and failure["error_type"] == "malformed_response"
    assert name in failure["error"]


def test_a_mirror_token_in_the_url_is_never_recorded(
    files: PublishedFiles, store: Store, settings: Settings
) -> None:
    secret = "mirror-token-0123456789"
    source = LiteLLMSource(store, settings, url=files.url("litellm") + "?token=" + secret)
    files.body["litellm"] = b'{"sample_spec": {"mode": "chat"}}'  # served, but no usable model
    assert asyncio.run(source.get()) is None
    failure = source.last_failure()
    assert failure is not None and failure["error_type"] == "malformed_response"
    assert secret not in json.dumps(failure) and secret not in repr(source)
    assert secret not in json.dumps(source.state())


def test_nothing_cached_and_unreachable_serves_nothing(
    files: PublishedFiles, store: Store, settings: Settings
) -> None:
    source = LiteLLMSource(store, settings, url=files.url("litellm").replace("BerriAI", "nope"))
    assert asyncio.run(source.get()) is None
    failure = source.last_failure()
    assert failure is not None and failure["status_code"] == 404


def test_off_by_default_and_a_bad_url_is_a_clear_error(files: PublishedFiles, store: Store) -> None:
    plain = Settings.load({})
    assert not plain.litellm_map_enabled and not plain.genai_prices_enabled
    source = LiteLLMSource(store, plain, url=files.url("litellm"))
    assert asyncio.run(source.get()) is None and source.state()["state"] == "off"
    assert files.requests["litellm"] == 0
    with pytest.raises(ConfigurationError) as err:
        Settings.load({"MODELSYNC_GENAI_PRICES_URL": "ftp://example.invalid/data.json"})
    assert "genai_prices_url" in str(err.value)
    on = Settings.load(
        {"MODELSYNC_LITELLM_MAP_ENABLED": "yes", "MODELSYNC_LITELLM_MAP_TTL_HOURS": "6"}
    )
    assert LiteLLMSource(store, on).enabled and LiteLLMSource(store, on).ttl_seconds == 6 * 3600


# -- reconciling: the bundled build's rules, with fresh inputs ---------------------------------


def _layer(litellm: Any = None, genai: Any = None) -> LiveLayer:
    from modelsync.live import GenaiPricesSource as G
    from modelsync.live import LiteLLMSource as L

    indexes = {}
    if litellm is not None:
        stored, _ = L.parse(L.__new__(L), litellm)
        indexes["litellm"] = FactsIndex.from_json(stored)  # as a sync reads it from the store
    prices = None
    if genai is not None:
        stored_prices, _ = G.parse(G.__new__(G), genai)
        prices = G.load(G.__new__(G), stored_prices, stale=False)
    return LiveLayer(indexes, prices, bundled=load_bundled(), day=DAY)


def test_the_pinned_inputs_are_read_back_from_the_bundled_provenance() -> None:
    bundled = load_bundled()
    gpt5 = bundled.lookup("openai", "gpt-5")
    assert gpt5 is not None
    inputs = pinned_inputs(gpt5, bundled.provenance(gpt5))
    assert {"curated", "models.dev", "litellm", "genai-prices"} <= set(inputs)
    assert inputs["models.dev"].context_window == 400000
    assert inputs["curated"].replacement == gpt5.replacement  # the cited, hand-verified value
    # what a source said against the chosen value is its own value
    litellm_said = bundled.provenance(gpt5)["replacement"].disagreed["litellm"]
    assert inputs["litellm"].replacement == litellm_said


def test_one_fresh_source_does_not_outvote_two_pinned_ones() -> None:
    # LiteLLM's max_input_tokens for gpt-5 is the prompt limit (272000); the pinned models.dev
    # and genai-prices both say 400000, as the bundled build chose
    found = _layer(litellm=published("litellm")).match("openai", "gpt-5")
    assert found is not None
    facts, exact = found
    assert exact and facts.context_window == 400000
    assert facts.provenance["context_window"].disagreed == {"litellm": 272000}
    # and a price only LiteLLM moved stays where the other two are
    moved = published("litellm")
    moved["gpt-5.5"]["input_cost_per_token"] = 6e-06
    found = _layer(litellm=moved).match("openai", "gpt-5.5")
    assert found is not None and found[0].pricing is not None
    assert found[0].pricing.input == Decimal("5")


def test_two_fresh_sources_that_agree_on_a_new_price_win() -> None:
    litellm, genai = published("litellm"), published("genai-prices")
    litellm["text-embedding-3-small"]["input_cost_per_token"] = 2.5e-08
    openai = next(p for p in genai if p["id"] == "openai")
    embedding = next(m for m in openai["models"] if m["id"] == "text-embedding-3-small")
    embedding["prices"]["input_mtok"] = 0.025
    found = _layer(litellm=litellm, genai=genai).match("openai", "text-embedding-3-small")
    assert found is not None and found[0].pricing is not None
    assert found[0].pricing.input == Decimal("0.025")
    assert found[0].provenance["pricing.input"].rule == "majority"
    assert found[0].provenance["pricing.input"].disagreed == {"models.dev": "0.02"}


def test_curated_values_win_over_fresh_ones() -> None:
    litellm = published("litellm")
    litellm["gpt-5"]["successor_model"] = "gpt-9"
    found = _layer(litellm=litellm).match("openai", "gpt-5")
    bundled = load_bundled().lookup("openai", "gpt-5")
    assert found is not None and bundled is not None
    assert found[0].replacement == bundled.replacement != "gpt-9"
    assert (found[0].provenance["replacement"].rule or "").startswith("curated")


def test_a_model_no_live_source_knows_gets_no_live_entry() -> None:
    layer = _layer(litellm=published("litellm"), genai=published("genai-prices"))
    assert layer.match("openai", "o3-mini") is None  # the bundled layer describes it


# -- end to end: a sync, status, and what stays off --------------------------------------------


def _wire_live(env: Env, files: PublishedFiles) -> None:
    env.vars.update(
        MODELSYNC_LITELLM_MAP_ENABLED="1",
        MODELSYNC_LITELLM_MAP_URL=files.url("litellm"),
        MODELSYNC_GENAI_PRICES_ENABLED="1",
        MODELSYNC_GENAI_PRICES_URL=files.url("genai-prices"),
        MODELSYNC_MAX_RETRIES="0",
    )


def test_a_sync_takes_fresh_values_from_the_live_layer(
    env: Env, emulator: EmulatorFactory, files: PublishedFiles
) -> None:
    litellm, genai = published("litellm"), published("genai-prices")
    litellm["text-embedding-3-small"]["input_cost_per_token"] = 2.5e-08
    openai = next(p for p in genai if p["id"] == "openai")
    next(m for m in openai["models"] if m["id"] == "text-embedding-3-small")["prices"][
        "input_mtok"
    ] = 0.025
    files.serve("litellm", litellm)
    files.serve("genai-prices", genai)
    emu = emulator("openai", models=[_oa("text-embedding-3-small"), _oa("gpt-5.5")])
    env.wire(emu)
    _wire_live(env, files)
    assert env.run_cli("sync").returncode == 0
    rows = {r["id"]: r for r in json.loads(env.run_cli("models", "--json").stdout)}
    embedding = rows["text-embedding-3-small"]
    assert embedding["pricing"]["input"] == "0.025"  # fresher than the bundled 0.02
    assert embedding["pricing"]["source"] == "catalog"
    assert rows["gpt-5.5"]["context_window"] == 1050000
    assert files.requests["litellm"] == files.requests["genai-prices"] == 1
    # a second sync within the TTL asks neither again
    assert env.run_cli("sync", "--force").returncode == 0
    assert files.requests["litellm"] == files.requests["genai-prices"] == 1
    # show says where the fresh value came from, and what the pinned models.dev copy said
    (shown,) = json.loads(env.run_cli("show", "text-embedding-3-small", "--json").stdout)
    trace = shown["pricing"]["provenance"]["input"]
    assert trace["live"] == ["genai-prices", "litellm"]
    assert trace["rule"] == "majority" and trace["disagreed"] == {"models.dev": "0.02"}
    window = shown["fields"]["context_window"]
    assert window["source"] == "catalog" and "provenance" in window
    text = env.run_cli("show", "text-embedding-3-small").stdout
    assert "catalog: genai-prices (live), litellm (live) (majority); models.dev said 0.02" in text
    # ... and so does a served catalog, over HTTP (the page and MCP share the same builder)
    server = serve({**env.vars, "MODELSYNC_CONFIG": os.devnull}, env.tmp / "serve.log")
    try:
        served = server.get("/api/models/openai/text-embedding-3-small").json()
    finally:
        server.stop()
    assert served["pricing"]["provenance"]["input"] == trace
    status = json.loads(env.run_cli("status", "--json").stdout)
    sources = {s["source"]: s for s in status["sources"]}
    assert sources["litellm"]["state"] == sources["genai-prices"]["state"] == "fresh"
    assert sources["models.dev"]["state"] == "off"
    table = env.run_cli("status").stdout
    assert "metadata sources:" in table and "litellm: fresh" in table


def test_a_live_source_outage_never_fails_a_sync(
    env: Env, emulator: EmulatorFactory, files: PublishedFiles
) -> None:
    files.status["litellm"] = 500
    emu = emulator("openai", models=[_oa("text-embedding-3-small")])
    env.wire(emu)
    _wire_live(env, files)
    out = env.run_cli("sync")
    assert out.returncode == 0, out.stderr
    (row,) = json.loads(env.run_cli("models", "--json").stdout)
    assert row["pricing"]["input"] == "0.02"  # genai-prices live and the pinned rest agree
    status = env.run_cli("status")
    assert "litellm: never fetched" in status.stdout
    assert "last failure" in status.stdout and "[provider_unavailable]" in status.stdout
    assert emu.api_key not in status.stdout + status.stderr + out.stdout + out.stderr


def test_off_by_default_a_sync_asks_no_live_source(
    env: Env, emulator: EmulatorFactory, files: PublishedFiles
) -> None:
    emu = emulator("openai", models=[_oa("gpt-5.5")])
    env.wire(emu).vars.update(
        MODELSYNC_LITELLM_MAP_URL=files.url("litellm"),
        MODELSYNC_GENAI_PRICES_URL=files.url("genai-prices"),
    )
    assert env.run_cli("sync").returncode == 0
    assert sum(files.requests.values()) == 0
    assert "metadata sources:" not in env.run_cli("status").stdout


def test_clearing_the_litellm_proxy_keeps_the_litellm_map(env: Env, files: PublishedFiles) -> None:
    _wire_live(env, files)
    catalog = env.catalog()
    try:
        source = next(s for s in catalog.metadata.sources if s.name == "litellm")
        assert asyncio.run(source.get()) is not None
        summary = catalog.clear("litellm")
        assert summary.scope == "litellm"
        assert catalog.store.get_value(source.data_key) is not None
    finally:
        catalog.close()
