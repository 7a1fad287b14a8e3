"""A store shared by many processes and hosts: one Redis database, every key the caller's own.

Each entry is one Redis string holding a JSON envelope ``{"s": stored_at, "e": expires_at, "v":
value}`` (never pickle: a shared Redis must not be a code-execution path). ``e`` is the logical
expiry the contract reads; the Redis TTL is that plus ``stale_retention_seconds``, so an expired
catalog stays readable as stale for a while and then Redis forgets it by itself.

A lease is a plain string under its own name holding the owner, with a Redis TTL as its lease, so a
holder that dies loses it when the TTL runs out. Leases are not entries: ``get``, ``keys``,
``delete_prefix`` and ``purge_expired`` only see values that start with the envelope's ``{"s":``.

Writes, the fencing check and compare-and-delete are Lua scripts, which Redis runs atomically: a
reader on any connection sees all of one ``put_many`` or none of it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import AuthenticationError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from ..errors import LeaseLostError, StoreError
from ..redact import mask_url, redact
from .base import JSON, Entry, LogAppend, Store, dumps, loads

log = logging.getLogger("modelsync")

#: Read when the URL carries no password, so the password need not sit in ``MODELSYNC_STORE``.
PASSWORD_ENV = "MODELSYNC_REDIS_PASSWORD"
CONNECT_TIMEOUT_SECONDS = 2.0
SOCKET_TIMEOUT_SECONDS = 5.0

_SCHEMES = ("redis://", "rediss://")
_MASK = "***"
_SCAN_COUNT = 500
_MAX_PX = 10**15  # ~31,000 years: keeps PX well inside what Redis accepts
#: Every entry's stored bytes start with this; a lease (an owner string) must not.
_ENTRY_HEAD = b'{"s":'
_DB_PATH = re.compile(r"/?[0-9]*")

# KEYS: the entry keys, then the lease when fenced, the log when appending, the version hash when
# the store keeps one. ARGV: n, owner, record, max_len, then value and PX ('' = no TTL) per key,
# then the epoch when versioned. Returns 0, writing nothing, when the fence's lease is not held.
_PUT_MANY = """
local n = tonumber(ARGV[1])
local k = n
if ARGV[2] ~= '' then
  k = k + 1
  if redis.call('GET', KEYS[k]) ~= ARGV[2] then
    return 0
  end
end
for i = 1, n do
  local px = ARGV[2 * i + 4]
  if px == '' then
    redis.call('SET', KEYS[i], ARGV[2 * i + 3])
  else
    redis.call('SET', KEYS[i], ARGV[2 * i + 3], 'PX', px)
  end
end
if ARGV[3] ~= '' then
  k = k + 1
  redis.call('RPUSH', KEYS[k], ARGV[3])
  redis.call('LTRIM', KEYS[k], -tonumber(ARGV[4]), -1)
