"""The default store: one SQLite file, mode 0600, WAL journal, one transaction per sync.

WAL lets readers keep answering from the last committed catalog while a sync writes the next one;
``BEGIN IMMEDIATE`` serializes writers across processes on one host; leases live in their own table
so that two processes never sync the same provider at once.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import LeaseLostError, StoreError
from .base import JSON, Entry, LogAppend, Store, dumps, loads

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    stored_at REAL NOT NULL,
    expires_at REAL
);
CREATE INDEX IF NOT EXISTS entries_expires ON entries(expires_at);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_stream ON ledger(stream, seq);
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value NOT NULL
);
"""

#: ``Store.version``: the file's epoch (made once, with the file) and a counter every write
#: transaction that changes entries or the ledger moves on, inside that transaction.
_INIT_VERSION = "INSERT OR IGNORE INTO meta(name, value) VALUES ('epoch', ?), ('version', 0)"
_BUMP = "UPDATE meta SET value = value + 1 WHERE name = 'version'"


_BUSY_SECONDS = 30.0


def _retry_locked(step: Callable[[], object]) -> None:
    """Run a set-up statement, waiting out "database is locked".

    Switching a new file to WAL takes an exclusive lock, and SQLite answers a concurrent opener
    "locked" at once instead of honouring the busy timeout; eight cron jobs opening a fresh
    file at the same minute hit exactly that. So set-up retries until the same deadline.
    """
    deadline = time.monotonic() + _BUSY_SECONDS
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def path_from_url(url: str) -> Path:
    """``sqlite:///relative.db`` or ``sqlite:////absolute.db``, as SQLAlchemy writes them."""
    if not url.startswith("sqlite:///"):
        raise StoreError(
            f"not a SQLite URL: {url!r}",
            hint="use sqlite:///relative/path.db or sqlite:////absolute/path.db",
        )
    rest = url[len("sqlite:///") :]
    if not rest:
        raise StoreError("SQLite URL has no file path", hint="use sqlite:///catalog.db")
    return Path(rest)


class SQLiteStore(Store):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = "sqlite:///" + str(self.path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.chmod(self.path, 0o600)
            self._db = sqlite3.connect(
                self.path, timeout=_BUSY_SECONDS, isolation_level=None, check_same_thread=False
            )
            _retry_locked(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
            self._db.execute("PRAGMA synchronous=NORMAL")
            _retry_locked(lambda: self._db.executescript(_SCHEMA))
            if self._db.execute("SELECT count(*) FROM meta").fetchone()[0] < 2:
                epoch = uuid.uuid4().hex[:12]
                _retry_locked(lambda: self._db.execute(_INIT_VERSION, (epoch,)))
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open SQLite store {self.path}: {exc}",
                hint="check the path and its permissions, or set MODELSYNC_STORE",
            ) from None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before any read so concurrent writers queue, not deadlock."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite store {self.path} failed: {exc}") from None

    def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite store {self.path} failed: {exc}") from None

    def version(self) -> str:
        rows = self._read("SELECT name, value FROM meta WHERE name IN ('epoch', 'version')", ())
        found = {str(name): value for name, value in rows}
        return f"{found.get('epoch')}:{found.get('version')}"

    def get(self, key: str, *, include_expired: bool = False) -> Entry | None:
        return self.get_many([key], include_expired=include_expired)[key]

    def get_many(
        self, keys: Sequence[str], *, include_expired: bool = False
    ) -> dict[str, Entry | None]:
        # One SELECT is one snapshot under WAL: keys written by one transaction come together.
        marks = ",".join("?" * len(keys))
        rows = self._read(
            f"SELECT key, value, stored_at, expires_at FROM entries WHERE key IN ({marks})",  # noqa: S608
            tuple(keys),
        )
        now = time.time()
        out: dict[str, Entry | None] = dict.fromkeys(keys)
        for key, value, stored_at, expires_at in rows:
            entry = Entry(
                loads(str(value)),
                float(stored_at),  # type: ignore[arg-type]
                None if expires_at is None else float(expires_at),  # type: ignore[arg-type]
            )
            if include_expired or not entry.expired(now):
                out[str(key)] = entry
        return out

    def put_many(
        self,
        items: Mapping[str, tuple[JSON, float | None]],
        *,
        fence: tuple[str, str] | None = None,
        append: LogAppend | None = None,
    ) -> None:
        now = time.time()
        rows = [
            (key, dumps(value), now, None if ttl is None else now + ttl)
            for key, (value, ttl) in items.items()
        ]
        with self._tx() as db:
            if fence is not None:
                row = db.execute(
                    "SELECT owner, expires_at FROM leases WHERE name = ?", (fence[0],)
                ).fetchone()
                if row is None or row[0] != fence[1] or row[1] <= now:
                    raise LeaseLostError(f"lease {fence[0]} is no longer held; write refused")
            db.executemany(
                "INSERT INTO entries(key, value, stored_at, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "stored_at = excluded.stored_at, expires_at = excluded.expires_at",
                rows,
            )
            if append is not None:
                db.execute(
                    "INSERT INTO ledger(stream, record) VALUES (?, ?)",
                    (append.stream, dumps(append.record)),
                )
                db.execute(
                    "DELETE FROM ledger WHERE stream = ? AND seq <= (SELECT seq FROM ledger "
                    "WHERE stream = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                    (append.stream, append.stream, append.max_len),
                )
            db.execute(_BUMP)

    def read_log(self, stream: str, *, limit: int | None = None) -> list[JSON]:
        rows = self._read(
            "SELECT record FROM ledger WHERE stream = ? ORDER BY seq DESC LIMIT ?",
            (stream, -1 if limit is None else limit),
        )
        return [loads(str(r[0])) for r in rows]

    def delete_log(self, stream: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM ledger WHERE stream = ?", (stream,))
            db.execute(_BUMP)

    def delete_prefix(self, prefix: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM entries WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
            )
            if cur.rowcount:
                db.execute(_BUMP)
            return cur.rowcount

    def keys(self, prefix: str) -> list[str]:
        rows = self._read(
            "SELECT key FROM entries WHERE substr(key, 1, ?) = ? ORDER BY key",
            (len(prefix), prefix),
        )
        return [str(r[0]) for r in rows]

    def purge_expired(self, grace_seconds: float) -> int:
        cutoff = time.time() - grace_seconds
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at < ?", (cutoff,)
            )
            removed = cur.rowcount
            db.execute("DELETE FROM leases WHERE expires_at < ?", (time.time(),))
            if removed:
                db.execute(_BUMP)
            return removed

    def try_acquire(self, name: str, owner: str, lease_seconds: float) -> bool:
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "SELECT owner, expires_at FROM leases WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[1] > now and row[0] != owner:
                return False
            db.execute(
                "INSERT INTO leases(name, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, "
                "expires_at = excluded.expires_at",
                (name, owner, now + lease_seconds),
            )
            return True

    def release(self, name: str, owner: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    def close(self) -> None:
        with self._lock:
            self._db.close()
