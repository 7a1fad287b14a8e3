"""The JSON shapes the CLI's ``--json`` output and the HTTP API share.

Kept apart from both faces so ``modelsync history --json`` and ``GET /api/history`` cannot drift:
each builds its answer here from ``Catalog`` reads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .catalog import Catalog
    from .diff import Diff
    from .lifecycle import CheckResult


def history(catalog: Catalog, provider: str | None, limit: int | None) -> dict[str, Any]:
    """``{"entries": [...newest first], "failure_rates": {provider: {attempts, failures,
    failure_rate}}}`` over the records returned."""
    return history_of(catalog.history(provider, limit=limit))


def history_of(records: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`history` of records already read (prices as plain decimals)."""
    from .query import plain_prices

    return {"entries": plain_prices(records), "failure_rates": failure_rates(records)}


def failure_rates(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rates: dict[str, dict[str, Any]] = {}
    for record in records:
        entry = rates.setdefault(str(record.get("provider")), {"attempts": 0, "failures": 0})
        entry["attempts"] += 1
        entry["failures"] += record.get("status") == "error"
    for entry in rates.values():
        entry["failure_rate"] = round(entry["failures"] / entry["attempts"], 3)
    return rates


def diff(
    catalog: Catalog,
    provider: str | None = None,
    *,
    since: datetime | None = None,
    last: int | None = None,
) -> dict[str, Any]:
    """``{"providers": {name: Diff.to_dict()}}`` over the chosen span."""
    return diff_of(catalog.diff(provider, since=since, last=last))


def diff_of(diffs: Mapping[str, Diff]) -> dict[str, Any]:
    """:func:`diff` of diffs already read (prices as plain decimals)."""
    from .query import plain_prices

    return {"providers": {name: plain_prices(d.to_dict()) for name, d in diffs.items()}}


def check(
    catalog: Catalog,
    require: list[str],
    max_age_hours: float | None = None,
    deprecations_within: float | None = None,
) -> dict[str, Any]:
    """``{"ok": bool, "problems": [...], "warnings": [...]}``."""
    return check_of(
        catalog.check(require, max_age_hours=max_age_hours, deprecations_within=deprecations_within)
    )


def check_of(result: CheckResult) -> dict[str, Any]:
    """:func:`check` of a result already computed."""
    return {"ok": not result, "problems": list(result), "warnings": list(result.warnings)}


def parse_since(text: str) -> datetime:
    """``2026-11-27``, ``2026-11-27T10:00`` (UTC unless given), or a span back from now:
    ``90m``, ``36h``, ``7d``. Raises ``ValueError`` with a message that says what to write."""
    units = {"m": 60, "h": 3600, "d": 86400}
    text = text.strip()
    if text[-1:] in units and text[:-1].replace(".", "", 1).isdigit():
        return datetime.now(UTC) - timedelta(seconds=float(text[:-1]) * units[text[-1]])
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("use a date (2026-11-27), a date and time, or 90m / 36h / 7d") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
