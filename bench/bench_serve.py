"""Benchmarks for ``modelsync serve`` and the read cache; prints figures, asserts nothing.

1. ``Catalog.models()`` reads per second in a long-lived process, one 1,000-model provider:
   without the read cache (a store that cannot tell its version, so every call decodes and
   validates, as before the cache) and with it (one ``Store.version()`` read per call).
2. The real server, one worker, over a store of 1,000 models from 12 providers (synced from the
   loopback emulators): ``wrk`` against ``GET /v1/models`` and a filtered ``GET /api/models``
   for a fixed time, requests per second and latency percentiles (``wrk --latency``), then the
   server's resident memory from /proc.

Needs ``wrk`` (Debian: ``apt-get install wrk``; ``scripts/install-system-deps.sh`` installs it).
Run from the repository root: ``python bench/bench_serve.py [--store sqlite|redis] [--seconds N]``.
Loopback only: every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.emulators import ProviderEmulator, synthetic_models
from tests.multiproc import redis_test_db

from bench.common import TWELVE, emulator_env
from modelsync.catalog import Catalog
from modelsync.stores import Store, open_store

MODELS = 1000
FILTERED = "/api/models?capability=chat&min_context=100000&sort=price&limit=50"


def _uncached(url: str) -> Store:
    """The same store, unable to tell its version: every read decodes, as before the cache."""
    store = open_store(url)
    kind = type(store)
    store.__class__ = type(f"Uncached{kind.__name__}", (kind,), {"version": lambda self: None})
    return store


def _rate(call: Callable[[], Any], seconds: float = 2.0) -> tuple[float, float]:
    for _ in range(5):
        call()
    samples = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        t = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t)
    return len(samples) / (time.perf_counter() - started), statistics.median(samples) * 1000


def bench_models(tmp: Path, url: str) -> None:
    kind = url.split(":", maxsplit=1)[0]
    print(f"1. Catalog.models() in a long-lived process, one {MODELS:,}-model provider ({kind})")
    with ProviderEmulator.start("openai", models=synthetic_models("openai", MODELS)) as emu:
        env = emulator_env(tmp, {"openai": emu})
        env.update(MODELSYNC_STORE=url, MODELSYNC_PREFIX="bench-one")
        catalog = Catalog(env=env)
        result = catalog.provider("openai").sync_models(force_refresh=True)
        assert result.status == "success", result
        uncached = Catalog(env=env, store=_uncached(url))
        before, before_ms = _rate(lambda: uncached.models("openai"))
        after, after_ms = _rate(lambda: catalog.models("openai"))
        raw, raw_ms = _rate(lambda: catalog.raw_models("openai"))
        print(f"   without the read cache: {before:9.1f} reads/s  (median {before_ms:.2f} ms)")
        print(
            f"   with the read cache:    {after:9.1f} reads/s  (median {after_ms:.3f} ms)  "
            f"{after / before:.0f}x"
        )
        print(f"   raw_models(), cached:   {raw:9.1f} reads/s  (median {raw_ms:.3f} ms)")
        catalog.close()


def _fill(tmp: Path, url: str) -> dict[str, str]:
    per, extra = divmod(MODELS, len(TWELVE))
    emus = {
        name: ProviderEmulator.start(
            name, models=synthetic_models(name, per + (1 if i < extra else 0))
        )
        for i, name in enumerate(TWELVE)
    }
    env = emulator_env(tmp, emus)
    env.update(MODELSYNC_STORE=url, MODELSYNC_PREFIX="bench-twelve")
    catalog = Catalog(env=env)
    report = catalog.sync(list(TWELVE), force=True)
    rows, _ = catalog.raw_models()
    catalog.close()
    for emu in emus.values():
        emu.stop()
    bad = [r.provider for r in report if r.status != "success"]
    print(
        f"   store: {len(rows):,} models from {len(TWELVE) - len(bad)} providers"
        + (f" (failed: {bad})" if bad else "")
    )
    return env


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wrk(url: str, seconds: int, connections: int) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)}  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        figures[pct] = found.group(1) if found else "?"
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = errors.group(1) if errors else "0"
    transfer = re.search(r"Transfer/sec:\s+(\S+)", out)
    figures["transfer"] = transfer.group(1) if transfer else "?"
    return figures


def bench_server(tmp: Path, url: str, seconds: int, connections: int) -> None:
    print(
        f"2. modelsync serve, 1 worker, {MODELS:,} models over {len(TWELVE)} providers "
        f"({url.split(':', maxsplit=1)[0]}), wrk -t1 -c{connections} -d{seconds}s"
    )
    env = _fill(tmp, url)
    port = 18765
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelsync", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        size = len(httpx.get(base + "/v1/models").content)
        filtered = httpx.get(base + FILTERED).json()
        print(
            f"   /v1/models body {size:,} bytes; filtered query returns "
            f"{len(filtered['models'])} of {filtered['total']} matches"
        )
        print(f"   idle RSS {_rss_mb(proc.pid):.1f} MB")
        print(
            f"   {'route':<28} {'req/s':>9} {'p50':>8} {'p90':>8} {'p99':>8} {'non-2xx':>8} {'transfer':>10}"
        )
        for label, path in (
            ("GET /v1/models", "/v1/models"),
            ("GET /api/models (filtered)", FILTERED),
        ):
            f = _wrk(base + path, seconds, connections)
            print(
                f"   {label:<28} {f['rps']:>9} {f['50']:>8} {f['90']:>8} {f['99']:>8} "
                f"{f['errors']:>8} {f['transfer']:>10}"
            )
        print(f"   RSS after load {_rss_mb(proc.pid):.1f} MB")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (or sh scripts/install-system-deps.sh)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        if args.store == "redis":
            with redis_test_db() as url:
                bench_models(tmp, url)
                bench_server(tmp, url, args.seconds, args.connections)
        else:
            bench_models(tmp, f"sqlite:///{tmp / 'one.db'}")
            bench_server(tmp, f"sqlite:///{tmp / 'twelve.db'}", args.seconds, args.connections)


if __name__ == "__main__":
    main()
