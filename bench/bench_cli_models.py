"""Benchmark: ``modelsync models`` over a 10,000-model catalog; prints figures, asserts nothing.

A real sync of 10,000 synthetic OpenAI models from the loopback emulator fills a SQLite store;
then the real CLI runs as a subprocess, output piped (as in ``modelsync models | less``):

1. the human table (``modelsync models``),
2. ``--json``,
3. ``--csv``,
4. the table of a 10-model slice (``--search``), for the fixed cost of starting up.

Run from the repository root: ``python bench/bench_cli_models.py``. Uses loopback emulators only.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulators import ProviderEmulator, synthetic_models

from bench.common import emulator_env
from modelsync.catalog import Catalog

N = 10_000
RUNS = 7


def _time(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Median and worst wall time of ``modelsync ARGS`` over RUNS runs, and its output size."""
    samples = []
    size = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "modelsync", *args], env=env, check=True, capture_output=True
        )
        samples.append(time.perf_counter() - started)
        size = len(done.stdout)
    return statistics.median(samples), max(samples), size


def main() -> None:
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        with ProviderEmulator.start("openai", models=synthetic_models("openai", N)) as emu:
            env = emulator_env(tmp, {"openai": emu})
            env["MODELSYNC_STORE"] = f"sqlite:///{tmp / 'bench.db'}"
            report = Catalog(env=env).sync(["openai"])
            assert report["openai"].models_synced == N, report
        cases = {
            "models (table, piped)": ["models"],
            "models --json": ["models", "--json"],
            "models --csv": ["models", "--csv"],
            "models --search synth-004 (table)": ["models", "--search", "synth-004"],
        }
        base, _, _ = _time(["--version"], env)
        print(f"modelsync models over {N:,} stored models, stdout piped (median of {RUNS} runs)")
        print(f"   modelsync --version (start-up)      {base * 1000:7.0f} ms")
        for label, args in cases.items():
            median, worst, size = _time(args, env)
            print(
                f"   {label:<36}{median * 1000:7.0f} ms  (worst {worst * 1000:.0f} ms, "
                f"{size:,} bytes)"
            )


if __name__ == "__main__":
    main()
