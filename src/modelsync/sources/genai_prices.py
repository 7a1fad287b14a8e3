"""pydantic's genai-prices price data, read as data from the ``genai_prices/data.py`` it ships.

The PyPI release carries its data as one Python module of constructor calls (``Provider(...)``,
``ModelInfo(...)``, ``ModelPrice(input_mtok=Decimal('3'), ...)``). We never import the package:
:func:`parse_data_module` walks the module's syntax tree and accepts only literals and the known
constructor names, so reading the file runs none of its code.

genai-prices is a *matcher*: each model has a ``match`` clause (equals, starts_with, contains,
regex, and/or) that prices any id it accepts. :meth:`GenaiPrices.find` honours those rules the
way genai-prices does: models tried in file order, the first match wins, ids lowercased, and a
compact date (``-20251211``) retried as ``-2025-12-11``. Two things are deliberately not
followed: a provider's ``fallback_model_providers`` (another provider's price is not this
provider's), and off-peak rates: where a time-of-day schedule applies, the list price is its
highest rate (DeepSeek's peak price), since an off-peak rate is a discount.

A model counts as *listed* by genai-prices only when an id equals the model's own id or one of
its ``equals`` clauses; a ``starts_with``/``contains``/``regex`` match still prices an id that
another source lists, but does not by itself put a model in the catalog.

Prices: ``*_mtok`` are USD per 1M tokens (``cache_read`` -> cached input, ``input_audio`` ->
audio input...); ``web_searches_kcount`` and ``requests_kcount`` are USD per thousand, divided by
1000. ``TieredPrices`` give the base price and context tiers (a prompt longer than ``start``
tokens pays the tier price for all tokens, as ours). A price history (``ConditionalPrice`` with a
start date) is resolved at the catalog's date, the last price started by then winning, as in
genai-prices; ``price_variants`` for ``processing = batch`` give the batch prices.
"""

from __future__ import annotations

import ast
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from ..facts import Facts
from . import GENAI_PRICES, SourceRecord

__all__ = [
    "DATA_PATH",
    "PROVIDERS",
    "GenaiModel",
    "GenaiPrices",
    "parse_data_module",
    "read_from_wheel",
]

DATA_PATH: Final = "genai_prices/data.py"
#: genai-prices provider id -> our provider name.
PROVIDERS: Final[Mapping[str, str]] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "x-ai": "xai",
    "mistral": "mistral",
    "groq": "groq",
    "deepseek": "deepseek",
    "openrouter": "openrouter",
    "together": "together",
    "cohere": "cohere",
    "fireworks": "fireworks",
}
_CONSTRUCTORS: Final = frozenset(
    {
        "Provider",
        "ModelInfo",
        "ModelPrice",
        "TieredPrices",
        "Tier",
        "ConditionalPrice",
        "StartDateConstraint",
        "TimeOfDateConstraint",
        "PriceVariant",
        "ClauseStartsWith",
        "ClauseEndsWith",
        "ClauseContains",
        "ClauseRegex",
        "ClauseEquals",
        "ClauseOr",
        "ClauseAnd",
        "UsageExtractor",
        "UsageExtractorMapping",
        "ArrayMatch",
    }
)
_TOKEN_PRICES: Final[Mapping[str, str]] = {
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
    "output_reasoning_mtok": "reasoning",
    "input_audio_mtok": "audio_input",
    "output_audio_mtok": "audio_output",
}
_PER_THOUSAND: Final[Mapping[str, str]] = {
    "web_searches_kcount": "per_web_search",
    "requests_kcount": "per_request",
}
_TIER_FIELDS: Final = ("input", "output", "cached_input", "cache_write")
_COMPACT_DATE = re.compile(r"(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)")


# -- reading the module as data ---------------------------------------------------------------


class _Unsafe(ValueError):
    pass


