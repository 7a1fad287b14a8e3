"""Checking the names people type (providers, capabilities), with a "did you mean" for typos.

A misspelt name must not quietly match nothing: ``models --provider opneai`` printing "No models
stored" (exit 0) reads like an empty catalog, not a typo. Every command and the Python API check
names here, against the same lists, and suggest the closest ones.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from decimal import Decimal

from .errors import ConfigurationError


def close_matches(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices closest to ``name`` (case-insensitive), best first."""
    pool = list(dict.fromkeys(choices))
    lowered = {c.lower(): c for c in pool}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[f] for f in found]


def suggestion(name: str, choices: Iterable[str], *, prefix: str = "", suffix: str = "") -> str:
    """``prefix + "'a' or 'b'" + suffix`` for the closest matches, or "" when nothing is close."""
    matches = close_matches(name, choices)
    if not matches:
        return ""
    return prefix + " or ".join(repr(m) for m in matches) + suffix


def check_name(
    name: str, known: Iterable[str], *, kind: str, plural: str = "", listing: str = ""
) -> None:
    """Raise ``ConfigurationError`` unless ``name`` is one of ``known``.

    The message names the kind and the bad name; the hint says "did you mean ..." when something
    is close, and lists the known names (or ``listing``, where that list is long).
    """
    pool = list(dict.fromkeys(known))
    if name in pool:
        return
    close = suggestion(name, pool, prefix="did you mean ", suffix="? ")
    names = listing or ", ".join(pool)
    raise ConfigurationError(
        f"unknown {kind} {name!r}", hint=f"{close}known {plural or kind + 's'}: {names}".strip()
    )


def check_capability(name: str) -> None:
    """A capability name from the vocabulary (``vision``, ``function_calling``, ...)."""
    from .vocab import CAPABILITIES

    check_name(name, CAPABILITIES, kind="capability", plural="capabilities")


def check_query(
    *,
    capability: str | None = None,
    min_context: int | None = None,
    max_price: Decimal | None = None,
) -> None:
    """The filters of a model query: a known capability, a context of at least 1 token, a
    finite price of at least 0. Out-of-range numbers would silently match nothing (or
    everything), so they are errors, like a misspelt name."""
    if capability is not None:
        check_capability(capability)
    if min_context is not None and min_context < 1:
        raise ConfigurationError(
            f"min_context must be at least 1 token, not {min_context}",
            hint="give a context window size, e.g. 128000",
        )
    if max_price is not None and (not max_price.is_finite() or max_price < 0):
        raise ConfigurationError(
            f"max_price must be a price of at least 0 (USD per 1M input tokens), not {max_price}",
            hint="give a number, e.g. 2.5",
        )
