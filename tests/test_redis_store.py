"""What only the Redis store has: URLs and passwords, connection failures, real TTLs, key hygiene.

The shared behaviour (TTL, fencing, leases, keys) is in test_store_contract.py. Password tests run
against a private ``redis-server --requirepass`` on a free loopback port, started here.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import redis

from modelsync.errors import StoreError
from modelsync.redact import mask_url
from modelsync.stores import open_store
from modelsync.stores.redis import PASSWORD_ENV, RedisStore
from modelsync.sync import Keys

PASSWORD = "s3cret-Pa55"

# -- URLs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:secret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("rediss://user:secret@cache.internal:6380/2", "rediss://user:***@cache.internal:6380/2"),
        ("redis://user@host:6379/0", "redis://***@host:6379/0"),  # a password put where a user goes
        ("redis://:p%40ss%3Aw@host/1", "redis://:***@host/1"),
        ("redis://host/0?password=secret&db=1", "redis://host/0?password=***&db=1"),
        ("redis://:a@b@host/0", "redis://:***@host/0"),
        ("redis://[::1/0", "redis://***"),  # unparseable: show nothing of it
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_open_store_opens_redis_on_the_given_db(redis_url: str) -> None:
    assert redis_url.endswith("/13")
    with open_store(redis_url, stale_retention_seconds=123) as store:
        assert isinstance(store, RedisStore)
        assert store.url == redis_url
        assert store.stale_retention_seconds == 123
        kwargs = store.client.connection_pool.connection_kwargs
        assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6379, 13)
        assert kwargs["socket_connect_timeout"] <= 2
        assert kwargs["socket_timeout"] <= 5
        store.put("ms-test:db-check", 1, None)
    spy = redis.Redis(host="127.0.0.1", port=6379, db=13)
    assert spy.exists("ms-test:db-check") == 1
    spy.close()


def test_a_url_without_db_uses_db_0() -> None:
    with open_store("redis://127.0.0.1:6379") as store:
        assert store.client.connection_pool.connection_kwargs.get("db", 0) == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/not-a-db", "redis://127.0.0.1:port/0"])
def test_a_malformed_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError, match="invalid Redis URL"):
        open_store(url)


def test_rediss_speaks_tls(redis_url: str) -> None:
    """The plain server on 6379 answers redis:// but cannot complete a TLS handshake."""
    url = redis_url.replace("redis://", "rediss://")
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        RedisStore(url, socket_connect_timeout=0.3, socket_timeout=0.3)
    assert time.monotonic() - started < 2
    assert f"cannot reach Redis at {url}" in str(caught.value)


def test_redis_is_imported_only_when_a_redis_store_is_opened() -> None:
    code = "import sys, modelsync, modelsync.stores, modelsync.cli; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- unreachable -------------------------------------------------------------------------------


