"""Benchmarks for the ledger issue; prints figures, asserts nothing.

1. ``reconcile`` (the diff a sync computes) over a 10,000-model provider with 1% churn: 50
   models added, 50 gone, 50 with a changed price, against the stored dicts.
2. ``combine`` + ``modelsync diff`` style reads over the ledger.
3. Ledger growth on disk per 1,000 syncs in SQLite (each sync: 2 models changed), measured as
   the file size before and after, and the per-record JSON size.

Run from the repository root: ``python bench/bench_ledger.py``.
"""

from __future__ import annotations

import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelsync.diff import reconcile
from modelsync.stores.base import LogAppend, dumps
from modelsync.stores.sqlite import SQLiteStore


def _row(i: int, price: str = "2.5") -> dict[str, Any]:
    return {
        "provider": "bench",
        "id": f"model-{i:05d}",
        "name": f"Model {i}",
        "owned_by": "bench",
        "created": "2026-01-01T00:00:00+00:00",
        "capabilities": {
            "chat": {"supported": True, "source": "api"},
            "function_calling": {"supported": True, "source": "rule"},
            "vision": {"supported": i % 3 == 0, "source": "rule"},
        },
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "context_window": 128000,
        "max_output_tokens": 16384,
        "pricing": {"state": "known", "input": price, "output": "10", "source": "api"},
        "aliases": [f"model-{i:05d}-latest"],
        "lifecycle": "active",
    }


def bench_diff() -> None:
    n = 10_000
    previous = [_row(i) for i in range(n)]
    fetched = [copy.deepcopy(r) for r in previous[50:]]  # 50 gone
    for row in fetched[:50]:
        row["pricing"]["input"] = "3"  # 50 changed
    fetched += [_row(n + i) for i in range(50)]  # 50 added
    fetched.reverse()  # ordering is noise
    samples = []
    for _ in range(15):
        started = time.perf_counter()
        result = reconcile(previous, fetched, remove_after=2)
        samples.append(time.perf_counter() - started)
    d = result.diff
    print("1. diff of a 10,000-model provider, 1% churn (median of 15)")
    print(
        f"   reconcile: {statistics.median(samples) * 1000:.1f} ms "
        f"(min {min(samples) * 1000:.1f}); added {len(d.added)}, missing {len(d.missing)}, "
        f"changed {len(d.changed)}"
    )


def bench_ledger_growth() -> None:
    with tempfile.TemporaryDirectory() as raw:
        path = Path(raw) / "ledger.db"
        store = SQLiteStore(path)
        record = {
            "provider": "bench",
            "started_at": "2026-11-28T04:00:00+00:00",
            "finished_at": "2026-11-28T04:00:01+00:00",
            "duration_ms": 812,
            "status": "success",
            "pages": 1,
            "requests": 1,
            "retries": 0,
            "error_type": None,
            "error": None,
            "suspicious": False,
            "models_before": 120,
            "models_after": 121,
            "diff": {
                "added": ["model-new"],
                "removed": [],
                "changed": [
                    {
                        "id": "model-00001",
                        "fields": {"pricing": {"old": {"input": "2.5"}, "new": {"input": "3"}}},
                    }
                ],
                "missing": [],
                "first_sync": False,
            },
        }
        store.put_many({}, append=LogAppend("bench:ledger", record, 100_000))
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = path.stat().st_size
        started = time.perf_counter()
        for _ in range(1000):
            store.put_many({}, append=LogAppend("bench:ledger", record, 100_000))
        elapsed = time.perf_counter() - started
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after = path.stat().st_size
        capped = SQLiteStore(Path(raw) / "capped.db")
        for _ in range(1000):
            capped.put_many({}, append=LogAppend("bench:ledger", record, 500))
        capped._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        capped_size = (Path(raw) / "capped.db").stat().st_size
        print("2. ledger growth in SQLite")
        print(f"   one record: {len(dumps(record))} bytes of JSON")
        print(
            f"   1,000 syncs uncapped: +{(after - before) / 1024:.0f} KiB on disk "
            f"({(after - before) / 1000:.0f} bytes per sync), {elapsed * 1000:.0f} ms to append"
        )
        print(
            f"   1,000 syncs with the default cap (500 per provider): file "
            f"{capped_size / 1024:.0f} KiB, {len(capped.read_log('bench:ledger'))} records kept"
        )
        store.close()
        capped.close()


def main() -> None:
    bench_diff()
    bench_ledger_growth()


if __name__ == "__main__":
    main()
