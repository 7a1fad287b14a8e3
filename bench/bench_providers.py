"""Benchmark for the providers issue; prints figures, asserts nothing.

A sync of every provider against its loopback emulator with 200 ms of latency on every request:
wall time against the slowest single provider, and the HTTP requests each provider made (the
pages needed), then a second sync (zero requests when fresh). The twelve API providers, plus
Amazon Bedrock signed with SigV4 (botocore's credential chain and signer on the real path), a
second Bedrock instance on an API key, and an OpenAI-compatible (vLLM) server: fifteen.

Run from the repository root: ``python bench/bench_providers.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulators import ProviderEmulator
from tests.emulators.providers_bedrock import API_KEY, sigv4_env

from bench.common import TWELVE, emulator_env
from modelsync.catalog import Catalog

LATENCY = 0.2
#: A named Bedrock instance on an API key (its own emulator, catalog and ledger).
INSTANCE = "bedrock-apikey"
PROVIDERS = (*TWELVE, "bedrock", INSTANCE, "openai-compatible")


def main() -> None:
    emus = {
        name: ProviderEmulator.start(name) for name in (*TWELVE, "bedrock", "openai-compatible")
    }
    emus[INSTANCE] = ProviderEmulator.start("bedrock", api_key=API_KEY)
    try:
        for emu in emus.values():
            emu.latency = LATENCY
        with tempfile.TemporaryDirectory() as raw:
            tmp = Path(raw)
            env = emulator_env(tmp, {n: e for n, e in emus.items() if n != INSTANCE})
            env.pop("AWS_PROFILE", None)
            env.update(sigv4_env(emus["bedrock"]), AWS_EC2_METADATA_DISABLED="true")
            config = tmp / "bench.toml"
            config.write_text(
                f'[providers.{INSTANCE}]\ntype = "bedrock"\nbase_url = "{emus[INSTANCE].base_url}"\n'
                'api_key_env = "BEDROCK_APIKEY_TOKEN"\n'
            )
            env.update(MODELSYNC_CONFIG=str(config), BEDROCK_APIKEY_TOKEN=API_KEY)
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
        print(f"   slowest single provider        {slowest * 1000:7.0f} ms")
        print(
            f"   sum of the {len(PROVIDERS)}                 {sum(singles.values()) * 1000:7.0f} ms"
        )
        print(
            f"   all {len(PROVIDERS)}, concurrent             {fanout * 1000:7.0f} ms "
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