def _value(node: ast.expr) -> Any:
    """A literal or an allowed constructor call, as plain data; anything else is refused."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values, strict=True) if k}
    if isinstance(node, ast.Attribute) and ast.unparse(node) == "datetime.UTC":
        return "UTC"
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        args = [_value(a) for a in node.args]
        kwargs = {k.arg: _value(k.value) for k in node.keywords if k.arg is not None}
        if name == "Decimal" and len(args) == 1 and isinstance(args[0], str):
            return Decimal(args[0])
        if name == "datetime.date":
            return date(*args)
        if name == "datetime.time":
            return ("time", *args)
        if name in _CONSTRUCTORS and not args:
            return {"_type": name, **kwargs}
    raise _Unsafe(f"line {getattr(node, 'lineno', '?')}: not plain data: {ast.unparse(node)[:80]}")


def parse_data_module(source: str) -> list[dict[str, Any]]:
    """The ``providers`` list of ``genai_prices/data.py`` as dicts (each with ``_type``)."""
    tree = ast.parse(source)
    for stmt in tree.body:
        target: ast.expr | None = stmt.target if isinstance(stmt, ast.AnnAssign) else None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
        value = getattr(stmt, "value", None)
        if isinstance(target, ast.Name) and target.id == "providers" and value is not None:
            providers = _value(value)
            if not isinstance(providers, list):
                break
            return [p for p in providers if isinstance(p, dict)]
    raise ValueError("genai_prices/data.py has no `providers = [...]` list")


def read_from_wheel(wheel: Path) -> str:
    """``genai_prices/data.py`` read out of a genai-prices wheel (a zip file)."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(DATA_PATH).decode("utf-8")


# -- matching --------------------------------------------------------------------------------


def _matches(clause: Any, ref: str) -> bool:
    if not isinstance(clause, Mapping):
        return False
    kind = clause.get("_type")
    if kind == "ClauseEquals":
        return ref == str(clause["equals"]).lower()
    if kind == "ClauseStartsWith":
        return ref.startswith(str(clause["starts_with"]).lower())
    if kind == "ClauseEndsWith":
        return ref.endswith(str(clause["ends_with"]).lower())
    if kind == "ClauseContains":
        return str(clause["contains"]).lower() in ref
    if kind == "ClauseRegex":
        return re.search(str(clause["regex"]), ref) is not None
    if kind == "ClauseOr":
        return any(_matches(c, ref) for c in clause.get("or_", ()))
    if kind == "ClauseAnd":
        return all(_matches(c, ref) for c in clause.get("and_", ()))
    return False


def _equals(clause: Any) -> Iterator[str]:
    """Ids a clause names exactly (``equals``, also inside ``or``)."""
    if not isinstance(clause, Mapping):
        return
    if clause.get("_type") == "ClauseEquals":
        yield str(clause["equals"]).lower()
    elif clause.get("_type") == "ClauseOr":
        for c in clause.get("or_", ()):
            yield from _equals(c)


def _compact_date(ref: str) -> str:
    def dashed(m: re.Match[str]) -> str:
        try:
            day = date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            return m.group(0)
        return f"{m.group(1)}{day.isoformat()}"

    return _COMPACT_DATE.sub(dashed, ref)


@dataclass(frozen=True)
class GenaiModel:
    """One ``ModelInfo`` of one genai-prices provider."""

    provider: str
    id: str
    raw: Mapping[str, Any]

    @property
    def listed_ids(self) -> frozenset[str]:
        return frozenset({self.id.lower(), *_equals(self.raw.get("match"))})

    def is_match(self, ref: str) -> bool:
        return _matches(self.raw.get("match"), ref.lower())

    def prices_at(self, day: date) -> Mapping[str, Any] | None:
        """The list price on ``day``: the last price started by then (genai-prices' rule), or,
        where a later time-of-day price applies during part of the day (DeepSeek's peak hours),
        the highest of those rates: an off-peak rate is a discount, not the list price."""
        prices = self.raw.get("prices")
        if isinstance(prices, Mapping):
            return prices
        if not isinstance(prices, list) or not prices:
            return None
        base = 0
        for i, conditional in enumerate(prices):
            constraint = conditional.get("constraint")
            if constraint is None or (
                constraint.get("_type") == "StartDateConstraint" and constraint["start_date"] <= day
            ):
                base = i
        candidates = [prices[base]] + [
            c
            for c in prices[base + 1 :]
            if (c.get("constraint") or {}).get("_type") == "TimeOfDateConstraint"
        ]
        chosen = max(candidates, key=_input_rate).get("prices")
        return chosen if isinstance(chosen, Mapping) else None

    def batch_prices(self, day: date) -> Mapping[str, Any] | None:
        """The batch variant in force on ``day``: the first started one in file order (variants
        are resolved first to last in genai-prices, the newest listed first)."""
        for variant in self.raw.get("price_variants") or ():
            if variant.get("when") != {"processing": "batch"}:
                continue
            constraint = variant.get("constraint")
            if constraint is None or (
                constraint.get("_type") == "StartDateConstraint" and constraint["start_date"] <= day
            ):
                prices = variant.get("prices")
                return prices if isinstance(prices, Mapping) else None
        return None


