"""Capability and family rules as data: a regex over the model id and what it implies.

Rules are the last resort, used only where a provider's API and the curated catalogs say
nothing; their answers are marked ``source="rule"`` so a reader can weigh them, and the merge
(``merge.py``) puts every ``api`` and ``catalog`` answer before them.

**Specificity decides, not order.** A rule is as specific as the part of the id it matched:
``^gpt-`` recognizes four characters of ``gpt-4o-search-preview``, ``^gpt-4o`` six and
``^gpt-4o(-mini)?-search`` thirteen, so for each capability the answer of the rule with the
longest match wins. A narrower exception is therefore written as a longer pattern
(``^gpt-4-\\d{4}-vision`` over ``^gpt-4-\\d{4}``), never by its place in a list, and a general
rule cannot silently overwrite it. An empty pattern (``""``) is the weakest default there is.

**Conflicts yield unknown.** When the most specific rules that speak about a capability
disagree (two matches of the same length, one saying yes and one no), the capability is left
out: unknown is honest, a coin toss is not. ``conflicts`` reports such cases, so a test can
make sure none remain in the shipped rules.
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

    def specificity(self, model_id: str) -> int | None:
        """Length of the id text this rule recognized; ``None`` when it does not match."""
        found = self._regex.search(model_id)
        return None if found is None else found.end() - found.start()


def rule(pattern: str, **sets: bool) -> CapabilityRule:
    return CapabilityRule(pattern, sets)


def _decide(
    model_id: str, rules: Iterable[CapabilityRule]
) -> dict[str, tuple[int, bool | None, CapabilityRule]]:
    """Per capability: the best specificity, its answer (``None`` on a tie that disagrees)."""
    best: dict[str, tuple[int, bool | None, CapabilityRule]] = {}
    lowered = model_id.lower()
    for r in rules:
        span = r.specificity(lowered)
        if span is None:
            continue
        for name, value in r.sets.items():
            current = best.get(name)
            if current is None or span > current[0]:
                best[name] = (span, value, r)
            elif span == current[0] and current[1] is not None and current[1] != value:
                best[name] = (span, None, r)
    return best


def capabilities_from_rules(
    model_id: str, rules: Iterable[CapabilityRule]
) -> dict[str, Capability]:
    """What the rules say about ``model_id``: the most specific answer per capability."""
    return {
        name: Capability(supported=value, source="rule")
        for name, (_, value, _r) in _decide(model_id, rules).items()
        if value is not None
    }


def conflicts(model_id: str, rules: Iterable[CapabilityRule]) -> list[str]:
    """Capabilities left unknown because equally specific rules disagree about ``model_id``."""
    return sorted(
        name for name, (_, value, _r) in _decide(model_id, rules).items() if value is None
    )


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
