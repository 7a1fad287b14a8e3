"""One contract, every backend: memory, SQLite and Redis are held to the same standard.

Each test runs once per backend. ``Backend.other()`` opens a second handle on the same data (another
connection, as another process or host would have); ``raw`` reads the bytes as stored and
``snapshot`` reads several keys in one atomic step, both behind the store's back.
"""

from __future__ import annotations

import json
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from modelsync.errors import LeaseLostError, StoreError
from modelsync.stores import MemoryStore, Store, open_store
from modelsync.stores.base import LogAppend
from modelsync.stores.sqlite import SQLiteStore

TTL = 0.2  # a short logical TTL ...
PAST_TTL = 0.35  # ... and a sleep that outlasts it
RETENTION = 60.0  # Redis keeps expired entries readable this long

VALUE: Any = {
    "name": "Modèle ünïcode ✓ 模型",
    "nested": [[1, 2, [3, "drei"]], [], [{"k": None}]],
    "flags": [True, False, None],
    "n": 1.5,
    "big": 2**53,
}


@dataclass
class Backend:
    name: str
    store: Store
    other: Callable[[], Store]
    raw: Callable[[str], bytes | None]
    snapshot: Callable[[list[str]], list[Any]]
    _opened: list[Store] = field(default_factory=list)

    def second(self) -> Store:
        handle = self.other()
        self._opened.append(handle)
        return handle


def _memory() -> Generator[Backend, None, None]:
    store = MemoryStore()

    def raw(key: str) -> bytes | None:
        row = store._data.get(key)
        return None if row is None else row[0].encode("utf-8")

    def snapshot(keys: list[str]) -> list[Any]:
        with store._lock:
            rows = [store._data.get(k) for k in keys]
        return [None if r is None else json.loads(r[0]) for r in rows]

    yield Backend("memory", store, lambda: store, raw, snapshot)


