"""Fixtures for every test under tests/."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The Redis database the tests own and flush. Loopback only; CI starts the server.
TEST_REDIS_URL = os.environ.get("MODELSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A URL on a database of the tests' own, empty before and after the test.

    Fails, never skips, when Redis is unreachable. A file lock serializes tests across concurrent
    pytest runs on this machine, which would otherwise flush each other's database.
    """
    import redis

    lock_path = Path(tempfile.gettempdir()) / "modelsync-test-redis.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
        try:
            client.flushdb()
        except redis.RedisError as exc:
            client.close()
            pytest.fail(
                f"Redis is not reachable at {TEST_REDIS_URL} ({exc}); the Redis tests need a real "
                "server: start one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
                '--save "" --appendonly no` or set MODELSYNC_TEST_REDIS_URL',
                pytrace=False,
            )
        try:
            yield TEST_REDIS_URL
        finally:
            client.flushdb()
            client.close()