def test_unreachable_redis_is_a_quick_clear_store_error() -> None:
    url = "redis://:secret@127.0.0.1:1/0"
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert "cannot reach Redis at redis://:***@127.0.0.1:1/0" in message
    assert "check MODELSYNC_STORE and that the server is running" in message
    assert "secret" not in message
    assert "secret" not in repr(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.error_type == "store_error"


def test_a_server_that_never_answers_times_out_as_a_store_error() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        started = time.monotonic()
        with pytest.raises(StoreError, match=f"cannot reach Redis at {url}"):
            RedisStore(url, socket_connect_timeout=0.2, socket_timeout=0.2)
        assert time.monotonic() - started < 2


def test_a_server_lost_after_opening_is_a_store_error(redis_url: str) -> None:
    store = RedisStore(redis_url)
    store.client.connection_pool.reset()
    store.client.connection_pool.connection_kwargs["port"] = 1
    for call in (
        lambda: store.get("k"),
        lambda: store.put("k", 1, None),
        lambda: store.keys("k"),
        lambda: store.try_acquire("lock", "me", 1),
    ):
        with pytest.raises(StoreError, match=f"cannot reach Redis at {redis_url}"):
            call()
    store.close()


# -- passwords, against a private server that requires one -------------------------------------


@pytest.fixture(scope="module")
def secured_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; the password tests start their own")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis-secured")
    server = subprocess.Popen(
        [
            binary,
            *("--port", str(port), "--bind", "127.0.0.1", "--requirepass", PASSWORD),
            *("--save", "", "--appendonly", "no", "--dir", str(workdir)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port, password=PASSWORD, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"could not start redis-server --requirepass on port {port}")
                time.sleep(0.02)
        client.close()
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def _assert_masked(store_or_error: object) -> None:
    for text in (str(store_or_error), repr(store_or_error)):
        assert PASSWORD not in text
        assert "wrong-one" not in text


def test_password_in_the_url(secured_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    url = f"redis://:{PASSWORD}@127.0.0.1:{secured_port}/3"
    with open_store(url) as store:
        store.put("ms-test:a", {"x": 1}, 60)
        assert store.get_value("ms-test:a") == {"x": 1}
        assert store.url == f"redis://:***@127.0.0.1:{secured_port}/3"
        _assert_masked(store)
        store.delete_prefix("ms-test:")


def test_password_from_the_environment(secured_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    url = f"redis://127.0.0.1:{secured_port}/3"
    with open_store(url) as store:
        store.put("ms-test:a", 1, 60)
        assert store.get_value("ms-test:a") == 1
        assert store.url == url
        _assert_masked(store)
        store.delete_prefix("ms-test:")


def test_a_password_in_the_url_wins_over_the_environment(
    secured_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong-one")
    with open_store(f"redis://:{PASSWORD}@127.0.0.1:{secured_port}/3") as store:
        assert store.get("ms-test:a") is None


@pytest.mark.parametrize("password", [None, "wrong-one"])
def test_a_missing_or_wrong_password_is_a_clear_store_error(
    secured_port: int, monkeypatch: pytest.MonkeyPatch, password: str | None
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    auth = "" if password is None else f":{password}@"
    url = f"redis://{auth}127.0.0.1:{secured_port}/3"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert mask_url(url) in message
    assert ("requires a password" if password is None else "refused the credentials") in message
    assert PASSWORD_ENV in message  # says where the password goes
    _assert_masked(caught.value)


# -- keys, TTLs and retention ------------------------------------------------------------------


def _all_keys(url: str) -> list[bytes]:
    spy = redis.Redis.from_url(url)
    try:
        return sorted(spy.scan_iter(match="*", count=1000))
    finally:
        spy.close()


def test_every_key_lives_under_the_callers_names(redis_url: str) -> None:
    """A whole sync's worth of traffic leaves no key of the store's own in the database."""
    keys = Keys("ms-test", "openai")
    with RedisStore(redis_url, stale_retention_seconds=60) as store:
        assert _all_keys(redis_url) == []
        assert store.try_acquire(keys.lock, "owner", 10)
        store.put_many(
            {
                keys.models: ([{"id": "m"}], 60),
                keys.last_sync: ("2025-01-01T00:00:00+00:00", 60),
                keys.stats: ({"total_models": 1}, 60),
                keys.fingerprint: ("abc", 60),
                keys.credentials: ({"valid": True}, 60),
            },
            fence=(keys.lock, "owner"),
        )
        store.put(keys.last_failure, {"error": "x"}, 60)
        entries = [keys.models, keys.last_sync, keys.stats, keys.fingerprint, keys.credentials]
        assert store.keys("ms-test:") == sorted([*entries, keys.last_failure])
        assert store.purge_expired(0) == 0
        written = [k.decode() for k in _all_keys(redis_url)]
        assert all(k.startswith(keys.namespace) for k in written)
        assert keys.lock in written
        store.release(keys.lock, "owner")
        assert store.delete_prefix(keys.namespace) == 6
        assert _all_keys(redis_url) == []


def test_redis_ttls_are_real(redis_url: str) -> None:
    spy = redis.Redis.from_url(redis_url)
    with RedisStore(redis_url, stale_retention_seconds=100) as store:
        store.put_many({"ms:a": (1, 50), "ms:b": (1, None), "ms:c": (1, 0.5)})
        assert 149_000 <= spy.pttl("ms:a") <= 150_000
        assert spy.pttl("ms:b") == -1
        assert 100_000 <= spy.pttl("ms:c") <= 100_500
        store.put("ms:a", 2, None)  # an overwrite without TTL clears the Redis TTL
        assert spy.pttl("ms:a") == -1
        assert store.try_acquire("ms:lock", "me", 2)
        assert 1_000 < spy.pttl("ms:lock") <= 2_000
        assert store.try_acquire("ms:lock", "me", 30)  # the holder's extension is a real PX
        assert 29_000 < spy.pttl("ms:lock") <= 30_000
        assert spy.get("ms:lock") == b"me"
    spy.close()


def test_expired_entries_are_retained_then_gone(redis_url: str) -> None:
    spy = redis.Redis.from_url(redis_url)
    with RedisStore(redis_url, stale_retention_seconds=1.0) as store:
        store.put("ms:models", ["m"], 0.2)
        assert 1100 <= spy.pttl("ms:models") <= 1200
        time.sleep(0.3)
        assert store.get("ms:models") is None  # expired...
        assert store.get_value("ms:models", include_expired=True) == ["m"]  # ...but retained
        assert store.keys("ms:") == ["ms:models"]
        time.sleep(1.0)
        assert store.get("ms:models", include_expired=True) is None  # retention over
        assert spy.exists("ms:models") == 0
        assert store.keys("ms:") == []
    spy.close()


def test_zero_retention_still_sets_a_valid_ttl(redis_url: str) -> None:
    with RedisStore(redis_url, stale_retention_seconds=0) as store:
        store.put("ms:a", 1, 0)  # expired at once; Redis may keep it for a millisecond
        store.put("ms:b", 1, 1)
        assert store.get("ms:a") is None
        assert store.get_value("ms:b") == 1


def test_envelope_is_json_with_logical_times(redis_url: str) -> None:
    spy = redis.Redis.from_url(redis_url)
    with RedisStore(redis_url) as store:
        store.put("ms:a", {"ü": [1, [2]]}, 10)
        raw = spy.get("ms:a")
        assert isinstance(raw, bytes)
        envelope = json.loads(raw)
        assert list(envelope) == ["s", "e", "v"]
        assert envelope["v"] == {"ü": [1, [2]]}
        assert envelope["e"] == pytest.approx(envelope["s"] + 10)
    spy.close()


def test_foreign_and_malformed_values(redis_url: str) -> None:
    spy = redis.Redis.from_url(redis_url)
    with RedisStore(redis_url) as store:
        spy.set("ms:plain", "not ours")
        spy.set("ms:broken", b'{"s":1,"e":null,"v":')
        spy.hset("ms:hash", "f", "v")
        assert store.get("ms:plain") is None
        with pytest.raises(StoreError, match="malformed entry"):
            store.get("ms:broken")
        assert store.keys("ms:") == ["ms:broken"]
        assert store.delete_prefix("ms:") == 1
        assert sorted(spy.scan_iter(match="*")) == [b"ms:hash", b"ms:plain"]
        with pytest.raises(ValueError, match="lease owner"):
            store.try_acquire("ms:lock", '{"s":1', 1)
    spy.close()


def test_many_keys_span_several_scan_batches(redis_url: str) -> None:
    with RedisStore(redis_url) as store:
        store.put_many({f"ms:{i:05d}": (i, 60) for i in range(1_200)})
        store.put_many({f"other:{i:05d}": (i, 0.01) for i in range(300)})
        assert store.keys("ms:") == [f"ms:{i:05d}" for i in range(1_200)]
        time.sleep(0.05)
        assert store.purge_expired(0) == 300
        assert store.delete_prefix("ms:") == 1_200
        assert _all_keys(redis_url) == []


def test_every_form_of_password_is_masked_in_errors() -> None:
    with pytest.raises(StoreError) as caught:
        RedisStore(f"redis://admin:{PASSWORD}@127.0.0.1:1/0?password={PASSWORD}")
    assert PASSWORD not in str(caught.value)
    assert "redis://admin:***@127.0.0.1:1/0?password=***" in str(caught.value)


# -- the version, pushed -----------------------------------------------------------------------


def _hmget_calls(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return int(stats.get("cmdstat_hmget", {}).get("calls", 0))


def _wait_until(check: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def replicas(redis_url: str) -> Iterator[tuple[RedisStore, RedisStore, redis.Redis]]:
    """A reader that watches the version (a serving replica), a writer (another replica that
    has written once) and an admin connection, on the tests' own Redis database."""
    reader = RedisStore(redis_url, version_key="t:store-version")
    writer = RedisStore(redis_url, version_key="t:store-version")
    admin = redis.Redis.from_url(redis_url)
    try:
        writer.put("t:openai:models", [1], 60)
        reader.watch_version()
        assert _wait_until(lambda: reader._watch is not None and reader._watch.current())
        yield reader, writer, admin
    finally:
        reader.close()
        writer.close()
        admin.close()
    assert reader._watch is None  # closing stops the thread


def test_a_watched_version_follows_other_writers_without_a_read_per_call(
    replicas: tuple[RedisStore, RedisStore, redis.Redis],
) -> None:
    """A service replica asks the version on every request; with the watch, Redis pushes each
    move, so the asking costs no round trip and another replica's write is still seen."""
    reader, writer, admin = replicas
    before = reader.version()
    calls = _hmget_calls(admin)
    for _ in range(200):
        assert reader.version() == before
    assert _hmget_calls(admin) - calls <= 2  # at most the once-a-second re-read
    writer.put("t:openai:models", [2], 60)
    moved = writer.version()
    assert moved != before
    assert _wait_until(lambda: reader.version() == moved, timeout=0.5)  # pushed, not polled


def test_a_watching_store_reads_its_own_writes_at_once(
    replicas: tuple[RedisStore, RedisStore, redis.Redis],
) -> None:
    store, plain, _ = replicas
    for i in range(20):
        store.put("t:openai:models", [i], 60)
        assert store.version() == plain.version()  # never the version before this write
    store.put("t:gone:models", [0], 60)
    store.delete_prefix("t:gone:")
    assert store.version() == plain.version()


def test_a_lost_subscription_falls_back_to_reading_and_comes_back(
    replicas: tuple[RedisStore, RedisStore, redis.Redis],
) -> None:
    reader, writer, admin = replicas
    admin.client_kill_filter(_type="pubsub")  # the subscription's connection dies
    writer.put("t:openai:models", [2], 60)
    assert _wait_until(lambda: reader.version() == writer.version(), timeout=3.0)
    # and the watch is back: a further move is pushed again
    assert _wait_until(lambda: admin.pubsub_numsub("t:store-version")[0][1] == 1)
    writer.put("t:openai:models", [3], 60)
    assert _wait_until(lambda: reader.version() == writer.version(), timeout=0.5)
