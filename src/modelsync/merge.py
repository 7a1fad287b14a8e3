"""Lay curated facts under what a provider's API said, field by field, keeping provenance.

Order per field, first that knows wins: the provider's own API (what the adapter put in the model,
except its rule-derived capabilities), then the live sources (models.dev, LiteLLM's map,
genai-prices, reconciled: ``modelsync.live``), then the bundled catalog, then the family
rules; user overrides from the config file win over all. The API comes first because it describes
what *this key* can call right now; curated data only fills what the API left unsaid.

Rules that keep the result honest:

- Capabilities stay tri-state. A layer contributes only what it states; nothing here turns an
  unknown capability into ``False``. Each capability keeps the source that decided it.
- Every non-capability field filled from elsewhere than the API is recorded in ``model.sources``
  (``catalog`` or ``user``); pricing carries its own ``source`` and ``as_of``.
- API pricing wins whole, including ``Pricing(state="dynamic")`` (OpenRouter's ``-1``), which is
  never replaced by catalog numbers. Only an absent price or an API ``unknown`` is filled. Prices
  are never mixed field by field across sources: one ``Pricing`` has one source and one date.
- ``lifecycle`` defaults to ``active`` in ``Model``, so an ``active`` model without a deprecation
  date counts as "the API did not say" and a catalog's ``deprecated``/``preview``/``retired`` applies.
- ``name`` is replaced only when the adapter had to make one up (the id, or the id prettified) and
  the catalog entry is for exactly this id, so a snapshot keeps its dated name. An adapter whose
  API gave the name says so with ``sources={"name": "api"}``; such a name is never replaced nor
  relabelled, even when it reads like a prettified id ("Gemini Embedding 001").
- A value a previous merge filled (its ``sources`` entry is not ``api``) may be filled again, so
  merging a stored model with newer facts updates it.

Merging touches every model of every sync, so it avoids per-model validation: catalog
capabilities and prices are built once per catalog entry and shared, and the result is made with
``model_copy(update=...)``. ``bench/bench_merge.py`` measures it (target: 10,000 models <= 200 ms).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from .errors import ConfigurationError
from .facts import Facts, FactsIndex
from .model import Capability, Model, PriceTier, Pricing
from .providers.naming import display_name
from .vocab import CAPABILITIES, PRICE_FIELDS, TIER_PRICE_FIELDS


class FactsLayer(Protocol):
    """What merging asks of a catalog layer: a :class:`FactsIndex`, or the live sources'
    reconciled :class:`~modelsync.live.LiveLayer`."""

    def match(
        self, provider: str, model_id: str, aliases: Sequence[str] = ()
    ) -> tuple[Facts, bool] | None: ...


__all__ = ["OverrideEntry", "merge", "merge_many", "override_key", "parse_overrides"]

_CATALOG = {
    True: Capability(supported=True, source="catalog"),
    False: Capability(supported=False, source="catalog"),
}
_USER = {
    True: Capability(supported=True, source="user"),
    False: Capability(supported=False, source="user"),
}
#: Fields filled from catalogs when the API left them empty (name, lifecycle, pricing aside).
_FILLED = (
    "input_modalities",
    "output_modalities",
    "context_window",
    "max_output_tokens",
    "knowledge_cutoff",
    "release_date",
    "deprecated_date",
    "shutdown_date",
    "replacement",
)


_Mark = Callable[[str, str], None]


class _View:
    """What merging needs from one catalog entry, built once and kept on the entry."""

    __slots__ = ("capabilities", "deprecated_date", "facts", "prices", "shutdown_date")

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.capabilities = {k: _CATALOG[v] for k, v in facts.capabilities.items()}
        self.deprecated_date = _midnight(facts.deprecated_date)
        self.shutdown_date = _midnight(facts.shutdown_date)
        self.prices: dict[str | None, Pricing] = {}

    def pricing(self, as_of: str | None) -> Pricing | None:
        p = self.facts.pricing
        if p is None:
            return None
        when = self.facts.as_of or as_of
        built = self.prices.get(when)
        if built is None:
            built = Pricing(
                state="known",
                **{k: getattr(p, k) for k in PRICE_FIELDS},
                tiers=tuple(PriceTier.model_validate(t.model_dump()) for t in p.tiers),
                source="catalog",
                as_of=when,
            )
            self.prices[when] = built
        return built

    def value(self, field: str) -> Any:
        if field == "shutdown_date":
            return self.shutdown_date
        if field == "deprecated_date":
            return self.deprecated_date
        return getattr(self.facts, field)


def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _view(facts: Facts) -> _View:
    view = facts._merge_cache
    if view is None:
        view = _View(facts)
        facts._merge_cache = view
    return view  # type: ignore[no-any-return]


def merge(
    model: Model,
    *,
    live: Facts | None,
    bundled: Facts | None,
    overrides: Mapping[str, Any] | None = None,
    as_of: str | None = None,
) -> Model:
    """``model`` with the gaps its API left filled from the catalogs, then user overrides applied.

    ``live`` and ``bundled`` are the entries :meth:`FactsIndex.match` found for this model
    (or ``None``); ``overrides`` is this model's entry from :func:`parse_overrides` (a raw mapping
    is validated here too). ``as_of`` dates prices that carry no date of their own (user prices).
    The input is never modified; it is returned as is when nothing changes.
    """
    layers = [_view(f) for f in (live, bundled) if f is not None]
    if not layers and not overrides:
        return model
    sources = model.sources
    new_sources: dict[str, Any] | None = None
    update: dict[str, Any] = {}

    def mark(field: str, source: str) -> None:
        nonlocal new_sources
        if sources.get(field) != source:
            if new_sources is None:
                new_sources = dict(sources)
            new_sources[field] = source

    for field in _FILLED:
        current = getattr(model, field)
        if current is not None and current != () and sources.get(field, "api") == "api":
            continue
        for view in layers:
            value = view.value(field)
            if value is not None:
                if value != current:
                    update[field] = value
                mark(field, "catalog")
                break

    _merge_name(model, layers, update, mark)
    _merge_lifecycle(model, layers, update, mark)

    pricing = model.pricing
    if pricing is None or pricing.source != "api" or pricing.state == "unknown":
        for view in layers:
            found = view.pricing(as_of)
            if found is not None:
                if found is not pricing:
                    update["pricing"] = found
                break

    capabilities = _merge_capabilities(model.capabilities, layers)

    if overrides:
        entry = overrides if isinstance(overrides, OverrideEntry) else _entry("<merge>", overrides)
        for field, value in entry.items():
            if field == "capabilities":
                capabilities = dict(
                    capabilities if capabilities is not None else model.capabilities
                )
                capabilities.update({k: _USER[v] for k, v in value.items()})
            elif field == "pricing":
                update["pricing"] = _user_pricing(value, as_of)
            else:
                update[field] = value
                mark(field, "user")

    if capabilities is not None:
        update["capabilities"] = capabilities
    if new_sources is not None:
        update["sources"] = new_sources
    return model.model_copy(update=update) if update else model


def _merge_name(model: Model, layers: list[_View], update: dict[str, Any], mark: _Mark) -> None:
    if model.sources.get("name") == "api":
        return  # the adapter says the provider gave this name ("Gemini Embedding 001"): keep it
    name = model.name
    made_up = (
        not name
        or name == model.id
        or model.sources.get("name", "api") != "api"
        or name == display_name(model.id)
    )
    if not made_up:
        return
    # Vertex writes a snapshot as claude-sonnet-4-5@20250929: the same model as the dashed id.
    wanted = {model.id.lower(), model.id.lower().replace("@", "-")}
    for view in layers:
        facts = view.facts
        if facts.name and facts.id.lower() in wanted:
            if facts.name != name:
                update["name"] = facts.name
            mark("name", "catalog")
            return


def _merge_lifecycle(
    model: Model, layers: list[_View], update: dict[str, Any], mark: _Mark
) -> None:
    stated = model.sources.get("lifecycle", "api") == "api" and (
        model.lifecycle != "active"
        or model.shutdown_date is not None
        or model.deprecated_date is not None
    )
    if stated:
        return
    for view in layers:
        lifecycle = view.facts.lifecycle
        if lifecycle is not None:
            if lifecycle != model.lifecycle:
                update["lifecycle"] = lifecycle
                mark("lifecycle", "catalog")
            return


def _merge_capabilities(
    current: Mapping[str, Capability], layers: list[_View]
) -> dict[str, Capability] | None:
    """API, then each catalog, then what an earlier merge found, then rules; ``None`` if unchanged."""
    merged: dict[str, Capability] = {}
    later: list[tuple[str, Capability]] = []
    ruled: list[tuple[str, Capability]] = []
    for name, cap in current.items():
        source = cap.source
        if source == "api":
            merged[name] = cap
        elif source == "rule":
            ruled.append((name, cap))
        elif source == "catalog":
            later.append((name, cap))
        # "user" answers are re-applied from the overrides of this merge, if still configured
    for view in layers:
        for name, cap in view.capabilities.items():
            if name not in merged:
                merged[name] = cap
    for name, cap in later:
        merged.setdefault(name, cap)
    for name, cap in ruled:
        merged.setdefault(name, cap)
    if len(merged) == len(current) and all(merged.get(k) is v for k, v in current.items()):
        return None
    return merged


def _user_pricing(value: Mapping[str, Any], as_of: str | None) -> Pricing:
    state = value.get("state", "known")
    numbers = {k: value[k] for k in PRICE_FIELDS if k in value}
    tiers = tuple(PriceTier(**t) for t in value.get("tiers", ()))
    return Pricing(state=state, source="user", as_of=as_of, tiers=tiers, **numbers)


def merge_many(
    models: Iterable[Model],
    *,
    provider_type: str | None = None,
    live: FactsLayer | None = None,
    bundled: FactsIndex | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    as_of: str | None = None,
) -> list[Model]:
    """Look up and merge every model of one provider's list.

    The live layer comes before the bundled catalog, except where it matched only loosely and
    the bundled catalog has this exact id (``gpt-4o-2024-05-13`` priced unlike ``gpt-4o``): then
    the exact entry comes first and the loose one contributes no price.

    ``provider_type`` is the adapter's provider (``openai`` for a named instance ``work-openai``);
    it defaults to each model's ``provider``. Overrides are keyed ``"{instance}/{model id}"`` as
    :func:`override_key` writes them.
    """
    out: list[Model] = []
    for model in models:
        kind = provider_type or model.provider
        # A deployment (Azure) is called by its own name but described by the model it serves.
        wanted = model.base_model or model.id
        md = live.match(kind, wanted, model.aliases) if live is not None else None
        bd = bundled.match(kind, wanted, model.aliases) if bundled is not None else None
        user = overrides.get(override_key(model.provider, model.id)) if overrides else None
        first, second = md, bd
        if md is not None and bd is not None and bd[1] and not md[1]:
            # models.dev found only a sibling (a snapshot's undated family) where the bundled
            # catalog knows this very id: the exact entry describes the model, and the sibling's
            # price is not this model's (gpt-4o-2024-05-13 costs twice gpt-4o).
            first, second = bd, (md[0].without_pricing(), False)
        out.append(
            merge(
                model,
                live=first[0] if first else None,
                bundled=second[0] if second else None,
                overrides=user,
                as_of=as_of,
            )
        )
    return out


# -- user overrides --------------------------------------------------------------------------


class OverrideEntry(dict[str, Any]):
    """One model's override, already validated by :func:`parse_overrides` (values are typed)."""


