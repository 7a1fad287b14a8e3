"""Capability and family rules as data: a regex over the model id and what it implies.

Rules are the last resort, used only where a provider's API says nothing; their answers are marked
``source="rule"`` so a reader can weigh them. Later rules override earlier ones for the same
capability, which lets a general rule ("gpt- models chat") be narrowed ("...but not gpt-image").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import Capability


@dataclass(frozen=True)
class CapabilityRule:
    pattern: str
    sets: Mapping[str, bool]
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern))

    def matches(self, model_id: str) -> bool:
        return self._regex.search(model_id) is not None


def rule(pattern: str, **sets: bool) -> CapabilityRule:
    return CapabilityRule(pattern, sets)


def capabilities_from_rules(
    model_id: str, rules: Iterable[CapabilityRule]
) -> dict[str, Capability]:
    found: dict[str, bool] = {}
    lowered = model_id.lower()
    for r in rules:
        if r.matches(lowered):
            found.update(r.sets)
    return {name: Capability(supported=value, source="rule") for name, value in found.items()}


def merge_capabilities(
    *layers: Mapping[str, Capability],
) -> dict[str, Capability]:
    """First layer that knows a capability wins (API before catalog before rule)."""
    merged: dict[str, Capability] = {}
    for layer in layers:
        for name, cap in layer.items():
            merged.setdefault(name, cap)
    return merged


def api_caps(**values: bool | None) -> dict[str, Capability]:
    """Capabilities the provider stated; ``None`` (not stated) stays unknown."""
    return {k: Capability(supported=v, source="api") for k, v in values.items() if v is not None}
