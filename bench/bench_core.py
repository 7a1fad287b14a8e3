"""Benchmarks for the core issue; prints figures, asserts nothing.

1. ``import modelsync`` beside ``python -c pass``, measured in the same run.
2. Cold ``modelsync models --json`` over a store holding 1,000 models.
3. ``sync`` of the four core providers with 200 ms emulated latency each, against each provider
   alone (the slowest single one) and the sum of the four.

Run from the repository root: ``python bench/bench_core.py``. Uses loopback emulators only.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulators import ProviderEmulator, synthetic_models

from modelsync.catalog import Catalog

CORE = {
    "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL"),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
    "gemini": ("GEMINI_API_KEY", "GEMINI_BASE_URL"),
    "xai": ("XAI_API_KEY", "XAI_BASE_URL"),
}
RUNS = 15


def _time(cmd: list[str], env: dict[str, str], runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELSYNC_")}
    for key_env, base_env in CORE.values():
        env.pop(key_env, None)
        env.pop(base_env, None)
    env["MODELSYNC_CONFIG"] = os.devnull  # no config file (a named file must exist)
    return env


def bench_import(env: dict[str, str]) -> None:
    py = sys.executable
    base = _time([py, "-c", "pass"], env)
    imp = _time([py, "-c", "import modelsync"], env)
    full = _time([py, "-c", "import modelsync; modelsync.Catalog"], env)
    print(f"1. import time (median of {RUNS} runs)")
    print(f"   python -c pass                 {base * 1000:7.1f} ms")
    print(
        f"   import modelsync               {imp * 1000:7.1f} ms  (+{(imp - base) * 1000:.1f} ms)"
    )
    print(
        f"   import + resolve Catalog       {full * 1000:7.1f} ms  (+{(full - base) * 1000:.1f} ms)"
    )


def bench_models(env: dict[str, str], tmp: Path) -> None:
    store = f"sqlite:///{tmp / 'bench.db'}"
    with ProviderEmulator.start("openai", models=synthetic_models("openai", 1000)) as emu:
        run_env = {
            **env,
            "OPENAI_API_KEY": emu.api_key,
            "OPENAI_BASE_URL": emu.base_url,
            "MODELSYNC_STORE": store,
        }
        Catalog(env=run_env).sync(["openai"])
    env = {**env, "MODELSYNC_STORE": store}
    py = sys.executable
    base = _time([py, "-c", "pass"], env)
    cold = _time([py, "-m", "modelsync", "models", "--json"], env)
    exe = Path(sys.executable).with_name("modelsync")
    script = _time([str(exe), "models", "--json"], env) if exe.exists() else float("nan")
    out = subprocess.run(
        [py, "-m", "modelsync", "models", "--json"], env=env, check=True, capture_output=True
    ).stdout
    print(f"2. cold `modelsync models --json`, 1,000 models in SQLite (median of {RUNS} runs)")
    print(f"   python -c pass                 {base * 1000:7.1f} ms")
    print(f"   python -m modelsync models     {cold * 1000:7.1f} ms  ({len(out):,} bytes of JSON)")
    print(f"   modelsync models (console)     {script * 1000:7.1f} ms")


def bench_fanout(env: dict[str, str], tmp: Path) -> None:
    emus = {p: ProviderEmulator.start(p) for p in CORE}
    try:
        for emu in emus.values():
            emu.latency = 0.2
        run_env = {**env, "MODELSYNC_STORE": f"sqlite:///{tmp / 'fanout.db'}"}
        for name, (key_env, base_env) in CORE.items():
            run_env[key_env] = emus[name].api_key
            run_env[base_env] = emus[name].base_url
        singles = {}
        for name in CORE:
            catalog = Catalog(env=run_env)
            started = time.perf_counter()
            result = catalog.sync([name], force=True)[name]
            singles[name] = time.perf_counter() - started
            assert result.status == "success", result
        for emu in emus.values():
            emu.reset_requests()
        catalog = Catalog(env=run_env)
        started = time.perf_counter()
        report = catalog.sync(list(CORE), force=True)
        fanout = time.perf_counter() - started
        assert report.exit_code == 0, report
        slowest = max(singles.values())
        print("3. sync of 4 providers, 200 ms latency per request")
        for name, secs in singles.items():
            print(
                f"   {name:<10} alone            {secs * 1000:7.1f} ms  "
                f"({report[name].requests} request(s))"
            )
        print(f"   sum of the four                {sum(singles.values()) * 1000:7.1f} ms")
        print(
            f"   all four, concurrent           {fanout * 1000:7.1f} ms  "
            f"= {fanout / slowest:.2f} x slowest single"
        )
        requests = {n: e.count() for n, e in emus.items()}
        print(f"   HTTP requests in the fan-out   {requests}")
    finally:
        for emu in emus.values():
            emu.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        env = _clean_env(tmp)
        bench_import(env)
        bench_models(env, tmp)
        bench_fanout(env, tmp)


if __name__ == "__main__":
    main()
