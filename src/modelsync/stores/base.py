"""The store contract: JSON values under string keys, TTLs, atomic multi-key writes and leases.

A store knows nothing about models. Expired entries are not forgotten on read: the sync engine asks
for them explicitly (``include_expired=True``) to serve the last good catalog, flagged stale, when a
provider is down. ``purge_expired`` removes what has been expired for longer than a grace period.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JSON = Any


@dataclass(frozen=True)
class LogAppend:
    """One record to append to a capped log (the sync ledger) in the same atomic write."""

    stream: str
    record: JSON
    max_len: int


@dataclass(frozen=True)
class Entry:
    """A stored value with the wall-clock times (Unix seconds) it was written and goes stale."""

    value: JSON
    stored_at: float
    expires_at: float | None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def dumps(value: JSON) -> str:
    """The one serialization every store uses: JSON, never pickle."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> JSON:
    return json.loads(text)


class Store(ABC):
    """Backends: ``MemoryStore`` (tests, embedding), ``SQLiteStore`` (the default) and
    ``RedisStore`` (shared by many processes and hosts)."""

    #: A URL naming this store, with any password removed; shown by ``modelsync status``.
    url: str

    @abstractmethod
    def get(self, key: str, *, include_expired: bool = False) -> Entry | None:
        """The entry under ``key``; ``None`` if absent, or expired unless ``include_expired``."""

    @abstractmethod
    def get_many(
        self, keys: Sequence[str], *, include_expired: bool = False
    ) -> dict[str, Entry | None]:
        """Several entries read at one instant, so a reader never mixes two syncs' keys."""

    @abstractmethod
    def put_many(
        self,
        items: Mapping[str, tuple[JSON, float | None]],
        *,
        fence: tuple[str, str] | None = None,
        append: LogAppend | None = None,
    ) -> None:
        """Write every ``key: (value, ttl_seconds)`` together, or none of them.

        ``append`` adds one record to a capped log in the same transaction, so the ledger and
        the catalog never disagree about what a sync did.

        With ``fence=(lease_name, owner)`` the write happens only if ``owner`` still holds the
        lease; otherwise nothing is written and ``LeaseLostError`` is raised. This is what stops a
        sync whose lease ran out (a stalled process) from overwriting a newer catalog.
        """

    @abstractmethod
    def read_log(self, stream: str, *, limit: int | None = None) -> list[JSON]:
        """The newest ``limit`` records of a log (all when ``None``), newest first."""

    @abstractmethod
    def delete_log(self, stream: str) -> None:
        """Forget a log entirely."""

    def log_streams(self, prefix: str) -> list[str]:
        """Every log whose name starts with ``prefix``, sorted (what ``clear --all --history``
        must reach, including logs of providers no longer configured)."""
        raise NotImplementedError(f"{type(self).__name__} cannot list its logs")

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Remove every key that starts with ``prefix``; return how many went."""

    @abstractmethod
    def keys(self, prefix: str) -> list[str]:
        """Every live or expired key that starts with ``prefix``, sorted."""

    @abstractmethod
    def purge_expired(self, grace_seconds: float) -> int:
        """Delete entries expired for longer than ``grace_seconds``; return how many went."""

    @abstractmethod
    def try_acquire(self, name: str, owner: str, lease_seconds: float) -> bool:
        """Take the lease ``name`` for ``owner`` unless someone else holds a live one."""

    @abstractmethod
    def release(self, name: str, owner: str) -> None:
        """Give up the lease if ``owner`` still holds it (a fencing check: never free another's)."""

    def version(self) -> str | None:
        """A token that changes whenever an entry or a log changes, read in one small step.

        Every ``put_many`` (and so every ``put``), ``delete_log``, and every ``delete_prefix`` or
        ``purge_expired`` that removed something moves it on, in the same transaction as the
        change; leases do not. Equal tokens mean nothing a reader can see has changed, so a
        long-lived reader (the HTTP service, ``Catalog.models()`` in a worker) keeps decoded
        catalogs keyed on it instead of decoding the store on every call. The token carries the
        store's epoch (a random id made with the store), so a store deleted and made again never
        repeats an old token. ``None`` means this store cannot tell: readers must not cache.
        (A shared Redis keeps it under a key the caller names, ``version_key``.)
        """
        return None

    def get_value(self, key: str, *, include_expired: bool = False) -> JSON:
        entry = self.get(key, include_expired=include_expired)
        return None if entry is None else entry.value

    def put(self, key: str, value: JSON, ttl: float | None) -> None:
        self.put_many({key: (value, ttl)})

    def watch_version(self) -> None:  # noqa: B027 - optional hook
        """Ask the store to keep ``version()`` current without a read per call, where it can
        (Redis follows a channel its writes publish on). A hint for long-lived readers; the
        default store's version is already a local read."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default store holds none."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
