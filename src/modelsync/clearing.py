"""``clear``: forget stored catalogs, within a scope the caller names.

Clearing is destructive, so it never guesses its scope: one provider, or ``all`` said out loud.
The sync history (the ledger) is an audit trail and survives unless ``history`` is asked for.
A dry run reads what is there and reports what would go, and writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigurationError
from .stores import Store

_LEDGER = "ledger"


@dataclass
class ClearSummary:
    """What a clear removed (or, for a dry run, would remove), per provider."""

    #: The provider named, or ``"all"``.
    scope: str
    dry_run: bool
    #: Stored entries (models, statistics, last sync, failure record...) per provider.
    entries: dict[str, int] = field(default_factory=dict)
    #: Ledger records per provider; empty unless the history was cleared too.
    history: dict[str, int] = field(default_factory=dict)
    #: Whether the ledger was left alone (the default).
    history_kept: bool = True
    #: Other entries expired longer than the retention period, purged as housekeeping.
    purged: int = 0

    @property
    def removed(self) -> int:
        """Entries of the scope removed (history records and purged entries not included)."""
        return sum(self.entries.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "dry_run": self.dry_run,
            "entries": dict(self.entries),
            "history": dict(self.history),
            "history_kept": self.history_kept,
            "purged": self.purged,
        }


def _name_of(key: str, prefix: str) -> str:
    """``{prefix}:{name}:{suffix}`` -> ``name`` (names never contain a colon)."""
    rest = key[len(prefix) + 1 :]
    name, sep, _ = rest.rpartition(":")
    return name if sep else rest


def _group(keys: Iterable[str], prefix: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in keys:
        out.setdefault(_name_of(key, prefix), []).append(key)
    return out


def _ledgers(store: Store, prefix: str) -> dict[str, str]:
    """``name -> ledger stream`` for every ledger in the store (empty if it cannot list them)."""
    try:
        streams = store.log_streams(f"{prefix}:")
    except NotImplementedError:
        return {}
    return {_name_of(s, prefix): s for s in streams if s.endswith(f":{_LEDGER}")}


def clear(
    store: Store,
    *,
    prefix: str,
    provider: str | None,
    everything: bool,
    history: bool,
    dry_run: bool,
    known: Iterable[str],
    grace_seconds: float,
) -> ClearSummary:
    """Remove one provider's entries (or all, when ``everything``), and its ledger if
    ``history``; then purge entries expired for longer than ``grace_seconds``."""
    if provider and everything:
        raise ConfigurationError(
            f"clear was given both a provider ({provider}) and --all",
            hint="Pass one provider, or --all for every provider",
        )
    if not provider and not everything:
        raise ConfigurationError(
            "clear needs a scope: it removes stored catalogs",
            hint="Pass a provider (modelsync clear openai) or --all for every provider; the "
            "sync history is kept unless --history is given; --dry-run shows what would go",
        )
    by_name = _group(store.keys(f"{prefix}:"), prefix)
    ledgers = _ledgers(store, prefix)
    if provider:
        names = [provider]
        if not ledgers:  # a backend that cannot list its logs: ask for this one
            stream = f"{prefix}:{provider}:{_LEDGER}"
            if store.read_log(stream, limit=1):
                ledgers[provider] = stream
        candidates = {*known, *by_name, *ledgers}
        if provider not in candidates:
            raise ConfigurationError(
                f"unknown provider {provider!r}: nothing is stored for it",
                hint="Known providers: " + ", ".join(sorted(candidates)),
            )
    else:
        names = sorted({*by_name, *(ledgers if history else ())})
    summary = ClearSummary(scope=provider or "all", dry_run=dry_run, history_kept=not history)
    for name in names:
        summary.entries[name] = len(by_name.get(name, ()))
        if history and name in ledgers:
            summary.history[name] = len(store.read_log(ledgers[name]))
    if dry_run:
        summary.purged = _would_purge(store, prefix, set(names), grace_seconds)
        return summary
    if provider:
        summary.entries[provider] = store.delete_prefix(f"{prefix}:{provider}:")
    else:
        store.delete_prefix(f"{prefix}:")
    for name in summary.history:
        store.delete_log(ledgers[name])
    summary.purged = store.purge_expired(grace_seconds)
    return summary


def _would_purge(store: Store, prefix: str, cleared: set[str], grace_seconds: float) -> int:
    """How many entries outside the scope a real clear's housekeeping purge would remove."""
    ours = f"{prefix}:"
    keys = [
        k for k in store.keys("") if not (k.startswith(ours) and _name_of(k, prefix) in cleared)
    ]
    if not keys:
        return 0
    cutoff = time.time() - grace_seconds
    found = store.get_many(keys, include_expired=True)
    return sum(
        1
        for entry in found.values()
        if entry is not None and entry.expires_at is not None and entry.expires_at < cutoff
    )
