"""Property-based: whatever a provider sends, the only error that escapes a sync is
``MalformedResponseError``, and a failed sync leaves the stored catalog byte-for-byte unchanged.

Payloads are served over real loopback HTTP by the emulators (``Fault.raw``), so the whole path
runs: HTTP client, JSON decoding, wire schema, normalization, statistics, store.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelsync.catalog import Catalog
from modelsync.errors import MalformedResponseError
from tests.emulators import Fault, ProviderEmulator, default_models
from tests.fixtures import BASE_ENV, KEY_ENV, TEST_KEYS

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)

LIST_KEY = {"openai": "data", "anthropic": "data", "gemini": "models", "xai": "data"}


def _valid_payload(provider: str) -> dict[str, Any]:
    models = default_models(provider)
    if provider == "anthropic":
        return {"data": models, "has_more": False, "first_id": None, "last_id": None}
    if provider == "gemini":
        return {"models": models}
    if provider == "xai":
        return {"object": "list", "data": [{"id": m["id"], "object": "model"} for m in models]}
    return {"object": "list", "data": models}


@st.composite
def mutated_payload(draw: st.DrawFn, provider: str) -> Any:
    """Mostly near-valid payloads (one field broken), sometimes arbitrary JSON."""
    if draw(st.integers(0, 4)) == 0:
        return draw(JSON_VALUE)
    payload = _valid_payload(provider)
    entries: list[Any] = payload[LIST_KEY[provider]]
    index = draw(st.integers(0, len(entries) - 1))
    entry = entries[index]
    action = draw(st.sampled_from(["drop", "replace", "replace_entry", "replace_list", "add"]))
    if action == "drop" and entry:
        del entry[draw(st.sampled_from(sorted(entry)))]
    elif action == "replace" and entry:
        entry[draw(st.sampled_from(sorted(entry)))] = draw(JSON_VALUE)
    elif action == "replace_entry":
        entries[index] = draw(JSON_VALUE)
    elif action == "replace_list":
        payload[LIST_KEY[provider]] = draw(JSON_VALUE)
    else:
        entry[draw(st.text(max_size=8))] = draw(JSON_VALUE)
    return payload


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, ProviderEmulator]]:
    emus = {p: ProviderEmulator.start(p, api_key=TEST_KEYS[p]) for p in LIST_KEY}
    yield emus
    for emu in emus.values():
        emu.stop()


def _snapshot(catalog: Catalog, provider: str) -> tuple[Any, Any, Any]:
    engine = catalog.engine(provider)
    store = catalog.store
    return (
        store.get_value(engine.keys.models, include_expired=True),
        store.get_value(engine.keys.last_sync, include_expired=True),
        store.get_value(engine.keys.stats, include_expired=True),
    )


@pytest.mark.parametrize("provider", list(LIST_KEY))
def test_random_payloads_fail_only_as_malformed_and_keep_the_store(
    provider: str, emulators: dict[str, ProviderEmulator], tmp_path_factory: pytest.TempPathFactory
) -> None:
    emu = emulators[provider]
    env = {
        KEY_ENV[provider]: emu.api_key,
        BASE_ENV[provider]: emu.base_url,
        "MODELSYNC_STORE": f"sqlite:///{tmp_path_factory.mktemp(provider) / 'p.db'}",
        "MODELSYNC_CONFIG": os.devnull,
        "MODELSYNC_MAX_RETRIES": "0",
        "MODELSYNC_MAX_SHRINK": "1",
    }
    catalog = Catalog(env=env)
    assert catalog.provider(provider).sync_models().status == "success"

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(payload=mutated_payload(provider))
    def check(payload: Any) -> None:
        emu.clear_faults()
        body = json.dumps(payload)
        emu.push(Fault.raw(200, body), Fault.raw(200, body))  # xAI reads two endpoints
        before = _snapshot(catalog, provider)
        try:
            result = catalog.provider(provider).sync_models(force_refresh=True)
        except MalformedResponseError:
            assert _snapshot(catalog, provider) == before
        else:
            assert result.status == "success"
            stored = catalog.store.get_value(catalog.engine(provider).keys.models)
            kept_missing = len(result.diff.missing) if result.diff else 0
            assert len(stored) == result.models_synced + kept_missing

    check()