def override_key(provider: str, model_id: str) -> str:
    """``provider/model``: the key of ``[overrides."provider/model"]`` (the id may hold ``/``)."""
    return f"{provider}/{model_id}"


_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_LIFECYCLES = ("active", "preview", "deprecated", "retired")
_STATES = ("known", "unknown", "dynamic")


class _Bad(ValueError):
    pass


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad("must be a non-empty string")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Bad(f"must be a positive integer (got {value!r})")
    return value


def _partial_date(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()[:10]
    if not isinstance(value, str) or not _DATE.match(value):
        raise _Bad(f"must be YYYY-MM or YYYY-MM-DD (got {value!r})")
    return value


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise _Bad(f"must be a date such as 2026-06-30 (got {value!r})")


def _words(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise _Bad(f"must be a list of strings (got {value!r})")
    return tuple(value)


def _lifecycle(value: Any) -> str:
    if value not in _LIFECYCLES:
        raise _Bad(f"must be one of {list(_LIFECYCLES)} (got {value!r})")
    return str(value)


def _capability_map(value: Any) -> dict[str, bool]:
    if not isinstance(value, Mapping):
        raise _Bad("must be a table such as { vision = true }")
    out: dict[str, bool] = {}
    for name, flag in value.items():
        if name not in CAPABILITIES:
            raise _Bad(f"unknown capability {name!r}; known: {', '.join(CAPABILITIES)}")
        if not isinstance(flag, bool):
            raise _Bad(f"{name} must be true or false (got {flag!r})")
        out[name] = flag
    return out


def _price(name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _Bad(f'{name} must be a decimal string such as "2.5" (got {value!r})')
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad(f"{name} must be a finite number (got {value!r})")
    try:
        d = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise _Bad(f'{name} must be a decimal string such as "2.5" (got {value!r})') from None
    if not d.is_finite() or d < 0:
        raise _Bad(f"{name} must be a non-negative number (got {value!r})")
    return d


def _pricing_table(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _Bad('must be a table such as { input = "2.5", output = "10" }')
    unknown = sorted(set(value) - {*PRICE_FIELDS, "state", "tiers"})
    if unknown:
        raise _Bad(
            f"unknown price field(s) {unknown}; known: state, {', '.join(PRICE_FIELDS)}, tiers"
        )
    state = value.get("state", "known")
    if state not in _STATES:
        raise _Bad(f"state must be one of {list(_STATES)} (got {state!r})")
    out: dict[str, Any] = {"state": state}
    for name in PRICE_FIELDS:
        if name in value:
            out[name] = _price(name, value[name])
    if "tiers" in value:
        out["tiers"] = _tiers(value["tiers"])
    numbers = len(out) - 1
    if state == "known" and not numbers:
        raise _Bad("names no price; give at least one of input, output, ...")
    if state != "known" and numbers:
        raise _Bad(f"a {state} price carries no numbers")
    return out


def _tiers(value: Any) -> list[dict[str, Any]]:
    """``tiers = [{ above_tokens = 200000, input = "2.5", output = "15" }]``: context tiers."""
    if not isinstance(value, list | tuple):
        raise _Bad('tiers must be a list such as [{ above_tokens = 200000, input = "5" }]')
    out = []
    for tier in value:
        if not isinstance(tier, Mapping):
            raise _Bad(f"each tier must be a table (got {tier!r})")
        unknown = sorted(set(tier) - {"above_tokens", *TIER_PRICE_FIELDS})
        if unknown:
            raise _Bad(
                f"unknown tier field(s) {unknown}; known: above_tokens, "
                + ", ".join(TIER_PRICE_FIELDS)
            )
        if "above_tokens" not in tier:
            raise _Bad("each tier needs above_tokens (the prompt length it starts above)")
        entry: dict[str, Any] = {"above_tokens": _count(tier["above_tokens"])}
        for name in TIER_PRICE_FIELDS:
            if name in tier:
                entry[name] = _price(f"tiers.{name}", tier[name])
        if len(entry) == 1:
            raise _Bad("a tier names no price; give at least one of input, output, ...")
        out.append(entry)
    sizes = [t["above_tokens"] for t in out]
    if len(set(sizes)) != len(sizes):
        raise _Bad("two tiers start at the same above_tokens")
    return sorted(out, key=lambda t: int(t["above_tokens"]))


_CHECKS: dict[str, Any] = {
    "name": _text,
    "description": _text,
    "family": _text,
    "replacement": _text,
    "context_window": _count,
    "max_output_tokens": _count,
    "knowledge_cutoff": _partial_date,
    "release_date": _partial_date,
    "input_modalities": _words,
    "output_modalities": _words,
    "lifecycle": _lifecycle,
    "deprecated_date": _moment,
    "shutdown_date": _moment,
    "capabilities": _capability_map,
    "pricing": _pricing_table,
}


def _entry(key: str, table: Any) -> OverrideEntry:
    if not isinstance(table, Mapping):
        raise ConfigurationError(
            f'overrides."{key}" must be a table',
            hint=f'write [overrides."{key}"] followed by key = value lines',
        )
    out = OverrideEntry()
    for field, raw in table.items():
        check = _CHECKS.get(field)
        if check is None:
            raise ConfigurationError(
                f'overrides."{key}".{field}: unknown field',
                hint=f"overridable fields: {', '.join(sorted(_CHECKS))}",
            )
        try:
            out[field] = check(raw)
        except _Bad as exc:
            raise ConfigurationError(f'overrides."{key}".{field}: {exc}') from None
    return out


def parse_overrides(table: Any) -> dict[str, OverrideEntry]:
    """Validate the config file's ``[overrides]`` table into typed entries, keyed ``provider/model``.

    Raises :class:`~modelsync.errors.ConfigurationError` naming the offending key and field, so a
    typo in the config file is reported, not silently ignored.
    """
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigurationError('[overrides] must be a table of "provider/model" entries')
    out: dict[str, OverrideEntry] = {}
    for key, entry in table.items():
        if not isinstance(key, str):
            raise ConfigurationError(f"overrides: key {key!r} must be a string")
        provider, slash, model_id = key.partition("/")
        if not slash or not provider or not model_id:
            raise ConfigurationError(
                f'overrides."{key}": key must be "provider/model"',
                hint='quote it in TOML: [overrides."openai/gpt-4o"]',
            )
        out[key] = _entry(key, entry)
    return out
