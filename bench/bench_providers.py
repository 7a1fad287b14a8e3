"""Benchmark for the providers issues; prints figures, asserts nothing.

A sync of every provider that has a loopback emulator (the twelve of issue 3, Azure, the
OpenAI-compatible presets, and any cloud added since) with 200 ms of latency on every request:
wall time against the slowest single provider (target: at most 1.3x), and the HTTP requests each
provider made (the pages needed), then a second sync (zero requests when fresh). The syncs run in
a child process and the emulators in this one, so the providers' own work does not share
modelsync's interpreter.
``--twelve`` limits it to the original twelve.

Run from the repository root: ``python bench/bench_providers.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def timings(names: list[str], stores: Path) -> dict[str, Any]:
    """In the child process: a warm-up sync, each provider alone, ``RUNS`` fan-outs of all of
    them into fresh stores, then a second sync of the last store; wall times and the requests
    each sync reported. Only modelsync runs here: the emulators live in the parent."""

    def catalog(name: str) -> Catalog:
        return Catalog(env={**os.environ, "MODELSYNC_STORE": f"sqlite:///{stores / name}.db"})

    catalog("warm").sync(names)  # imports and first connections, outside the timings
    singles: dict[str, float] = {}
    for i, name in enumerate(names):
        one = catalog(f"s{i}")
        started = time.perf_counter()
        result = one.sync([name])[name]
        singles[name] = time.perf_counter() - started
        assert result.status == "success", result
    fanouts: list[float] = []
    for run in range(RUNS):  # several fan-outs into fresh stores: on a shared machine one is noise
        every = catalog(f"all{run}")
        started = time.perf_counter()
        report = every.sync()
        fanouts.append(time.perf_counter() - started)
    started = time.perf_counter()
    again = every.sync()
    fresh = time.perf_counter() - started
    return {
        "singles": singles,
        "fanouts": fanouts,
        "exit_code": report.exit_code,
        "rows": {r.provider: [r.requests, r.pages, r.models_synced] for r in report},
        "fresh": fresh,
        "skipped": sum(1 for r in again if r.status == "skipped"),
        "second_requests": sum(r.requests for r in again),
    }


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
            # The syncs run in a child process: the emulators' server threads stay here, so they
            # do not share modelsync's interpreter (a real provider's CPU is not ours).
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(tmp), *names],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                raise SystemExit(f"the timing child failed:\n{child.stderr}")
            got = json.loads(child.stdout.strip().splitlines()[-1])
        singles: dict[str, float] = got["singles"]
        fanouts: list[float] = got["fanouts"]
        fanout = statistics.median(fanouts)
        slowest = max(singles.values())
        print(f"sync of {len(names)} providers, {LATENCY * 1000:.0f} ms latency per request")
        print(f"   {'provider':<18} {'alone':>9} {'requests':>9} {'pages':>6} {'models':>7}")
        for name in names:
            requests, pages, models = got["rows"][name]
            print(
                f"   {name:<18} {singles[name] * 1000:7.0f}ms {requests:>9} {pages:>6} {models:>7}"
            )
        print(f"   slowest single provider        {slowest * 1000:7.0f} ms")
        print(
            f"   sum of all {len(names):<3}                 {sum(singles.values()) * 1000:7.0f} ms"
        )
        print(
            f"   all {len(names):<3} concurrent            {fanout * 1000:7.0f} ms "
            f"= {fanout / slowest:.2f} x slowest single (exit code {got['exit_code']}; "
            f"median of {RUNS}, best {min(fanouts) / slowest:.2f} x)"
        )
        print(
            f"   second sync: {got['skipped']} skipped in {got['fresh'] * 1000:.0f} ms, "
            f"{got['second_requests']} HTTP requests"
        )
    finally:
        for emu in emus.values():
            emu.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(timings(sys.argv[3:], Path(sys.argv[2]))))
    else:
        main()
