"""Benchmarks for lifecycle and details; prints figures, asserts nothing.

1. Deciding the lifecycle at read time (``current_rows``) over 10,000 stored rows: none dated,
   and 10% with a shutdown date (half of them past).
2. ``reconcile`` over 10,000 models when 500 get a shutdown date and a new price at once: the
   diff plus its change kinds and events.
3. Ollama ``/api/show``: a sync of 50 models an older server lists without details, at 50 ms
   per request, asked fresh, then again with every digest unchanged (requests and time).

Run from the repository root: ``python bench/bench_lifecycle.py``.
"""

from __future__ import annotations

import copy
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelsync.diff import reconcile
from modelsync.lifecycle import current_rows


def _row(i: int, shutdown: str | None = None, price: str = "2.5") -> dict[str, Any]:
    row: dict[str, Any] = {
        "provider": "bench",
        "id": f"model-{i:05d}",
        "name": f"Model {i}",
        "capabilities": {"chat": {"supported": True, "source": "api"}},
        "context_window": 128000,
        "pricing": {"state": "known", "input": price, "output": "10", "source": "api"},
        "lifecycle": "active",
    }
    if shutdown is not None:
        row["shutdown_date"] = shutdown
        row["lifecycle"] = "deprecated"
    return row


def _median_ms(fn: Any, runs: int = 15) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), min(samples)


def bench_read() -> None:
    n = 10_000
    now = datetime.now(UTC)
    plain = [_row(i) for i in range(n)]
    past = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ahead = (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    dated = [_row(i, (past if i % 20 == 0 else ahead) if i % 10 == 0 else None) for i in range(n)]
    print(f"1. lifecycle decided at read time, {n:,} rows (median of 15)")
    med, low = _median_ms(lambda: current_rows(plain, now))
    print(f"   none dated:           {med:6.1f} ms (min {low:.1f})")
    med, low = _median_ms(lambda: current_rows(dated, now))
    retired = sum(1 for r in current_rows(dated, now) if r["lifecycle"] == "retired")
    print(f"   10% dated:            {med:6.1f} ms (min {low:.1f}); {retired} retired now")


def bench_kinds() -> None:
    n = 10_000
    previous = [_row(i) for i in range(n)]
    fetched = copy.deepcopy(previous)
    for row in fetched[:500]:
        row["shutdown_date"] = "2027-01-31T00:00:00Z"
        row["lifecycle"] = "deprecated"
        row["pricing"]["input"] = "3"

    def run() -> None:
        diff = reconcile(previous, fetched, 2).diff
        diff.to_dict()

    med, low = _median_ms(run)
    diff = reconcile(previous, fetched, 2).diff
    print(f"2. reconcile + kinds + events, {n:,} models, 500 announced and repriced")
    print(f"   {med:.1f} ms (min {low:.1f}); {len(diff.events())} events")


def bench_show() -> None:
    from tests.emulators import ProviderEmulator
    from tests.emulators.providers_b import _ollama_entry

    from modelsync.catalog import Catalog

    models = [
        _ollama_entry(f"older-{i:03d}:latest", "2026-01-01T00:00:00Z", 1, "llama", None, "1B", "Q4")
        for i in range(50)
    ]
    with (
        tempfile.TemporaryDirectory() as tmp,
        ProviderEmulator.start("ollama", api_key="", models=models, latency=0.05) as emu,
    ):
        env = {"OLLAMA_HOST": emu.base_url, "MODELSYNC_CONFIG": f"{tmp}/none.toml"}
        catalog = Catalog(env=env, store=f"sqlite:///{tmp}/c.db")
        handle = catalog.provider("ollama")
        print("3. Ollama /api/show, 50 models without details, 50 ms per request")
        for label in ("first sync", "digests unchanged"):
            emu.reset_requests()
            began = time.perf_counter()
            result = handle.sync_models(force_refresh=True)
            took = (time.perf_counter() - began) * 1000
            shows = emu.count("/api/show")
            print(f"   {label:<18} {took:7.0f} ms, {result.requests} requests ({shows} /api/show)")
        catalog.close()


if __name__ == "__main__":
    bench_read()
    bench_kinds()
    bench_show()
