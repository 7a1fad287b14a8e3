"""Decoded catalogs kept in memory and keyed on the store's version.

A long-lived reader (the HTTP service, a worker calling ``Catalog.models()`` per request) would
otherwise decode and validate the same thousand models on every call. ``Store.version()`` is one
small read that changes with every write, so a view of the stored catalogs built at one version
stays right until the version moves: then it is dropped whole and rebuilt lazily, provider by
provider, as readers ask.

What a view keeps is what does not depend on the clock: the rows, whether a catalog belongs to
another key or host, and the times freshness is judged from. Freshness itself (fresh, due,
stale) and ages are recomputed on every read from those times, so a catalog turns ``due`` or
``stale`` on time even when nothing is written. One thing can vanish without a write: Redis
forgets an entry ``stale_retention`` after its expiry, so a view is also dropped once any entry it
holds could have been forgotten.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Model

Row = dict[str, Any]


def judge(*, mismatch: bool, expired: bool, age: float, refresh_seconds: float) -> str:
    """A stored catalog's state: ``mismatch`` (another key or host), ``stale`` (past its TTL),
    ``due`` (past the refresh interval) or ``fresh``. One rule for every reader."""
    if mismatch:
        return "mismatch"
    if expired:
        return "stale"
    if age >= refresh_seconds:
        return "due"
    return "fresh"


@dataclass(frozen=True)
class Decided:
    """A catalog's rows with their lifecycle decided at one instant (``lifecycle.current_rows``),
    valid until the next deprecation or shutdown date among them passes."""

    rows: tuple[Row, ...]
    present: tuple[Row, ...]
    #: Unix seconds at which some row's state changes; ``inf`` when none will.
    until: float


@dataclass(frozen=True)
class StoredCatalog:
    """One provider's catalog as read at one instant, with what judging its freshness needs."""

    provider: str
    #: Every stored row, models kept as missing included; shared, so treat as read-only.
    rows: tuple[Row, ...]
    #: When it was synced (the last sync's time, else when the entry was written).
    synced: datetime
    #: When the models entry goes stale (Unix seconds), if ever.
    expires_at: float | None
    #: Fetched with another key or base URL than configured now: never served.
    mismatch: bool
    #: The rows without the models the last good fetch did not list.
    present: tuple[Row, ...] = field(init=False)
    _decided: Decided | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "present", tuple(r for r in self.rows if not r.get("missing_count"))
        )

    def decided(self, now: float) -> Decided:
        """The rows with their lifecycle decided at ``now``; the same objects until a date among
        them passes (so models validated from them stay valid, and cached)."""
        held = self._decided
        if held is not None and now < held.until:
            return held
        from datetime import UTC, datetime

        from .lifecycle import current_rows, next_change

        when = datetime.fromtimestamp(now, UTC)
        rows = tuple(current_rows(self.rows, when))
        change = next_change(self.rows, when)
        held = Decided(
            rows,
            tuple(r for r in rows if not r.get("missing_count")),
            float("inf") if change is None else change.timestamp(),
        )
        object.__setattr__(self, "_decided", held)
        return held

    def state(self, now: float, refresh_seconds: float) -> tuple[str, float]:
        """``(state, age in seconds)`` at ``now``."""
        age = now - self.synced.timestamp()
        expired = self.expires_at is not None and now >= self.expires_at
        return judge(
            mismatch=self.mismatch, expired=expired, age=age, refresh_seconds=refresh_seconds
        ), age


class CatalogView:
    """The stored catalogs at one store version, read lazily and decoded once.

    ``read(name)`` returns a provider's ``StoredCatalog`` (or ``None``: nothing stored);
    ``names()`` lists the providers that have one. Both memoize; ``model(row)`` validates a row
    into a ``Model`` once and hands back the same (frozen) object afterwards.
    """

    def __init__(
        self,
        version: str | None,
        *,
        list_names: Callable[[], list[str]],
        read: Callable[[str], StoredCatalog | None],
        retention_seconds: float,
    ) -> None:
        self.version = version
        self._list_names = list_names
        self._read = read
        self._retention = retention_seconds
        self._names: list[str] | None = None
        self._catalogs: dict[str, StoredCatalog | None] = {}
        self._models: dict[int, tuple[Row, Model]] = {}
        self._lists: dict[Any, tuple[list[Row], list[Model]]] = {}
        self._lock = threading.Lock()
        #: Before this instant (Unix seconds) no entry in the view can have been forgotten.
        self.forget_after = float("inf")

    def usable(self, version: str | None, now: float) -> bool:
        """True when this view still shows the store as it is at ``version``."""
        return version is not None and version == self.version and now < self.forget_after

    def names(self) -> list[str]:
        if self._names is None:
            self._names = self._list_names()
        return self._names

    def read(self, name: str) -> StoredCatalog | None:
        if name not in self._catalogs:
            stored = self._read(name)
            with self._lock:
                self._catalogs[name] = stored
                if stored is not None and stored.expires_at is not None:
                    self.forget_after = min(self.forget_after, stored.expires_at + self._retention)
        return self._catalogs[name]

    def model(self, row: Row) -> Model:
        """The ``Model`` for a row of this view, validated on first use only."""
        held = self._models.get(id(row))
        if held is not None and held[0] is row:
            return held[1]
        from .model import Model

        found = Model.model_validate(row)
        # Keyed on identity and holding the row: an id is never reused while its row lives,
        # and a row replaced when a date passes gets a model of its own.
        self._models[id(row)] = (row, found)
        return found

    def models(self, key: Any, rows: list[Row]) -> list[Model]:
        """The ``Model`` objects of ``rows`` (an unfiltered read named by ``key``), listed once
        per view and per set of rows (a date passing gives new rows) so a repeated read is a
        list copy."""
        held = self._lists.get(key)
        if (
            held is not None
            and len(held[0]) == len(rows)
            and all(a is b for a, b in zip(held[0], rows, strict=True))
        ):
            return held[1]
        found = [self.model(r) for r in rows]
        self._lists[key] = (rows, found)
        return found
