"""A process-local store: for tests and for embedding modelsync where nothing should touch disk."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence

from ..errors import LeaseLostError
from .base import JSON, Entry, LogAppend, Store, dumps, loads


class MemoryStore(Store):
    """Values are round-tripped through JSON so the memory store behaves exactly like the others."""

    url = "memory://"

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float, float | None]] = {}
        self._leases: dict[str, tuple[str, float]] = {}
        self._logs: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._epoch = uuid.uuid4().hex[:12]
        self._version = 0

    def version(self) -> str | None:
        with self._lock:
            return f"{self._epoch}:{self._version}"

    def get(self, key: str, *, include_expired: bool = False) -> Entry | None:
        return self.get_many([key], include_expired=include_expired)[key]

    def get_many(
        self, keys: Sequence[str], *, include_expired: bool = False
    ) -> dict[str, Entry | None]:
        with self._lock:
            rows = {key: self._data.get(key) for key in keys}
        now = time.time()
        out: dict[str, Entry | None] = {}
        for key, row in rows.items():
            entry = None if row is None else Entry(loads(row[0]), row[1], row[2])
            if entry is not None and entry.expired(now) and not include_expired:
                entry = None
            out[key] = entry
        return out

    def put_many(
        self,
        items: Mapping[str, tuple[JSON, float | None]],
        *,
        fence: tuple[str, str] | None = None,
        append: LogAppend | None = None,
    ) -> None:
        now = time.time()
        record = None if append is None else dumps(append.record)
        encoded = {
            key: (dumps(value), now, None if ttl is None else now + ttl)
            for key, (value, ttl) in items.items()
        }
        with self._lock:
            if fence is not None:
                held = self._leases.get(fence[0])
                if held is None or held[0] != fence[1] or held[1] <= now:
                    raise LeaseLostError(f"lease {fence[0]} is no longer held; write refused")
            self._data.update(encoded)
            if append is not None and record is not None:
                log = self._logs.setdefault(append.stream, [])
                log.append(record)
                del log[: max(len(log) - append.max_len, 0)]
            self._version += 1

    def read_log(self, stream: str, *, limit: int | None = None) -> list[JSON]:
        with self._lock:
            records = list(self._logs.get(stream, ()))
        newest = records[::-1] if limit is None else records[: -limit - 1 : -1]
        return [loads(r) for r in newest]

    def delete_log(self, stream: str) -> None:
        with self._lock:
            self._logs.pop(stream, None)
            self._version += 1

    def log_streams(self, prefix: str) -> list[str]:
        with self._lock:
            return sorted(
                k for k, records in self._logs.items() if k.startswith(prefix) and records
            )

    def delete_prefix(self, prefix: str) -> int:
        with self._lock:
            doomed = [k for k in self._data if k.startswith(prefix)]
            for key in doomed:
                del self._data[key]
            self._version += bool(doomed)
        return len(doomed)

    def keys(self, prefix: str) -> list[str]:
        with self._lock:
            return sorted(k for k in self._data if k.startswith(prefix))

    def purge_expired(self, grace_seconds: float) -> int:
        cutoff = time.time() - grace_seconds
        with self._lock:
            doomed = [
                k for k, (_, _, exp) in self._data.items() if exp is not None and exp < cutoff
            ]
            for key in doomed:
                del self._data[key]
            self._version += bool(doomed)
        return len(doomed)

    def try_acquire(self, name: str, owner: str, lease_seconds: float) -> bool:
        now = time.time()
        with self._lock:
            held = self._leases.get(name)
            if held is not None and held[1] > now and held[0] != owner:
                return False
            self._leases[name] = (owner, now + lease_seconds)
            return True

    def release(self, name: str, owner: str) -> None:
        with self._lock:
            held = self._leases.get(name)
            if held is not None and held[0] == owner:
                del self._leases[name]
