"""The default store: one SQLite file (created 0600), WAL journal, one transaction per sync.

WAL lets readers keep answering from the last committed catalog while a sync writes the next one;
``BEGIN IMMEDIATE`` serializes writers across processes on one host; leases live in their own table
so that two processes never sync the same provider at once.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import LeaseLostError, StoreError
from .base import JSON, Entry, LogAppend, Store, dumps, loads

log = logging.getLogger("modelsync")

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


_HEADER = b"SQLite format 3\x00"
#: Below this much free space an I/O error is most likely the disk being full.
_NEARLY_FULL = 1 << 20


def _free_bytes(folder: Path) -> int | None:
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    return info.f_bavail * info.f_frsize


def _existing_store_file(path: Path) -> os.stat_result | None:
    """``stat`` of the file at ``path`` once it is known to be a SQLite file; ``None`` if absent.

    A folder, a device, or a file that does not start with SQLite's 16-byte header is refused
    before anything is opened or changed. An empty file is accepted as a new, empty database
    (SQLite treats it so): an operator may create the file first to choose its owner and mode.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(
            f"cannot read SQLite store {path}: {exc.strerror or exc}",
            hint="Check the path and its permissions, or set MODELSYNC_STORE",
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(
            f"store path {path} is a folder, not a SQLite file",
            hint=f"Point MODELSYNC_STORE at a file, e.g. sqlite:///{path / 'catalog.db'}",
        )
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            f"store path {path} is not a regular file",
            hint="Point MODELSYNC_STORE at a SQLite file",
        )
    if info.st_size == 0:
        return info
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_HEADER))
    except OSError as exc:
        raise StoreError(
            f"cannot read SQLite store {path}: {exc.strerror or exc}",
            hint="Check the file's permissions, or set MODELSYNC_STORE",
        ) from None
    if header != _HEADER:
        raise StoreError(
            f"{path} is not a SQLite database; modelsync leaves it alone",
            hint="Point MODELSYNC_STORE at a new or existing modelsync SQLite file",
        )
    return info


