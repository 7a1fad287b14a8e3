"""Queries over stored model dicts: filters, sorting and flat rows for CSV.

They work on the JSON the store holds, not on pydantic objects, so ``modelsync models`` answers
without validating a thousand models. Unknown values never pass a numeric filter: a model with
an unknown context window is not "at least 100k", and one with an unknown or dynamic price is
not "at most $1".
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from .vocab import PRICE_FIELDS

Row = dict[str, Any]

SORT_KEYS = ("provider", "id", "name", "context", "price")
CSV_COLUMNS = (
    "provider",
    "id",
    "name",
    "context_window",
    "max_output_tokens",
    "input_per_1m",
    "output_per_1m",
    "pricing_state",
    "capabilities",
    "lifecycle",
    # Added later, so they come last (readers that index columns keep working).
    "deprecated_date",
    "shutdown_date",
    "replacement",
    "cached_input_per_1m",
    "cache_write_per_1m",
    "reasoning_per_1m",
    "audio_input_per_1m",
    "audio_output_per_1m",
    "batch_input_per_1m",
    "batch_output_per_1m",
    "per_request",
    "per_image",
    "per_web_search",
    "price_tiers",
)
#: The price behind each later price column: every price but input and output (which come first).
_CSV_PRICES = tuple(p for p in PRICE_FIELDS if p not in ("input", "output"))


def input_price(row: Row) -> Decimal | None:
    """The known input price per 1M tokens, or None (unknown, dynamic, absent)."""
    return known_price(row, "input")


def known_price(row: Row, name: str) -> Decimal | None:
    """A known price of ``row`` (``input``, ``per_image``... per ``vocab.PRICE_FIELDS``), or None:
    unknown and dynamic prices are never a number."""
    pricing = row.get("pricing")
    if not isinstance(pricing, dict) or pricing.get("state", "known") != "known":
        return None
    return _decimal(pricing.get(name))


def plain_number(value: Any) -> Any:
    """``"3E-7"`` (or a ``Decimal``) as ``"0.0000003"``; anything that is not a number unchanged.

    Rows stored before prices were serialized as plain decimals may hold exponent notation;
    every output path passes prices through here so people and CSV/JSON readers never see it.
    """
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, str) and ("e" in value or "E" in value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return format(number, "f") if number.is_finite() else value
    return value


#: Keys whose values never hold prices: skipped, so printing 10,000 rows stays cheap.
_PRICELESS = frozenset(
    {"capabilities", "sources", "aliases", "input_modalities", "output_modalities", "statistics"}
)


def plain_prices(value: Any) -> Any:
    """``value`` (a row, a list of rows, a diff, a ledger record...) with every number under a
    ``pricing`` key as a plain decimal string: the one formatter that ``models`` (table, CSV,
    JSON), ``show``, ``diff`` and ``history`` print through. Unchanged parts are returned as
    they are, not copied."""
    if isinstance(value, dict):
        out: dict[str, Any] | None = None
        for key, item in value.items():
            if key == "pricing":
                new = _plain_all(item)
            elif key in _PRICELESS or not isinstance(item, dict | list):
                continue
            else:
                new = plain_prices(item)
            if new is not item:
                if out is None:
                    out = dict(value)
                out[key] = new
        return value if out is None else out
    if isinstance(value, list | tuple):
        items = [plain_prices(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _plain_all(value: Any) -> Any:
    """Every number in a pricing subtree as a plain decimal; the same object if none changes."""
    if isinstance(value, dict):
        items = {k: _plain_all(v) for k, v in value.items()}
        return value if all(items[k] is v for k, v in value.items()) else items
    if isinstance(value, list | tuple):
        listed = [_plain_all(v) for v in value]
        return value if all(a is b for a, b in zip(listed, value, strict=True)) else listed
    return plain_number(value)


def ambiguous(rows: Iterable[Row]) -> list[Row]:
    """The rows that make a lookup ambiguous: two or more distinct models of one provider that
    the same id or alias named (Mistral lists ``voxtral-mini-2507`` under two models); empty
    when every provider has at most one match."""
    by_provider: dict[str, list[Row]] = {}
    for row in rows:
        by_provider.setdefault(str(row.get("provider", "")), []).append(row)
    return [row for found in by_provider.values() if len(found) > 1 for row in found]


def candidate(row: Row) -> Row:
    """What tells one of several matching models apart: its own id, name, aliases, abilities."""
    return {
        "provider": row.get("provider"),
        "id": row.get("id"),
        "name": row.get("name"),
        "aliases": list(row.get("aliases", ())),
        "capabilities": supported(row),
    }


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def supported(row: Row) -> list[str]:
    caps = row.get("capabilities", {})
    return sorted(k for k, v in caps.items() if isinstance(v, dict) and v.get("supported") is True)


def filter_models(
    rows: Iterable[Row],
    *,
    capability: str | None = None,
    search: str | None = None,
    min_context: int | None = None,
    max_price: Decimal | None = None,
) -> list[Row]:
    """The one query filter, shared by the Python API and the CLI."""
    needle = search.lower() if search else None
    out = []
    for row in rows:
        if capability is not None:
            cap = row.get("capabilities", {}).get(capability)
            if not (isinstance(cap, dict) and cap.get("supported") is True):
                continue
        if needle is not None:
            hay = " ".join(str(row.get(k, "")) for k in ("id", "name", "description", "owned_by"))
            hay += " " + " ".join(str(a) for a in row.get("aliases", ()))
            if needle not in hay.lower():
                continue
        if min_context is not None:
            context = row.get("context_window")
            if not isinstance(context, int) or context < min_context:
                continue
        if max_price is not None:
            price = input_price(row)
            if price is None or price > max_price:
                continue
        out.append(row)
    return out


def sort_models(rows: list[Row], key: str) -> list[Row]:
    """Sort by ``provider``, ``id``, ``name``, ``context`` (largest first) or ``price``
    (cheapest input first); models without the value go last."""
    if key == "context":
        return sorted(
            rows,
            key=lambda r: (
                r.get("context_window") is None,
                -(r.get("context_window") or 0),
                r["id"],
            ),
        )
    if key == "price":

        def by_price(r: Row) -> tuple[bool, Decimal, str]:
            price = input_price(r)
            return (price is None, price if price is not None else Decimal(0), r["id"])

        return sorted(rows, key=by_price)
    if key in ("provider", "id", "name"):
        return sorted(rows, key=lambda r: (str(r.get(key, "")), r["id"]))
    raise ValueError(f"unknown sort key {key!r}; use one of {', '.join(SORT_KEYS)}")


def csv_row(row: Row) -> list[str]:
    raw = row.get("pricing")
    pricing: dict[str, Any] = raw if isinstance(raw, dict) else {}
    known = pricing.get("state", "known") == "known"
    return [
        str(row.get("provider", "")),
        str(row.get("id", "")),
        str(row.get("name", "")),
        str(row.get("context_window") or ""),
        str(row.get("max_output_tokens") or ""),
        str(plain_number(pricing.get("input")) or "") if known else "",
        str(plain_number(pricing.get("output")) or "") if known else "",
        str(pricing.get("state", "")) if pricing else "unknown",
        ";".join(supported(row)),
        str(row.get("lifecycle", "")),
        *_csv_lifecycle_and_prices(row, pricing if known else {}),
    ]


def _plain(value: Any) -> str:
    number = _decimal(value)
    return "" if number is None else format(number, "f")


def _csv_lifecycle_and_prices(row: Row, pricing: dict[str, Any]) -> list[str]:
    """The later CSV columns: lifecycle dates and replacement, every other price (plain
    decimals, empty when unknown), and the context tiers as compact JSON."""
    import json

    tiers = [
        {k: (v if k == "above_tokens" else _plain(v)) for k, v in tier.items()}
        for tier in pricing.get("tiers") or ()
        if isinstance(tier, dict)
    ]
    return [
        str(row.get("deprecated_date") or ""),
        str(row.get("shutdown_date") or row.get("deprecation_date") or ""),
        str(row.get("replacement") or ""),
        *(_plain(pricing.get(name)) for name in _CSV_PRICES),
        json.dumps(tiers, separators=(",", ":")) if tiers else "",
    ]
