"""The seed's algorithm for one provider: refresh rule, keys and TTLs, statistics, failure record.

``ProviderSync`` knows nothing about any wire format (that is the adapter's job) and nothing about
bytes on disk (the store's). One successful sync lands as one atomic write of models, last_sync,
statistics and the catalog's fingerprint; a failed one writes only ``:last_failure`` and leaves the
last good catalog exactly as it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .config import Settings
from .diff import Diff, Reconciled, absent_share, reconcile
from .errors import (
    InvalidCredentialsError,
    ModelSyncError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    ProviderUnreachableError,
    SuspiciousFetchError,
)
from .lifecycle import current_rows
from .redact import redact
from .results import Counters, ModelPreview, SyncResult
from .stats import compute_statistics
from .stores.base import LogAppend, Store

if TYPE_CHECKING:
    from .http import HttpClient
    from .metadata import Metadata
    from .model import Model
    from .providers.base import Adapter

log = logging.getLogger("modelsync")

_LOCK_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Keys:
    """The seed's cache keys, ``{prefix}:{provider}:...``, plus two of our own."""

    prefix: str
    provider: str

    def _k(self, suffix: str) -> str:
        return f"{self.prefix}:{self.provider}:{suffix}"

    @property
    def namespace(self) -> str:
        return f"{self.prefix}:{self.provider}:"

    @property
    def models(self) -> str:
        return self._k("models")

    @property
    def last_sync(self) -> str:
        return self._k("last_sync")

    @property
    def stats(self) -> str:
        return self._k("stats")

    @property
    def last_failure(self) -> str:
        return self._k("last_failure")

    @property
    def fingerprint(self) -> str:
        """Digest of base URL and key the catalog was fetched with (never the key itself)."""
        return self._k("fingerprint")

    @property
    def credentials(self) -> str:
        return self._k("credentials")

    @property
    def lock(self) -> str:
        return self._k("lock")

    @property
    def ledger(self) -> str:
        """The capped log of every sync attempt."""
        return self._k("ledger")