def _input_rate(conditional: Mapping[str, Any]) -> Decimal:
    prices = conditional.get("prices")
    base = _flat(prices.get("input_mtok"))[0] if isinstance(prices, Mapping) else None
    return base if base is not None else Decimal(0)


def _flat(value: Any) -> tuple[Decimal | None, list[tuple[int, Decimal]]]:
    if isinstance(value, Decimal):
        return value, []
    if isinstance(value, Mapping) and value.get("_type") == "TieredPrices":
        tiers = [
            (int(t["start"]), t["price"])
            for t in value.get("tiers", ())
            if isinstance(t.get("price"), Decimal)
        ]
        base = value.get("base")
        return (base if isinstance(base, Decimal) else None), sorted(tiers)
    return None, []


def _pricing(prices: Mapping[str, Any], batch: Mapping[str, Any] | None) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    tiers: dict[int, dict[str, Any]] = {}
    for theirs, ours in _TOKEN_PRICES.items():
        base, tiered = _flat(prices.get(theirs))
        if base is not None:
            out[ours] = base
        if ours in _TIER_FIELDS:
            for start, price in tiered:
                tiers.setdefault(start, {"above_tokens": start})[ours] = price
    for theirs, ours in _PER_THOUSAND.items():
        base, _ = _flat(prices.get(theirs))
        if base is not None:
            out[ours] = (base / 1000).normalize()
    if batch:
        for theirs, ours in (("input_mtok", "batch_input"), ("output_mtok", "batch_output")):
            base, _ = _flat(batch.get(theirs))
            if base is not None:
                out[ours] = base
    if tiers:
        out["tiers"] = [tiers[s] for s in sorted(tiers)]
    return out if any(k != "tiers" for k in out) else None


class GenaiPrices:
    """genai-prices' models for our providers, with its matching rules."""

    def __init__(self, providers: Sequence[Mapping[str, Any]]) -> None:
        self.models: dict[str, list[GenaiModel]] = {}
        for p in providers:
            ours = PROVIDERS.get(str(p.get("id")))
            if ours is None:
                continue
            self.models[ours] = [
                GenaiModel(provider=str(p["id"]), id=str(m["id"]), raw=m)
                for m in p.get("models") or ()
                if isinstance(m, Mapping) and isinstance(m.get("id"), str)
            ]

    @classmethod
    def from_source(cls, source: str) -> GenaiPrices:
        return cls(parse_data_module(source))

    def listed(self, provider: str) -> Iterator[tuple[str, GenaiModel]]:
        """Every id genai-prices names exactly for ``provider``, with its model."""
        for model in self.models.get(provider, ()):
            for ref in sorted(model.listed_ids):
                yield ref, model

    def find(self, provider: str, model_id: str) -> tuple[GenaiModel, bool] | None:
        """The model genai-prices prices ``model_id`` with, and whether it names the id exactly."""
        ref = model_id.lower()
        for candidate in dict.fromkeys((ref, _compact_date(ref))):
            for model in self.models.get(provider, ()):
                if model.is_match(candidate):
                    return model, candidate in model.listed_ids
        return None

    def record(self, provider: str, model_id: str, day: date) -> SourceRecord | None:
        """genai-prices' facts for ``model_id`` (an id another source lists), if it prices it."""
        found = self.find(provider, model_id)
        if found is None:
            return None
        model, exact = found
        prices = model.prices_at(day)
        context = model.raw.get("context_window")
        name = model.raw.get("name")
        data: dict[str, Any] = {
            "provider": provider,
            "id": model_id,
            "name": name if isinstance(name, str) and name else None,
            "context_window": context if isinstance(context, int) and context > 0 else None,
            "lifecycle": "deprecated" if model.raw.get("deprecated") is True else None,
            "pricing": _pricing(prices, model.batch_prices(day)) if prices else None,
            "origin": GENAI_PRICES,
        }
        try:
            facts = Facts.model_validate(data)
        except ValidationError:
            return None
        return SourceRecord(
            source=GENAI_PRICES,
            key=f"{model.provider}/{model.id}",
            facts=facts,
            listed=exact,
        )


