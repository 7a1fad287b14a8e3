"""What changed between two catalogs, and the safe-removal rule that decides what "removed" means.

A diff compares stored dicts (what the store holds and what a sync is about to write), not model
objects, so diffing 10,000 models costs a dict lookup and a few comparisons each. Only fields a
user acts on count: ordering and ``created`` drifting (providers that stamp listing time) are
noise. A model absent from one good fetch is only *missing*; it is removed after
``remove_after`` consecutive good fetches without it.

Each changed model also says what *kind* of change it is (:func:`change_kinds`): a deprecation
announced, a shutdown date moved, a withdrawn deprecation, a retirement, a new replacement, a
price change, or other details. Kinds are derived from the changed fields whenever a diff is
read, so ledger records written before kinds existed report them too. Lifecycle and price kinds
also become :class:`ChangeEvent` objects (``Diff.events()``, ``"events"`` in ``to_dict()``) with
the old and new values, which notifications and callbacks carry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .vocab import PRICE_FIELDS

Row = dict[str, Any]

#: Fields whose change is news. Capabilities compare by yes/no only (not by source); pricing
#: compares every price and its state but not where it was read.
TRACKED = (
    "name",
    "capabilities",
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "pricing",
    "lifecycle",
    "deprecated_date",
    "shutdown_date",
    "replacement",
    "aliases",
)


#: The fields that make up a model's lifecycle.
LIFECYCLE_FIELDS = ("lifecycle", "deprecated_date", "shutdown_date", "replacement")
#: Change kinds, in the order a change lists them. The first five are lifecycle kinds.
KINDS = (
    "deprecation_announced",
    "shutdown_date_changed",
    "deprecation_withdrawn",
    "retired",
    "replacement_changed",
    "price_changed",
    "details_changed",
)
LIFECYCLE_KINDS = KINDS[:5]
#: Each kind as people read it.
LABELS = {k: k.replace("_", " ") for k in KINDS}
#: Pricing keys that say where or when a price was read, not what it is: never news.
_PRICE_PROVENANCE = ("source", "as_of")


def _number(value: Any) -> Any:
    """A price as a comparable number (``"2.50"`` equals ``"2.5"``); anything else as is."""
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return value
    return value


def _price_view(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _price_view(v) for k, v in value.items() if k not in _PRICE_PROVENANCE}
    if isinstance(value, list | tuple):
        return [_price_view(v) for v in value]
    return _number(value)


def _comparable(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "capabilities" and isinstance(value, Mapping):
        return {k: v.get("supported") if isinstance(v, Mapping) else v for k, v in value.items()}
    if name == "pricing" and isinstance(value, Mapping):
        return _price_view(value)
    if name in ("input_modalities", "output_modalities", "aliases") and isinstance(value, list):
        return sorted(value) if name == "aliases" else value
    return value


@dataclass(frozen=True)
class FieldChange:
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new}


def price_changes(old: Any, new: Any) -> dict[str, FieldChange]:
    """Per price field (``state``, ``input``, ``output``... and ``tiers``), the old and new values
    of the ones that differ; where a price was read (``source``, ``as_of``) is not a change."""
    before = old if isinstance(old, Mapping) else {}
    after = new if isinstance(new, Mapping) else {}
    out: dict[str, FieldChange] = {}
    for name in ("state", *PRICE_FIELDS, "tiers"):
        a, b = before.get(name), after.get(name)
        if name == "tiers":
            a, b = a or None, b or None
        if _price_view(a) != _price_view(b):
            out[name] = FieldChange(_plain(a), _plain(b))
    return out


def _plain(price: Any) -> Any:
    """A price (or tier list) as every output prints it: ``0.0000003``, never ``3E-7`` (rows
    stored before prices were written as plain decimals may still hold the exponent form)."""
    from .query import plain_prices

    return plain_prices({"pricing": price})["pricing"]


def change_kinds(fields: Mapping[str, FieldChange]) -> list[str]:
    """What kinds of change ``fields`` (a model's changed tracked fields) amount to.

    Lifecycle: ``retired`` when the state became retired; ``deprecation_announced`` when a
    shutdown or deprecation date appears or the state becomes deprecated; ``deprecation_withdrawn``
    when the state falls back to active or preview; ``shutdown_date_changed`` when a known
    shutdown date moves (or is dropped); ``replacement_changed`` when the named replacement
    changes (one named with a new announcement, or dropped with a withdrawal, is part of it).
    Then
    ``price_changed`` and ``details_changed`` (anything else tracked).
    """
    kinds: list[str] = []
    life = fields.get("lifecycle")
    old_state = life.old if life else None
    new_state = life.new if life else None
    shutdown = fields.get("shutdown_date")
    deprecated = fields.get("deprecated_date")
    retired = new_state == "retired"
    withdrawn = (
        life is not None
        and new_state in ("active", "preview", None)
        and (old_state in ("deprecated", "retired"))
    )
    announced = (
        not retired
        and not withdrawn
        and (
            (life is not None and new_state == "deprecated" and old_state != "retired")
            or (shutdown is not None and shutdown.old is None and shutdown.new is not None)
            or (deprecated is not None and deprecated.old is None and deprecated.new is not None)
        )
    )
    if announced:
        kinds.append("deprecation_announced")
    if shutdown is not None and shutdown.old is not None and not withdrawn:
        kinds.append("shutdown_date_changed")
    if withdrawn:
        kinds.append("deprecation_withdrawn")
    if retired:
        kinds.append("retired")
    replacement = fields.get("replacement")
    if replacement is not None and not (
        (announced and replacement.old is None) or (withdrawn and replacement.new is None)
    ):
        kinds.append("replacement_changed")
    if "pricing" in fields:
        kinds.append("price_changed")
    if any(name not in LIFECYCLE_FIELDS and name != "pricing" for name in fields):
        kinds.append("details_changed")
    return kinds


@dataclass(frozen=True)
class ChangeEvent:
    """One lifecycle or price change of one model, with the values before and after.

    ``changes`` holds the fields concerned: the lifecycle fields that changed for a lifecycle
    kind, each price field that changed for ``price_changed``. ``state``, ``shutdown_date`` and
    ``replacement`` are the model's lifecycle after the change (so a retirement names its date
    even when the date itself did not change).
    """

    kind: str
    id: str
    changes: dict[str, FieldChange]
    provider: str | None = None
    state: str | None = None
    shutdown_date: str | None = None
    replacement: str | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.id}
        if self.provider is not None:
            out["provider"] = self.provider
        out["changes"] = {k: v.to_dict() for k, v in self.changes.items()}
        if self.kind in LIFECYCLE_KINDS:
            out.update(
                state=self.state, shutdown_date=self.shutdown_date, replacement=self.replacement
            )
        return out


@dataclass(frozen=True)
class ModelChange:
    """A model's changed tracked fields; ``lifecycle`` holds its lifecycle fields after the
    change (``lifecycle``, ``deprecated_date``, ``shutdown_date``, ``replacement``) when any of
    them changed, so events can name a date that did not itself change."""

    id: str
    fields: dict[str, FieldChange]
    lifecycle: dict[str, Any] | None = None

    @property
    def kinds(self) -> list[str]:
        return change_kinds(self.fields)

    def events(self, provider: str | None = None) -> list[ChangeEvent]:
        """One event per lifecycle or price kind of this change."""
        out = []
        now = self.lifecycle or {}
        for kind in self.kinds:
            if kind == "details_changed":
                continue
            if kind == "price_changed":
                pricing = self.fields["pricing"]
                changes = price_changes(pricing.old, pricing.new)
            else:
                changes = {k: v for k, v in self.fields.items() if k in LIFECYCLE_FIELDS}
            out.append(
                ChangeEvent(
                    kind=kind,
                    id=self.id,
                    changes=changes,
                    provider=provider,
                    state=now.get("lifecycle"),
                    shutdown_date=now.get("shutdown_date"),
                    replacement=now.get("replacement"),
                )
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kinds": self.kinds,
            "fields": {k: v.to_dict() for k, v in self.fields.items()},
        }
        if self.lifecycle is not None:
            out["lifecycle"] = self.lifecycle
        return out


@dataclass
class Diff:
    """``added``/``removed`` are ids; ``missing`` are ids absent from this fetch but kept.

    ``baseline`` is set only on a net diff over a span that starts with a first sync: the ids
    that first sync listed. ``added``/``removed``/``changed`` are then relative to it.
    """

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ModelChange] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    first_sync: bool = False
    baseline: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def events(self, provider: str | None = None) -> list[ChangeEvent]:
        """Every lifecycle and price change in this diff, model by model."""
        return [e for c in self.changed for e in c.events(provider)]

    def to_dict(self, *, events: bool = True) -> dict[str, Any]:
        """JSON-ready; ``events=False`` leaves out ``events`` (derivable from ``changed``: the
        ledger stores diffs without them)."""
        out: dict[str, Any] = {
            "added": self.added,
            "removed": self.removed,
            "changed": [c.to_dict() for c in self.changed],
            "missing": self.missing,
            "first_sync": self.first_sync,
        }
        if self.baseline is not None:
            out["baseline"] = self.baseline
        if events:
            out["events"] = [e.to_dict() for e in self.events()]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Diff:
        return cls(
            added=list(data.get("added", ())),
            removed=list(data.get("removed", ())),
            changed=[
                ModelChange(
                    c["id"],
                    {k: FieldChange(v.get("old"), v.get("new")) for k, v in c["fields"].items()},
                    c.get("lifecycle") if isinstance(c.get("lifecycle"), dict) else None,
                )
                for c in data.get("changed", ())
            ],
            missing=list(data.get("missing", ())),
            first_sync=bool(data.get("first_sync", False)),
            baseline=list(data["baseline"]) if data.get("baseline") is not None else None,
        )


def changed_fields(old: Row, new: Row, fields: Sequence[str] = TRACKED) -> dict[str, FieldChange]:
    out = {}
    for name in fields:
        raw_old, raw_new = old.get(name), new.get(name)
        if raw_old == raw_new:  # the common case, and the cheap one
            continue
        if _comparable(name, raw_old) != _comparable(name, raw_new):
            out[name] = FieldChange(raw_old, raw_new)
    return out


@dataclass
class Reconciled:
    """The catalog to store (present models plus ones still only missing) and its diff."""

    rows: list[Row]
    diff: Diff


def reconcile(previous: Sequence[Row], fetched: Sequence[Row], remove_after: int) -> Reconciled:
    """Merge a good fetch into the previous catalog under the safe-removal rule.

    Present models take the fetched data (a returning model loses its missing mark). A model
    absent from the fetch is kept with ``missing_since``/``missing_count`` until it has been
    absent from ``remove_after`` consecutive good fetches; then it is removed and reported.
    """
    diff = Diff(first_sync=not previous)
    before = {row["id"]: row for row in previous}
    rows: list[Row] = []
    seen = set()
    for row in fetched:
        model_id = row["id"]
        seen.add(model_id)
        old = before.get(model_id)
        if old is None:
            diff.added.append(model_id)
        else:
            moved = changed_fields(old, row)
            if moved:
                diff.changed.append(ModelChange(model_id, moved, _lifecycle_now(row, moved)))
        rows.append(row)
    for model_id, old in before.items():
        if model_id in seen:
            continue
        count = int(old.get("missing_count", 0)) + 1
        if count >= remove_after:
            diff.removed.append(model_id)
            continue
        kept = dict(old)
        kept["missing_count"] = count
        kept.setdefault("missing_since", None)
        if kept["missing_since"] is None:
            kept["missing_since"] = _now_iso()
        diff.missing.append(model_id)
        rows.append(kept)
    return Reconciled(rows, diff)


def _lifecycle_now(row: Row, moved: Mapping[str, FieldChange]) -> dict[str, Any] | None:
    """The lifecycle fields of ``row`` when any of them changed (else None: nothing to add)."""
    if not any(name in moved for name in LIFECYCLE_FIELDS):
        return None
    return {k: row[k] for k in LIFECYCLE_FIELDS if row.get(k) is not None}


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


def absent_share(previous: Iterable[Row], fetched_ids: set[str]) -> tuple[int, int]:
    """How many of the previous catalog's present models this fetch lacks, out of how many."""
    present = [row for row in previous if not row.get("missing_count")]
    gone = sum(1 for row in present if row["id"] not in fetched_ids)
    return gone, len(present)


