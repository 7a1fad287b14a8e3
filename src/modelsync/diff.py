"""What changed between two catalogs, and the safe-removal rule that decides what "removed" means.

A diff compares stored dicts (what the store holds and what a sync is about to write), not model
objects, so diffing 10,000 models costs a dict lookup and a few comparisons each. Only fields a
user acts on count: ordering and ``created`` drifting (providers that stamp listing time) are
noise. A model absent from one good fetch is only *missing*; it is removed after
``remove_after`` consecutive good fetches without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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


def _comparable(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "capabilities" and isinstance(value, Mapping):
        return {k: v.get("supported") if isinstance(v, Mapping) else v for k, v in value.items()}
    if name == "pricing" and isinstance(value, Mapping):
        return {k: v for k, v in value.items() if k != "source"}
    if name in ("input_modalities", "output_modalities", "aliases") and isinstance(value, list):
        return sorted(value) if name == "aliases" else value
    return value


@dataclass(frozen=True)
class FieldChange:
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new}


@dataclass(frozen=True)
class ModelChange:
    id: str
    fields: dict[str, FieldChange]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "fields": {k: v.to_dict() for k, v in self.fields.items()}}


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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "added": self.added,
            "removed": self.removed,
            "changed": [c.to_dict() for c in self.changed],
            "missing": self.missing,
            "first_sync": self.first_sync,
        }
        if self.baseline is not None:
            out["baseline"] = self.baseline
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
                diff.changed.append(ModelChange(model_id, moved))
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
            for name, fc in change.fields.items():
                first = merged.get(name)
                merged[name] = FieldChange(first.old if first else fc.old, fc.new)
    changed = []
    for model_id, fields_ in changes.items():
        real = {
            n: fc for n, fc in fields_.items() if _comparable(n, fc.old) != _comparable(n, fc.new)
        }
        if real and model_id not in added:
            changed.append(ModelChange(model_id, real))
    still_missing = [m for m in (diffs[-1].missing if diffs else []) if m not in removed]
    return Diff(added=list(added), removed=list(removed), changed=changed, missing=still_missing)
