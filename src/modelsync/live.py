"""Live metadata sources: public catalogs fetched between releases, cached, and reconciled.

The bundled catalog is a build of three public catalogs at pinned versions (``tools/catalog``).
Between releases the same catalogs move on, so a user may opt in to reading them live:

- ``models.dev`` (``modelsdev_enabled``): its ``api.json`` (:mod:`modelsync.modelsdev`);
- ``litellm`` (``litellm_map_enabled``): LiteLLM's ``model_prices_and_context_window.json``
  from where LiteLLM itself downloads it;
- ``genai-prices`` (``genai_prices_enabled``): pydantic's ``data.json`` from where its own
  ``UpdatePrices`` downloads it.

Each is a :class:`LiveSource`: fetched with the providers' HTTP client (retries, timeouts,
HTML/invalid-JSON detection), kept in the store with its own TTL, its failure recorded in its own
record, and its last good copy served (marked stale) when a refresh fails. All are off by
default: each is a third party that sees who asks. Nothing is fetched at import or on a read-only
path; a source's outage never fails a sync.

Store keys: models.dev keeps ``{prefix}:modelsdev:data`` and ``...:last_failure`` (as before
these sources existed); the others live under ``{prefix}:@{name}:``, a namespace no provider can
own (``@`` is not allowed in an instance name), so LiteLLM's map and the ``litellm`` proxy preset
never share a key.

How the live facts meet a synced model (:class:`LiveLayer`): for each model the provider lists,
every enabled source's entry for it is found (genai-prices by its own match rules), joined as one
:class:`~modelsync.reconcile.Group` and reconciled by the very rules the bundled build uses
(``modelsync.reconcile``: majority, then per-field precedence; provenance kept). The result is one
layer between the provider's own answers and the bundled catalog: API, then live, then bundled,
then rules. A loose match (a sibling snapshot's entry) gives no price when another live source
names the id exactly, as between models.dev and the bundled catalog.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from .config import GENAI_PRICES_URL, LITELLM_MAP_URL
from .errors import (
    MalformedResponseError,
    ModelSyncError,
    ProviderError,
    ProviderUnavailableError,
)

if TYPE_CHECKING:
    from .config import Settings
    from .facts import Facts, FactsIndex, Provenance
    from .http import HttpClient
    from .sources.genai_prices import GenaiPrices
    from .stores.base import Store

__all__ = [
    "GenaiPricesSource",
    "LiteLLMSource",
    "LiveLayer",
    "LiveSource",
    "live_sources",
]

log = logging.getLogger("modelsync")

T = TypeVar("T")


class LiveSource(Generic[T]):
    """One public catalog fetched at most once per TTL, cached in the store, failure recorded.

    Subclasses say what the source is called (:attr:`name`), which settings govern it
    (``{setting}_enabled``, ``{setting}_url``, ``{setting}_ttl_hours``), how a fetched payload
    becomes what is stored (:meth:`parse`, which raises ``ValueError`` on a payload to refuse)
    and how a stored value becomes what merging reads (:meth:`load`). Keywords override the
    settings of the same meaning (tests use them).
    """

    #: The name errors, logs and provenance use (``models.dev``, ``litellm``, ``genai-prices``).
    name: ClassVar[str]
    #: Settings prefix: ``{setting}_enabled``, ``{setting}_url``, ``{setting}_ttl_hours``.
    setting: ClassVar[str]
    default_url: ClassVar[str]
    #: What the fetched file is called in messages (``api.json``).
    document: ClassVar[str] = "the file"

    def __init__(
        self,
        store: Store,
        settings: Settings,
        prefix: str | None = None,
        *,
        enabled: bool | None = None,
        url: str | None = None,
        ttl_seconds: float | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.prefix = settings.prefix if prefix is None else prefix
        # Settings already holds each value coerced and checked (config.BOUNDS, URL schemes).
        own = f"{self.setting}_"
        self.enabled = bool(getattr(settings, own + "enabled")) if enabled is None else enabled
        self.url = url or str(getattr(settings, own + "url")) or self.default_url
        hours = float(getattr(settings, own + "ttl_hours"))
        self.ttl_seconds = hours * 3600.0 if ttl_seconds is None else ttl_seconds
        self._memo: tuple[float, bool, T] | None = None

    def __repr__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        return f"{type(self).__name__}({self.where!r}, {state}, store={self.store.url!r})"

    @property
    def where(self) -> str:
        """The URL as shown anywhere: no query, no userinfo (a private mirror's token)."""
        from .redact import url_without_query

        return url_without_query(self.url)

    # -- what a subclass says ----------------------------------------------------------------

    @property
    def namespace(self) -> str:
        return f"{self.prefix}:@{self.name}:"

    def parse(self, payload: Any) -> tuple[dict[str, Any], T]:
        """The decoded payload as the JSON value to store and as what merging reads (what
        :meth:`load` would make of that value, built once); ``ValueError`` refuses it."""
        raise NotImplementedError

    def load(self, value: Any, *, stale: bool) -> T:
        """A stored value as what merging reads; ``ValueError``/``TypeError`` if unreadable."""
        raise NotImplementedError

    # -- the store ---------------------------------------------------------------------------

    @property
    def data_key(self) -> str:
        return self.namespace + "data"

    @property
    def failure_key(self) -> str:
        return self.namespace + "last_failure"

    def last_failure(self) -> dict[str, Any] | None:
        value = self.store.get_value(self.failure_key)
        return value if isinstance(value, dict) else None

    def cached(self, *, include_expired: bool = True) -> T | None:
        """The stored copy without any network (the read path and ``status`` use this)."""
        if not self.enabled:
            return None
        entry = self.store.get(self.data_key, include_expired=include_expired)
        if entry is None:
            return None
        stale = entry.expired(time.time())
        memo = self._memo
        if memo is not None and memo[0] == entry.stored_at and memo[1] == stale:
            return memo[2]
        try:
            loaded = self.load(entry.value, stale=stale)
        except (ValueError, TypeError, AttributeError, KeyError, ArithmeticError) as exc:
            log.warning("%s: ignoring an unreadable cached copy (%s)", self.name, exc)
            return None
        self._memo = (entry.stored_at, stale, loaded)
        return loaded

    @property
    def info_key(self) -> str:
        """A small record beside the data (when fetched, how big), so ``status`` need not read
        a multi-megabyte copy to say how old it is."""
        return self.namespace + "info"

    def state(self) -> dict[str, Any]:
        """What ``status`` shows: enabled, where from, when fetched, fresh or stale, failure."""
        entry = None
        if self.enabled:
            entry = self.store.get(self.info_key, include_expired=True)
            if entry is None:  # a copy stored before the info record existed
                entry = self.store.get(self.data_key, include_expired=True)
        value = entry.value if entry is not None else None
        fetched = value.get("fetched_at") if isinstance(value, Mapping) else None
        if not self.enabled:
            state = "off"
        elif entry is None:
            state = "never fetched"
        else:
            state = "stale" if entry.expired(time.time()) else "fresh"
        return {
            "source": self.name,
            "enabled": self.enabled,
            "url": self.where,
            "ttl_hours": round(self.ttl_seconds / 3600, 3),
            "fetched_at": fetched,
            "state": state,
            "last_failure": self.last_failure(),
        }

    # -- fetching ----------------------------------------------------------------------------

    async def fetch(self, http: HttpClient) -> tuple[dict[str, Any], T]:
        """GET the source with an open client: the value to store, and what merging reads."""
        payload = await http.get_json(self.url)
        http.counters.pages += 1
        try:
            value, loaded = self.parse(payload)
        except ValueError as exc:
            raise MalformedResponseError(
                f"{self.document} is not usable: {exc}", provider=self.name
            ) from None
        value["fetched_at"] = datetime.now(UTC).isoformat()
        return value, loaded

    async def get(self, force: bool = False) -> T | None:
        """Fresh cached data, else a new fetch; on failure the last good copy (stale) or None.

        Never raises for the source's own problem: it is optional, so its outage must not fail
        a sync. The failure is logged and recorded instead.
        """
        if not self.enabled:
            return None
        if not force:
            fresh = self.cached(include_expired=False)
            if fresh is not None:
                return fresh
        from .http import HttpClient

        http = HttpClient(provider=self.name, settings=self.settings)
        try:
            async with http:
                async with asyncio.timeout(self.settings.timeout):
                    value, loaded = await self.fetch(http)
            # One write: the copy and its small record never disagree about when it was fetched.
            info = {"fetched_at": value["fetched_at"]}
            self.store.put_many(
                {self.data_key: (value, self.ttl_seconds), self.info_key: (info, self.ttl_seconds)}
            )
        except TimeoutError:
            late = ProviderUnavailableError(
                f"no complete {self.document} within {self.settings.timeout:g}s",
                provider=self.name,
            )
            return self._failed(late, http.counters.retries)
        except ModelSyncError as exc:
            return self._failed(exc, http.counters.retries)
        except Exception as exc:  # never let an optional source break a sync
            wrapped = ProviderError(
                f"unexpected failure: {type(exc).__name__}: {exc}", provider=self.name
            )
            return self._failed(wrapped, http.counters.retries, error_type="internal_error")
        self._memo = None
        log.info("%s: refreshed, cached for %.0f h", self.name, self.ttl_seconds / 3600)
        return loaded

    def _failed(self, exc: ModelSyncError, retries: int, error_type: str | None = None) -> T | None:
        kind = error_type or exc.error_type
        # Which file, and which setting stops the asking: the error alone names only the source.
        where = f"GET {self.where}; {self.setting}_enabled=false turns it off"
        message = f"{exc} [{where}]"
        log.warning(
            "%s: refresh failed, serving the last good copy if any: %s [%s]",
            self.name,
            message,
            kind,
        )
        record = {
            "error": message,
            "error_type": kind,
            "failed_at": datetime.now(UTC).isoformat(),
            "retry_count": retries,
            "status_code": exc.status_code,
        }
        try:
            self.store.put(self.failure_key, record, self.settings.ttl("failure"))
        except ModelSyncError as store_exc:
            log.error("%s: could not record the failure: %s", self.name, store_exc)
        return self.cached(include_expired=True)


class _IndexSource(LiveSource["FactsIndex"]):
    """A source stored as a :class:`~modelsync.facts.FactsIndex` (parsed once, at fetch)."""

    def load(self, value: Any, *, stale: bool) -> FactsIndex:
        from .facts import FactsIndex

        if not isinstance(value, Mapping):
            raise ValueError("cached copy is not a JSON object")
        return FactsIndex.from_json(value, stale=stale)


class LiteLLMSource(_IndexSource):
    """LiteLLM's model map, from where LiteLLM itself downloads it (``LITELLM_MODEL_COST_MAP_URL``).

    Parsed by the same code as the bundled build's pinned copy (``sources.litellm``); a key that
    LiteLLM states is an alias of another (``alias_of``) becomes an alias of its target's entry.
    """

    name = "litellm"
    setting = "litellm_map"
    default_url = LITELLM_MAP_URL
    document = "model_prices_and_context_window.json"

    def parse(self, payload: Any) -> tuple[dict[str, Any], FactsIndex]:
        from .facts import FactsIndex
        from .reconcile import join
        from .sources import LITELLM
        from .sources.litellm import parse_litellm

        records = list(parse_litellm(_exact_numbers(payload)))
        facts = []
        for group in join(records).groups:
            record = group.record(LITELLM)
            if record is None:  # pragma: no cover - every group holds a LiteLLM record
                continue
            facts.append(
                record.facts.model_copy(
                    update={"id": group.id, "aliases": tuple(group.aliases), "as_of": _today()}
                )
            )
        if not facts:
            raise ValueError("no model of any provider modelsync knows")
        index = FactsIndex(facts, origin=self.name, checked=_today())
        return index.to_json(), index


class GenaiPricesSource(LiveSource["GenaiPrices"]):
    """genai-prices' ``data.json``, kept as its providers' entries (with their match rules), so
    it prices the ids a provider lists as genai-prices itself would."""

    name = "genai-prices"
    setting = "genai_prices"
    default_url = GENAI_PRICES_URL
    document = "data.json"

    def parse(self, payload: Any) -> tuple[dict[str, Any], GenaiPrices]:
        from .sources.genai_prices import GenaiPrices, from_json, ours

        kept = ours(payload)
        prices = GenaiPrices(from_json(kept))  # refuses what would not load, before it is stored
        return {"providers": kept, "checked": _today()}, prices

    def load(self, value: Any, *, stale: bool) -> GenaiPrices:
        from .sources.genai_prices import GenaiPrices, from_json

        if not isinstance(value, Mapping):
            raise ValueError("cached copy is not a JSON object")
        return GenaiPrices(from_json(value.get("providers")))


def live_sources(store: Store, settings: Settings) -> list[LiveSource[Any]]:
    """Every live source, in the order their facts are reconciled (enabled or not)."""
    from .modelsdev import ModelsDevSource

    return [
        ModelsDevSource(store, settings),
        LiteLLMSource(store, settings),
        GenaiPricesSource(store, settings),
    ]


# -- one layer for merging -------------------------------------------------------------------


class LiveLayer:
    """The live sources' facts, reconciled per model by the bundled build's rules.

    The build reconciled four inputs (curated, LiteLLM, genai-prices, models.dev) at pinned
    versions and kept, per field, who said what (provenance). Here the same reconciliation runs
    again with each *enabled* live source's fresh copy in place of its pinned one; the inputs
    that are not live (always the curated file, and any source left off or unreachable) take
    part with their pinned values, read back from the bundled entry's provenance. So a fresh
    LiteLLM alone does not outvote what the pinned models.dev and genai-prices agreed on, and
    curated, hand-verified values win as they do in the build.

    ``match`` answers like :meth:`FactsIndex.match` (an entry and whether a live source named the
    id exactly), so :func:`~modelsync.merge.merge_many` takes either. A model no live source
    knows gets no live entry: the bundled layer below describes it.
    """

    def __init__(
        self,
        indexes: Mapping[str, FactsIndex],
        genai: GenaiPrices | None = None,
        *,
        bundled: FactsIndex | None = None,
        day: date | None = None,
    ) -> None:
        self.indexes = dict(indexes)
        self.genai = genai
        self.bundled = bundled
        self.day = day or datetime.now(UTC).date()
        self.stale = any(i.stale for i in self.indexes.values())
        #: Sources read live; the others take part with their pinned values.
        self.live_names = frozenset([*self.indexes, *(["genai-prices"] if genai else [])])
        self._memo: dict[tuple[str, str, tuple[str, ...]], tuple[Facts, bool] | None] = {}
        self._pinned: dict[int, dict[str, Facts]] = {}
        self._reconciled: dict[tuple[Any, ...], Facts] = {}

    def __repr__(self) -> str:
        return f"LiveLayer({', '.join(sorted(self.live_names))})"

    def match(
        self, provider: str, model_id: str, aliases: Sequence[str] = ()
    ) -> tuple[Facts, bool] | None:
        key = (provider, model_id, tuple(aliases))
        try:
            return self._memo[key]
        except KeyError:
            pass
        found = self._match(provider, model_id, tuple(aliases))
        if len(self._memo) >= 100_000:
            self._memo.clear()
        self._memo[key] = found
        return found

    def _records(self, provider: str, model_id: str, aliases: tuple[str, ...]) -> list[Any]:
        """Each live source's record for the model (loose ones unpriced when another source
        names the id exactly), genai-prices' by its match rules."""
        from .sources import SourceRecord

        found = []
        for name, index in self.indexes.items():
            hit = index.match(provider, model_id, aliases)
            if hit is not None:
                found.append((name, index, *hit))
        exact = any(e for *_, e in found)
        records = [
            SourceRecord(
                source=name,
                key=f"{facts.provider}/{facts.id}",
                facts=facts if e or not exact else facts.without_pricing(),
                listed=e,
                input_limit=index.input_limits.get((facts.provider, facts.id)),
            )
            for name, index, facts, e in found
        ]
        if self.genai is not None:
            for candidate in (model_id, *aliases):
                priced = self.genai.record(provider, candidate, self.day)
                if priced is not None:
                    records.append(priced)
                    break
        return records

    def _match(
        self, provider: str, model_id: str, aliases: tuple[str, ...]
    ) -> tuple[Facts, bool] | None:
        from .reconcile import Group, reconcile
        from .sources import GENAI_PRICES, SourceRecord

        records = self._records(provider, model_id, aliases)
        if not records:
            return None
        exact = any(r.listed for r in records)
        for source, facts in self.pinned(provider, model_id, aliases).items():
            if source not in self.live_names:
                records.append(SourceRecord(source=source, key="bundled", facts=facts))
        # Many listed ids meet the same entries (snapshots of one family, an aggregator's routes
        # to one vendor model): reconcile each combination once, then give it this model's id.
        # (genai-prices builds a record per id asked; the entry it priced it with is its key.)
        same = tuple(
            (r.source, r.key if r.source == GENAI_PRICES else id(r.facts), r.listed)
            for r in records
        )
        done = self._reconciled.get(same)
        if done is None:
            group = Group(provider=provider, id=model_id, records=records)
            done = reconcile(group, as_of=self.day).model_copy(
                update={"origin": "live", "aliases": ()}
            )
            self._reconciled[same] = done
        if done.id != model_id:
            done = done.model_copy(update={"id": model_id})
            # model_copy shares private state: never views built for the other id
            done._merge_cache = done._unpriced = done._borrowed = None
        return done, exact

    def pinned(self, provider: str, model_id: str, aliases: Sequence[str] = ()) -> dict[str, Facts]:
        """Per source, what the build's pinned input said about exactly this model, read back
        from the bundled entry's provenance (empty when the bundled catalog has no such entry)."""
        if self.bundled is None:
            return {}
        hit = self.bundled.match(provider, model_id, aliases)
        if hit is None or not hit[1] or hit[0].provider != provider:
            return {}
        entry = hit[0]
        known = self._pinned.get(id(entry))
        if known is None:
            known = pinned_inputs(entry, self.bundled.provenance(entry))
            self._pinned[id(entry)] = known
        return known


def pinned_inputs(entry: Facts, provenance: Mapping[str, Provenance]) -> dict[str, Facts]:
    """Each source's values for ``entry`` as the build saw them: the chosen value for the
    sources that gave it, the recorded value for those that disagreed. A derived lifecycle is
    left to be derived again; what the build dropped (a retired model's prices) is not known."""
    from .reconcile import field_values

    chosen = field_values(entry)
    flat: dict[str, dict[str, Any]] = {}
    for name, p in provenance.items():
        derived = name == "lifecycle" and (p.rule or "").startswith("derived")
        value = chosen.get(name)
        if value is not None and not derived:
            for source in p.sources:
                flat.setdefault(source, {})[name] = value
        for source, said in (p.disagreed or {}).items():
            flat.setdefault(source, {})[name] = said
    out: dict[str, Facts] = {}
    for source, values in flat.items():
        facts = _unflatten(entry, source, values)
        if facts is not None:
            out[source] = facts
    return out


def _unflatten(entry: Facts, source: str, values: Mapping[str, Any]) -> Facts | None:
    """``field -> value`` (``capabilities.vision``, ``pricing.tiers``...) back into facts;
    None when what was recorded does not make valid facts (it is then left out)."""
    from pydantic import ValidationError

    from .facts import Facts

    data: dict[str, Any] = {"provider": entry.provider, "id": entry.id, "origin": source}
    capabilities: dict[str, Any] = {}
    pricing: dict[str, Any] = {}
    for name, value in values.items():
        head, _, tail = name.partition(".")
        if head == "capabilities":
            capabilities[tail] = value
        elif head == "pricing" and tail == "tiers":
            pricing["tiers"] = [dict(tier) for tier in value]
        elif head == "pricing":
            pricing[tail] = value
        else:
            data[name] = value
    if capabilities:
        data["capabilities"] = capabilities
    if any(k != "tiers" for k in pricing):
        data["pricing"] = pricing
    try:
        return Facts.model_validate(data)
    except ValidationError:
        return None


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _exact_numbers(value: Any) -> Any:
    """Decoded JSON with every number an exact decimal of its shortest spelling, as the
    catalog build decodes LiteLLM's map (``3e-07`` per token is ``0.3`` per 1M, exactly)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Mapping):
        return {k: _exact_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact_numbers(v) for v in value]
    return value
