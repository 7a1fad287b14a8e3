"""Benchmark for the providers issues; prints figures, asserts nothing.

A sync of every provider that has a loopback emulator (the twelve of issue 3, Azure, the
OpenAI-compatible presets, and any cloud added since) with 200 ms of latency on every request:
wall time against the slowest single provider (target: at most 1.3x), and the HTTP requests each
provider made (the pages needed), then a second sync (zero requests when fresh).
``--twelve`` limits it to the original twelve.

Run from the repository root: ``python bench/bench_providers.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulators import ProviderEmulator
from tests.emulators.providers import make_provider
from tests.emulators.providers_bedrock import API_KEY, sigv4_env

from bench.common import TWELVE, emulator_env
from modelsync.catalog import Catalog
from modelsync.providers import known_providers

LATENCY = 0.2
RUNS = 5
#: A named Bedrock instance on an API key (its own emulator, catalog and ledger), beside the
#: SigV4-signed one: both of Bedrock's ways in, on the real path.
INSTANCE = "bedrock-apikey"


def emulated() -> tuple[str, ...]:
    """Every known provider with an emulator, in the registry's order."""
    names = []
    for name in known_providers():
        try:
            make_provider(name)
        except ValueError:
            continue
        names.append(name)
    return tuple(names)


def main() -> None:
    names = TWELVE if "--twelve" in sys.argv[1:] else (*emulated(), INSTANCE)
    emus = {name: ProviderEmulator.start(name) for name in names if name != INSTANCE}
    if INSTANCE in names:
        emus[INSTANCE] = ProviderEmulator.start("bedrock", api_key=API_KEY)
    try:
        for emu in emus.values():
            emu.latency = LATENCY
        with tempfile.TemporaryDirectory() as raw:
            tmp = Path(raw)
            env = emulator_env(tmp, {n: e for n, e in emus.items() if n != INSTANCE})
            if "bedrock" in emus:  # SigV4 from the credential chain, not a key variable
                env.pop("AWS_PROFILE", None)
                env.update(sigv4_env(emus["bedrock"]), AWS_EC2_METADATA_DISABLED="true")
            if INSTANCE in emus:
                config = tmp / "bench.toml"
                config.write_text(
                    f'[providers.{INSTANCE}]\ntype = "bedrock"\n'
                    f'base_url = "{emus[INSTANCE].base_url}"\n'
                    'api_key_env = "BEDROCK_APIKEY_TOKEN"\n'
                )
                env.update(MODELSYNC_CONFIG=str(config), BEDROCK_APIKEY_TOKEN=API_KEY)
            warm = Catalog(env={**env, "MODELSYNC_STORE": f"sqlite:///{tmp}/warm.db"})
            warm.sync(list(names))  # imports and first connections, outside the timings
            singles: dict[str, float] = {}
            for i, name in enumerate(names):
                catalog = Catalog(env={**env, "MODELSYNC_STORE": f"sqlite:///{tmp}/s{i}.db"})
                started = time.perf_counter()
                result = catalog.sync([name])[name]
                singles[name] = time.perf_counter() - started
                assert result.status == "success", result
            # Several fan-outs into fresh stores: on a shared machine one run is noise.
            fanouts = []
            for run in range(RUNS):
                for emu in emus.values():
                    emu.reset_requests()
                store = f"sqlite:///{tmp}/all{run}.db"
                catalog = Catalog(env={**env, "MODELSYNC_STORE": store})
                started = time.perf_counter()
                report = catalog.sync()
                fanouts.append(time.perf_counter() - started)
            fanout = statistics.median(fanouts)
            first = {n: emus[n].count() for n in names}
            for emu in emus.values():
                emu.reset_requests()
            started = time.perf_counter()
            again = catalog.sync()
            fresh = time.perf_counter() - started
            second = {n: emus[n].count() for n in names}
        slowest = max(singles.values())
        print(f"sync of {len(report)} providers, {LATENCY * 1000:.0f} ms latency per request")
        print(f"   {'provider':<18} {'alone':>9} {'requests':>9} {'pages':>6} {'models':>7}")
        for name in names:
            r = report[name]
            print(
                f"   {name:<18} {singles[name] * 1000:7.0f}ms {first[name]:>9} {r.pages:>6} "
                f"{r.models_synced:>7}"
            )
        print(f"   slowest single provider        {slowest * 1000:7.0f} ms")
        print(
            f"   sum of all {len(names):<3}                 {sum(singles.values()) * 1000:7.0f} ms"
        )
        print(
            f"   all {len(names):<3} concurrent            {fanout * 1000:7.0f} ms "
            f"= {fanout / slowest:.2f} x slowest single (exit code {report.exit_code}; "
            f"median of {RUNS}, best {min(fanouts) / slowest:.2f} x)"
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
