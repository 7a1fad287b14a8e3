"""A model's lifecycle, decided by its dates at the moment someone asks.

Providers announce a deprecation and a shutdown (retirement) date; the date then passes without
anyone re-syncing. So the state is not a stored fact but a function of (the state a source
stated, the deprecation date, the shutdown date, now), and every read path asks it again:

- **retired** once the shutdown date has passed (``shutdown_date <= now``), or when a source says
  so without a date (Groq's ``active: false``, an archived Mistral fine-tune);
- **deprecated** while a shutdown date is known but still ahead, once a deprecation date has
  passed, or when a source says so without dates (Cohere's ``is_deprecated``). A future shutdown
  date alone means deprecated: every API that gives one gives it only for a model whose end has
  been announced (OpenAI: "the date when the model will shut down, or null if not announced";
  OpenRouter's ``expiration_date``; Mistral's ``deprecation``), and the providers' own policies
  call a model deprecated from the announcement on (OpenAI's deprecations page: "When we
  announce that a model or endpoint is being deprecated, it immediately becomes deprecated. All
  deprecated models and endpoints will also have a shut down date");
- otherwise **preview** or **active**, as stated.

The state only ever rises (active/preview < deprecated < retired), so applying the rule to a row
that already holds the state of an earlier moment gives the same answer as applying it to what
the source said. That is what lets a sync store the state as of its own time (and its diff
report a model that became retired since the last sync) while reads re-decide it.

A date without a time (``2026-10-23``, as OpenAI and OpenRouter write them) means the start of
that day in UTC: a model is called retired a few hours early rather than late, which is the safe
side for a CI check.

Everything here works on stored dicts and costs nothing for rows without dates, so ``modelsync
models`` stays a dict walk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

Row = dict[str, Any]

__all__ = [
    "STATES",
    "CheckResult",
    "Deprecation",
    "assess_requirement",
    "current_row",
    "current_rows",
    "deprecations",
    "effective_state",
    "moment",
    "next_change",
    "state_of",
]

STATES = ("active", "preview", "deprecated", "retired")
_DATE_KEYS = ("shutdown_date", "deprecated_date", "deprecation_date")


def effective_state(
    stated: str | None,
    deprecated_date: datetime | None,
    shutdown_date: datetime | None,
    now: datetime,
) -> str:
    """The state at ``now``: the later of what was stated and what the dates say."""
    if stated == "retired" or (shutdown_date is not None and shutdown_date <= now):
        return "retired"
    if (
        stated == "deprecated"
        or shutdown_date is not None
        or (deprecated_date is not None and deprecated_date <= now)
    ):
        return "deprecated"
    return stated if stated == "preview" else "active"


@lru_cache(maxsize=4096)
def _parse(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def moment(value: Any) -> datetime | None:
    """A stored date or datetime (ISO string or ``datetime``) as an aware datetime, or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        return _parse(value)
    return None


def _dates(row: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """(deprecated_date, shutdown_date); rows stored before 0.2 name the latter
    ``deprecation_date``."""
    shutdown = row.get("shutdown_date")
    if shutdown is None:
        shutdown = row.get("deprecation_date")
    return moment(row.get("deprecated_date")), moment(shutdown)


def state_of(row: Mapping[str, Any], now: datetime) -> str:
    """The effective state of a stored model dict at ``now``."""
    deprecated, shutdown = _dates(row)
    return effective_state(row.get("lifecycle"), deprecated, shutdown, now)


def current_row(row: Row, now: datetime) -> Row:
    """``row`` with ``lifecycle`` decided at ``now`` (a copy only when something changes)."""
    if not any(k in row for k in _DATE_KEYS) and row.get("lifecycle", "active") in STATES:
        return row  # no dates: the stated state stands (the common case, no work)
    state = state_of(row, now)
    if state == row.get("lifecycle") and "deprecation_date" not in row:
        return row
    out = dict(row)
    out["lifecycle"] = state
    if "deprecation_date" in out:  # a legacy row: say it the way current rows do
        legacy = out.pop("deprecation_date")
        out.setdefault("shutdown_date", legacy)
    return out


def next_change(rows: Iterable[Row], now: datetime) -> datetime | None:
    """The first instant after ``now`` at which a row's state changes (a deprecation or shutdown
    date still ahead), or None: until then ``current_rows`` gives the same answer, so a reader
    may keep what it decided."""
    soonest: datetime | None = None
    for row in rows:
        if not any(k in row for k in _DATE_KEYS):
            continue
        for when in _dates(row):
            if when is not None and when > now and (soonest is None or when < soonest):
                soonest = when
    return soonest


def current_rows(rows: Iterable[Row], now: datetime | None = None) -> list[Row]:
    """Every row with its lifecycle decided at ``now`` (default: this instant)."""
    when = now or datetime.now(UTC)
    return [current_row(r, when) for r in rows]


# -- deprecations ------------------------------------------------------------------------------


def _iso_day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


@dataclass(frozen=True)
class Deprecation:
    """One model on its way out (or gone): what ``modelsync deprecations`` prints."""

    provider: str
    id: str
    name: str | None
    state: str
    deprecated_date: datetime | None
    shutdown_date: datetime | None
    replacement: str | None
    #: Whole days (UTC calendar days) until the shutdown; negative once it has passed.
    days_left: int | None
    #: The last fetch did not list it (kept until safe removal).
    missing: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "deprecated_date": _iso_day(self.deprecated_date),
            "shutdown_date": _iso_day(self.shutdown_date),
            "days_left": self.days_left,
            "replacement": self.replacement,
            "missing": self.missing,
        }


