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
from typing import Any

from .model import CAPABILITIES, Model

# The seed names one capability count differently from the capability itself.
_CAPABILITY_KEYS = {"safety_filtering": "safety_filtered_models"}


def capability_key(capability: str) -> str:
    return _CAPABILITY_KEYS.get(capability, f"{capability}_models")


@dataclass(frozen=True)
class FamilyRule:
    key: str
    pattern: str
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern))

    def matches(self, model_id: str) -> bool:
        return self._regex.search(model_id.lower()) is not None


def family(key: str, pattern: str) -> FamilyRule:
    return FamilyRule(key, pattern)


def compute_statistics(
    models: Sequence[Model], families: Iterable[FamilyRule], now: datetime
) -> dict[str, Any]:
    stats: dict[str, Any] = {"total_models": len(models), "updated_at": now.isoformat()}
    for cap in CAPABILITIES:
        stats[capability_key(cap)] = sum(1 for m in models if m.supports(cap) is True)
    for rule_ in families:
        stats[rule_.key] = sum(1 for m in models if rule_.matches(m.id))
    return stats
