"""Where a sync's models get their curated facts: the live sources (optional: models.dev,
LiteLLM's map, genai-prices), the bundled catalog, and the user's overrides, applied in that order
under the provider's own answers.

One ``Metadata`` serves a whole catalog: each live source is fetched at most once per run
(concurrent providers share the request), overlaps the providers' own fetches, and the live
layer built from them is reused for :data:`LAYER_REUSE_SECONDS` so the providers of one run
do not each re-read multi-megabyte cached copies; a long-running ``serve`` still picks up a
refreshed source on its next sync.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .config import Settings
from .stores.base import Store

if TYPE_CHECKING:
    from .facts import FactsIndex
    from .live import LiveLayer, LiveSource
    from .merge import FactsLayer
    from .model import Model

#: How long one built live layer serves further syncs before the sources are asked again.
LAYER_REUSE_SECONDS = 60.0


class Metadata:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.settings = settings
        self._store = store
        self._sources: list[LiveSource[Any]] | None = None
        self._memo: tuple[float, LiveLayer | None] | None = None
        self._cached_memo: tuple[float, LiveLayer | None] | None = None
        self._inflight: dict[asyncio.AbstractEventLoop, asyncio.Task[LiveLayer | None]] = {}

    @property
    def sources(self) -> list[LiveSource[Any]]:
        """Every live source (enabled or not), models.dev first."""
        if self._sources is None:
            from .live import live_sources

            self._sources = live_sources(self._store, self.settings)
        return self._sources

    @property
    def source(self) -> LiveSource[Any]:
        """The models.dev source."""
        return self.sources[0]

    def enabled(self) -> list[LiveSource[Any]]:
        return [s for s in self.sources if s.enabled]

    async def live(self) -> LiveLayer | None:
        """The live facts (fresh, cached, or stale after a failure), or None when all are off.

        One :class:`~modelsync.live.LiveLayer` reconciles whichever are on, per model, by the
        bundled build's rules (the curated values of the bundled catalog taking part).
        """
        if not self.enabled():
            return None
        memo = self._memo
        if memo is not None and time.monotonic() - memo[0] < LAYER_REUSE_SECONDS:
            return memo[1]
        loop = asyncio.get_running_loop()
        task = self._inflight.get(loop)
        if task is None:
            task = loop.create_task(self._build())
            self._inflight[loop] = task
        try:
            layer = await asyncio.shield(task)
        finally:
            if task.done():
                self._inflight.pop(loop, None)
        self._memo = (time.monotonic(), layer)
        return layer

    async def _build(self) -> LiveLayer | None:
        sources = self.enabled()
        got = await asyncio.gather(*(s.get() for s in sources))
        return self._assemble(sources, got)

    def cached_layer(self) -> LiveLayer | None:
        """The live layer from the sources' stored copies, without any network: what ``show``
        explains a live value with. Rebuilt at most every :data:`LAYER_REUSE_SECONDS`."""
        sources = self.enabled()
        if not sources:
            return None
        memo = self._cached_memo
        if memo is not None and time.monotonic() - memo[0] < LAYER_REUSE_SECONDS:
            return memo[1]
        layer = self._assemble(sources, [s.cached(include_expired=True) for s in sources])
        self._cached_memo = (time.monotonic(), layer)
        return layer

    def _assemble(self, sources: list[LiveSource[Any]], got: list[Any]) -> LiveLayer | None:
        from .facts import FactsIndex, load_bundled
        from .live import LiveLayer

        indexes = {
            s.name: value
            for s, value in zip(sources, got, strict=True)
            if isinstance(value, FactsIndex)
        }
        genai = next((v for v in got if v is not None and not isinstance(v, FactsIndex)), None)
        if genai is None and not indexes:
            return None
        bundled = load_bundled() if self.settings.bundled_enabled else None
        return LiveLayer(indexes, genai, bundled=bundled)

    def apply(
        self, models: list[Model], provider_type: str, live: FactsIndex | LiveLayer | None
    ) -> list[Model]:
        """Merge the curated facts into freshly fetched models (the provider's answers win)."""
        from .facts import load_bundled
        from .merge import merge_many

        bundled = load_bundled() if self.settings.bundled_enabled else None
        if live is None and bundled is None and not self.settings.overrides:
            return models
        return merge_many(
            models,
            provider_type=provider_type,
            live=live,
            bundled=bundled,
            overrides=self.settings.overrides,
            as_of=datetime.now(UTC).date().isoformat(),
        )


def offline_rows(
    provider: str | None = None, model: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Model dicts from the bundled catalog alone: no store, no keys, no network.

    With ``model`` (an id, alias or ``provider/id``; dated ids and prefixes tolerated as in a
    sync's lookup), only the entries it names. Returns the rows (each marked ``"offline":
    true``) and the date the catalog was checked.
    """
    from .facts import Facts, load_bundled
    from .merge import merge
    from .model import Model

    bundled = load_bundled()
    if model is not None and provider is None and "/" in model:
        head, _, tail = model.partition("/")
        if head in bundled.providers():
            provider, model = head, tail
    names = [provider] if provider else bundled.providers()
    chosen: list[tuple[str, Facts]] = []
    for name in names:
        if model is None:
            chosen.extend((name, f) for f in bundled.for_provider(name))
        else:
            found = bundled.lookup(name, model)
            # An aggregator's lookup may fall back to the vendor's entry: offline, that is not a
            # model this provider lists, so only the provider's own entries are shown.
            if found is not None and found.provider == name:
                chosen.append((name, found))
    rows = []
    for name, facts in chosen:
        bare = Model(provider=name, id=facts.id, name=facts.name or facts.id, aliases=facts.aliases)
        row = merge(bare, live=None, bundled=facts).to_dict()
        row["offline"] = True
        rows.append(row)
    from .lifecycle import current_rows

    return current_rows(rows), bundled.checked  # states decided now, as for stored rows


def offline_ambiguity(provider: str | None, model: str) -> list[str]:
    """``provider/id`` of every bundled entry an ambiguous spelling could mean (a bare family
    name that several snapshots share), so ``show`` can say so instead of "not found"."""
    from .facts import load_bundled

    bundled = load_bundled()
    if provider is None and "/" in model:
        head, _, tail = model.partition("/")
        if head in bundled.providers():
            provider, model = head, tail
    names = [provider] if provider else bundled.providers()
    return [f"{name}/{i}" for name in names for i in bundled.ambiguous(name, model)]


#: Fields ``modelsync show`` lists, in order, with the provenance each one carries.
SHOWN_FIELDS = (
    "name",
    "owned_by",
    "family",
    "description",
    "created",
    "release_date",
    "knowledge_cutoff",
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "aliases",
    "lifecycle",
    "deprecated_date",
    "shutdown_date",
    "replacement",
)


def _bundled_provenance(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bundled entry this row's catalog values came from, as a flat ``field -> value`` map,
    and its per-field provenance (JSON-ready); both empty when there is none."""
    from .facts import load_bundled

    bundled = load_bundled()
    return _layer_provenance(row, bundled, own_only=True)


def _layer_provenance(
    row: dict[str, Any], layer: FactsLayer, *, own_only: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A layer's entry for this row as ``field -> value`` and its provenance (JSON-ready)."""
    from .reconcile import field_values

    provider, model_id = row.get("provider"), row.get("id")
    if not isinstance(provider, str) or not isinstance(model_id, str):
        return {}, {}
    found = layer.match(provider, model_id, tuple(row.get("aliases") or ()))
    if found is None or (own_only and found[0].provider != provider):
        return {}, {}
    facts = found[0]
    # The bundled index validates provenance only when asked; a live entry carries its own.
    stored = getattr(layer, "provenance", None)
    known = stored(facts) if callable(stored) else facts.provenance
    provenance = {k: p.model_dump(mode="json") for k, p in known.items()}
    return field_values(facts), provenance


def _same(row_value: Any, catalog_value: Any) -> bool:
    """Whether a row's (JSON) value is the catalog's value, so its provenance applies."""
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(catalog_value, Decimal):
        try:
            return Decimal(str(row_value)) == catalog_value
        except ArithmeticError:
            return False
    if isinstance(catalog_value, date):
        return str(row_value)[:10] == catalog_value.isoformat()[:10]
    if isinstance(catalog_value, datetime):  # pragma: no cover - facts hold dates
        return str(row_value)[:10] == catalog_value.date().isoformat()
    if isinstance(catalog_value, tuple):
        return bool(list(catalog_value) == row_value or catalog_value == row_value)
    return bool(row_value == catalog_value)


def explain(row: dict[str, Any], live: LiveLayer | None = None) -> dict[str, Any]:
    """Every field of a stored model with its value and where it came from.

    A value the provider's list gave has source ``api``; curated values carry ``catalog``,
    ``rule`` or ``user``. Capabilities nobody stated are listed as unknown (value ``None``).
    A value that came from a catalog also carries ``provenance``: which catalogs gave it, by
    which rule it was chosen, and what each disagreeing catalog said. With ``live`` (the live
    sources' layer, rebuilt from their cached copies), a value the live layer gave carries that
    reconciliation's provenance and ``live``: the sources read live (the others took part with
    their pinned values); any other catalog value carries the bundled build's provenance.
    """
    from .vocab import CAPABILITIES

    sources: dict[str, str] = row.get("sources") or {}
    default = "catalog" if row.get("offline") else "api"
    layers = [_bundled_provenance(row)]
    if live is not None:
        layers.insert(0, _layer_provenance(row, live, own_only=False))

    def origin(name: str, value: Any) -> dict[str, Any] | None:
        for i, (values, provenance) in enumerate(layers):
            if name in provenance and _same(value, values.get(name)):
                traced = dict(provenance[name])
                if live is not None and i == 0:
                    traced["live"] = sorted(live.live_names)
                return traced
        return None

    def traced(name: str, value: Any, source: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {"value": value, "source": source}
        found = origin(name, value) if source == "catalog" else None
        if found is not None:
            item["provenance"] = found
        return item

    fields: dict[str, dict[str, Any]] = {}
    for name in SHOWN_FIELDS:
        value = row.get(name)
        if value in (None, [], ""):
            fields[name] = {"value": None, "source": None}
        else:
            fields[name] = traced(name, value, sources.get(name, default))
    caps = row.get("capabilities") or {}
    capabilities = {
        cap: (
            traced(f"capabilities.{cap}", caps[cap].get("supported"), caps[cap].get("source"))
            if isinstance(caps.get(cap), dict)
            else {"supported": None, "source": None}
        )
        for cap in CAPABILITIES
    }
    for item in capabilities.values():
        if "value" in item:
            item["supported"] = item.pop("value")
    pricing = row.get("pricing")
    if isinstance(pricing, dict) and pricing.get("source") == "catalog":
        traced_prices = {
            name: found
            for name, value in pricing.items()
            if (found := origin(f"pricing.{name}", value)) is not None
        }
        if traced_prices:
            pricing = {**pricing, "provenance": traced_prices}
    return {
        "provider": row.get("provider"),
        "id": row.get("id"),
        "fields": fields,
        "capabilities": capabilities,
        "pricing": pricing if isinstance(pricing, dict) else {"state": "unknown", "source": None},
        "missing_since": row.get("missing_since"),
        "offline": bool(row.get("offline")),
    }
