"""Benchmarks for the Redis store issue; prints figures, asserts nothing.

1. Reads per second of ``catalog.models()`` (pydantic objects) and ``catalog.raw_models()`` (stored
   dicts) for one 1,000-model provider, from SQLite and from Redis: the same data, synced once from a
   loopback emulator into each store, then read in this process, warm, for about 2 s each.
2. Wall time of the 8-process race: eight warm ``modelsync sync`` processes (the four core providers,
   300 ms emulated latency per request) released at one instant, from the release until the last one
   exits; each run starts from an empty store. Upstream requests are counted per provider.

Run from the repository root: ``python bench/bench_store.py``. Loopback only. Redis is the tests'
own database (``MODELSYNC_TEST_REDIS_URL``, default db 13), flushed before and after under the same
lock the ``redis_url`` fixture takes.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulators import ProviderEmulator, synthetic_models
from tests.fixtures import BASE_ENV, KEY_ENV
from tests.multiproc import CORE, race, redis_test_db

from modelsync.catalog import Catalog

MODELS = 1000
READ_SECONDS = 2.0
RACERS = 8
RACE_RUNS = 3
LATENCY = 0.3


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MODELSYNC_")
        and not k.endswith(("_API_KEY", "_BASE_URL", "_HOST"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        MODELSYNC_CONFIG=os.devnull,
        NO_COLOR="1",
    )
    return env


def _timed_reads(read: Callable[[], Any]) -> tuple[float, float, float, int]:
    """(reads per second, median ms, p95 ms, reads) over about ``READ_SECONDS``."""
    for _ in range(20):  # warm: connections, caches, code paths
        read()
    samples: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < READ_SECONDS:
        t = time.perf_counter()
        read()
        samples.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    p95 = statistics.quantiles(samples, n=20)[-1]
    return len(samples) / elapsed, statistics.median(samples) * 1000, p95 * 1000, len(samples)


def bench_reads(env: Mapping[str, str], stores: Mapping[str, str]) -> None:
    print(f"1. in-process warm reads of one {MODELS:,}-model provider (~{READ_SECONDS:g} s each)")
    print(f"   {'store':<8} {'call':<14} {'reads/s':>9} {'median':>9} {'p95':>9} {'reads':>7}")
    with ProviderEmulator.start("openai", models=synthetic_models("openai", MODELS)) as emu:
        for label, url in stores.items():
            run_env = {
                **env,
                "MODELSYNC_STORE": url,
                KEY_ENV["openai"]: emu.api_key,
                BASE_ENV["openai"]: emu.base_url,
            }
            catalog = Catalog(env=run_env)
            result = catalog.provider("openai").sync_models(force_refresh=True)
            count = len(catalog.raw_models("openai")[0])
            if result.status != "success" or count != MODELS:
                print(f"   {label}: sync did not store {MODELS} models ({result.status}, {count})")
                catalog.close()
                continue
            calls: dict[str, Callable[[], Any]] = {
                "models()": partial(catalog.models, "openai"),
                "raw_models()": partial(catalog.raw_models, "openai"),
            }
            for name, call in calls.items():
                rate, median, p95, n = _timed_reads(call)
                print(f"   {label:<8} {name:<14} {rate:9.1f} {median:7.2f}ms {p95:7.2f}ms {n:7d}")
            catalog.close()


def bench_race(env: Mapping[str, str], stores: Mapping[str, str], tmp: Path) -> None:
    print(
        f"2. `modelsync sync {' '.join(CORE)}` in N warm processes released at once, "
        f"{LATENCY * 1000:.0f} ms per upstream request, empty store each run"
    )
    emus = {p: ProviderEmulator.start(p, latency=LATENCY) for p in CORE}
    try:
        base = dict(env)
        for name, emu in emus.items():
            base[KEY_ENV[name]] = emu.api_key
            base[BASE_ENV[name]] = emu.base_url
        runs = 0
        for label, url in stores.items():
            for processes in (1, RACERS):
                walls: list[float] = []
                for _ in range(RACE_RUNS):
                    runs += 1
                    for emu in emus.values():
                        emu.reset_requests()
                    run_url = url  # Redis: a fresh key prefix each run
                    if url.startswith("sqlite"):
                        run_url = f"sqlite:///{tmp / f'race-{runs}.db'}"
                    run_env = {**base, "MODELSYNC_STORE": run_url, "MODELSYNC_PREFIX": f"r{runs}"}
                    outcome = race(
                        run_env,
                        tmp / f"race-{runs}",
                        ["sync", *CORE, "--json"],
                        processes=processes,
                    )
                    walls.append(outcome.wall_seconds)
                    fetches = [e.count() for e in emus.values()]
                    codes = sorted(set(outcome.returncodes))
                    print(
                        f"   {label:<7} N={processes}: {outcome.wall_seconds:5.2f} s wall, "
                        f"exit codes {codes}, upstream requests {fetches}"
                    )
                print(
                    f"   {label:<7} N={processes}: median {statistics.median(walls):.2f} s "
                    f"(min {min(walls):.2f}, max {max(walls):.2f}) over {RACE_RUNS} runs"
                )
        print(f"   (upstream requests are per provider: {', '.join(CORE)})")
    finally:
        for emu in emus.values():
            emu.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as raw, redis_test_db() as redis_url:
        tmp = Path(raw)
        env = _clean_env(tmp)
        stores = {"sqlite": f"sqlite:///{tmp / 'reads.db'}", "redis": redis_url}
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"stores: sqlite file in {tmp}, redis {redis_url}")
        print(f"machine: {os.cpu_count()} CPUs, load average {load}")
        bench_reads(env, stores)
        bench_race(env, stores, tmp)


if __name__ == "__main__":
    main()
