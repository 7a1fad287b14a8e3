"""Benchmark for the providers issues; prints figures, asserts nothing.

A sync of every emulated provider (the twelve, an OpenAI-compatible server and the clouds) against
their loopback emulators with 200 ms of latency on every request: wall time against the slowest
single provider, and the HTTP requests each provider made (the pages needed), then a second sync
(zero requests when fresh). Vertex lists its four default publishers concurrently.

Run from the repository root: ``python bench/bench_providers.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulators import ProviderEmulator

from bench.common import TWELVE, emulator_env
from modelsync.catalog import Catalog

LATENCY = 0.2
#: Every provider with an emulator; clouds join as they land (issue 12).
PROVIDERS = (*TWELVE, "openai-compatible", "vertex")


def main() -> None:
    emus = {name: ProviderEmulator.start(name) for name in PROVIDERS}
    try:
        for emu in emus.values():
            emu.latency = LATENCY
        with tempfile.TemporaryDirectory() as raw:
            tmp = Path(raw)
            env = emulator_env(tmp, emus)
            warm = Catalog(env={**env, "MODELSYNC_STORE": f"sqlite:///{tmp}/warm.db"})
            warm.sync(list(PROVIDERS))  # imports and first connections, outside the timings
            singles: dict[str, float] = {}
            for i, name in enumerate(PROVIDERS):
                catalog = Catalog(env={**env, "MODELSYNC_STORE": f"sqlite:///{tmp}/s{i}.db"})
                started = time.perf_counter()
                result = catalog.sync([name])[name]
                singles[name] = time.perf_counter() - started
                assert result.status == "success", result
            for emu in emus.values():
                emu.reset_requests()
            catalog = Catalog(env={**env, "MODELSYNC_STORE": f"sqlite:///{tmp}/all.db"})
            started = time.perf_counter()
            report = catalog.sync()
            fanout = time.perf_counter() - started
            first = {n: emus[n].count() for n in PROVIDERS}
            for emu in emus.values():
                emu.reset_requests()
            started = time.perf_counter()
            again = catalog.sync()
            fresh = time.perf_counter() - started
            second = {n: emus[n].count() for n in PROVIDERS}
        slowest = max(singles.values())
        print(f"sync of {len(report)} providers, {LATENCY * 1000:.0f} ms latency per request")
        print(f"   {'provider':<17} {'alone':>9} {'requests':>9} {'pages':>6} {'models':>7}")
        for name in PROVIDERS:
            r = report[name]
            print(
                f"   {name:<17} {singles[name] * 1000:7.0f}ms {first[name]:>9} {r.pages:>6} "
                f"{r.models_synced:>7}"
            )
        print(f"   {'slowest single provider':<31}{slowest * 1000:7.0f} ms")
        n = len(PROVIDERS)
        print(f"   {f'sum of the {n}':<31}{sum(singles.values()) * 1000:7.0f} ms")
        print(
            f"   {f'all {n}, concurrent':<31}{fanout * 1000:7.0f} ms "
            f"= {fanout / slowest:.2f} x slowest single (exit code {report.exit_code})"
        )
        skipped = sum(1 for r in again if r.status == "skipped")
        print(
            f"   second sync: {skipped} skipped in {fresh * 1000:.0f} ms, "
            f"{sum(second.values())} HTTP requests"
        )
    finally:
        for emu in emus.values():
            emu.stop()


if __name__ == "__main__":
    main()
