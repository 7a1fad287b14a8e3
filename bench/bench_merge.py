"""Benchmark of the metadata merge; prints figures, asserts nothing.

10,000 synthetic models (the shapes adapters produce: API and rule capabilities, some API prices,
some OpenRouter-style dynamic prices, aggregator ids with vendor prefixes) are looked up in the
bundled catalog and in a synthetic models.dev index of about 1,200 entries, then merged.

1. ``FactsIndex.lookup`` for every model in both indices, with every memo cleared first.
2. ``merge`` of every model with the facts found (the figure the target applies to: <= 200 ms).
3. ``merge_many``: lookups and merge together, as the sync engine calls it, warm.

Run from the repository root: ``python bench/bench_merge.py``. No network.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from modelsync.facts import Facts, FactsIndex, load_bundled, split_id
from modelsync.merge import merge, merge_many
from modelsync.model import Capability, Model, Pricing
from modelsync.modelsdev import parse_modelsdev

N = 10_000
RUNS = 7


def _modelsdev_payload(bundled: FactsIndex) -> dict[str, Any]:
    """An api.json-shaped payload: every bundled model again, plus filler, plus OpenRouter routes."""
    rng = random.Random(7)
    providers: dict[str, dict[str, Any]] = {}
    names = {"gemini": "google"}
    for f in bundled:
        block = providers.setdefault(names.get(f.provider, f.provider), {"models": {}})
        block["models"][f.id] = _entry(f.id, rng)
    for i in range(600):
        providers.setdefault("openrouter", {"models": {}})["models"][
            f"vendor{i % 40}/model-{i}"
        ] = _entry(f"model-{i}", rng)
    for i in range(400):
        providers.setdefault("togetherai", {"models": {}})["models"][f"org/Model-{i}-Instruct"] = (
            _entry(f"Model {i}", rng)
        )
    return providers


def _entry(name: str, rng: random.Random) -> dict[str, Any]:
    return {
        "name": name,
        "attachment": True,
        "reasoning": rng.random() < 0.4,
        "tool_call": True,
        "release_date": "2025-06-01",
        "last_updated": "2025-06-01",
        "modalities": {"input": ["text", "image"], "output": ["text"]},
        "open_weights": False,
        "limit": {"context": rng.choice([128000, 200000, 1048576]), "output": 16384},
        "cost": {"input": rng.choice([0.15, 2.5, 3]), "output": rng.choice([0.6, 10, 15])},
    }


def _models(bundled: FactsIndex) -> list[Model]:
    rng = random.Random(11)
    known = list(bundled)
    api = {
        "chat": Capability(supported=True, source="api"),
        "streaming": Capability(supported=True, source="api"),
    }
    rules = {
        "function_calling": Capability(supported=True, source="rule"),
        "vision": Capability(supported=False, source="rule"),
        "reasoning": Capability(supported=False, source="rule"),
    }
    priced = Pricing(input=Decimal("1"), output=Decimal("2"), source="api")
    dynamic = Pricing(state="dynamic", source="api")
    out: list[Model] = []
    for i in range(N):
        roll = rng.random()
        f: Facts = rng.choice(known)
        if roll < 0.5:  # a vendor's own list, often a dated snapshot
            provider, model_id = f.provider, f"{f.id}-2025-01-0{1 + i % 9}" if i % 3 else f.id
        elif roll < 0.8:  # an aggregator route
            provider, model_id = "openrouter", f"{f.provider}/{f.id}"
        else:  # something no catalog knows
            provider, model_id = "together", f"org/unknown-{i}"
        caps = dict(rules)
        if i % 2:
            caps.update(api)
        pricing = dynamic if i % 17 == 0 else priced if i % 5 == 0 else None
        out.append(
            Model(
                provider=provider,
                id=model_id,
                name=model_id,
                capabilities=caps,
                pricing=pricing,
                context_window=None if i % 4 else 32768,
            )
        )
    return out


def _best(fn: Any, runs: int = RUNS) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return min(samples), statistics.median(samples)


def main() -> None:
    started = time.perf_counter()
    load_bundled.cache_clear()
    bundled = load_bundled()
    load_ms = (time.perf_counter() - started) * 1000
    payload = _modelsdev_payload(bundled)
    started = time.perf_counter()
    modelsdev = parse_modelsdev(payload, as_of="2026-11-28")
    parse_ms = (time.perf_counter() - started) * 1000
    models = _models(bundled)
    print(f"bundled catalog: {len(bundled)} models, loaded and indexed in {load_ms:.1f} ms")
    print(
        f"models.dev (synthetic): {len(modelsdev)} models, parsed and indexed in {parse_ms:.1f} ms"
    )

    def lookups() -> list[tuple[Facts | None, Facts | None]]:
        modelsdev._memo.clear()
        bundled._memo.clear()
        split_id.cache_clear()
        return [
            (modelsdev.lookup(m.provider, m.id), bundled.lookup(m.provider, m.id)) for m in models
        ]

    best, median = _best(lookups)
    found = lookups()
    hits = sum(1 for md, bd in found if md is not None or bd is not None)
    print(f"1. lookup x {N} in both indices:  best {best:6.1f} ms, median {median:6.1f} ms")
    print(f"   {hits} of {N} models found facts")

    first = time.perf_counter()
    merged = [
        merge(m, live=md, bundled=bd, as_of="2026-11-28")
        for m, (md, bd) in zip(models, found, strict=True)
    ]
    cold = (time.perf_counter() - first) * 1000

    def merge_all() -> None:
        for m, (md, bd) in zip(models, found, strict=True):
            merge(m, live=md, bundled=bd, as_of="2026-11-28")

    best, median = _best(merge_all)
    print(f"2. merge x {N}:                  best {best:6.1f} ms, median {median:6.1f} ms")
    print(f"   first run (building per-entry caches): {cold:.1f} ms; target <= 200 ms")

    best, median = _best(
        lambda: merge_many(models, live=modelsdev, bundled=bundled, as_of="2026-11-28")
    )
    print(f"3. merge_many x {N} (lookups + merge): best {best:6.1f} ms, median {median:6.1f} ms")
    changed = sum(1 for a, b in zip(models, merged, strict=True) if a is not b)
    print(f"   {changed} of {N} models changed by the merge")

    # 4. The live layer: models.dev live, reconciled per model with the pinned inputs read back
    # from the bundled provenance (the path every sync takes once a live source is on). A new
    # layer per run, as a sync builds one: nothing is memoized between runs.
    from modelsync.live import LiveLayer

    def live_merge() -> None:
        layer = LiveLayer({"models.dev": modelsdev}, bundled=bundled)
        merge_many(models, live=layer, bundled=bundled, as_of="2026-11-28")

    best, median = _best(live_merge)
    print(f"4. merge_many x {N} via the live layer: best {best:6.1f} ms, median {median:6.1f} ms")


if __name__ == "__main__":
    main()
