"""The JSON shapes the CLI's ``--json`` output and the HTTP API share.

Kept apart from both faces so ``modelsync history --json`` and ``GET /api/history`` cannot drift:
each builds its answer here from ``Catalog`` reads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalog import Catalog


def history(catalog: Catalog, provider: str | None, limit: int | None) -> dict[str, Any]:
    """``{"entries": [...newest first], "failure_rates": {provider: {attempts, failures,
    failure_rate}}}`` over the records returned."""
    records = catalog.history(provider, limit=limit)
    return {"entries": records, "failure_rates": failure_rates(records)}


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
    diffs = catalog.diff(provider, since=since, last=last)
    return {"providers": {name: d.to_dict() for name, d in diffs.items()}}


def check(
    catalog: Catalog, require: list[str], max_age_hours: float | None = None
) -> dict[str, Any]:
    """``{"ok": bool, "problems": [...]}``."""
    problems = catalog.check(require, max_age_hours=max_age_hours)
    return {"ok": not problems, "problems": problems}


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
