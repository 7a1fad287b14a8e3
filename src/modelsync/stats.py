"""Per-provider statistics: common keys for every provider plus family counts defined as data.

Common keys: ``total_models``, ``updated_at``, and ``<capability>_models`` for every capability in
the vocabulary (zero included, so the schema is stable). Families are regexes over the model id,
each counted independently: ``gpt-4o-mini`` is a ``gpt_4o`` model and not a ``gpt_4`` one because
the ``gpt_4`` pattern says so, not because of the order of an if/elif chain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .vocab import CAPABILITIES

if TYPE_CHECKING:
    from .model import Model

# The seed names one capability count differently from the capability itself.
_CAPABILITY_KEYS = {"safety_filtering": "safety_filtered_models"}


def capability_key(capability: str) -> str:
    return _CAPABILITY_KEYS.get(capability, f"{capability}_models")


@dataclass(frozen=True)
class FamilyRule:
    """Count models whose ``attribute`` (the id unless said otherwise) matches ``pattern``."""

    key: str
    pattern: str
    attribute: str = "id"
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern))

    def matches(self, model: Model) -> bool:
        value = getattr(model, self.attribute, None)
        return value is not None and self._regex.search(str(value).lower()) is not None


def family(key: str, pattern: str, *, on: str = "id") -> FamilyRule:
    return FamilyRule(key, pattern, on)


@dataclass(frozen=True)
class Breakdown:
    """Count models per value of ``attribute`` (or its first regex group), e.g. by owner.

    A list-valued attribute counts the model once under each of its values."""

    key: str
    attribute: str
    pattern: str | None = None

    def value(self, model: Model) -> str | None:
        raw = getattr(model, self.attribute, None)
        if raw is None:
            return None
        text = str(raw)
        if self.pattern is None:
            return text
        match = re.search(self.pattern, text)
        return match.group(1) if match and match.groups() else None

    def values(self, model: Model) -> list[str]:
        raw = getattr(model, self.attribute, None)
        if isinstance(raw, tuple | list):
            return [str(v) for v in raw]
        value = self.value(model)
        return [] if value is None else [value]


def breakdown(key: str, on: str, pattern: str | None = None) -> Breakdown:
    return Breakdown(key, on, pattern)


def compute_statistics(
    models: Sequence[Model],
    families: Iterable[FamilyRule],
    now: datetime,
    breakdowns: Iterable[Breakdown] = (),
) -> dict[str, Any]:
    stats: dict[str, Any] = {"total_models": len(models), "updated_at": now.isoformat()}
    for cap in CAPABILITIES:
        stats[capability_key(cap)] = sum(1 for m in models if m.supports(cap) is True)
    for rule_ in families:
        stats[rule_.key] = sum(1 for m in models if rule_.matches(m))
    for b in breakdowns:
        counts: dict[str, int] = {}
        for m in models:
            for value in b.values(m):
                counts[value] = counts.get(value, 0) + 1
        stats[b.key] = dict(sorted(counts.items()))
    return stats
