"""Report: where each synced model's capabilities come from; prints figures, asserts nothing.

Syncs all twelve providers' emulators (their default model lists) with the bundled catalog and
the test suite's models.dev fixture served on loopback, then counts, per capability, how many
models have it stated by the provider's API, by a catalog (bundled or models.dev), by a family
rule, or by nobody (unknown). Also: how many models found curated facts at all.

Run from the repository root: ``python bench/report_sources.py``.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulators import ProviderEmulator
from tests.test_modelsdev import ModelsDevServer

from bench.common import TWELVE, emulator_env
from modelsync.catalog import Catalog
from modelsync.vocab import CAPABILITIES

SOURCES = ("api", "catalog", "rule", "user")


def main() -> None:
    emus = {name: ProviderEmulator.start(name) for name in TWELVE}
    modelsdev = ModelsDevServer()
    try:
        with tempfile.TemporaryDirectory() as raw:
            env = emulator_env(Path(raw), emus)
            env.update(
                MODELSYNC_STORE=f"sqlite:///{raw}/report.db",
                MODELSYNC_MODELSDEV_ENABLED="1",
                MODELSYNC_MODELSDEV_URL=modelsdev.url,
            )
            catalog = Catalog(env=env)
            report = catalog.sync()
            assert report.exit_code == 0, report
            models = list(catalog.models())
    finally:
        for emu in emus.values():
            emu.stop()
        modelsdev.stop()

    print(f"{len(models)} models from {len(report)} providers (bundled catalog + models.dev)")
    print(f"   {'capability':<18}" + "".join(f"{s:>9}" for s in (*SOURCES, "unknown")))
    for cap in CAPABILITIES:
        counts = Counter(
            m.capabilities[cap].source if cap in m.capabilities else "unknown" for m in models
        )
        print(f"   {cap:<18}" + "".join(f"{counts.get(s, 0):>9}" for s in (*SOURCES, "unknown")))
    curated = Counter(
        m.provider
        for m in models
        if m.sources
        or any(c.source == "catalog" for c in m.capabilities.values())
        or (m.pricing is not None and m.pricing.source == "catalog")
    )
    totals = Counter(m.provider for m in models)
    print("   models with curated facts, per provider:")
    print("   " + ", ".join(f"{p} {curated.get(p, 0)}/{n}" for p, n in sorted(totals.items())))


if __name__ == "__main__":
    main()
