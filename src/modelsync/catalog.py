"""The facade: one ``Catalog`` (blocking) and ``AsyncCatalog`` over providers, a store and settings.

Syncs fan out concurrently, each provider under its own deadline; one provider's failure becomes an
``error`` result for that provider only. Reads come from the store alone, never the network, and say
when what they return is stale and how old it is.

One core (``_CatalogCore``) does the work with blocking store reads. ``Catalog`` is that core as
is, plus a blocking ``sync()``. ``AsyncCatalog`` wraps a ``Catalog`` and makes every read and
command awaitable: store I/O runs in a worker thread (``asyncio.to_thread``), so a slow or locked
store never stalls the event loop, and the network parts run natively on the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from .config import Settings, check_instance_name, default_store_url
from .diff import LIFECYCLE_KINDS, ChangeEvent, Diff, combine
from .errors import ConfigurationError, ModelSyncError
from .lifecycle import CheckResult, Deprecation, assess_requirement, current_rows
from .metadata import Metadata
from .names import check_name, check_query
from .providers import BUILTIN, adapter_class, known_providers, plugins
from .query import filter_models
from .readcache import CatalogView, StoredCatalog, judge
from .redact import mask_url
from .results import SyncResult
from .stores import Entry, Store, open_store
from .sync import Keys, ProviderSync

if TYPE_CHECKING:
    from .clearing import ClearSummary
    from .model import Model
    from .providers.base import Adapter

log = logging.getLogger("modelsync")
T = TypeVar("T")


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from blocking code, even inside a running loop (a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass(frozen=True)
class Freshness:
    """How old a provider's stored catalog is; ``state`` is fresh, due (past refresh) or stale."""

    provider: str
    last_sync: datetime | None
    age_seconds: float | None
    state: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "age_seconds": None if self.age_seconds is None else round(self.age_seconds, 1),
            "state": self.state,
        }


class ModelList(list["Model"]):
    """A list of models that also knows how fresh each provider's part of it is."""

    def __init__(self, models: Iterable[Model], freshness: Mapping[str, Freshness]) -> None:
        super().__init__(models)
        self.freshness = dict(freshness)

    @property
    def stale(self) -> list[Freshness]:
        return [f for f in self.freshness.values() if f.state == "stale"]


class SyncReport:
    """Per-provider results of one fan-out, in the order they finished."""

    def __init__(self, results: Iterable[SyncResult] = ()) -> None:
        self.results: dict[str, SyncResult] = {r.provider: r for r in results}

    def __getitem__(self, provider: str) -> SyncResult:
        return self.results[provider]

    def __iter__(self) -> Any:
        return iter(self.results.values())

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        inner = ", ".join(f"{p}={r.status}" for p, r in self.results.items())
        return f"SyncReport({inner})"

    @property
    def exit_code(self) -> int:
        """0: all succeeded or skipped; 2: some failed, some did not; 1: none succeeded."""
        oks = [r.ok for r in self.results.values()]
        if oks and all(oks):
            return 0
        return 2 if any(oks) else 1

    def to_dict(self) -> dict[str, Any]:
        return {"providers": {p: r.to_dict() for p, r in self.results.items()}}


def known_builtin() -> set[str]:
    return set(BUILTIN)


