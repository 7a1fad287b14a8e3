"""``--sync-every``: the normal sync, run in the background of the service.

The loop does not fetch on its own clock. It sets the catalog's refresh interval to the period
asked for and calls ``Catalog.sync()`` every *tick* (a tenth of the period, between 1 s and 60 s,
with ±10 % jitter). A sync of a fresh catalog is one store read and no request, so ticks are
cheap; the first tick after a catalog turns due fetches it, under the provider's lease, and
every other process (another worker, another replica on the same Redis) finds it fresh and
skips. Each provider is therefore fetched once per period however many processes run the loop,
and every replica serves the new catalog on its next request, because the store's version moved.

Shutdown cancels the loop. A sync in flight is cancelled at its next await: its fetch is
abandoned, nothing is written (a sync writes once, atomically, after the whole fetch), and its
lease is released on the way out, so the store keeps the last good catalog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from typing import TYPE_CHECKING

from ..errors import ConfigurationError, ModelSyncError

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..results import SyncResult
    from .metrics import Metrics

log = logging.getLogger("modelsync.serve")

MIN_TICK = 1.0
MAX_TICK = 60.0


def tick_seconds(period: float) -> float:
    return min(max(period / 10, MIN_TICK), MAX_TICK, period)


class SyncLoop:
    def __init__(self, catalog: Catalog, period: float, metrics: Metrics | None = None) -> None:
        self.catalog = catalog
        self.period = period
        self.metrics = metrics
        self.tick = tick_seconds(period)
        self.runs = 0
        self._task: asyncio.Task[None] | None = None
        self._told_no_keys = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="modelsync-sync")

    async def stop(self, timeout: float = 5.0) -> None:
        """Cancel the loop and wait (briefly) for the sync in flight to unwind."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout)

    async def _run(self) -> None:
        await asyncio.sleep(
            random.uniform(0, min(self.tick, 2.0))
        )  # replicas do not all start at once
        while True:
            await self.run_once()
            await asyncio.sleep(self.tick * random.uniform(0.9, 1.1))

    async def run_once(self) -> None:
        started = time.monotonic()

        def record(result: SyncResult) -> None:
            if self.metrics is not None:
                self.metrics.observe_sync(result, time.monotonic() - started)
            if result.status == "error":
                log.warning("%s: background sync failed: %s", result.provider, result.error)
            elif result.status == "success":
                log.info(
                    "%s: background sync stored %d models", result.provider, result.models_synced
                )

        try:
            await self.catalog.async_sync(on_result=record)
        except ConfigurationError as exc:
            if not self._told_no_keys:  # a reader-only replica: say it once, keep serving
                log.warning("background sync has nothing to do: %s", exc)
                self._told_no_keys = True
        except ModelSyncError as exc:  # the store is down: keep serving what we can
            log.error("background sync failed: %s", exc)
        self.runs += 1
