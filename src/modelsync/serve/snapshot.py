"""What the service serves, derived once per store version and kept ready to send.

``Catalog.view()`` already decodes each stored catalog once per ``Store.version()``; a
``Snapshot`` sits on one such view and adds what the HTTP faces need: the served rows in order,
each row's JSON encoded once, and finished response bodies (with their ETag and, on first
demand, their gzip form) keyed by route and normalized query. A request for an unchanged catalog
costs one version read, a dict lookup and a write to the socket.

Freshness depends on the clock, not on the version, so it is judged on every request from the
view's cached times, and bodies that include it are assembled around the cached part.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..catalog import Catalog, Freshness
    from ..readcache import CatalogView, StoredCatalog

Row = dict[str, Any]

#: Bodies kept per snapshot (distinct filtered queries, exports, pages).
MAX_BODIES = 512
#: Bodies smaller than this are not worth compressing.
GZIP_MIN_BYTES = 1024


def etag_of(*parts: bytes | str) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


class Body:
    """A finished response body, its ETag, and its gzip form made on first demand."""

    __slots__ = ("_gzip", "data", "etag", "media_type")

    def __init__(self, data: bytes, media_type: str, etag: str | None = None) -> None:
        self.data = data
        self.media_type = media_type
        self.etag = etag or etag_of(data)
        self._gzip: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzip is None:
            self._gzip = gzip.compress(self.data, compresslevel=6, mtime=0)
        return self._gzip


class Snapshot:
    """The served catalog at one store version."""

    def __init__(self, catalog: Catalog, view: CatalogView) -> None:
        self.catalog = catalog
        self.view = view
        self.stored: dict[str, StoredCatalog] = {}
        for name in view.names():
            found = view.read(name)
            if found is not None:
                self.stored[name] = found
        #: Providers whose catalog is served (not fetched with another key or host).
        self.served = {n: s for n, s in self.stored.items() if not s.mismatch}
        # Lifecycles decided now (a shutdown date that passed retires a model without a sync);
        # the snapshot holds until the next such date among its rows.
        decided = [s.decided(time.time()) for s in self.served.values()]
        self.rows: list[Row] = [r for d in decided for r in d.present]
        self.all_rows: list[Row] = [r for d in decided for r in d.rows]
        #: Unix seconds from which a row's lifecycle differs: the snapshot is rebuilt then.
        self.until = min((d.until for d in decided), default=float("inf"))
        self._json: dict[int, bytes] = {}
        self._bodies: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[Any, threading.Lock] = {}

    def freshness(self, now: float | None = None) -> dict[str, Freshness]:
        """Every stored provider's freshness now (mismatched ones included, so callers see why
        they are left out)."""
        at = time.time() if now is None else now
        return {n: self.catalog.freshness_of(s, at) for n, s in self.stored.items()}

    def row_json(self, row: Row) -> bytes:
        found = self._json.get(id(row))
        if found is None:
            found = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode()
            self._json[id(row)] = found
        return found

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """The value for ``key`` in this snapshot, built once (concurrent callers wait for the
        first build instead of repeating it)."""
        found = self._bodies.get(key)
        if found is not None:
            return found
        with self._lock:
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            found = self._bodies.get(key)
            if found is None:
                found = build()
                with self._lock:
                    self._bodies[key] = found
                    while len(self._bodies) > MAX_BODIES:
                        self._bodies.popitem(last=False)
                    self._pending.pop(key, None)
        return found


class Reader:
    """The service's one way to read the catalog: the snapshot for the store's version now."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """One ``Store.version()`` read; a new snapshot only when the catalog view changed."""
        view = self.catalog.view()
        current = self._snapshot
        if current is not None and current.view is view and time.time() < current.until:
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.view is not view or time.time() >= current.until:
                current = Snapshot(self.catalog, view)
                self._snapshot = current
        return current

    def peek(self) -> Snapshot | None:
        """The last snapshot, without touching the store."""
        return self._snapshot