def combine(diffs: Sequence[Diff]) -> Diff:
    """Net effect of consecutive diffs, oldest first (added then removed cancels out).

    A first sync lists a whole catalog, not news: a span that contains one starts there. That
    first sync's models become the ``baseline``, and what came after is reported against it
    (so a model the first sync listed and a later sync removed is reported removed). A span
    that is only a first sync stays one (``first_sync``, every model in ``added``).
    """
    starts = [i for i, d in enumerate(diffs) if d.first_sync]
    if starts:
        first = starts[-1]  # a new key or host starts a new catalog: the last one counts
        if first == len(diffs) - 1:
            only = diffs[first]
            return Diff(added=list(only.added), missing=list(only.missing), first_sync=True)
        net = _net(diffs[first + 1 :])
        net.baseline = list(diffs[first].added)
        return net
    return _net(diffs)


def _net(diffs: Sequence[Diff]) -> Diff:
    added: dict[str, None] = {}
    removed: dict[str, None] = {}
    changes: dict[str, dict[str, FieldChange]] = {}
    lifecycles: dict[str, dict[str, Any]] = {}
    for d in diffs:
        for model_id in d.added:
            if model_id in removed:
                removed.pop(model_id)
            else:
                added[model_id] = None
        for model_id in d.removed:
            if model_id in added:
                added.pop(model_id)
            else:
                removed[model_id] = None
            changes.pop(model_id, None)
        for change in d.changed:
            merged = changes.setdefault(change.id, {})
            if change.lifecycle is not None:
                lifecycles[change.id] = change.lifecycle
            for name, fc in change.fields.items():
                first = merged.get(name)
                merged[name] = FieldChange(first.old if first else fc.old, fc.new)
    changed = []
    for model_id, fields_ in changes.items():
        real = {
            n: fc for n, fc in fields_.items() if _comparable(n, fc.old) != _comparable(n, fc.new)
        }
        if real and model_id not in added:
            life = lifecycles.get(model_id)
            keep = life if any(n in real for n in LIFECYCLE_FIELDS) else None
            changed.append(ModelChange(model_id, real, keep))
    still_missing = [m for m in (diffs[-1].missing if diffs else []) if m not in removed]
    return Diff(added=list(added), removed=list(removed), changed=changed, missing=still_missing)
