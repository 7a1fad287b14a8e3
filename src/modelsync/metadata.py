"""Where a sync's models get their curated facts: models.dev (optional), the bundled catalog,
and the user's overrides, applied in that order under the provider's own answers.

One ``Metadata`` serves a whole catalog: the models.dev copy is fetched at most once per run
(concurrent providers share the request) and overlaps the providers' own fetches.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .config import Settings
from .stores.base import Store

if TYPE_CHECKING:
    from .facts import FactsIndex
    from .model import Model
    from .modelsdev import ModelsDevSource


class Metadata:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.settings = settings
        self._store = store
        self._source: ModelsDevSource | None = None
        self._memo: FactsIndex | None = None
        self._inflight: dict[asyncio.AbstractEventLoop, asyncio.Task[FactsIndex | None]] = {}

    @property
    def source(self) -> ModelsDevSource:
        if self._source is None:
            from .modelsdev import ModelsDevSource

            self._source = ModelsDevSource(self._store, self.settings)
        return self._source

    async def modelsdev(self) -> FactsIndex | None:
        """The models.dev facts (fresh, cached, or stale after a failure), or None when off."""
        if not self.settings.modelsdev_enabled:
            return None
        if self._memo is not None:
            return self._memo
        loop = asyncio.get_running_loop()
        task = self._inflight.get(loop)
        if task is None:
            task = loop.create_task(self.source.get())
            self._inflight[loop] = task
        try:
            self._memo = await asyncio.shield(task)
        finally:
            if task.done():
                self._inflight.pop(loop, None)
        return self._memo

    def apply(
        self, models: list[Model], provider_type: str, modelsdev: FactsIndex | None
    ) -> list[Model]:
        """Merge the curated facts into freshly fetched models (the provider's answers win)."""
        from .facts import load_bundled
        from .merge import merge_many

        bundled = load_bundled() if self.settings.bundled_enabled else None
        if modelsdev is None and bundled is None and not self.settings.overrides:
            return models
        return merge_many(
            models,
            provider_type=provider_type,
            modelsdev=modelsdev,
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
        row = merge(bare, modelsdev=None, bundled=facts).to_dict()
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
    from .reconcile import field_values

    bundled = load_bundled()
    provider, model_id = row.get("provider"), row.get("id")
    if not isinstance(provider, str) or not isinstance(model_id, str):
        return {}, {}
    found = bundled.match(provider, model_id, tuple(row.get("aliases") or ()))
    if found is None or found[0].provider != provider:
        return {}, {}
    facts = found[0]
    provenance = {k: p.model_dump(mode="json") for k, p in bundled.provenance(facts).items()}
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


def explain(row: dict[str, Any]) -> dict[str, Any]:
    """Every field of a stored model with its value and where it came from.

    A value the provider's list gave has source ``api``; curated values carry ``catalog``,
    ``rule`` or ``user``. Capabilities nobody stated are listed as unknown (value ``None``).
    A value that came from the bundled catalog also carries ``provenance``: which catalogs gave
    it, by which rule it was chosen, and what each disagreeing catalog said.
    """
    from .vocab import CAPABILITIES

    sources: dict[str, str] = row.get("sources") or {}
    default = "catalog" if row.get("offline") else "api"
    values, provenance = _bundled_provenance(row)

    def traced(name: str, value: Any, source: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {"value": value, "source": source}
        if source == "catalog" and name in provenance and _same(value, values.get(name)):
            item["provenance"] = provenance[name]
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
            name: provenance[f"pricing.{name}"]
            for name, value in pricing.items()
            if f"pricing.{name}" in provenance and _same(value, values.get(f"pricing.{name}"))
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
