"""Reads in a long-lived process come from catalogs decoded once per store version.

Every test syncs for real against a loopback emulator into a real store; the second process is a
second ``Catalog`` with its own store handle (another connection, as another worker would have).
"""

from __future__ import annotations

import time

import pytest

from modelsync.catalog import Catalog
from modelsync.stores import MemoryStore
from tests.emulators import synthetic_models
from tests.fixtures import EmulatorFactory, Env


def test_unchanged_store_is_not_decoded_again(env: Env, emulator: EmulatorFactory) -> None:
    env.wire(emulator("openai"))
    catalog = env.catalog()
    assert catalog.provider("openai").sync_models().status == "success"
    first = catalog.models()
    second = catalog.models(provider="openai")
    assert len(first) == len(second) > 0
    # the very same objects: nothing was decoded or validated again
    assert all(a is b for a, b in zip(first, second, strict=True))
    rows_a, _ = catalog.raw_models()
    rows_b, _ = catalog.raw_models(capability="chat")
    assert {id(r) for r in rows_b} <= {id(r) for r in rows_a}
    catalog.close()


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_write_by_another_process_is_seen_at_once(
    kind: str, env: Env, emulator: EmulatorFactory, request: pytest.FixtureRequest
) -> None:
    if kind == "redis":
        env.vars["MODELSYNC_STORE"] = request.getfixturevalue("redis_url")
    emu = emulator("openai", models=synthetic_models("openai", 5))
    env.wire(emu)
    reader, writer = env.catalog(), env.catalog()
    assert writer.provider("openai").sync_models().status == "success"
    before = reader.models()
    assert len(before) == 5
    assert reader.models()[0] is before[0]  # cached

    emu.set_models(synthetic_models("openai", 7))
    assert writer.provider("openai").sync_models(force_refresh=True).status == "success"
    after = reader.models()
    assert len(after) == 7  # the very next read, no waiting
    assert after[0] is not before[0]

    writer.clear("openai")
    assert reader.models() == []
    reader.close()
    writer.close()


def test_freshness_moves_with_the_clock_without_any_write(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai"))
    env.vars["MODELSYNC_REFRESH_HOURS"] = str(0.6 / 3600)  # due after 0.6 s
    env.vars["MODELSYNC_MODELS_TTL_HOURS"] = str(1.2 / 3600)  # stale after 1.2 s
    catalog = env.catalog()
    assert catalog.provider("openai").sync_models().status == "success"
    version = catalog.store.version()
    assert catalog.models().freshness["openai"].state == "fresh"
    time.sleep(0.7)
    assert catalog.models().freshness["openai"].state == "due"
    time.sleep(0.7)
    stale = catalog.models()
    assert stale.freshness["openai"].state == "stale"
    assert len(stale) > 0  # the last good catalog is still served
    assert catalog.store.version() == version  # nothing was written meanwhile
    catalog.close()


def test_an_entry_redis_forgets_leaves_the_view(
    env: Env, emulator: EmulatorFactory, redis_url: str
) -> None:
    """Redis drops an entry stale_retention after its expiry, without any write: the view goes."""
    env.wire(emulator("openai"))
    env.vars.update(
        MODELSYNC_STORE=redis_url,
        MODELSYNC_MODELS_TTL_HOURS=str(0.3 / 3600),
        MODELSYNC_STALE_RETENTION_HOURS=str(0.3 / 3600),
    )
    catalog = env.catalog()
    assert catalog.provider("openai").sync_models().status == "success"
    assert len(catalog.models()) > 0
    time.sleep(0.9)  # past TTL + retention: Redis has forgotten the models entry
    assert catalog.models() == []
    catalog.close()


class _NoVersionStore(MemoryStore):
    """A third-party store that cannot tell when it changed."""

    def version(self) -> None:
        return None


def test_a_store_without_a_version_is_never_cached(env: Env, emulator: EmulatorFactory) -> None:
    env.wire(emulator("openai"))
    catalog = Catalog(env=env.vars, store=_NoVersionStore())
    assert catalog.provider("openai").sync_models().status == "success"
    first, second = catalog.models(), catalog.models()
    assert len(first) == len(second) > 0
    assert first[0] is not second[0]
    assert first[0] == second[0]
