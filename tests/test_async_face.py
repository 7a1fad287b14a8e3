"""``AsyncCatalog``: every read and command awaitable, and none of them stalls the event loop.

A store is made slow for real, not mocked: another SQLite connection holds the write lock (so
our write waits on SQLite's busy timeout, and reads queue behind it), or Redis is paused with
``CLIENT PAUSE``. A ticker task on the same loop must keep ticking meanwhile.
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import redis

from modelsync.catalog import AsyncCatalog, AsyncProviderHandle
from modelsync.clearing import ClearSummary
from tests.fixtures import EmulatorFactory, Env

T = TypeVar("T")
TICK = 0.01
HOLD = 0.6


async def _while_ticking(work: Awaitable[T]) -> tuple[T, int, float]:
    """Run ``work`` with a 10 ms ticker beside it: its result, the ticks, the seconds it took."""
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(TICK)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        result = await work
    finally:
        elapsed = time.monotonic() - started
        done.set()
        await task
    return result, ticks, elapsed


@contextmanager
def _write_locked(path: Path, seconds: float) -> Iterator[None]:
    """Another connection holds SQLite's write lock for ``seconds`` (then commits)."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(seconds, lambda: other.execute("COMMIT"))
    timer.start()
    try:
        yield
    finally:
        timer.join()
        other.close()


def _assert_loop_was_free(ticks: int, elapsed: float) -> None:
    assert elapsed >= HOLD * 0.8, "the store was not actually slow; the test proves nothing"
    # A blocked loop ticks about once in the whole span; a free one about every 10 ms.
    assert ticks >= (elapsed / TICK) * 0.3, f"{ticks} ticks in {elapsed:.2f}s: the loop was blocked"


def test_every_read_and_command_is_awaitable(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu)

    async def go() -> None:
        async with AsyncCatalog(env=env.vars) as catalog:
            for name in (
                "sync",
                "models",
                "raw_models",
                "snapshot",
                "freshness",
                "status",
                "describe_providers",
                "history",
                "diff",
                "check",
                "deprecations",
                "stats",
                "clear",
                "purge",
            ):
                assert inspect.iscoroutinefunction(getattr(catalog, name)), name
            handle = catalog.provider("openai")
            assert isinstance(handle, AsyncProviderHandle)
            for name in (
                "sync_models",
                "has_valid_credentials",
                "get_syncable_models",
                "get_last_sync_time",
                "should_refresh_models",
                "store_model_statistics",
                "last_failure",
            ):
                assert inspect.iscoroutinefunction(getattr(handle, name)), name

            preview = await handle.get_syncable_models()
            assert preview and all(set(p) == {"id", "name", "owned_by", "created"} for p in preview)
            assert await handle.get_last_sync_time() is None
            assert await handle.should_refresh_models() is True
            assert (await handle.sync_models()).status == "success"
            assert await handle.has_valid_credentials() is True
            assert await handle.get_last_sync_time() is not None
            assert await handle.should_refresh_models() is False
            assert await handle.last_failure() is None
            assert handle.models_cache_key == "modelsync:openai:models"

            models = await catalog.models(provider="openai")
            assert {m.id for m in models} == {p["id"] for p in preview}
            rows, freshness = await catalog.raw_models(capability="chat")
            assert rows and freshness["openai"].state == "fresh"
            assert (await catalog.freshness("openai")).state == "fresh"
            snap = await catalog.snapshot("openai")
            assert snap["statistics"]["total_models"] == len(models)
            status = {r["provider"]: r for r in await catalog.status()}
            assert status["openai"]["models"] == len(models)
            assert "openai" in {r["provider"] for r in await catalog.describe_providers()}
            assert [r["status"] for r in await catalog.history("openai")] == ["success"]
            assert (await catalog.diff("openai"))["openai"].first_sync is True
            assert await catalog.check([models[0].id], max_age_hours=1) == []
            assert isinstance(await catalog.deprecations("openai"), list)
            stats = await handle.store_model_statistics(list(models)[:2])
            assert stats["total_models"] == 2 and await catalog.stats("openai") == stats
            assert (await catalog.sync(["openai"]))["openai"].reason == "cache_valid"
            assert await catalog.purge() == 0
            assert (await catalog.clear("openai")).removed > 0
            assert await catalog.models() == []

    asyncio.run(go())
    assert emu.count() == 2  # the preview and the sync; the rest came from the store


def test_a_command_waiting_on_a_locked_sqlite_store_leaves_the_loop_free(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai"))
    env.catalog().sync()

    async def go() -> tuple[ClearSummary, int, float]:
        async with AsyncCatalog(env=env.vars) as catalog:
            with _write_locked(env.store_path, HOLD):
                return await _while_ticking(catalog.clear("openai"))

    summary, ticks, elapsed = asyncio.run(go())
    assert summary.removed > 0
    _assert_loop_was_free(ticks, elapsed)


def test_reads_queued_behind_a_locked_sqlite_store_leave_the_loop_free(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai"))
    env.catalog().sync()
    count = len(env.catalog().models())

    async def go() -> tuple[Any, int, float]:
        async with AsyncCatalog(env=env.vars) as catalog:
            with _write_locked(env.store_path, HOLD):
                both = asyncio.gather(catalog.purge(), catalog.models(), catalog.status())
                return await _while_ticking(both)

    (purged, models, status), ticks, elapsed = asyncio.run(go())
    assert purged == 0 and len(models) == count
    assert {r["provider"]: r["models"] for r in status}["openai"] == count
    _assert_loop_was_free(ticks, elapsed)


def test_a_sync_waiting_on_a_locked_sqlite_store_leaves_the_loop_free(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai"))
    env.catalog().store  # noqa: B018 - create the file so another connection can lock it

    async def go() -> tuple[Any, int, float]:
        async with AsyncCatalog(env=env.vars) as catalog:
            with _write_locked(env.store_path, HOLD):
                return await _while_ticking(catalog.sync(["openai"]))

    report, ticks, elapsed = asyncio.run(go())
    assert report["openai"].status == "success"
    _assert_loop_was_free(ticks, elapsed)


def test_a_read_from_a_paused_redis_leaves_the_loop_free(
    env: Env, emulator: EmulatorFactory, redis_url: str
) -> None:
    env.wire(emulator("gemini")).vars["MODELSYNC_STORE"] = redis_url
    env.catalog().sync()
    count = len(env.catalog().models())
    pauser = redis.Redis.from_url(redis_url)

    async def go() -> tuple[Any, int, float]:
        async with AsyncCatalog(env=env.vars) as catalog:
            await catalog.status()  # connect first: the pause is on commands, not connecting
            pauser.client_pause(int(HOLD * 1000), all=True)
            return await _while_ticking(catalog.models(provider="gemini"))

    try:
        models, ticks, elapsed = asyncio.run(go())
    finally:
        pauser.close()
    assert len(models) == count
    _assert_loop_was_free(ticks, elapsed)


def test_the_blocking_face_still_works_inside_a_running_loop(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("xai"))
    catalog = env.catalog()

    async def notebook_cell() -> int:
        catalog.sync()
        return len(catalog.models(provider="xai"))

    assert asyncio.run(notebook_cell()) > 0