def _sqlite(path: Path) -> Generator[Backend, None, None]:
    store = SQLiteStore(path)
    spy = sqlite3.connect(path, check_same_thread=False)
    spy_lock = threading.Lock()

    def raw(key: str) -> bytes | None:
        with spy_lock:
            row = spy.execute("SELECT CAST(value AS BLOB) FROM entries WHERE key = ?", (key,))
            found = row.fetchone()
        return None if found is None else bytes(found[0])

    def snapshot(keys: list[str]) -> list[Any]:
        marks = ",".join("?" * len(keys))
        with spy_lock:  # one statement: one consistent WAL snapshot
            rows = dict(spy.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", keys))
        return [None if k not in rows else json.loads(rows[k]) for k in keys]

    try:
        yield Backend("sqlite", store, lambda: SQLiteStore(path), raw, snapshot)
    finally:
        spy.close()
        store.close()


def _redis(url: str) -> Generator[Backend, None, None]:
    import redis

    from modelsync.stores.redis import RedisStore

    store = RedisStore(url, stale_retention_seconds=RETENTION, version_key="p:store-version")
    spy = redis.Redis.from_url(url)

    def raw(key: str) -> bytes | None:
        return cast("bytes | None", spy.get(key))

    def snapshot(keys: list[str]) -> list[Any]:
        values = cast("list[bytes | None]", spy.mget(keys))  # MGET: one atomic read
        return [None if v is None else json.loads(v)["v"] for v in values]

    try:
        yield Backend(
            "redis",
            store,
            lambda: RedisStore(
                url, stale_retention_seconds=RETENTION, version_key="p:store-version"
            ),
            raw,
            snapshot,
        )
    finally:
        spy.close()
        store.close()


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        gen: Generator[Backend, None, None] = _memory()
    elif request.param == "sqlite":
        gen = _sqlite(tmp_path / "catalog.db")
    else:
        gen = _redis(request.getfixturevalue("redis_url"))
    made = next(gen)
    try:
        yield made
    finally:
        for handle in made._opened:
            if handle is not made.store:
                handle.close()
        gen.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


# -- get / put / TTL -------------------------------------------------------------------------


def test_absent_key_is_none(store: Store) -> None:
    assert store.get("p:none") is None
    assert store.get("p:none", include_expired=True) is None
    assert store.get_value("p:none") is None


def test_put_get_round_trips_json(store: Store) -> None:
    before = time.time()
    store.put("p:a", VALUE, 60)
    store.put("p:b", ["x", ("tuple", "becomes", "list")], None)
    after = time.time()
    entry = store.get("p:a")
    assert entry is not None
    assert entry.value == VALUE
    assert before <= entry.stored_at <= after
    assert entry.expires_at == pytest.approx(entry.stored_at + 60)
    b = store.get("p:b")
    assert b is not None
    assert b.value == ["x", ["tuple", "becomes", "list"]]
    assert b.expires_at is None


def test_another_handle_sees_writes(backend: Backend) -> None:
    backend.store.put("p:a", VALUE, 60)
    assert backend.second().get_value("p:a") == VALUE


def test_values_are_stored_as_json_never_pickle(backend: Backend) -> None:
    backend.store.put("p:a", VALUE, 60)
    raw = backend.raw("p:a")
    assert raw is not None
    assert not raw.startswith(b"\x80")  # pickle's protocol marker
    doc = json.loads(raw.decode("utf-8"))  # raises if not JSON
    stored = doc["v"] if backend.name == "redis" else doc
    assert stored == VALUE
    assert "Modèle ünïcode ✓ 模型".encode() in raw  # UTF-8 JSON, not escaped


def test_non_json_values_are_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(TypeError):
        store.put("p:bad", {1, 2}, None)
    with pytest.raises(TypeError):
        store.put_many({"p:ok": (1, None), "p:bad": (object(), None)})
    assert store.keys("p:") == []


def test_ttl_expiry_and_include_expired(store: Store) -> None:
    store.put("p:short", VALUE, TTL)
    store.put("p:long", "kept", 60)
    store.put("p:forever", "kept", None)
    assert store.get_value("p:short") == VALUE
    time.sleep(PAST_TTL)
    assert store.get("p:short") is None
    assert store.get_value("p:short") is None
    stale = store.get("p:short", include_expired=True)
    assert stale is not None
    assert stale.value == VALUE
    assert stale.expired(time.time())
    assert store.get_value("p:short", include_expired=True) == VALUE
    assert store.get_value("p:long") == "kept"
    assert store.get_value("p:forever") == "kept"


def test_overwrite_replaces_value_and_ttl(store: Store) -> None:
    store.put("p:a", 1, TTL)
    store.put("p:a", 2, None)
    store.put("p:b", 1, None)
    store.put("p:b", 2, TTL)
    time.sleep(PAST_TTL)
    a = store.get("p:a")
    assert a is not None
    assert (a.value, a.expires_at) == (2, None)
    assert store.get("p:b") is None
    assert store.get_value("p:b", include_expired=True) == 2


# -- put_many: atomic and fenced ---------------------------------------------------------------


def test_put_many_writes_every_key(store: Store) -> None:
    store.put_many({"p:a": (1, 60), "p:b": ([2], None), "p:c": ({"c": 3}, TTL)})
    assert [store.get_value(k) for k in ("p:a", "p:b", "p:c")] == [1, [2], {"c": 3}]
    store.put_many({})
    assert store.keys("p:") == ["p:a", "p:b", "p:c"]


def test_fenced_put_many_writes_while_lease_is_held(store: Store) -> None:
    assert store.try_acquire("p:lock", "me", 10)
    store.put_many({"p:a": (1, 60), "p:b": (2, 60)}, fence=("p:lock", "me"))
    assert store.get_value("p:a") == 1
    assert store.get_value("p:b") == 2


@pytest.mark.parametrize("how", ["never_taken", "other_owner", "expired", "released"])
def test_fenced_write_without_the_lease_writes_nothing(backend: Backend, how: str) -> None:
    store = backend.store
    store.put_many({"p:models": ("old", 60), "p:stats": ("old", 60)})
    if how == "other_owner":
        assert backend.second().try_acquire("p:lock", "newer", 10)
    elif how == "expired":
        assert store.try_acquire("p:lock", "me", TTL)
        time.sleep(PAST_TTL)
    elif how == "released":
        assert store.try_acquire("p:lock", "me", 10)
        store.release("p:lock", "me")
    with pytest.raises(LeaseLostError) as caught:
        store.put_many(
            {"p:models": ("new", 60), "p:stats": ("new", 60), "p:fresh": ("new", 60)},
            fence=("p:lock", "me"),
        )
    assert isinstance(caught.value, StoreError)
    assert "p:lock" in str(caught.value)
    assert store.get_value("p:models") == "old"
    assert store.get_value("p:stats") == "old"
    assert store.get("p:fresh", include_expired=True) is None
    assert store.keys("p:") == ["p:models", "p:stats"]


def test_fenced_empty_write_still_checks_the_lease(store: Store) -> None:
    with pytest.raises(LeaseLostError):
        store.put_many({}, fence=("p:lock", "me"))


def test_readers_never_see_two_writes_mixed(backend: Backend) -> None:
    """A writer on one handle, a reader reading all keys at once on another connection."""
    keys = ["p:models", "p:last_sync", "p:stats", "p:fingerprint"]
    writer = backend.second()
    stop = threading.Event()
    written = [0]

    def write() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            writer.put_many({k: ([i] * 200 if k == "p:models" else i, 60) for k in keys})
            written[0] = i

    thread = threading.Thread(target=write)
    thread.start()
    try:
        reads = 0
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            models, *rest = backend.snapshot(keys)
            if models is None:
                assert rest == [None] * len(rest)
                continue
            assert models == [models[0]] * 200
            assert rest == [models[0]] * len(rest)
            reads += 1
    finally:
        stop.set()
        thread.join()
    assert reads > 10
    assert written[0] > 2


# -- leases ------------------------------------------------------------------------------------


def test_lease_is_exclusive_and_reentrant(backend: Backend) -> None:
    store, rival = backend.store, backend.second()
    assert store.try_acquire("p:lock", "a", 10)
    assert not rival.try_acquire("p:lock", "b", 10)
    assert store.try_acquire("p:lock", "a", 10)  # the holder may extend
    assert store.try_acquire("p:other", "b", 10)  # leases are independent
    store.release("p:lock", "a")
    assert rival.try_acquire("p:lock", "b", 10)
    assert not store.try_acquire("p:lock", "a", 10)


def test_release_never_frees_another_owners_lease(backend: Backend) -> None:
    store, rival = backend.store, backend.second()
    assert store.try_acquire("p:lock", "a", 10)
    rival.release("p:lock", "b")
    rival.release("p:never-taken", "b")
    assert not rival.try_acquire("p:lock", "b", 10)
    store.put_many({"p:x": (1, 60)}, fence=("p:lock", "a"))


def test_lease_expiry_lets_another_owner_in(backend: Backend) -> None:
    dead, rival = backend.store, backend.second()
    assert dead.try_acquire("p:lock", "dead", TTL)  # then the holder stalls or dies
    assert not rival.try_acquire("p:lock", "alive", 10)
    time.sleep(PAST_TTL)
    assert rival.try_acquire("p:lock", "alive", 10)
    dead.release("p:lock", "dead")  # the stalled holder wakes up: its release is a no-op...
    assert not dead.try_acquire("p:lock", "third", 10)
    with pytest.raises(LeaseLostError):  # ...and its write is refused
        dead.put_many({"p:models": ("stale", 60)}, fence=("p:lock", "dead"))
    rival.put_many({"p:models": ("fresh", 60)}, fence=("p:lock", "alive"))
    assert dead.get_value("p:models") == "fresh"


def test_extending_a_lease_keeps_it_past_its_first_term(store: Store) -> None:
    assert store.try_acquire("p:lock", "a", TTL)
    time.sleep(TTL / 2)
    assert store.try_acquire("p:lock", "a", 10)
    time.sleep(PAST_TTL)
    assert not store.try_acquire("p:lock", "b", 10)


def test_exactly_one_concurrent_contender_wins(backend: Backend) -> None:
    handles = [backend.second() for _ in range(8)]
    barrier = threading.Barrier(len(handles))
    wins: list[bool] = [False] * len(handles)

    def contend(i: int) -> None:
        barrier.wait()
        wins[i] = handles[i].try_acquire("p:lock", f"owner-{i}", 10)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(len(handles))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(wins) == 1


# -- keys / delete_prefix / purge_expired ------------------------------------------------------

GLOB_KEYS = [
    "p:a*b:1",
    "p:a*b:2",
    "p:axb:1",
    "p:a?c",
    "p:abc",
    "p:[x]:1",
    "p:x:1",
    "p:\\y",
    "p:modèle",
    "q:a*b:1",
]


def _fill(store: Store) -> None:
    store.put_many({k: (k, 60) for k in GLOB_KEYS})


def test_keys_are_sorted_and_match_the_prefix_literally(store: Store) -> None:
    _fill(store)
    assert store.keys("p:a*b:") == ["p:a*b:1", "p:a*b:2"]
    assert store.keys("p:a?") == ["p:a?c"]
    assert store.keys("p:a") == ["p:a*b:1", "p:a*b:2", "p:a?c", "p:abc", "p:axb:1"]
    assert store.keys("p:[x]") == ["p:[x]:1"]
    assert store.keys("p:[") == ["p:[x]:1"]
    assert store.keys("p:\\") == ["p:\\y"]
    assert store.keys("p:*") == []
    assert store.keys("p:mod") == ["p:modèle"]
    assert store.keys("p:") == sorted(k for k in GLOB_KEYS if k.startswith("p:"))
    assert store.keys("") == sorted(GLOB_KEYS)
    assert store.keys("zzz") == []


def test_keys_include_expired_entries(store: Store) -> None:
    store.put("p:short", 1, TTL)
    store.put("p:long", 1, 60)
    time.sleep(PAST_TTL)
    assert store.keys("p:") == ["p:long", "p:short"]


def test_delete_prefix_is_literal_and_counts(store: Store) -> None:
    _fill(store)
    assert store.delete_prefix("p:a*") == 2
    assert store.keys("p:a") == ["p:a?c", "p:abc", "p:axb:1"]
    assert store.delete_prefix("p:[") == 1
    assert store.delete_prefix("p:?") == 0
    assert store.delete_prefix("p:") == 6
    assert store.keys("") == ["q:a*b:1"]
    assert store.get_value("q:a*b:1") == "q:a*b:1"
    assert store.delete_prefix("p:") == 0


def test_leases_are_not_entries(backend: Backend) -> None:
    """keys, delete_prefix and purge never see or free a lease, even one under the same prefix."""
    store = backend.store
    store.put("p:openai:models", 1, 60)
    assert store.try_acquire("p:openai:lock", "holder", 10)
    assert store.keys("p:openai:") == ["p:openai:models"]
    assert store.get("p:openai:lock", include_expired=True) is None
    assert store.delete_prefix("p:openai:") == 1
    assert store.purge_expired(0) == 0
    assert not backend.second().try_acquire("p:openai:lock", "rival", 10)
    store.put_many({"p:openai:models": (2, 60)}, fence=("p:openai:lock", "holder"))


def test_purge_expired_respects_the_grace_period(store: Store) -> None:
    store.put("p:short", 1, 0.05)
    store.put("p:long", 2, 60)
    store.put("p:forever", 3, None)
    time.sleep(PAST_TTL)
    assert store.purge_expired(60) == 0  # expired, but not for long enough
    assert store.get_value("p:short", include_expired=True) == 1
    assert store.purge_expired(0.1) == 1
    assert store.get("p:short", include_expired=True) is None
    assert store.keys("p:") == ["p:forever", "p:long"]
    assert store.purge_expired(0) == 0


# -- backend specifics held to the same rules --------------------------------------------------


def test_sqlite_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "catalog.db"
    with open_store(f"sqlite:///{path}") as store:
        store.put("p:a", 1, None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- get_many and the capped log (the sync ledger) ----------------------------------------------


def test_get_many_returns_every_requested_key(store: Store) -> None:
    store.put_many({"p:a": ({"n": 1}, 60.0), "p:b": ([1, 2], None), "p:gone": (0, 0.05)})
    time.sleep(0.1)
    got = store.get_many(["p:a", "p:b", "p:missing", "p:gone"])
    assert got["p:a"] is not None and got["p:a"].value == {"n": 1}
    assert got["p:b"] is not None and got["p:b"].value == [1, 2]
    assert got["p:missing"] is None
    assert got["p:gone"] is None
    stale = store.get_many(["p:gone"], include_expired=True)["p:gone"]
    assert stale is not None and stale.value == 0


def test_log_appends_with_the_write_and_is_capped(backend: Backend) -> None:
    store = backend.store
    for i in range(7):
        store.put_many({"p:x": (i, 60.0)}, append=LogAppend("p:ledger", {"seq": i, "ü": "✓"}, 5))
    assert [r["seq"] for r in store.read_log("p:ledger")] == [6, 5, 4, 3, 2]
    assert [r["seq"] for r in store.read_log("p:ledger", limit=2)] == [6, 5]
    assert store.read_log("p:ledger", limit=0) == []
    assert store.read_log("p:other") == []
    assert backend.second().read_log("p:ledger", limit=1) == [{"seq": 6, "ü": "✓"}]
    store.delete_log("p:ledger")
    assert store.read_log("p:ledger") == []


def test_a_refused_fenced_write_appends_nothing(store: Store) -> None:
    assert store.try_acquire("p:lock", "owner-a", 60.0)
    with pytest.raises(LeaseLostError):
        store.put_many(
            {"p:x": (1, 60.0)}, fence=("p:lock", "owner-b"), append=LogAppend("p:log", {"a": 1}, 9)
        )
    assert store.read_log("p:log") == []
    assert store.get("p:x") is None


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_log_survives_reopening(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = (
        f"sqlite:///{tmp_path / 'ledger.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    first = open_store(url)
    first.put_many({}, append=LogAppend("p:log", {"kept": True}, 3))
    first.close()
    again = open_store(url)
    try:
        assert again.read_log("p:log") == [{"kept": True}]
    finally:
        again.close()


# -- version: the cheap "has anything changed" token long-lived readers cache on ----------------


def test_version_moves_with_every_change_and_only_then(backend: Backend) -> None:
    store = backend.store
    seen = [store.version()]
    assert seen[0] is not None

    def moved() -> bool:
        now = store.version()
        changed = now != seen[-1]
        seen.append(now)
        return changed

    store.put("p:a", 1, 60)
    assert moved()
    store.put_many({"p:b": (2, TTL)}, append=LogAppend("p:log", {"n": 1}, 5))
    assert moved()
    # reads and leases change nothing a reader sees
    store.get_many(["p:a", "p:b"])
    store.keys("p:")
    store.read_log("p:log")
    assert store.try_acquire("p:lock", "me", 10)
    store.release("p:lock", "me")
    assert not moved()
    # a refused fenced write writes nothing, so the version stays
    with pytest.raises(LeaseLostError):
        store.put_many({"p:c": (3, 60)}, fence=("p:lock", "me"))
    assert not moved()
    store.put_many({}, append=LogAppend("p:log", {"n": 2}, 5))
    assert moved()
    store.delete_log("p:log")
    assert moved()
    assert store.delete_prefix("p:none") == 0
    assert not moved()
    assert store.delete_prefix("p:a") == 1
    assert moved()
    time.sleep(PAST_TTL)
    assert store.purge_expired(60) == 0
    assert not moved()
    assert store.purge_expired(0) == 1
    assert moved()
    distinct = [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]]
    assert len(set(distinct)) == len(distinct)  # a token never comes back


def test_version_is_shared_by_every_handle(backend: Backend) -> None:
    other = backend.second()
    before = backend.store.version()
    assert other.version() == before
    other.put("p:a", 1, 60)
    assert backend.store.version() != before
    assert backend.store.version() == other.version()


def test_a_store_made_again_never_repeats_an_old_version(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = tmp_path / "again.db"
    first = SQLiteStore(path)
    first.put("p:a", 1, None)
    old = first.version()
    first.close()
    for leftover in tmp_path.glob("again.db*"):
        leftover.unlink()
    second = SQLiteStore(path)
    second.put("p:a", 1, None)
    assert second.version() != old  # same counter, new epoch
    second.close()

    import redis

    from modelsync.stores.redis import RedisStore

    url = request.getfixturevalue("redis_url")
    store = RedisStore(url, version_key="p:store-version")
    store.put("p:a", 1, None)
    before = store.version()
    assert before is not None
    redis.Redis.from_url(url).flushdb()
    store.put("p:a", 1, None)
    assert store.version() != before
    store.close()
    bare = RedisStore(url)  # told no key: writes none of its own, cannot tell its version
    bare.put("q:a", 1, None)
    assert bare.version() is None
    assert sorted(redis.Redis.from_url(url).scan_iter(match="*")) == [
        b"p:a",
        b"p:store-version",
        b"q:a",
    ]
    bare.close()
