"""Prometheus metrics: what the catalog holds (read from the store at scrape time, so every replica
tells the same truth) and what this process did (HTTP requests, background syncs).

Per-process counters live in the app's own registry. With ``--workers N`` the command sets
``PROMETHEUS_MULTIPROC_DIR`` before the workers start; counters and histograms then go through
prometheus-client's multiprocess files and a scrape of any worker sums all of them, while the
catalog gauges are still computed by the worker that answers (they come from the shared store).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from prometheus_client.core import Metric

    from ..results import SyncResult
    from .snapshot import Reader

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_SYNC_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_HTTP_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)


class CatalogCollector(Collector):
    """Gauges read from the current snapshot at scrape time."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def collect(self) -> Iterator[Metric]:
        models = GaugeMetricFamily(
            "modelsync_models",
            "Models served per provider (present, not missing).",
            labels=["provider"],
        )
        age = GaugeMetricFamily(
            "modelsync_catalog_age_seconds",
            "Age of each provider's stored catalog.",
            labels=["provider"],
        )
        success = GaugeMetricFamily(
            "modelsync_last_success_timestamp_seconds",
            "Unix time of each provider's last successful sync.",
            labels=["provider"],
        )
        state = GaugeMetricFamily(
            "modelsync_catalog_state",
            "1 for each provider's current freshness state (fresh, due, stale, mismatch).",
            labels=["provider", "state"],
        )
        try:
            snapshot = self.reader.snapshot()
        except Exception:  # a scrape must not fail because the store is down: say nothing
            return
        now = time.time()
        for name, fresh in snapshot.freshness(now).items():
            stored = snapshot.stored[name]
            models.add_metric([name], 0 if stored.mismatch else len(stored.present))
            age.add_metric([name], fresh.age_seconds or 0.0)
            if fresh.last_sync is not None:
                success.add_metric([name], fresh.last_sync.timestamp())
            state.add_metric([name, fresh.state], 1)
        yield from (models, age, success, state)


class Metrics:
    """The service's metrics and its exposition."""

    def __init__(self, reader: Reader) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no ``*_created`` series: half the exposition, no value
        multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        # In multiprocess mode the values live in files; the metric objects stay unregistered.
        own = None if multiprocess else CollectorRegistry()
        self.http_requests = Counter(
            "modelsync_http_requests",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=own,
        )
        self.http_seconds = Histogram(
            "modelsync_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=_HTTP_BUCKETS,
            registry=own,
        )
        self.sync_attempts = Counter(
            "modelsync_sync_attempts",
            "Background sync attempts by provider and status (success, skipped, error).",
            ["provider", "status"],
            registry=own,
        )
        self.sync_seconds = Histogram(
            "modelsync_sync_duration_seconds",
            "Duration of background syncs that fetched (success or error), by provider.",
            ["provider"],
            buckets=_SYNC_BUCKETS,
            registry=own,
        )
        self.registry = CollectorRegistry()
        if multiprocess:
            from prometheus_client import multiprocess as mp

            mp.MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        else:
            assert own is not None
            self.registry = own
        self.registry.register(CatalogCollector(reader))

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route, method, str(status)).inc()
        self.http_seconds.labels(route).observe(seconds)

    def observe_sync(self, result: SyncResult, seconds: float) -> None:
        """One provider's attempt; ``seconds`` since the attempt began (a failed result does
        not carry its own duration)."""
        self.sync_attempts.labels(result.provider, result.status).inc()
        if result.status in ("success", "error"):
            took = result.duration_ms / 1000 if result.duration_ms else seconds
            self.sync_seconds.labels(result.provider).observe(took)

    def render(self) -> bytes:
        return generate_latest(self.registry)