def _create_private_file(path: Path) -> bool:
    """Create the store file, mode 0600 whatever the umask; ``False`` if it already exists.

    Only a file created here gets its mode set: an existing file keeps the one its owner chose.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise StoreError(
            f"cannot create SQLite store {path}: {exc.strerror or exc}",
            hint="Check the folder's permissions, or set MODELSYNC_STORE",
        ) from None
    try:
        os.fchmod(fd, 0o600)  # the umask may have removed bits we need; the file is ours
    finally:
        os.close(fd)
    return True


def _writable(path: Path, info: os.stat_result) -> bool:
    """Whether modelsync may write: the OS allows it and the mode has a write bit.

    ``root`` passes ``access()`` for any file; the mode bits still say what the owner meant,
    so a 0400 store stays read-only even for root.
    """
    return os.access(path, os.W_OK) and bool(info.st_mode & 0o222)


class SQLiteStore(Store):
    """A SQLite file that modelsync created, or an existing modelsync store.

    Opening one changes nothing that modelsync did not create: a folder, a file that is not a
    SQLite database, or another program's database is a ``StoreError`` before anything is
    touched; an existing file keeps its mode (only a file created here is set to 0600); a file
    without write permission (0400, say) is opened read-only, so reads work and a write is a
    clear error naming the path.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = "sqlite:///" + str(self.path)
        self._lock = threading.Lock()
        existing = _existing_store_file(self.path)
        if existing is None and not _create_private_file(self.path):
            existing = _existing_store_file(self.path)  # another process created it just now
        #: True when the file has no write permission: modelsync only reads it.
        self.read_only = existing is not None and not _writable(self.path, existing)
        try:
            if self.read_only:
                uri = self.path.resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(
                    uri,
                    uri=True,
                    timeout=_BUSY_SECONDS,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                self._db = sqlite3.connect(
                    self.path,
                    timeout=_BUSY_SECONDS,
                    isolation_level=None,
                    check_same_thread=False,
                )
        except sqlite3.Error as exc:
            raise self._failed(exc, opening=True) from None
        try:
            self._check_ours()
            if not self.read_only:
                _retry_locked(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
                self._db.execute("PRAGMA synchronous=NORMAL")
                _retry_locked(lambda: self._db.executescript(_SCHEMA))
                if self._db.execute("SELECT count(*) FROM meta").fetchone()[0] < 2:
                    epoch = uuid.uuid4().hex[:12]
                    _retry_locked(lambda: self._db.execute(_INIT_VERSION, (epoch,)))
        except sqlite3.Error as exc:
            self._db.close()
            raise self._failed(exc, opening=True) from None
        except StoreError:
            self._db.close()
            raise

    def _check_ours(self) -> None:
        """Refuse another program's database, and a read-only file with no catalog in it."""
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        tables = {str(r[0]) for r in rows}
        if tables and "entries" not in tables:
            raise StoreError(
                f"{self.path} is a SQLite database of another program "
                f"(tables: {', '.join(sorted(tables)[:5])}); modelsync leaves it alone",
                hint="Point MODELSYNC_STORE at a file of modelsync's own",
            )
        if self.read_only and not tables:
            raise StoreError(
                f"SQLite store {self.path} is read-only and holds no catalog yet",
                hint=f"Make it writable (chmod u+w {self.path}) and run `modelsync sync`",
            )

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before any read so concurrent writers queue, not deadlock.

        On failure the transaction is rolled back only if it is still open: SQLite rolls back by
        itself after some errors (a full disk during a large write), and a second ROLLBACK would
        fail with "no transaction is active" and hide the error that mattered.
        """
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    self._rollback()
                    raise
            except sqlite3.Error as exc:
                raise self._failed(exc) from None

    def _rollback(self) -> None:
        if not self._db.in_transaction:
            return  # SQLite already rolled back
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error as exc:  # the error being raised matters more
            log.warning("SQLite store %s: rollback failed too: %s", self.path, exc)

    def _failed(self, exc: sqlite3.Error, *, opening: bool = False) -> StoreError:
        """The SQLite error as a ``StoreError`` naming the file and saying what to do.

        A full disk can surface as "disk I/O error" (SQLite cannot create its 32 KiB shared-
        memory file beside the database), so an I/O error on a filesystem with almost no room
        left is reported as the full disk it is.
        """
        code = str(getattr(exc, "sqlite_errorname", ""))
        what = "cannot be opened" if opening else "failed"
        message = f"SQLite store {self.path} {what}: {exc}"
        free = _free_bytes(self.path.parent)
        if code.startswith("SQLITE_IOERR") and free is not None and free < _NEARLY_FULL:
            code = "SQLITE_FULL"
            message += f" (the filesystem holding it has {free // 1024} KiB free)"
        if code == "SQLITE_FULL":
            hint = (
                f"Free space on the filesystem holding {self.path.parent}; the last good "
                "catalog is kept"
            )
        elif code == "SQLITE_READONLY" or self.read_only:
            hint = (
                f"The file is read-only: make it writable (chmod u+w {self.path}) or point "
                "MODELSYNC_STORE at a writable file"
            )
        else:
            hint = "check the path and its permissions, or set MODELSYNC_STORE"
        return StoreError(message, hint=hint)

    def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._failed(exc) from None

    def version(self) -> str:
        if self.read_only and not self._has_meta():
            # A store written by a modelsync before versions, opened read-only here (we may not
            # add the table): its file times change with every write, WAL included.
            stamps = [
                os.stat(p).st_mtime_ns
                for p in (self.path, Path(f"{self.path}-wal"))
                if os.path.exists(p)
            ]
            return "mtime:" + ":".join(map(str, stamps))
        rows = self._read("SELECT name, value FROM meta WHERE name IN ('epoch', 'version')", ())
        found = {str(name): value for name, value in rows}
        return f"{found.get('epoch')}:{found.get('version')}"

    def _has_meta(self) -> bool:
        rows = self._read("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'", ())
        return bool(rows)

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

    def log_streams(self, prefix: str) -> list[str]:
        rows = self._read(
            "SELECT DISTINCT stream FROM ledger WHERE substr(stream, 1, ?) = ? ORDER BY stream",
            (len(prefix), prefix),
        )
        return [str(r[0]) for r in rows]

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
