"""Parsers for the public model catalogs the bundled catalog is built from.

Each parser reads one source *as data* (never importing the source's own package) and turns its
entries for our providers into :class:`~modelsync.facts.Facts`, one :class:`SourceRecord` per
model id. ``reconcile`` then joins the records of one model across sources and chooses each
value by a written rule. The catalog build (``tools/catalog``) and, later, live refreshes of the
same sources use these parsers; nothing here touches the network or runs at import of
``modelsync``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from ..facts import Facts

__all__ = [
    "CURATED",
    "GENAI_PRICES",
    "LITELLM",
    "MODELSDEV",
    "SOURCES",
    "SourceRecord",
    "plain_decimal",
]

#: Source names as provenance records them.
CURATED: Final = "curated"
LITELLM: Final = "litellm"
GENAI_PRICES: Final = "genai-prices"
MODELSDEV: Final = "models.dev"
SOURCES: Final = (CURATED, LITELLM, GENAI_PRICES, MODELSDEV)


@dataclass(frozen=True)
class SourceRecord:
    """One source's facts for one model id of one of our providers.

    ``key`` says where in the source the entry is (the LiteLLM map key, the models.dev file,
    genai-prices' ``provider/model id``) so a report can point at it. ``listed`` is true when the
    source names this id itself; false when it only *matches* it by a rule (genai-prices'
    ``starts_with`` clauses), which prices a model but does not count as listing it.
    ``alias_of`` is the id this one is an alias of, when the source says so; ``cites`` names,
    per field, the page a curated value was read on; ``input_limit`` is the prompt limit when a
    source gives one apart from the context window (models.dev's ``limit.input``).
    """

    source: str
    key: str
    facts: Facts
    listed: bool = True
    alias_of: str | None = None
    notes: tuple[str, ...] = field(default=())
    cites: Mapping[str, str] = field(default_factory=dict)
    input_limit: int | None = None


def plain_decimal(value: Decimal) -> str:
    """The shortest plain spelling of an exact decimal: ``0.3``, ``10``, never ``3E-7``."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
