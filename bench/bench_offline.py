"""Wall time of the offline read path: loading the bundled catalog, `models --offline`, `show`.

The bundled catalog is read on first use (``facts.load_bundled``); this measures what that costs
a fresh process, in-process and through the CLI. Prints the minimum and median of N runs (the
machine is shared, so the minimum is the figure to compare).

    python -m bench.bench_offline [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

LOAD = (
    "import time; t = time.perf_counter(); from modelsync.facts import load_bundled; "
    "i = time.perf_counter(); n = len(load_bundled()); e = time.perf_counter(); "
    "print(f'{(i - t) * 1e3:.2f} {(e - i) * 1e3:.2f} {n}')"
)


def _cli(args: list[str], home: str) -> float:
    env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "modelsync", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _report(label: str, values: list[float]) -> None:
    print(f"{label:<44} min {min(values):7.1f} ms   median {statistics.median(values):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    imports, loads = [], []
    entries = 0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", LOAD], check=True, capture_output=True, text=True
        ).stdout.split()
        imports.append(float(out[0]))
        loads.append(float(out[1]))
        entries = int(out[2])
    print(f"bundled catalog: {entries} entries")
    _report("import modelsync.facts", imports)
    _report("load_bundled() (first call)", loads)
    with tempfile.TemporaryDirectory() as home:
        for args in (
            ["models", "--offline", "--json"],
            ["show", "gpt-4o", "--offline"],
            ["show", "claude-sonnet-4-5", "--offline", "--json"],
        ):
            _report("modelsync " + " ".join(args), [_cli(args, home) * 1e3 for _ in range(runs)])


if __name__ == "__main__":
    main()