# -- the published JSON ----------------------------------------------------------------------

_CLAUSES: Final[Mapping[str, str]] = {
    "equals": "ClauseEquals",
    "starts_with": "ClauseStartsWith",
    "ends_with": "ClauseEndsWith",
    "contains": "ClauseContains",
    "regex": "ClauseRegex",
}


def _exact(value: Any) -> Any:
    """A JSON number as the exact decimal of its shortest spelling (``0.075`` stays ``0.075``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return value


def _json_clause(clause: Any) -> Any:
    if not isinstance(clause, Mapping):
        raise ValueError(f"a match clause is a JSON object, not {type(clause).__name__}")
    if "or" in clause:
        return {"_type": "ClauseOr", "or_": [_json_clause(c) for c in clause["or"]]}
    if "and" in clause:
        return {"_type": "ClauseAnd", "and_": [_json_clause(c) for c in clause["and"]]}
    for key, kind in _CLAUSES.items():
        if key in clause:
            return {"_type": kind, key: str(clause[key])}
    raise ValueError(f"unknown match clause {sorted(clause)}")


def _json_price(value: Any) -> Any:
    if isinstance(value, Mapping) and "base" in value:
        return {
            "_type": "TieredPrices",
            "base": _exact(value["base"]),
            "tiers": [
                {"_type": "Tier", "start": int(t["start"]), "price": _exact(t["price"])}
                for t in value.get("tiers") or ()
            ],
        }
    return _exact(value)


def _json_prices(prices: Any) -> dict[str, Any]:
    if not isinstance(prices, Mapping):
        raise ValueError("prices are a JSON object")
    return {k: _json_price(v) for k, v in prices.items()}


def _json_constraint(constraint: Any) -> Any:
    if not isinstance(constraint, Mapping):
        return None
    if "start_date" in constraint:
        return {
            "_type": "StartDateConstraint",
            "start_date": date.fromisoformat(str(constraint["start_date"])),
        }
    return {"_type": "TimeOfDateConstraint", **constraint}


def _json_model(model: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in model.items() if k not in ("match", "prices", "price_variants")}
    out["match"] = _json_clause(model.get("match"))
    prices = model.get("prices")
    if isinstance(prices, list):
        out["prices"] = [
            {
                "_type": "ConditionalPrice",
                "constraint": _json_constraint(c.get("constraint")),
                "prices": _json_prices(c.get("prices")),
            }
            for c in prices
            if isinstance(c, Mapping)
        ]
    else:
        out["prices"] = _json_prices(prices)
    return out


def from_json(payload: Any) -> list[dict[str, Any]]:
    """The published ``data.json`` (a list of providers) in the shape :class:`GenaiPrices`
    reads from ``data.py``, for our providers only.

    A model entry that does not fit is skipped, as one odd row must not cost the rest; a payload
    that is not a provider list, or holds none of our providers, raises ``ValueError``.
    """
    if not isinstance(payload, list):
        raise ValueError(f"data.json is a JSON {type(payload).__name__}, not a list of providers")
    out: list[dict[str, Any]] = []
    for provider in payload:
        if not isinstance(provider, Mapping) or provider.get("id") not in PROVIDERS:
            continue
        listed = provider.get("models")
        if not isinstance(listed, list):
            continue
        models = []
        for model in listed:
            if not isinstance(model, Mapping) or not isinstance(model.get("id"), str):
                continue
            try:
                models.append(_json_model(model))
            except (ValueError, TypeError, KeyError, ArithmeticError):
                continue
        out.append({"id": provider["id"], "models": models})
    if not any(p["models"] for p in out):
        raise ValueError("data.json prices no model of any provider modelsync knows")
    return out


def ours(payload: Any) -> list[Any]:
    """The providers of a published ``data.json`` that modelsync serves, as given (to store)."""
    if not isinstance(payload, list):
        raise ValueError(f"data.json is a JSON {type(payload).__name__}, not a list of providers")
    return [p for p in payload if isinstance(p, Mapping) and p.get("id") in PROVIDERS]