class _CatalogCore:
    """Providers from the environment (or given), a store (SQLite by default), settings.

    Reads here block on the store; ``AsyncCatalog`` runs them in a worker thread. The lazily
    built store, adapters and engines are guarded by one lock, because the async face may
    touch them from several threads at once.
    """

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        store: Store | str | None = None,
        env: Mapping[str, str] | None = None,
        adapters: Iterable[Adapter] | None = None,
        **overrides: Any,
    ) -> None:
        self._env: Mapping[str, str] = os.environ if env is None else env
        self.settings = settings or Settings.load(self._env, **overrides)
        if settings is not None and overrides:
            self.settings = replace(settings, **overrides)
        self._store = store if isinstance(store, Store) else None
        self._store_url = store if isinstance(store, str) else None
        self._adapters: dict[str, Adapter] = {a.name: a for a in adapters or ()}
        self._engines: dict[str, ProviderSync] = {}
        self._lock = threading.RLock()
        self._metadata: Metadata | None = None
        self._view: CatalogView | None = None
        self._listeners: dict[str, list[Callable[[SyncResult], None]]] = {
            "sync": [],
            "change": [],
            "failure": [],
        }
        self._on_deprecation: list[Callable[[ChangeEvent], None]] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(store={self.store_url!r}, providers={self.provider_names()})"

    # -- wiring -----------------------------------------------------------------------------

    @property
    def store_url(self) -> str:
        """The store's URL with any password masked: safe to print."""
        if self._store is not None:
            return self._store.url
        return mask_url(self._raw_store_url)

    @property
    def _raw_store_url(self) -> str:
        return self._store_url or self.settings.store or default_store_url()

    @property
    def store(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(
                        self._raw_store_url,
                        stale_retention_seconds=self.settings.stale_retention_hours * 3600,
                        version_key=f"{self.settings.prefix}:store-version",
                    )
        return self._store

    @property
    def metadata(self) -> Metadata:
        """Curated facts (bundled catalog, models.dev when enabled, overrides) for syncs."""
        if self._metadata is None:
            store = self.store
            with self._lock:
                if self._metadata is None:
                    self._metadata = Metadata(store, self.settings)
        return self._metadata

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def provider_names(self) -> list[str]:
        """Built-ins, plugins, named instances from the config file, and ones added in code."""
        names = list(self._adapters)
        for name in known_providers():
            override = self.settings.providers.get(name)
            if name not in names and (override is None or override.enabled):
                names.append(name)
        for name, override in self.settings.providers.items():
            if override.type and override.enabled and name not in names:
                names.append(name)
        return names

    def adapter(self, name: str) -> Adapter:
        """The configured adapter for a provider or named instance (built on first use)."""
        if name not in self._adapters:
            override = self.settings.providers.get(name)
            kind = override.type if override and override.type else name
            if kind == name and name not in known_providers():
                check_name(name, self.provider_names(), kind="provider")
            cls = adapter_class(kind)
            with self._lock:
                if name not in self._adapters:
                    self._adapters[name] = cls.from_env(self.settings, self._env, name=name)
        return self._adapters[name]

    def check_provider(self, name: str) -> None:
        """Raise ``ConfigurationError`` (with "did you mean ...") unless ``name`` is a provider
        known here: built in, a plugin, a named instance, added in code, or one the store holds
        (a reader on a shared store need not configure what another host syncs)."""
        if name in self.provider_names():
            return
        check_name(name, [*self.provider_names(), *self._providers_in_store()], kind="provider")

    def _providers_in_store(self) -> list[str]:
        """Every provider with any key in the store (a catalog, a failure record, ...)."""
        prefix = f"{self.settings.prefix}:"
        names: dict[str, None] = {}
        for key in self.store.keys(prefix):
            name, sep, _ = key[len(prefix) :].rpartition(":")
            if sep and name:
                names[name] = None
        return list(names)

    def add_provider(
        self,
        name: str,
        type: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
    ) -> ProviderHandle:
        """Add a named instance in code, e.g. ``add_provider("my-vllm", "openai-compatible",
        base_url="http://gpu-1:8000/v1")``; it keeps its own catalog under its name."""
        check_instance_name(name)
        kind = type or name
        if kind not in known_providers():
            check_name(kind, known_providers(), kind="provider type")
        cls = adapter_class(kind)
        self._adapters[name] = cls.from_env(
            self.settings,
            self._env,
            name=name,
            base_url=base_url,
            api_key=api_key,
            api_key_env=api_key_env,
        )
        self._engines.pop(name, None)
        self._view = None  # which catalogs belong to today's keys may have changed
        return self.provider(name)

    def engine(self, name: str) -> ProviderSync:
        if name not in self._engines:
            adapter, store, metadata = self.adapter(name), self.store, self.metadata
            with self._lock:
                if name not in self._engines:
                    self._engines[name] = ProviderSync(
                        adapter, store, self.settings, on_result=self._emit, metadata=metadata
                    )
        return self._engines[name]

    # -- notifications ----------------------------------------------------------------------

    def on_sync(self, fn: Callable[[SyncResult], None]) -> Callable[[SyncResult], None]:
        """Call ``fn(result)`` after every provider sync (success, skip or error)."""
        self._listeners["sync"].append(fn)
        return fn

    def on_change(self, fn: Callable[[SyncResult], None]) -> Callable[[SyncResult], None]:
        """Call ``fn(result)`` when a sync added, removed or changed models (``result.diff``).

        A provider's first sync is a baseline, not a change.
        """
        self._listeners["change"].append(fn)
        return fn

    def on_failure(self, fn: Callable[[SyncResult], None]) -> Callable[[SyncResult], None]:
        """Call ``fn(result)`` when a provider's sync fails (``result.error_type``)."""
        self._listeners["failure"].append(fn)
        return fn

    def on_deprecation(self, fn: Callable[[ChangeEvent], None]) -> Callable[[ChangeEvent], None]:
        """Call ``fn(event)`` for each lifecycle change a sync finds: ``event.kind`` is
        ``deprecation_announced``, ``shutdown_date_changed``, ``deprecation_withdrawn``,
        ``retired`` or ``replacement_changed``, with ``provider``, ``id``, ``shutdown_date``,
        ``replacement`` and the old and new values in ``changes``.

        A retirement by the passage of time is reported by the first sync after the date.
        """
        self._on_deprecation.append(fn)
        return fn

    def _emit(self, result: SyncResult) -> None:
        kinds = ["sync"]
        if result.status == "error":
            kinds.append("failure")
        diff = result.diff
        if result.status == "success" and diff and not diff.empty and not diff.first_sync:
            kinds.append("change")
        for kind in kinds:
            for fn in self._listeners[kind]:
                try:
                    fn(result)
                except Exception:  # a listener's bug must not fail the sync
                    log.exception("%s: an on_%s callback failed", result.provider, kind)
        if "change" in kinds and diff is not None and self._on_deprecation:
            for event in diff.events(result.provider):
                if event.kind not in LIFECYCLE_KINDS:
                    continue
                for listener in self._on_deprecation:
                    try:
                        listener(event)
                    except Exception:
                        log.exception("%s: an on_deprecation callback failed", result.provider)

    def provider(self, name: str) -> ProviderHandle:
        """The seed's per-provider contract for ``name``."""
        return ProviderHandle(self.engine(name))

    def is_configured(self, name: str) -> bool:
        """A key is set, or none is needed (and its base URL resolves)."""
        try:
            adapter = self.adapter(name)
        except ConfigurationError:
            return False
        return adapter.has_credentials or not adapter.config.key_required

    def key_state(self, name: str) -> tuple[str, list[str]]:
        """``("set" | "missing" | "not needed" | "optional" | "unconfigured", variables)``:
        whether its credentials are set, and the variables that hold (or would hold) a key."""
        try:
            adapter = self.adapter(name)
        except ConfigurationError:
            return "unconfigured", []  # e.g. an OpenAI-compatible server without a base URL
        config = adapter.config
        if adapter.has_credentials:
            return "set", [config.key_env] if config.has_key and config.key_env else []
        envs = list(config.key_envs)
        if config.key_required:
            return "missing", envs
        return ("optional" if envs else "not needed"), envs

    def missing_key_hint(self) -> str:
        """Every variable that would configure a provider a plain sync includes: each
        provider's key variables (``GOOGLE_API_KEY`` and ``CO_API_KEY`` too) and the
        ``api_key_env`` of each named instance."""
        envs: list[str] = []
        local: list[str] = []
        for name in self.provider_names():
            try:
                adapter = self.adapter(name)
            except ConfigurationError:
                # A provider that needs its endpoint too (Azure): the key and where it goes.
                spec = self._spec_of(name)
                if spec is not None and spec.key_envs:
                    envs.append(f"{spec.key_envs[0]} with {spec.base_url_env}")
                continue
            if adapter.spec.auto_sync == "probe" and not adapter.config.key_required:
                local.append(f"{name} at {adapter.config.base_url}")
                continue
            envs.extend(adapter.config.key_envs)
        hint = "Set an API key in one of: " + ", ".join(dict.fromkeys(envs))
        if local:
            hint += "; or start a local server (" + ", ".join(local) + ")"
        return hint

    def _spec_of(self, name: str) -> Any:
        """The adapter spec behind ``name`` (an instance's type), or None if unknown."""
        override = self.settings.providers.get(name)
        try:
            return adapter_class(override.type if override and override.type else name).spec
        except (ConfigurationError, KeyError, ValueError):
            return None

    def describe_providers(self) -> list[dict[str, Any]]:
        """Every known provider: type, env vars, whether configured, where it points."""
        plugin_names = set(plugins())
        rows = []
        for name in self.provider_names():
            override = self.settings.providers.get(name)
            row: dict[str, Any] = {"provider": name}
            try:
                adapter = self.adapter(name)
            except ConfigurationError as exc:
                row.update(configured=False, error=str(exc))
                rows.append(row)
                continue
            spec = adapter.spec
            source = "builtin"
            if name in plugin_names and name not in known_builtin():
                source = "plugin"
            elif (override and override.type) or name not in known_providers():
                source = "instance"
            row.update(
                type=spec.name,
                title=spec.title,
                source=source,
                key_env=(
                    [adapter.config.key_env]
                    if adapter.config.has_key
                    else list(adapter.config.key_envs)
                ),
                key_required=adapter.config.key_required,
                key_set=adapter.config.has_key,
                configured=adapter.has_credentials or not adapter.config.key_required,
                base_url_env=spec.base_url_env,
                base_url=adapter.config.base_url,
                base_url_origin=adapter.config.base_url_origin,
                auto_sync=spec.auto_sync,
            )
            extra = adapter.missing_extra()
            if extra:
                row["missing_extra"] = extra
            rows.append(row)
        return rows

    # -- sync -------------------------------------------------------------------------------

    async def _select(self, providers: Iterable[str] | None) -> tuple[list[str], set[str]]:
        """The providers to sync, and which of them are optional (local servers that join a
        plain sync only if they answer: they are tried, not probed first, so they cost no extra
        request and do not hold up the others)."""
        if providers:
            names = list(dict.fromkeys(providers))
            for name in names:
                self.adapter(name)  # unknown names fail before any request
            return names, set()
        names, optional = [], set()
        for name in self.provider_names():
            override = self.settings.providers.get(name)
            if override and override.type and override.api_key_env and not self.is_configured(name):
                # a named instance whose key variable is unset: fail it, naming the variable,
                # rather than leave out what the user configured without a word
                names.append(name)
                continue
            if not self.is_configured(name):
                continue
            adapter = self.adapter(name)
            if adapter.spec.auto_sync == "probe":
                names.append(name)
                optional.add(name)
            elif adapter.has_credentials:
                names.append(name)
        if not names:
            raise ConfigurationError("no provider has credentials", hint=self.missing_key_hint())
        return names, optional

    async def async_sync(
        self,
        providers: Iterable[str] | None = None,
        *,
        force: bool = False,
        dry_run: bool = False,
        on_result: Callable[[SyncResult], None] | None = None,
    ) -> SyncReport:
        """Sync the named providers, or every one with credentials, concurrently."""
        names, optional = await self._select(providers)
        # an unreachable store fails the run once, not per provider
        await asyncio.to_thread(lambda: self.store)

        async def one(name: str) -> SyncResult:
            try:
                engine = self.engine(name)
                if dry_run:
                    return await engine.dry_run(optional=name in optional)
                return await engine.sync_models(force_refresh=force, optional=name in optional)
            except ModelSyncError as exc:
                return exc.sync_result or SyncResult(
                    provider=name, status="error", error=str(exc), error_type=exc.error_type
                )

        results: list[SyncResult] = []
        tasks = [asyncio.ensure_future(one(n)) for n in names]
        try:
            for done in asyncio.as_completed(tasks):
                result = await done
                if result.reason == "not_running" and result.provider in optional:
                    continue  # an optional local server that is not running is left out
                results.append(result)
                if on_result is not None:
                    on_result(result)
        finally:
            # Cancelled (a service shutting down): stop every provider's fetch too and let each
            # unwind, so no orphaned fetch keeps its lease or writes after we are gone.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if not results and optional and set(names) == optional:
            raise ConfigurationError("no provider has credentials", hint=self.missing_key_hint())
        if not dry_run:
            await asyncio.to_thread(self._purge_quietly)
        order = {n: i for i, n in enumerate(names)}
        return SyncReport(sorted(results, key=lambda r: order[r.provider]))

    # -- reads ------------------------------------------------------------------------------

    def freshness(self, name: str) -> Freshness:
        """How old ``name``'s stored catalog is, and whether it belongs to the current key/host.

        ``state`` is ``empty``, ``fresh``, ``due`` (past the refresh interval), ``stale`` (past
        its TTL, served as the last good catalog) or ``mismatch`` (fetched with another key or
        base URL than the one configured now: never served).
        """
        return self._read(name)[0]

    def _read(
        self, name: str, *extra: str
    ) -> tuple[Freshness, list[dict[str, Any]] | None, dict[str, Entry | None]]:
        """One consistent snapshot of a provider's catalog and the facts needed to judge it,
        plus any ``extra`` keys, all from the same ``get_many`` (one instant)."""
        keys = Keys(self.settings.prefix, name)
        got = self.store.get_many(
            [keys.models, keys.last_sync, keys.fingerprint, *extra], include_expired=True
        )
        models_entry, last_entry, fp_entry = (
            got[keys.models],
            got[keys.last_sync],
            got[keys.fingerprint],
        )
        last = None
        if last_entry is not None and isinstance(last_entry.value, str):
            last = datetime.fromisoformat(last_entry.value)
        if models_entry is None or not isinstance(models_entry.value, list):
            return Freshness(name, last, None, "empty"), None, got
        now = datetime.now(UTC)
        synced = last or datetime.fromtimestamp(models_entry.stored_at, UTC)
        age = (now - synced).total_seconds()
        state = judge(
            mismatch=fp_entry is not None and self._belongs_elsewhere(name, fp_entry.value),
            expired=models_entry.expired(now.timestamp()),
            age=age,
            refresh_seconds=self.settings.refresh_seconds,
        )
        return Freshness(name, synced, age, state), models_entry.value, got

    def _belongs_elsewhere(self, name: str, stored_fingerprint: Any) -> bool:
        """True when the stored catalog was fetched with a key or host other than today's."""
        try:
            adapter = self.adapter(name)
        except ConfigurationError:
            return False  # cannot tell (e.g. a plugin not installed here): serve what we have
        if adapter.credentials_missing:
            return False  # a reader without keys (a web worker on a shared store) reads as-is
        return bool(stored_fingerprint != adapter.config.fingerprint)

    def raw_models(
        self,
        provider: str | None = None,
        *,
        capability: str | None = None,
        search: str | None = None,
        include_missing: bool = False,
        min_context: int | None = None,
        max_price: Decimal | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Freshness]]:
        """Stored model dicts and each provider's freshness; no validation, no network.

        Models the last good fetch did not list (kept as ``missing`` until safe removal) are
        left out unless ``include_missing``. An unknown provider or capability name, a
        ``min_context`` below 1 or a negative ``max_price`` is a ``ConfigurationError``.
        """
        check_query(capability=capability, min_context=min_context, max_price=max_price)
        if provider:
            self.check_provider(provider)
        view = self.view()
        names = [provider] if provider else view.names()
        rows: list[dict[str, Any]] = []
        freshness: dict[str, Freshness] = {}
        now = time.time()
        filtered = any(x is not None for x in (capability, search, min_context, max_price))
        for name in names:
            stored = view.read(name)
            if stored is None:
                continue
            fresh = self.freshness_of(stored, now)
            freshness[name] = fresh
            if fresh.state == "mismatch":
                log.warning(
                    "%s: the stored catalog was fetched with a different key or base URL; "
                    "not serving it (run `modelsync sync %s`)",
                    name,
                    name,
                )
                continue
            if fresh.state == "stale":
                log.warning(
                    "%s: serving the last good catalog, %s old (stale)",
                    name,
                    _human_age(fresh.age_seconds),
                )
            decided = stored.decided(now)  # lifecycle decided now: dates pass between syncs
            value = decided.rows if include_missing else decided.present
            if not filtered:
                rows.extend(value)
                continue
            rows.extend(
                filter_models(
                    value,
                    capability=capability,
                    search=search,
                    min_context=min_context,
                    max_price=max_price,
                )
            )
        return rows, freshness

    def view(self) -> CatalogView:
        """The stored catalogs, decoded once per store version (``Store.version()``).

        A long-lived process (a web worker, the HTTP service) pays one small read per call while
        nothing changes; any write anywhere in the store starts a new view. Rows and models in a
        view are shared between callers: treat them as read-only.
        """
        version = self.store.version()
        view = self._view
        if view is not None and view.usable(version, time.time()):
            return view
        view = CatalogView(
            version,
            list_names=self._stored_providers,
            read=self._read_stored,
            retention_seconds=self.settings.stale_retention_hours * 3600,
        )
        self._view = view
        return view

    def _read_stored(self, name: str) -> StoredCatalog | None:
        fresh, value, got = self._read(name)
        entry = got[Keys(self.settings.prefix, name).models]
        if value is None or entry is None or fresh.last_sync is None:
            return None
        return StoredCatalog(
            name,
            tuple(value),
            fresh.last_sync,
            entry.expires_at,
            mismatch=fresh.state == "mismatch",
        )

    def freshness_of(self, stored: StoredCatalog, now: float) -> Freshness:
        """The freshness of a catalog from ``view()`` at ``now`` (Unix seconds)."""
        state, age = stored.state(now, self.settings.refresh_seconds)
        return Freshness(stored.provider, stored.synced, age, state)

    def models(
        self,
        provider: str | None = None,
        *,
        capability: str | None = None,
        search: str | None = None,
        include_missing: bool = False,
        min_context: int | None = None,
        max_price: Decimal | None = None,
    ) -> ModelList:
        """Model objects from the store (no network), with each provider's freshness.

        ``min_context`` and ``max_price`` (input, USD per 1M tokens) never match a model whose
        value is unknown.
        """
        rows, freshness = self.raw_models(
            provider,
            capability=capability,
            search=search,
            include_missing=include_missing,
            min_context=min_context,
            max_price=max_price,
        )
        view = self._view or self.view()  # the view raw_models just read from
        if any(x is not None for x in (capability, search, min_context, max_price)):
            return ModelList((view.model(r) for r in rows), freshness)
        key = (provider, include_missing, tuple(sorted(freshness)))
        return ModelList(view.models(key, rows), freshness)

    def snapshot(self, provider: str) -> dict[str, Any]:
        """Models, statistics and freshness of one provider read at one instant (one sync's)."""
        self.check_provider(provider)
        keys = Keys(self.settings.prefix, provider)
        fresh, models, got = self._read(provider, keys.stats)
        values = {k: None if e is None else e.value for k, e in got.items()}
        stats, last = values[keys.stats], values[keys.last_sync]
        if fresh.state == "mismatch":
            models, stats = None, None
        if isinstance(models, list):
            models = current_rows(models)  # lifecycle decided now, as in raw_models
        return {"models": models, "statistics": stats, "last_sync": last, "freshness": fresh}

    def _stored_providers(self) -> list[str]:
        prefix = f"{self.settings.prefix}:"
        names = []
        for key in self.store.keys(prefix):
            rest = key[len(prefix) :]
            name, _, suffix = rest.rpartition(":")
            if suffix == "models" and name and name not in names:
                names.append(name)
        return names

    def history(
        self, provider: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Ledger records (every sync attempt), newest first, for one provider or all stored."""
        if provider:
            self.check_provider(provider)
        names = [provider] if provider else self._ledger_providers()
        records: list[dict[str, Any]] = []
        for name in names:
            stream = Keys(self.settings.prefix, name).ledger
            records.extend(
                r for r in self.store.read_log(stream, limit=limit) if isinstance(r, dict)
            )
        records.sort(key=lambda r: str(r.get("started_at", "")), reverse=True)
        return records[:limit] if limit is not None else records

    def _ledger_providers(self) -> list[str]:
        return list(dict.fromkeys([*self._stored_providers(), *self.provider_names()]))

    def diff(
        self,
        provider: str | None = None,
        *,
        since: datetime | None = None,
        last: int | None = None,
    ) -> dict[str, Diff]:
        """Net added/removed/changed per provider over the chosen span of successful syncs.

        ``since`` keeps syncs that started at or after it; ``last`` keeps each provider's last
        N successful syncs. With neither, the last successful sync.
        """
        if since is None and last is None:
            last = 1
        if provider:
            self.check_provider(provider)
        out: dict[str, Diff] = {}
        names = [provider] if provider else self._ledger_providers()
        for name in names:
            good = [
                r
                for r in self.store.read_log(Keys(self.settings.prefix, name).ledger)
                if isinstance(r, dict) and r.get("status") == "success" and r.get("diff")
            ]
            if since is not None:
                good = [r for r in good if _when(r) >= since]
            if last is not None:
                good = good[:last]
            diffs = [Diff.from_dict(r["diff"]) for r in reversed(good)]
            if not diffs:
                continue
            out[name] = combine(diffs)
        return out

    def check(
        self,
        require: Iterable[str] = (),
        *,
        max_age_hours: float | None = None,
        deprecations_within: float | None = None,
    ) -> CheckResult:
        """Problems that should fail a CI job or a cron check; an empty list means all is well.

        A requirement is ``MODEL`` (any provider) or ``PROVIDER/MODEL``; aliases count. A model
        the last fetch did not list (``missing``) does not satisfy it, nor does a retired one
        (its shutdown date has passed). A deprecated one is a warning (``result.warnings``),
        unless ``deprecations_within`` (days) is given and it shuts down within that many days.
        """
        rows, freshness = self.raw_models(include_missing=True)
        problems = []
        warnings: list[str] = []
        now = datetime.now(UTC)
        for wanted in require:
            matches = [r for r in rows if _satisfies(r, wanted)]
            present = [r for r in matches if not r.get("missing_count")]
            failed, warned = assess_requirement(wanted, present, now, deprecations_within)
            problems.extend(failed)
            warnings.extend(warned)
            if not matches:
                problems.append(f"required model {wanted} is not in the catalog")
            elif not present:
                since = matches[0].get("missing_since") or "recently"
                problems.append(
                    f"required model {wanted} was not listed by {matches[0]['provider']} "
                    f"since {since}"
                )
        if max_age_hours is not None:
            limit = max_age_hours * 3600
            for name, fresh in freshness.items():
                if fresh.age_seconds is not None and fresh.age_seconds > limit:
                    problems.append(
                        f"{name}: catalog is {_human_age(fresh.age_seconds)} old "
                        f"(allowed {max_age_hours:g}h); run `modelsync sync {name}`"
                    )
            if not freshness:
                problems.append("the catalog is empty; run `modelsync sync`")
        return CheckResult(problems, warnings)

    def deprecations(
        self,
        provider: str | None = None,
        *,
        within_days: float | None = None,
        include_retired: bool = True,
    ) -> list[Deprecation]:
        """Stored models with a shutdown date, or deprecated/retired without one, soonest first.

        States are decided now. ``within_days`` keeps those shutting down within that many days
        (already retired included); ``include_retired=False`` leaves the retired out.
        """
        from .lifecycle import deprecations

        rows, _ = self.raw_models(provider, include_missing=True)
        return deprecations(rows, within_days=within_days, include_retired=include_retired)

    def stats(self, provider: str) -> dict[str, Any] | None:
        """The statistics of ``provider``'s last sync, or None if it never synced."""
        self.check_provider(provider)
        value = self.store.get_value(Keys(self.settings.prefix, provider).stats)
        return value if isinstance(value, dict) else None

    def status(self) -> list[dict[str, Any]]:
        """Per provider: credentials configured, last sync and age, freshness, count, failure.

        ``key`` is ``set``, ``missing`` (needed and unset: ``key_env`` names the variables),
        ``not needed`` or ``optional`` (works without one; ``key_env`` would add one).
        """
        out = []
        names = list(dict.fromkeys([*self.provider_names(), *self._stored_providers()]))
        for name in names:
            keys = Keys(self.settings.prefix, name)
            fresh, models, _ = self._read(name)
            known = name in self.provider_names()
            configured = known and self.is_configured(name)
            key, key_envs = self.key_state(name) if known else ("unknown", [])
            extra = self._missing_extra(name) if known else None
            out.append(
                {
                    "provider": name,
                    "configured": configured,
                    "key": key,
                    "key_env": key_envs,
                    "last_sync": fresh.last_sync.isoformat() if fresh.last_sync else None,
                    "age_seconds": None if fresh.age_seconds is None else round(fresh.age_seconds),
                    "state": fresh.state,
                    "models": len(models) if isinstance(models, list) else 0,
                    "last_failure": self.store.get_value(keys.last_failure),
                    **({"missing_extra": extra} if extra else {}),
                }
            )
        return out

    def source_status(self) -> list[dict[str, Any]]:
        """Per live metadata source (models.dev, LiteLLM's map, genai-prices): enabled, URL,
        TTL, when last fetched, ``fresh``/``stale``/``never fetched``/``off``, last failure."""
        return [source.state() for source in self.metadata.sources]

    def _missing_extra(self, name: str) -> str | None:
        try:
            return self.adapter(name).missing_extra()
        except ConfigurationError:
            return None

    def clear(
        self,
        provider: str | None = None,
        *,
        all: bool = False,  # shadows the builtin on purpose: it mirrors the CLI's --all
        history: bool = False,
        dry_run: bool = False,
    ) -> ClearSummary:
        """Remove one provider's stored entries, or every provider's with ``all=True``.

        The scope is never implied: neither a provider nor ``all`` is a ``ConfigurationError``,
        as is a provider with nothing stored that is not configured. The sync history (ledger)
        is kept unless ``history=True``. ``dry_run=True`` reports what would go and removes
        nothing. Entries expired longer than ``stale_retention_hours`` are purged as well.
        """
        from .clearing import clear

        if provider and not all:
            self.check_provider(provider)  # "did you mean ...", before anything is counted
        summary = clear(
            self.store,
            prefix=self.settings.prefix,
            provider=provider,
            everything=all,
            history=history,
            dry_run=dry_run,
            known=self.provider_names(),
            grace_seconds=self.settings.stale_retention_hours * 3600,
        )
        if not dry_run:
            self._engines.clear()
        return summary

    def _purge_quietly(self) -> None:
        """The seed's "clean up old cache entries", after every sync run: one cheap delete."""
        try:
            self.purge()
        except ModelSyncError as exc:
            log.warning("could not purge expired entries: %s", exc)

    def purge(self) -> int:
        """Delete entries expired for longer than ``stale_retention_hours``."""
        return self.store.purge_expired(self.settings.stale_retention_hours * 3600)


class ProviderHandle:
    """The seed's per-provider contract with a blocking face (and ``async_*`` twins)."""

    def __init__(self, engine: ProviderSync) -> None:
        self._engine = engine

    def __repr__(self) -> str:
        return f"ProviderHandle({self._engine.name!r})"

    @property
    def name(self) -> str:
        return self._engine.name

    @property
    def models_cache_key(self) -> str:
        return self._engine.models_cache_key

    def sync_models(self, force_refresh: bool = False) -> SyncResult:
        return run_blocking(self._engine.sync_models(force_refresh))

    async def async_sync_models(self, force_refresh: bool = False) -> SyncResult:
        return await self._engine.sync_models(force_refresh)

    def has_valid_credentials(self) -> bool:
        return run_blocking(self._engine.has_valid_credentials())

    async def async_has_valid_credentials(self) -> bool:
        return await self._engine.has_valid_credentials()

    def get_syncable_models(self) -> list[dict[str, Any]]:
        """A preview, ``[{id, name, owned_by, created}, ...]``, from one list call; writes
        nothing."""
        return [p.to_dict() for p in run_blocking(self._engine.get_syncable_models())]

    async def async_get_syncable_models(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in await self._engine.get_syncable_models()]

    def get_last_sync_time(self) -> datetime | None:
        return self._engine.get_last_sync_time()

    def should_refresh_models(self) -> bool:
        return self._engine.should_refresh_models()

    def store_model_statistics(self, models: list[Model]) -> dict[str, Any]:
        return self._engine.store_model_statistics(models)

    def last_failure(self) -> dict[str, Any] | None:
        return self._engine.last_failure()


class Catalog(_CatalogCore):
    """Blocking face: reads return at once from the store; ``sync()`` runs the async fan-out
    (also from inside a running loop, such as a notebook); ``async_sync()`` is its coroutine."""

    def sync(
        self,
        providers: Iterable[str] | None = None,
        *,
        force: bool = False,
        dry_run: bool = False,
        on_result: Callable[[SyncResult], None] | None = None,
    ) -> SyncReport:
        """Sync the named providers, or every one with credentials, concurrently."""
        return run_blocking(
            self.async_sync(providers, force=force, dry_run=dry_run, on_result=on_result)
        )


class AsyncProviderHandle:
    """The seed's per-provider contract, every method awaitable; store I/O in a worker thread."""

    def __init__(self, core: _CatalogCore, name: str) -> None:
        core.adapter(name)  # an unknown name fails here, at once (no store I/O)
        self._core = core
        self._name = name

    def __repr__(self) -> str:
        return f"AsyncProviderHandle({self._name!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def models_cache_key(self) -> str:
        return Keys(self._core.settings.prefix, self._name).models

    async def _engine(self) -> ProviderSync:
        return await asyncio.to_thread(self._core.engine, self._name)  # may open the store

    async def sync_models(self, force_refresh: bool = False) -> SyncResult:
        return await (await self._engine()).sync_models(force_refresh)

    async def has_valid_credentials(self) -> bool:
        return await (await self._engine()).has_valid_credentials()

    async def get_syncable_models(self) -> list[dict[str, Any]]:
        """A preview, ``[{id, name, owned_by, created}, ...]``; writes nothing."""
        return [p.to_dict() for p in await (await self._engine()).get_syncable_models()]

    async def get_last_sync_time(self) -> datetime | None:
        return await asyncio.to_thread((await self._engine()).get_last_sync_time)

    async def should_refresh_models(self) -> bool:
        return await asyncio.to_thread((await self._engine()).should_refresh_models)

    async def store_model_statistics(self, models: list[Model]) -> dict[str, Any]:
        return await asyncio.to_thread((await self._engine()).store_model_statistics, models)

    async def last_failure(self) -> dict[str, Any] | None:
        return await asyncio.to_thread((await self._engine()).last_failure)


class AsyncCatalog:
    """Async face: the same catalog as ``Catalog``, every read and command awaitable.

    Store reads and writes run in a worker thread, so a slow store (a locked SQLite file, a
    paused Redis) never blocks the event loop; syncs run on the loop itself. Use ``async
    with AsyncCatalog() as catalog:`` or call ``close()``.
    """

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        store: Store | str | None = None,
        env: Mapping[str, str] | None = None,
        adapters: Iterable[Adapter] | None = None,
        **overrides: Any,
    ) -> None:
        self._core = Catalog(
            settings=settings, store=store, env=env, adapters=adapters, **overrides
        )

    def __repr__(self) -> str:
        return f"AsyncCatalog(store={self.store_url!r}, providers={self.provider_names()})"

    async def __aenter__(self) -> AsyncCatalog:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- no I/O: configuration and callbacks --------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._core.settings

    @property
    def store_url(self) -> str:
        return self._core.store_url

    @property
    def blocking(self) -> Catalog:
        """The same catalog with a blocking face (shared store, adapters and callbacks)."""
        return self._core

    def provider_names(self) -> list[str]:
        return self._core.provider_names()

    def add_provider(
        self,
        name: str,
        type: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
    ) -> AsyncProviderHandle:
        self._core.add_provider(
            name, type, base_url=base_url, api_key=api_key, api_key_env=api_key_env
        )
        return self.provider(name)

    def provider(self, name: str) -> AsyncProviderHandle:
        """The seed's per-provider contract for ``name``, every method awaitable."""
        return AsyncProviderHandle(self._core, name)

    def on_sync(self, fn: Callable[[SyncResult], None]) -> Callable[[SyncResult], None]:
        return self._core.on_sync(fn)

    def on_change(self, fn: Callable[[SyncResult], None]) -> Callable[[SyncResult], None]:
        return self._core.on_change(fn)

    def on_failure(self, fn: Callable[[SyncResult], None]) -> Callable[[SyncResult], None]:
        return self._core.on_failure(fn)

    def on_deprecation(self, fn: Callable[[ChangeEvent], None]) -> Callable[[ChangeEvent], None]:
        return self._core.on_deprecation(fn)

    def close(self) -> None:
        self._core.close()

    async def aclose(self) -> None:
        await asyncio.to_thread(self._core.close)

    # -- awaitable reads and commands ---------------------------------------------------------

    async def sync(
        self,
        providers: Iterable[str] | None = None,
        *,
        force: bool = False,
        dry_run: bool = False,
        on_result: Callable[[SyncResult], None] | None = None,
    ) -> SyncReport:
        """Sync the named providers, or every one with credentials, concurrently."""
        return await self._core.async_sync(
            providers, force=force, dry_run=dry_run, on_result=on_result
        )

    async def raw_models(
        self,
        provider: str | None = None,
        *,
        capability: str | None = None,
        search: str | None = None,
        include_missing: bool = False,
        min_context: int | None = None,
        max_price: Decimal | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Freshness]]:
        return await asyncio.to_thread(
            self._core.raw_models,
            provider,
            capability=capability,
            search=search,
            include_missing=include_missing,
            min_context=min_context,
            max_price=max_price,
        )

    async def models(
        self,
        provider: str | None = None,
        *,
        capability: str | None = None,
        search: str | None = None,
        include_missing: bool = False,
        min_context: int | None = None,
        max_price: Decimal | None = None,
    ) -> ModelList:
        return await asyncio.to_thread(
            self._core.models,
            provider,
            capability=capability,
            search=search,
            include_missing=include_missing,
            min_context=min_context,
            max_price=max_price,
        )

    async def freshness(self, name: str) -> Freshness:
        return await asyncio.to_thread(self._core.freshness, name)

    async def snapshot(self, provider: str) -> dict[str, Any]:
        return await asyncio.to_thread(self._core.snapshot, provider)

    async def status(self) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._core.status)

    async def source_status(self) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._core.source_status)

    async def describe_providers(self) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._core.describe_providers)

    async def history(
        self, provider: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._core.history, provider, limit)

    async def diff(
        self,
        provider: str | None = None,
        *,
        since: datetime | None = None,
        last: int | None = None,
    ) -> dict[str, Diff]:
        return await asyncio.to_thread(self._core.diff, provider, since=since, last=last)

    async def check(
        self,
        require: Iterable[str] = (),
        *,
        max_age_hours: float | None = None,
        deprecations_within: float | None = None,
    ) -> CheckResult:
        return await asyncio.to_thread(
            self._core.check,
            list(require),
            max_age_hours=max_age_hours,
            deprecations_within=deprecations_within,
        )

    async def deprecations(
        self,
        provider: str | None = None,
        *,
        within_days: float | None = None,
        include_retired: bool = True,
    ) -> list[Deprecation]:
        return await asyncio.to_thread(
            self._core.deprecations,
            provider,
            within_days=within_days,
            include_retired=include_retired,
        )

    async def stats(self, provider: str) -> dict[str, Any] | None:
        return await asyncio.to_thread(self._core.stats, provider)

    async def clear(
        self,
        provider: str | None = None,
        *,
        all: bool = False,  # mirrors the CLI's --all
        history: bool = False,
        dry_run: bool = False,
    ) -> ClearSummary:
        return await asyncio.to_thread(
            self._core.clear, provider, all=all, history=history, dry_run=dry_run
        )

    async def purge(self) -> int:
        return await asyncio.to_thread(self._core.purge)


def _satisfies(row: dict[str, Any], wanted: str) -> bool:
    """``wanted`` is an id or alias (ids may contain '/'), or ``provider/id``."""
    names = {row["id"], *row.get("aliases", ())}
    if wanted in names:
        return True
    provider, sep, model_id = wanted.partition("/")
    return bool(sep) and row.get("provider") == provider and model_id in names


def _when(record: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(record.get("started_at")))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _human_age(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


human_age = _human_age
