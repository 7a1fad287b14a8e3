"""The catalog's hand-verified facts (``tools/catalog/curated.toml``): every value cites a page.

The file has two kinds of tables. ``[sources.<key>]`` names a public page: ``url`` and ``read``
(the date it was read; a TOML date). Each ``[[models]]`` entry gives ``provider``, ``id``,
``cite = "<key>"`` and the values read on that page; a model whose facts come from several pages
has one entry per page, and the same field may not be given twice. Fields: ``name``,
``aliases``, ``context_window``, ``max_output_tokens``, ``knowledge_cutoff``, ``release_date``,
``deprecated_date`` (the deprecation notice), ``shutdown_date`` (retirement), ``replacement``,
``lifecycle``, ``input_modalities``, ``output_modalities``, ``capabilities`` (a table of
booleans) and ``pricing`` (a table of decimal strings, USD per 1M tokens). An optional ``note``
says what the page says when it needs a word of explanation (it is not data).

Curated values win over every catalog source in reconciliation, and each value's provenance
names its page: ``curated: <url> (read <date>)``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from pydantic import ValidationError

from ..facts import Facts
from . import CURATED, SourceRecord

__all__ = ["FIELDS", "Citation", "Curated", "CuratedError", "parse_curated"]

FIELDS: Final = frozenset(
    {
        "name",
        "aliases",
        "context_window",
        "max_output_tokens",
        "knowledge_cutoff",
        "release_date",
        "deprecated_date",
        "shutdown_date",
        "replacement",
        "lifecycle",
        "input_modalities",
        "output_modalities",
        "capabilities",
        "pricing",
    }
)
_META: Final = frozenset({"provider", "id", "cite", "note"})


class CuratedError(ValueError):
    """The curated file breaks a rule; the message names the entry and what to fix."""


@dataclass(frozen=True)
class Citation:
    key: str
    url: str
    read: date

    def __str__(self) -> str:
        return f"curated: {self.url} (read {self.read.isoformat()})"


@dataclass(frozen=True)
class Curated:
    records: tuple[SourceRecord, ...]
    #: ``(provider, alias) -> id`` as the curated pages state them.
    aliases: Mapping[tuple[str, str], str]
    citations: Mapping[str, Citation]


def _citation(key: str, table: Any) -> Citation:
    if not isinstance(table, Mapping):
        raise CuratedError(f"[sources.{key}] must be a table with url and read")
    url, read = table.get("url"), table.get("read")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise CuratedError(f'[sources.{key}] needs url = "https://..." (the page read)')
    if not isinstance(read, date):
        raise CuratedError(f"[sources.{key}] needs read = YYYY-MM-DD (a TOML date)")
    return Citation(key=key, url=url, read=read)


def parse_curated(text: str) -> Curated:
    """Parse the curated file; raises :class:`CuratedError` for anything uncited or unknown."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CuratedError(f"curated file is not TOML: {exc}") from None
    sources = data.get("sources") or {}
    citations = {key: _citation(key, table) for key, table in sources.items()}
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    cites: dict[tuple[str, str], dict[str, str]] = {}
    for n, entry in enumerate(data.get("models") or (), start=1):
        where = f"[[models]] #{n}"
        provider, model_id, cite = entry.get("provider"), entry.get("id"), entry.get("cite")
        if not isinstance(provider, str) or not isinstance(model_id, str):
            raise CuratedError(f"{where}: needs provider and id")
        where = f"{where} ({provider}/{model_id})"
        if cite not in citations:
            raise CuratedError(f"{where}: cite = {cite!r} names no [sources.<key>] table")
        unknown = sorted(set(entry) - FIELDS - _META)
        if unknown:
            raise CuratedError(f"{where}: unknown field(s) {unknown}; known: {sorted(FIELDS)}")
        values = {k: v for k, v in entry.items() if k in FIELDS}
        if not values:
            raise CuratedError(f"{where}: gives no value")
        held = merged.setdefault((provider, model_id), {})
        twice = sorted(set(held) & set(values))
        if twice:
            raise CuratedError(f"{where}: {twice} already given by another entry")
        held.update(values)
        for name in values:
            cites.setdefault((provider, model_id), {})[name] = str(citations[cite])
    records: list[SourceRecord] = []
    aliases: dict[tuple[str, str], str] = {}
    for (provider, model_id), values in merged.items():
        for alias in values.get("aliases", ()):
            aliases[(provider, alias)] = model_id
        data_in = {
            **{k: v for k, v in values.items() if k != "aliases"},
            "provider": provider,
            "id": model_id,
            "origin": CURATED,
        }
        try:
            facts = Facts.model_validate(data_in)
        except ValidationError as exc:
            raise CuratedError(f"{provider}/{model_id}: {exc}") from None
        records.append(
            SourceRecord(
                source=CURATED,
                key=f"{provider}/{model_id}",
                facts=facts,
                cites=cites[(provider, model_id)],
            )
        )
    return Curated(records=tuple(records), aliases=aliases, citations=citations)