def _days_between(now: datetime, then: datetime | None) -> int | None:
    if then is None:
        return None
    return (then.astimezone(UTC).date() - now.astimezone(UTC).date()).days


def deprecations(
    rows: Iterable[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    within_days: float | None = None,
    include_retired: bool = True,
) -> list[Deprecation]:
    """Models with a shutdown date or a deprecated/retired state, soonest shutdown first.

    Models deprecated or retired without a date come last. ``within_days`` keeps only those
    whose shutdown date is at most that many days ahead (already past included, unknown
    excluded); ``include_retired=False`` drops the ones already retired.
    """
    when = now or datetime.now(UTC)
    horizon = None if within_days is None else when + timedelta(days=within_days)
    found: list[Deprecation] = []
    for row in rows:
        deprecated, shutdown = _dates(row)
        state = effective_state(row.get("lifecycle"), deprecated, shutdown, when)
        if state not in ("deprecated", "retired"):
            continue
        if state == "retired" and not include_retired:
            continue
        if horizon is not None and (shutdown is None or shutdown > horizon):
            continue
        found.append(
            Deprecation(
                provider=str(row.get("provider", "")),
                id=str(row.get("id", "")),
                name=row.get("name"),
                state=state,
                deprecated_date=deprecated,
                shutdown_date=shutdown,
                replacement=row.get("replacement"),
                days_left=_days_between(when, shutdown),
                missing=bool(row.get("missing_count")),
            )
        )
    far = datetime.max.replace(tzinfo=UTC)
    found.sort(key=lambda d: (d.shutdown_date is None, d.shutdown_date or far, d.provider, d.id))
    return found


# -- check ---------------------------------------------------------------------------------------


class CheckResult(list[str]):
    """The problems a check found (a plain list, empty when all is well) and its ``warnings``:
    things worth saying that do not fail the check (a required model is deprecated)."""

    def __init__(self, problems: Iterable[str] = (), warnings: Iterable[str] = ()) -> None:
        super().__init__(problems)
        self.warnings = list(warnings)

    @property
    def ok(self) -> bool:
        return not self

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": list(self), "warnings": self.warnings}


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "no shutdown date announced"
    days = _days_between(now, value)
    day = value.date().isoformat()
    if days is None or days < 0:
        return f"shut down on {day}"
    if days == 0:
        return f"shuts down on {day} (today)"
    return f"shuts down on {day} (in {days} day{'s' if days != 1 else ''})"


def _instead(row: Mapping[str, Any]) -> str:
    replacement = row.get("replacement")
    return f"replacement: {replacement}" if replacement else "no replacement named"


def assess_requirement(
    wanted: str,
    present: Sequence[Mapping[str, Any]],
    now: datetime,
    within_days: float | None = None,
) -> tuple[list[str], list[str]]:
    """Problems and warnings for one ``check --require`` that the catalog lists (``present``).

    The requirement is met by any one match, so it fails only when every match is retired, and
    ``within_days`` fails it only when even the longest-living match shuts down within that
    many days. Otherwise a deprecated best match is a warning. Each message names the model,
    its date and its replacement.
    """
    if not present:
        return [], []
    judged = [(row, state_of(row, now), _dates(row)[1]) for row in present]
    usable = [j for j in judged if j[1] != "retired"]
    if not usable:
        row, _, shutdown = max(judged, key=lambda j: j[2] or datetime.min.replace(tzinfo=UTC))
        where = f"{row.get('provider')}/{row.get('id')}"
        gone = f"shut down on {shutdown.date().isoformat()}" if shutdown else "retired"
        return [f"required model {wanted} is retired ({where} {gone}); {_instead(row)}"], []
    far = datetime.max.replace(tzinfo=UTC)
    row, state, shutdown = max(usable, key=lambda j: j[2] or far)
    where = f"{row.get('provider')}/{row.get('id')}"
    if (
        within_days is not None
        and shutdown is not None
        and shutdown <= now + timedelta(days=within_days)
    ):
        return [
            f"required model {wanted} ({where}) {_when(shutdown, now)}, within "
            f"{within_days:g} days; {_instead(row)}"
        ], []
    if state == "deprecated":
        return [], [
            f"required model {wanted} ({where}) is deprecated: {_when(shutdown, now)}; "
            f"{_instead(row)}"
        ]
    return [], []