def _now() -> datetime:
    return datetime.now(UTC)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class ProviderSync:
    """One provider's sync contract, async. ``catalog.ProviderHandle`` gives the blocking face."""

    def __init__(
        self,
        adapter: Adapter,
        store: Store,
        settings: Settings,
        on_result: Callable[[SyncResult], None] | None = None,
        metadata: Metadata | None = None,
    ) -> None:
        self.adapter = adapter
        self.store = store
        self.settings = settings
        #: Curated facts merged under the provider's answers (bundled catalog, models.dev).
        self.metadata = metadata
        self.keys = Keys(settings.prefix, adapter.name)
        #: Called with every result of ``sync_models`` (the catalog's callbacks hang here).
        self.on_result = on_result

    def __repr__(self) -> str:
        return f"ProviderSync({self.adapter!r}, store={self.store.url!r})"

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def models_cache_key(self) -> str:
        return self.keys.models

    # -- reads ------------------------------------------------------------------------------

    def get_last_sync_time(self) -> datetime | None:
        return _parse_time(self.store.get_value(self.keys.last_sync, include_expired=False))

    def should_refresh_models(self) -> bool:
        """True when never synced, older than the refresh interval, or fetched for another key/host."""
        k = self.keys
        got = self.store.get_many([k.last_sync, k.models, k.fingerprint])  # one read, one instant
        last_entry, models_entry, fp_entry = got[k.last_sync], got[k.models], got[k.fingerprint]
        last = _parse_time(last_entry.value) if last_entry else None
        if last is None or models_entry is None or fp_entry is None:
            return True
        if _now() - last >= timedelta(seconds=self.settings.refresh_seconds):
            return True
        return bool(fp_entry.value != self.adapter.config.fingerprint)

    def cached_models(self) -> list[dict[str, Any]] | None:
        """The last good catalog as stored dicts, even past its TTL (stale beats nothing)."""
        value = self.store.get_value(self.keys.models, include_expired=True)
        return value if isinstance(value, list) else None

    def last_failure(self) -> dict[str, Any] | None:
        value = self.store.get_value(self.keys.last_failure)
        return value if isinstance(value, dict) else None

    # -- the seed's methods -----------------------------------------------------------------

    def store_model_statistics(self, models: list[Model]) -> dict[str, Any]:
        """Compute statistics for ``models`` and store them under ``:stats`` (7 d by default)."""
        stats = compute_statistics(models, self.adapter.families, _now(), self.adapter.breakdowns)
        self.store.put(self.keys.stats, stats, self.settings.ttl("stats"))
        return stats

    async def has_valid_credentials(self) -> bool:
        """Token-free and never raises: at most one list request, answer cached briefly."""
        config = self.adapter.config
        if self.adapter.credentials_missing:
            return False
        cached = await asyncio.to_thread(self.store.get_value, self.keys.credentials)
        if isinstance(cached, dict) and cached.get("fingerprint") == config.credentials_fingerprint:
            return bool(cached.get("valid"))
        try:
            async with self.adapter.http(max_retries=1) as http:
                async with asyncio.timeout(self.settings.request_timeout * 2):
                    await self.adapter.probe(http)
            valid = True
        except (InvalidCredentialsError, PermissionDeniedError):
            valid = False
        except Exception as exc:  # never raises: an outage is "not known valid", uncached
            log.info("%s: credential check inconclusive (%s)", self.name, _describe(exc))
            return False
        await asyncio.to_thread(self._remember_credentials, valid)
        return valid

    def _remember_credentials(self, valid: bool) -> None:
        self.store.put(
            self.keys.credentials,
            {"valid": valid, "fingerprint": self.adapter.config.credentials_fingerprint},
            self.settings.credentials_cache_seconds,
        )

    async def get_syncable_models(self) -> list[ModelPreview]:
        """Preview ``{id, name, owned_by, created}`` with one list call; writes nothing."""
        self._require_key()
        async with self.adapter.http() as http:
            async with asyncio.timeout(self.settings.timeout):
                return await self.adapter.preview(http)

    async def dry_run(self, optional: bool = False) -> SyncResult:
        """Fetch as a real sync would and report the diff it would make; write nothing."""
        started = time.monotonic()
        self._require_key()
        async with self.adapter.http(fail_fast_unreachable=optional) as http:
            try:
                fetched = await self._fetch(http)
            except ProviderUnreachableError:
                if optional and http.counters.requests <= 1:
                    return self._not_running(started)
                raise
        plan = await asyncio.to_thread(self._plan, fetched)
        return SyncResult(
            provider=self.name,
            status="dry_run",
            models_synced=len(plan.models),
            last_sync=await asyncio.to_thread(self.get_last_sync_time),
            preview=[m.preview() for m in plan.models],
            diff=plan.reconciled.diff,
            warnings=list(http.counters.warnings),
            duration_ms=_ms(started),
            requests=http.counters.requests,
            retries=http.counters.retries,
            pages=http.counters.pages,
        )

    async def sync_models(self, force_refresh: bool = False, optional: bool = False) -> SyncResult:
        """Skip when fresh; otherwise fetch every page and store it all in one atomic write.

        ``optional`` is for local servers a plain sync includes only when they answer: one
        refused connection then yields ``skipped``/``not_running``, with nothing recorded.
        """
        try:
            result = await self._sync_models(force_refresh, optional)
        except ModelSyncError as exc:
            self._notify(
                exc.sync_result
                or SyncResult(
                    provider=self.name, status="error", error=str(exc), error_type=exc.error_type
                )
            )
            raise
        if result.reason != "not_running":
            self._notify(result)
        return result

    def _not_running(self, started: float) -> SyncResult:
        log.info("%s: not running at %s; left out", self.name, self.adapter.config.base_url)
        return SyncResult(
            provider=self.name, status="skipped", reason="not_running", duration_ms=_ms(started)
        )

    def _require_key(self) -> None:
        """A needed key that is not set fails here, before any request (and is not an attempt:
        nothing reached the provider, so nothing goes in the ledger)."""
        if self.adapter.credentials_missing:
            raise self.adapter.config.missing_key_error()

    def _notify(self, result: SyncResult) -> None:
        if self.on_result is not None:
            self.on_result(result)

    async def _sync_models(self, force_refresh: bool, optional: bool) -> SyncResult:
        log.info("%s: starting model sync (force_refresh=%s)", self.name, force_refresh)
        started = time.monotonic()
        self._require_key()
        # Store I/O runs in a worker thread: a slow or locked store must not stall the event
        # loop (the other providers' fetches, or an application's own tasks).
        if not force_refresh and not await asyncio.to_thread(self.should_refresh_models):
            return await asyncio.to_thread(self._skipped, "cache_valid", started)
        owner = uuid.uuid4().hex
        if not await self._acquire(owner):
            return await asyncio.to_thread(self._skipped, "sync_in_progress", started)
        try:
            if not force_refresh and not await asyncio.to_thread(self.should_refresh_models):
                # another process just synced
                return await asyncio.to_thread(self._skipped, "cache_valid", started)
            return await self._sync_locked(started, owner, optional)
        finally:
            await asyncio.to_thread(self.store.release, self.keys.lock, owner)

    # -- internals --------------------------------------------------------------------------

    async def _acquire(self, owner: str) -> bool:
        deadline = time.monotonic() + self.settings.lock_wait_seconds
        while True:
            if await asyncio.to_thread(
                self.store.try_acquire, self.keys.lock, owner, self.settings.lock_lease_seconds
            ):
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(_LOCK_POLL_SECONDS)

    def _skipped(self, reason: str, started: float) -> SyncResult:
        last = self.get_last_sync_time()
        log.info(
            "%s: model sync skipped (%s, last sync %s)",
            self.name,
            reason,
            last.isoformat() if last else "never",
        )
        return SyncResult(
            provider=self.name,
            status="skipped",
            reason=reason,
            last_sync=last,
            duration_ms=_ms(started),
        )

    def _deadline_error(self) -> ProviderUnavailableError:
        return ProviderUnavailableError(
            f"no complete model list within {self.settings.timeout:g}s",
            provider=self.name,
            hint="the last good catalog is kept; raise --timeout / MODELSYNC_TIMEOUT if the "
            "provider is just slow",
        )

    async def _sync_locked(self, started: float, owner: str, optional: bool) -> SyncResult:
        counters = Counters()
        began = _now()
        try:
            async with self.adapter.http(fail_fast_unreachable=optional) as http:
                counters = http.counters
                try:
                    fetched = await self._fetch(http)
                except ProviderUnreachableError:
                    if optional and counters.requests <= 1:
                        return self._not_running(started)
                    raise
            plan = await asyncio.to_thread(self._plan, fetched)
            result = await asyncio.to_thread(self._commit, plan, started, began, counters, owner)
        except ModelSyncError as exc:
            await asyncio.to_thread(self._record_failure, exc, counters, began, started)
            raise
        except Exception as exc:
            wrapped = ProviderError(
                f"unexpected failure: {redact(_describe(exc), self._secrets())}",
                provider=self.name,
                hint="this is a modelsync bug; please report it with -v output",
            )
            await asyncio.to_thread(
                self._record_failure, wrapped, counters, began, started, "internal_error"
            )
            raise wrapped from exc
        log.info(
            "%s: model sync completed: %d models in %d ms (%d requests, %d retries)%s",
            self.name,
            result.models_synced,
            result.duration_ms,
            result.requests,
            result.retries,
            _summary(result.diff),
        )
        return result

    async def _fetch(self, http: HttpClient) -> list[Model]:
        """Every model from the provider, merged with curated facts.

        The live metadata sources (when enabled) are fetched alongside, not after, the
        provider's list.
        """
        if self.metadata is None:
            return await self._fetch_listed(http)
        facts = asyncio.ensure_future(self.metadata.live())
        try:
            fetched = await self._fetch_listed(http)
        except BaseException:
            facts.cancel()
            raise
        return self.metadata.apply(fetched, self.adapter.spec.name, await facts)

    async def _fetch_listed(self, http: HttpClient) -> list[Model]:
        try:
            async with asyncio.timeout(self.settings.timeout):
                models = await self.adapter.fetch(http)
                if not self.adapter.has_details:
                    return models
                previous = await asyncio.to_thread(self._previous_by_id)  # store I/O off the loop
                return await self.adapter.details(http, models, previous)
        except TimeoutError:
            raise self._deadline_error() from None

    def _previous_by_id(self) -> dict[str, dict[str, Any]]:
        """The last good catalog of this very source (same key and host), by id: what an
        adapter's per-model detail requests may reuse instead of asking again."""
        same = self.store.get_value(self.keys.fingerprint, include_expired=True)
        if same != self.adapter.config.fingerprint:
            return {}
        return {row["id"]: row for row in self.cached_models() or () if isinstance(row, dict)}

    def _secrets(self) -> tuple[str, ...]:
        return self.adapter.secrets()

    def _plan(self, fetched: list[Model]) -> _Plan:
        """De-duplicate, refuse a fetch that would gut the catalog, and reconcile the rest.

        A provider that answers 200 with an empty or half-empty list (a broken gateway, a page
        chain cut short) must not erase what we knew. A changed key or host starts a new
        catalog: its models are all added and nothing of the old one is reported removed.
        """
        unique: dict[str, Model] = {}
        for model in fetched:
            unique.setdefault(model.id, model)
        models = list(unique.values())
        previous = self.cached_models() or []
        same_source = self.store.get_value(self.keys.fingerprint, include_expired=True) == (
            self.adapter.config.fingerprint
        )
        if not same_source:
            previous = []
        gone, present = absent_share(previous, set(unique))
        if present and (not unique or gone / present > self.settings.max_shrink):
            raise SuspiciousFetchError(
                f"answered with {len(unique)} models where the last good catalog had "
                f"{present} ({gone} would vanish at once)",
                provider=self.name,
                hint="the last good catalog is kept; if this is real, raise "
                f"MODELSYNC_MAX_SHRINK or run `modelsync clear {self.name}`",
            )
        # The lifecycle as of this sync (dates decide it; reads decide it again), so a model
        # whose shutdown date passed since the last sync is reported retired by this diff.
        rows = current_rows((m.to_dict() for m in models), _now())
        return _Plan(models, reconcile(previous, rows, self.settings.remove_after), len(previous))

    def _commit(
        self,
        plan: _Plan,
        started: float,
        began: datetime,
        counters: Counters,
        owner: str,
    ) -> SyncResult:
        now = _now()
        stats = compute_statistics(plan.models, self.adapter.families, now, self.adapter.breakdowns)
        s = self.settings
        fp = self.adapter.config.fingerprint
        result = SyncResult(
            provider=self.name,
            status="success",
            models_synced=len(plan.models),
            statistics=stats,
            cached_until=now + timedelta(seconds=s.ttl("models")),
            last_sync=now,
            duration_ms=_ms(started),
            requests=counters.requests,
            retries=counters.retries,
            pages=counters.pages,
            diff=plan.reconciled.diff,
            warnings=list(counters.warnings),
        )
        record = self._ledger_record(result, began, plan.before, len(plan.reconciled.rows))
        self.store.put_many(
            {
                self.keys.models: (plan.reconciled.rows, s.ttl("models")),
                self.keys.last_sync: (now.isoformat(), s.ttl("last_sync")),
                self.keys.stats: (stats, s.ttl("stats")),
                self.keys.fingerprint: (fp, s.ttl("last_sync")),
                self.keys.credentials: (
                    {"valid": True, "fingerprint": self.adapter.config.credentials_fingerprint},
                    s.credentials_cache_seconds,
                ),
            },
            fence=(self.keys.lock, owner),
            append=LogAppend(self.keys.ledger, record, s.ledger_max_entries),
        )
        return result

    def _ledger_record(
        self, result: SyncResult, began: datetime, before: int, after: int
    ) -> dict[str, Any]:
        """One ledger line: what a sync attempt did, success or not (errors already redacted)."""
        return {
            "provider": self.name,
            "started_at": began.isoformat(),
            "finished_at": _now().isoformat(),
            "duration_ms": result.duration_ms,
            "status": result.status,
            "pages": result.pages,
            "requests": result.requests,
            "retries": result.retries,
            "error_type": result.error_type,
            "error": result.error,
            "suspicious": result.error_type == SuspiciousFetchError.error_type,
            "models_before": before,
            "models_after": after,
            "diff": result.diff.to_dict(events=False) if result.diff else None,
            **({"warnings": result.warnings} if result.warnings else {}),
        }

    def _record_failure(
        self,
        exc: ModelSyncError,
        counters: Counters,
        began: datetime,
        started: float,
        error_type: str | None = None,
    ) -> None:
        kind = error_type or exc.error_type
        # INFO, not ERROR: the error is raised and becomes the caller's result (the CLI's one
        # "✗" line); logging it loudly too would report every failure twice.
        log.info("%s: model sync failed: %s [%s]", self.name, exc, kind)
        message = redact(str(exc), self._secrets())
        record = {
            "error": message,
            "error_type": kind,
            "failed_at": _now().isoformat(),
            "retry_count": counters.retries,
            "status_code": exc.status_code,
        }
        count = len(self.cached_models() or [])
        failed = SyncResult(
            provider=self.name,
            status="error",
            error=message,
            error_type=kind,
            duration_ms=_ms(started),
            requests=counters.requests,
            retries=counters.retries,
            pages=counters.pages,
        )
        exc.sync_result = failed  # the caller's result carries the real counters
        try:
            self.store.put_many(
                {self.keys.last_failure: (record, self.settings.ttl("failure"))},
                append=LogAppend(
                    self.keys.ledger,
                    self._ledger_record(failed, began, count, count),
                    self.settings.ledger_max_entries,
                ),
            )
        except ModelSyncError as store_exc:  # the original error matters more
            log.error("%s: could not record the failure: %s", self.name, store_exc)

    def history(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Ledger records of this provider, newest first."""
        return [
            r for r in self.store.read_log(self.keys.ledger, limit=limit) if isinstance(r, dict)
        ]


@dataclass(frozen=True)
class _Plan:
    """A fetch checked and reconciled, ready to commit (or to show, for a dry run)."""

    models: list[Model]
    reconciled: Reconciled
    before: int


def _summary(diff: Diff | None) -> str:
    if diff is None:
        return ""
    if diff.first_sync:
        return f"; first sync: {len(diff.added)} models"
    return f"; +{len(diff.added)} -{len(diff.removed)} ~{len(diff.changed)}" + (
        f" ({len(diff.missing)} missing)" if diff.missing else ""
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ModelSyncError) else f"{type(exc).__name__}: {exc}"