end
if #ARGV > 2 * n + 4 then
  redis.call('HSETNX', KEYS[#KEYS], 'epoch', ARGV[#ARGV])
  local moved = redis.call('HINCRBY', KEYS[#KEYS], 'n', 1)
  redis.call('PUBLISH', KEYS[#KEYS], redis.call('HGET', KEYS[#KEYS], 'epoch') .. ':' .. moved)
end
return 1
"""

# Move the version on after a change made outside _PUT_MANY. KEYS[1]: the version hash;
# ARGV[1]: an epoch for a hash that does not exist yet. Both scripts publish the new version on
# a channel named like the hash, for readers that follow it (``RedisStore.watch_version``).
_BUMP = """
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
local moved = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('PUBLISH', KEYS[1], redis.call('HGET', KEYS[1], 'epoch') .. ':' .. moved)
return moved
"""

# Take the lease if it is free, or extend it if owner already holds it.
_ACQUIRE = """
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""

# Compare-and-delete: never frees a lease someone else took after ours ran out.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# Over a batch of scanned keys, act on the entries only (leases and foreign values are skipped).
# ARGV[1]: 'list' returns the entry keys; 'delete' unlinks them; 'purge' unlinks those whose
# logical expiry is before ARGV[2]. The last two return how many went.
_ENTRIES = """
local mode = ARGV[1]
local cutoff = tonumber(ARGV[2])
local found = {}
local removed = 0
for _, key in ipairs(KEYS) do
  if redis.call('TYPE', key).ok == 'string' then
    local head = redis.call('GETRANGE', key, 0, 127)
    local e = string.match(head, '^{"s":[^,]*,"e":([^,]*),"v":')
    if e then
      if mode == 'list' then
        found[#found + 1] = key
      elseif mode == 'delete' then
        removed = removed + redis.call('UNLINK', key)
      else
        local exp = tonumber(e)
        if exp and exp < cutoff then
          removed = removed + redis.call('UNLINK', key)
        end
      end
    end
  end
end
if mode == 'list' then
  return found
end
return removed
"""


def _url_secrets(url: str) -> list[str]:
    """Every password-like string in ``url``, raw and percent-decoded, to scrub from messages."""
    found: list[str] = []
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    if "@" in parts.netloc:
        userinfo = parts.netloc.rpartition("@")[0]
        user, colon, password = userinfo.partition(":")
        found.append(password if colon else user)
    found.extend(v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == "password")
    return [s for secret in found for s in (secret, unquote(secret)) if s]


def _url_has_password(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.password:
        return True
    return any(k == "password" and v for k, v in parse_qsl(parts.query))


class RedisStore(Store):
    """``redis://[[user]:password@]host[:port][/db]`` or ``rediss://`` for TLS.

    The password comes from the URL, else ``password=``, else ``$MODELSYNC_REDIS_PASSWORD``; ``url``
    and every message show it as ``***``. The server is contacted once on open, so a wrong URL
    fails here with a clear ``StoreError`` instead of at the first sync.
    """

    def __init__(
        self,
        url: str,
        *,
        stale_retention_seconds: float = 30 * 86400.0,
        password: str | None = None,
        version_key: str | None = None,
        socket_connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
    ) -> None:
        self.url = mask_url(url)
        if not url.startswith(_SCHEMES):
            raise StoreError(
                f"not a Redis URL: {self.url!r}", hint="use redis://host:6379/0 or rediss://..."
            )
        if not stale_retention_seconds >= 0:  # also refuses NaN
            raise ValueError("stale_retention_seconds must be >= 0")
        self.stale_retention_seconds = float(stale_retention_seconds)
        #: Where ``version()`` lives: a hash (never an entry: SCAN over strings skips it) under a
        #: name of the caller's (``Catalog`` uses ``{prefix}:store-version``), moved on inside
        #: every write script. Without one the store writes no key of its own and cannot tell
        #: its version (``None``: readers do not cache).
        self.version_key = version_key
        self._watch: _VersionWatch | None = None
        options: dict[str, Any] = {
            "socket_connect_timeout": socket_connect_timeout,
            "socket_timeout": socket_timeout,
            # One quick retry: a pooled connection may have died with a server restart. Every
            # command below is idempotent (put_many carries its own timestamps), so it is safe.
            "retry": Retry(ExponentialBackoff(cap=0.25, base=0.05), retries=1),
        }
        try:
            path = urlsplit(url).path
        except ValueError as exc:
            raise StoreError(
                f"invalid Redis URL {self.url}: {exc}", hint="use redis://host:6379/0"
            ) from None
        if not _DB_PATH.fullmatch(path):
            raise StoreError(
                f"invalid Redis URL {self.url}: the path must be a database number",
                hint="use redis://host:6379/0 (database 0) in MODELSYNC_STORE",
            )
        secrets = _url_secrets(url)
        if not _url_has_password(url):
            fallback = password or os.environ.get(PASSWORD_ENV) or None
            if fallback:
                options["password"] = fallback
                secrets.append(fallback)
        self._secrets = tuple(secrets)
        try:
            self.client: redis.Redis = redis.Redis.from_url(url, **options)
        except ValueError as exc:
            raise StoreError(
                f"invalid Redis URL {self.url}: {self._scrub(exc)}",
                hint="use redis://host:6379/0 or rediss://host:6380/0 in MODELSYNC_STORE",
            ) from None
        self._put_many = self.client.register_script(_PUT_MANY)
        self._acquire = self.client.register_script(_ACQUIRE)
        self._release = self.client.register_script(_RELEASE)
        self._entries = self.client.register_script(_ENTRIES)
        self._bump = self.client.register_script(_BUMP)
        try:
            with self._errors():
                self.client.ping()
        except StoreError:
            self.client.close()
            raise

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    # -- errors -----------------------------------------------------------------------------

    def _scrub(self, exc: BaseException) -> str:
        return redact(str(exc), self._secrets).rstrip(". ")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn every redis-py failure into a ``StoreError`` naming the URL, never the password."""
        try:
            yield
        except AuthenticationError as exc:
            problem = "refused the credentials" if self._secrets else "requires a password"
            raise StoreError(
                f"Redis at {self.url} {problem}: {self._scrub(exc)}",
                hint=f"check the password in MODELSYNC_STORE or ${PASSWORD_ENV}",
            ) from None
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise StoreError(
                f"cannot reach Redis at {self.url}: {self._scrub(exc)}",
                hint="check MODELSYNC_STORE and that the server is running",
            ) from None
        except RedisError as exc:
            raise StoreError(f"Redis store {self.url} failed: {self._scrub(exc)}") from None

    # -- entries ----------------------------------------------------------------------------

    def _px(self, seconds: float) -> int:
        # round first: 0.2 + 0.4 is 0.6000000000000001 s, which must be 600 ms, not 601
        return min(max(math.ceil(round(seconds * 1000, 6)), 1), _MAX_PX)

    def get(self, key: str, *, include_expired: bool = False) -> Entry | None:
        return self.get_many([key], include_expired=include_expired)[key]

    def get_many(
        self, keys: Sequence[str], *, include_expired: bool = False
    ) -> dict[str, Entry | None]:
        # MGET is one command: Redis answers it between two syncs' scripts, never inside one.
        if not keys:
            return {}
        with self._errors():
            raws = cast("list[bytes | None]", self.client.mget(list(keys)))
        now = time.time()
        out: dict[str, Entry | None] = {}
        for key, raw in zip(keys, raws, strict=True):
            entry = self._decode(key, raw)
            if entry is not None and entry.expired(now) and not include_expired:
                entry = None
            out[key] = entry
        return out

    def _decode(self, key: str, raw: bytes | None) -> Entry | None:
        if raw is None or not raw.startswith(_ENTRY_HEAD):
            return None  # absent, or a lease: not an entry
        try:
            envelope = loads(raw)
            expires = envelope["e"]
            return Entry(
                envelope["v"], float(envelope["s"]), None if expires is None else float(expires)
            )
        except (ValueError, KeyError, TypeError):
            raise StoreError(
                f"Redis key {key!r} at {self.url} holds a malformed entry",
                hint="delete it (modelsync clear PROVIDER, or --all); the next sync writes it again",
            ) from None

    def put_many(
        self,
        items: Mapping[str, tuple[JSON, float | None]],
        *,
        fence: tuple[str, str] | None = None,
        append: LogAppend | None = None,
    ) -> None:
        if not items and fence is None and append is None:
            return
        now = time.time()
        keys: list[str] = []
        args: list[str | int] = [
            len(items),
            "" if fence is None else fence[1],
            "" if append is None else dumps(append.record),
            0 if append is None else max(append.max_len, 1),
        ]
        for key, (value, ttl) in items.items():
            keys.append(key)
            if ttl is None:
                args += [dumps({"s": now, "e": None, "v": value}), ""]
            else:
                px = self._px(ttl + self.stale_retention_seconds)
                args += [dumps({"s": now, "e": now + ttl, "v": value}), px]
        if fence is not None:
            keys.append(fence[0])
        if append is not None:
            keys.append(append.stream)
        if self.version_key is not None:
            keys.append(self.version_key)
            args.append(uuid.uuid4().hex[:12])
        with self._errors():
            written = self._put_many(keys=keys, args=args)
        if fence is not None and not written:
            raise LeaseLostError(f"lease {fence[0]} is no longer held; write refused")
        if self.version_key is not None:
            self._seen_own_write()

    def read_log(self, stream: str, *, limit: int | None = None) -> list[JSON]:
        if limit is not None and limit <= 0:
            return []
        start = 0 if limit is None else -limit
        with self._errors():
            raw = cast("list[bytes]", self.client.lrange(stream, start, -1))
        return [loads(r) for r in reversed(raw)]

    def version(self) -> str | None:
        if self.version_key is None:
            return None
        watch = self._watch
        if watch is not None:
            known = watch.current()
            if known is not None:
                return known
        return self._read_version()

    def _read_version(self) -> str:
        assert self.version_key is not None
        with self._errors():
            found = self.client.hmget(self.version_key, ["epoch", "n"])
        epoch, n = cast("list[bytes | None]", found)
        return f"{(epoch or b'').decode()}:{int(n or 0)}"

    def watch_version(self) -> None:
        """Follow the version as Redis pushes it instead of reading it on every call.

        For a long-lived reader that asks on every request (the HTTP service): one round trip
        per request is most of a cached request's cost. A thread subscribes to the channel the
        write scripts publish on and keeps the latest version in memory; it re-reads the hash
        every second as well (a change that publishes nothing, such as a flushed database, is
        seen within that), and while it is not subscribed ``version()`` reads the hash as
        before. A write made through this store is seen by its own next ``version()`` at once.
        """
        if self.version_key is None or self._watch is not None:
            return
        self._watch = _VersionWatch(self)

    def _moved(self) -> None:
        if self.version_key is None:
            return
        with self._errors():
            self._bump(keys=[self.version_key], args=[uuid.uuid4().hex[:12]])
        self._seen_own_write()

    def _seen_own_write(self) -> None:
        """Read your own writes: the watched version catches up now, not when the message
        comes back."""
        watch = self._watch
        if watch is not None:
            watch.offer(self._read_version())

    def delete_log(self, stream: str) -> None:
        with self._errors():
            self.client.unlink(stream)
        self._moved()

    def log_streams(self, prefix: str) -> list[str]:
        found = {
            key.decode("utf-8", "surrogateescape") if isinstance(key, bytes) else key
            for batch in self._scan(_glob_escape(prefix) + "*", kind="list")
            for key in batch
        }
        return sorted(k for k in found if k.startswith(prefix))

    def _scan(self, pattern: str, kind: str = "string") -> Iterator[list[bytes | str]]:
        """Batches of keys of one type matching ``pattern``; a key may come twice (SCAN's
        promise). Entries are strings; logs are lists."""
        cursor = 0
        while True:
            with self._errors():
                cursor, batch = self.client.scan(
                    cursor=cursor, match=pattern, count=_SCAN_COUNT, _type=kind
                )
            if batch:
                yield batch
            if cursor == 0:
                return

    def _over_entries(self, prefix: str, mode: str, cutoff: float = 0.0) -> Iterator[Any]:
        for batch in self._scan(_glob_escape(prefix) + "*"):
            with self._errors():
                result = self._entries(keys=batch, args=[mode, repr(cutoff)])
            yield result

    def delete_prefix(self, prefix: str) -> int:
        removed = sum(int(n) for n in self._over_entries(prefix, "delete"))
        if removed:
            self._moved()
        return removed

    def keys(self, prefix: str) -> list[str]:
        found = {
            key.decode("utf-8", "surrogateescape")
            for batch in self._over_entries(prefix, "list")
            for key in cast("list[bytes]", batch)
        }
        return sorted(k for k in found if k.startswith(prefix))

    def purge_expired(self, grace_seconds: float) -> int:
        cutoff = time.time() - grace_seconds
        removed = sum(int(n) for n in self._over_entries("", "purge", cutoff))
        if removed:
            self._moved()
        return removed

    # -- leases -----------------------------------------------------------------------------

    def try_acquire(self, name: str, owner: str, lease_seconds: float) -> bool:
        if owner.startswith(_ENTRY_HEAD.decode()):
            raise ValueError("a lease owner may not look like a stored entry")
        with self._errors():
            got = self._acquire(keys=[name], args=[owner, self._px(lease_seconds)])
        return bool(got)

    def release(self, name: str, owner: str) -> None:
        with self._errors():
            self._release(keys=[name], args=[owner])

    def close(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.stop()
        self.client.close()


class _VersionWatch:
    """The thread behind :meth:`RedisStore.watch_version`: the latest version pushed on the
    version channel (or read every second), or ``None`` while it is not subscribed."""

    POLL_SECONDS = 1.0

    def __init__(self, store: RedisStore) -> None:
        assert store.version_key is not None
        self.store = store
        self.channel = store.version_key
        self._value: tuple[str, int] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="modelsync-version", daemon=True)
        self._thread.start()

    def current(self) -> str | None:
        value = self._value
        return None if value is None else f"{value[0]}:{value[1]}"

    def offer(self, version: str) -> None:
        """Take ``version`` unless it is older than what is known (messages and reads race)."""
        epoch, _, n = version.rpartition(":")
        number = int(n or 0)
        with self._lock:
            known = self._value
            if known is None or known[0] != epoch or number >= known[1]:
                self._value = (epoch, number)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2 * self.POLL_SECONDS + 1)

    def _forget(self) -> None:
        with self._lock:
            self._value = None

    def _run(self) -> None:
        backoff = 0.05
        while not self._stop.is_set():
            pubsub = self.store.client.pubsub()  # type: ignore[no-untyped-call]
            try:
                pubsub.subscribe(self.channel)
                # Subscribed before reading: no move can fall between the read and the messages.
                while pubsub.get_message(timeout=self.POLL_SECONDS) is None:
                    if self._stop.is_set():
                        return
                self.offer(self.store._read_version())
                polled = time.monotonic()
                backoff = 0.05
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=self.POLL_SECONDS)
                    if message is not None and message.get("type") == "message":
                        data = message.get("data")
                        self.offer(data.decode() if isinstance(data, bytes) else str(data))
                    if time.monotonic() - polled >= self.POLL_SECONDS:
                        self.offer(self.store._read_version())
                        polled = time.monotonic()
            except Exception as exc:  # a lost connection: read on every call until back
                self._forget()
                log.debug("redis version watch: %s; retrying in %.2fs", exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)
            finally:
                with contextlib.suppress(RedisError, OSError):  # closing a dead connection
                    pubsub.close()


def _glob_escape(text: str) -> str:
    """``text`` as a literal inside a Redis MATCH pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
