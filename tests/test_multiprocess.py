"""Many processes, one catalog: the issue's multi-process contract, held equally by Redis and SQLite.

Every process here is real (the ``modelsync`` CLI or the Python API in a child interpreter, see
tests/multiproc.py), every provider is a loopback emulator, and every store is a real SQLite file
or the real Redis server.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.emulators import ProviderEmulator, synthetic_models
from tests.fixtures import CORE, EmulatorFactory, Env
from tests.multiproc import Children, catalog_ids, open_round_files, race, relabel, wait_for

LATENCY = 0.3
RACERS = 8
#: Upstream requests one complete sync makes (xAI merges /models with /language-models).
FETCH_REQUESTS = {"openai": 1, "anthropic": 1, "gemini": 1, "xai": 2}
SET_A = 1000
SET_B = 900
SETS = (f"a:{SET_A}", f"b:{SET_B}")
READERS = 4
READS_EACH = 250
LEASE = 2.0


@pytest.fixture(params=["redis", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The shared store: the tests' Redis database, or one SQLite file on this host."""
    if request.param == "redis":
        return cast(str, request.getfixturevalue("redis_url"))
    return f"sqlite:///{tmp_path / 'shared' / 'catalog.db'}"


@pytest.fixture
def shared(env: Env, store_url: str) -> Env:
    env.vars["MODELSYNC_STORE"] = store_url
    return env


def _expected(emu: ProviderEmulator) -> set[str]:
    return catalog_ids(emu.provider, emu.models, emu.extra_plain_models)


def _stored_ids(env: Env) -> dict[str, set[str]]:
    out = env.run_cli("models", "--json", timeout=30)
    assert out.returncode == 0, out.stderr
    by_provider: dict[str, set[str]] = {}
    for row in json.loads(out.stdout):
        by_provider.setdefault(row["provider"], set()).add(row["id"])
    return by_provider


def _sync_json(env: Env, *args: str, **extra: str) -> tuple[int, dict[str, Any]]:
    """``modelsync sync ARGS --json`` with ``extra`` variables on top of ``env``'s."""
    out = Env({**env.vars, **extra}, env.tmp).run_cli("sync", *args, "--json", timeout=30)
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, cast(dict[str, Any], json.loads(out.stdout))["providers"]


# -- 8 processes, one fetch per provider ------------------------------------------------------------


def test_eight_processes_racing_make_one_fetch_per_provider(
    shared: Env,
    emulator: EmulatorFactory,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    emus = {p: emulator(p, latency=LATENCY) for p in CORE}
    shared.wire(*emus.values())

    # Named explicitly so that nothing but the four emulators is ever contacted.
    outcome = race(shared.vars, tmp_path / "race", ["sync", *CORE, "--json"], processes=RACERS)
    record_property("race_wall_seconds", round(outcome.wall_seconds, 3))

    for child, code in zip(outcome.children, outcome.returncodes, strict=True):
        assert code == 0, child.describe()
        assert "Traceback" not in child.stderr, child.describe()
    assert {p: e.count() for p, e in emus.items()} == FETCH_REQUESTS

    statuses: dict[str, Counter[str]] = {p: Counter() for p in CORE}
    for child in outcome.children:
        providers = child.json()["providers"]
        assert set(providers) == set(CORE), child.describe()
        for name, result in providers.items():
            if result["status"] == "success":
                statuses[name]["success"] += 1
                assert result["models_synced"] == len(_expected(emus[name]))
            else:
                assert result["status"] == "skipped", child.describe()
                assert result["reason"] in ("sync_in_progress", "cache_valid"), child.describe()
                statuses[name][result["reason"]] += 1
    for name in CORE:  # exactly one winner each; every other process stood aside
        assert statuses[name]["success"] == 1, statuses
        assert sum(statuses[name].values()) == RACERS, statuses
    print(f"\n{RACERS}-process race: {outcome.wall_seconds:.2f}s wall; {statuses}")

    assert _stored_ids(shared) == {p: _expected(e) for p, e in emus.items()}


def test_eight_processes_opening_the_store_at_once_all_succeed(
    env: Env, store_url: str, tmp_path: Path
) -> None:
    """The race above, narrowed to its first step and repeated: N cron jobs on a fresh host.

    For SQLite each round is a new file, so every round races the file's creation and setup.
    """
    template = store_url
    if store_url.startswith("sqlite"):
        template = f"sqlite:///{tmp_path / 'fresh' / 'catalog-{round}.db'}"
    rounds = 30
    sync_dir = tmp_path / "open"
    with Children(sync_dir) as children:
        names = [f"opener-{i}" for i in range(RACERS)]
        openers = [
            children.spawn(
                name,
                ["-m", "tests.multiproc", "open", template, str(rounds), str(sync_dir), name],
                env.vars,
            )
            for name in names
        ]
        for k in range(rounds):

            def all_ready(k: int = k) -> bool:
                for child in openers:
                    if child.proc.poll() is not None:
                        raise AssertionError(f"exited early: {child.describe()}")
                return all(open_round_files(sync_dir, n, k)[0].exists() for n in names)

            wait_for(all_ready, 30, f"round {k}")
            open_round_files(sync_dir, names[0], k)[1].touch()
        codes = children.wait_all(openers, timeout=30)
    failures = [f for child in openers for f in child.json()["failures"]]
    assert failures == [], f"{len(failures)} of {rounds * RACERS} opens failed: {failures[:3]}"
    assert codes == [0] * RACERS


# -- consistent reads while a writer keeps replacing the catalog ------------------------------------


class Alternating:
    """An OpenAI emulator listing set A; once ``start()``-ed, the next sync gets set B, the one
    after that set A, and so on (the switch lands during the emulator's latency)."""

    def __init__(self, emulator: EmulatorFactory) -> None:
        self.set_a = relabel(synthetic_models("openai", SET_A), "a")
        self.set_b = relabel(synthetic_models("openai", SET_B, start=SET_A), "b")
        self.emu = emulator("openai", models=self.set_a, latency=0.02)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._flip, name="flip-models", daemon=True)

    def _flip(self) -> None:
        base = last = self.emu.count()
        while not self._stop.wait(0.002):
            count = self.emu.count()
            if count != last:  # request number count - base is answered with B when odd
                self.emu.set_models(self.set_b if (count - base) % 2 else self.set_a)
                last = count

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@pytest.fixture
def alternating(emulator: EmulatorFactory) -> Iterator[Alternating]:
    flipper = Alternating(emulator)
    yield flipper
    flipper.stop()


def test_reads_during_repeated_syncs_are_complete_and_consistent(
    shared: Env, alternating: Alternating, tmp_path: Path
) -> None:
    emu = alternating.emu
    shared.wire(emu)
    # Each sync replaces every id (A -> B -> A ...): no shrink guard, and no grace period in which
    # a vanished model stays listed as missing, so the catalog is exactly the last fetch.
    shared.vars.update(MODELSYNC_MAX_SHRINK="1", MODELSYNC_REMOVE_AFTER="1")
    code, first = _sync_json(shared, "openai")
    assert code == 0 and first["openai"]["models_synced"] == SET_A
    alternating.start()

    stop = tmp_path / "stop-writer"
    with Children(tmp_path / "reads") as children:
        readers = [
            children.spawn(
                f"reader-{i}",
                ["-m", "tests.multiproc", "reader", "openai", str(READS_EACH), *SETS],
                shared.vars,
                gated=True,
            )
            for i in range(READERS)
        ]
        before = emu.count()
        writer = children.spawn(
            "writer", ["-m", "tests.multiproc", "writer", "openai", str(stop)], shared.vars
        )
        children.wait_ready(readers, timeout=30)
        wait_for(lambda: emu.count() >= before + 1, 30, "the writer's first fetch")
        children.release()
        codes = children.wait_all(readers, timeout=45)
        stop.touch()
        assert writer.wait(timeout=30) == 0, writer.describe()

    reports = [r.json() for r in readers]
    for reader, code, report in zip(readers, codes, reports, strict=True):
        assert code == 0 and report["failures"] == 0, reader.describe()
        assert report["reads"] == READS_EACH
        assert sum(report["seen"].values()) == READS_EACH
    assert writer.json()["outcomes"]["success"] >= 2
    # The reads really overlapped the writes: both sets were served, and the catalog changed
    # under the readers' feet many times.
    seen = Counter[str]()
    for report in reports:
        seen.update(report["seen"])
    assert seen["a"] > 0 and seen["b"] > 0, reports
    transitions = sum(r["transitions"] for r in reports)
    assert transitions >= 2, reports
    print(
        f"\n{READERS * READS_EACH} reads in {max(r['seconds'] for r in reports):.1f}s: "
        f"{dict(seen)}, {transitions} set changes seen, "
        f"{writer.json()['outcomes']['success']} forced syncs"
    )


# -- a holder killed mid-sync --------------------------------------------------------------------


def _status(env: Env) -> dict[str, Any]:
    out = env.run_cli("status", "--json", timeout=30)
    assert out.returncode == 0, out.stderr
    return cast(dict[str, Any], json.loads(out.stdout))


def test_sigkill_mid_sync_keeps_the_catalog_and_the_lease_expires(
    shared: Env, emulator: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator("openai")
    shared.wire(emu)
    shared.vars["MODELSYNC_LOCK_LEASE_SECONDS"] = str(LEASE)
    code, first = _sync_json(shared, "openai")
    assert code == 0 and first["openai"]["status"] == "success"
    ids_before = _stored_ids(shared)["openai"]
    assert ids_before == _expected(emu)
    last_sync_before = first["openai"]["last_sync"]

    emu.latency = 30  # the victim's fetch hangs until it is killed (or the emulator stops)
    with Children(tmp_path / "kill") as children:
        # A second process, already warm, waits at the barrier to try the moment the victim dies.
        prober = children.spawn(
            "prober",
            ["-m", "tests.multiproc", "cli", "sync", "openai", "--force", "--json"],
            {**shared.vars, "MODELSYNC_LOCK_WAIT_SECONDS": "0.3"},
            gated=True,
        )
        children.wait_ready([prober], timeout=30)
        requests = emu.count()
        spawned_at = time.time()
        victim = children.spawn(
            "victim", ["-m", "modelsync", "sync", "openai", "--force", "--json"], shared.vars
        )
        # Its request reached upstream, so it took the lease first and is now mid-sync.
        wait_for(lambda: emu.count() > requests, 30, "the victim's upstream request")
        assert victim.proc.poll() is None, victim.describe()
        children.kill(victim)
        assert victim.proc.returncode == -9
        emu.latency = 0

        children.release()
        assert prober.wait(timeout=30) == 0, prober.describe()
        probed = prober.json()["providers"]["openai"]
        assert probed["status"] == "skipped", prober.describe()
        assert probed["reason"] == "sync_in_progress", prober.describe()
        assert emu.count() == requests + 1  # the prober fetched nothing

    # The previous catalog is intact: same ids, same last sync, fresh, readable.
    assert _stored_ids(shared)["openai"] == ids_before
    (row,) = [r for r in _status(shared)["providers"] if r["provider"] == "openai"]
    assert row["last_sync"] == last_sync_before
    assert (row["state"], row["models"]) == ("fresh", len(ids_before))

    # The dead holder's lease runs out by itself; a forced sync that waits for it succeeds.
    code, again = _sync_json(shared, "openai", "--force", MODELSYNC_LOCK_WAIT_SECONDS="10")
    assert code == 0 and again["openai"]["status"] == "success", again
    assert time.time() >= spawned_at + LEASE  # it could not have run before the lease expired
    assert emu.count() == requests + 2
    assert again["openai"]["last_sync"] > last_sync_before


# -- Redis unreachable -----------------------------------------------------------------------------

DEAD_REDIS = "redis://:s3cret@127.0.0.1:1/0"


@pytest.mark.parametrize(
    ("store", "password_env", "shown"),
    [
        (DEAD_REDIS, None, "redis://:***@127.0.0.1:1/0"),
        ("redis://127.0.0.1:1/0", "s3cret", "redis://127.0.0.1:1/0"),
    ],
    ids=["password-in-url", "password-in-env"],
)
@pytest.mark.parametrize(
    "command", [("status",), ("sync",), ("sync", "--json")], ids=["status", "sync", "sync-json"]
)
def test_unreachable_redis_is_one_clear_line_and_writes_nothing(
    env: Env,
    emulator: EmulatorFactory,
    store: str,
    password_env: str | None,
    shown: str,
    command: tuple[str, ...],
) -> None:
    emu = emulator("openai")
    env.wire(emu)
    env.vars["MODELSYNC_STORE"] = store
    if password_env:
        env.vars["MODELSYNC_REDIS_PASSWORD"] = password_env

    out = env.run_cli(*command, timeout=30)

    assert out.returncode == 1
    everything = out.stdout + out.stderr
    assert "s3cret" not in everything
    assert "Traceback" not in everything
    if "--json" in command:
        (line,) = out.stdout.strip().splitlines()
        data = json.loads(line)
        assert data["error_type"] == "store_error"
        message = str(data["error"])
    else:
        assert out.stdout == ""
        (message,) = out.stderr.strip().splitlines()
    assert f"cannot reach Redis at {shown}" in message
    assert emu.count() == 0  # nothing fetched that could not be stored
    assert list(env.tmp.rglob("*.db")) == []  # no SQLite fallback, in the cache dir or anywhere


# -- status names the store ------------------------------------------------------------------------


def _with_password(url: str) -> tuple[str, str]:
    """``url`` with user ``default`` and a password put in, and how status must show it.

    The tests' Redis user ``default`` has no password, so Redis accepts any password given with
    that user name (``AUTH default <anything>``): the store stays reachable.
    """
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return url, url
    netloc = f"default:s3cret@{parts.netloc}"
    shown = f"default:***@{parts.netloc}"
    return urlunsplit(parts._replace(netloc=netloc)), urlunsplit(parts._replace(netloc=shown))


def test_status_shows_the_store_in_use(
    shared: Env, store_url: str, emulator: EmulatorFactory
) -> None:
    if store_url.startswith("redis"):
        url, shown = _with_password(store_url)
        shared.vars["MODELSYNC_STORE"] = url
    else:
        shown = store_url
    emu = emulator("openai")
    shared.wire(emu)
    assert shared.run_cli("sync", "openai", timeout=30).returncode == 0

    human = shared.run_cli("status", timeout=30)
    assert human.returncode == 0, human.stderr
    assert human.stdout.splitlines()[0] == f"store: {shown}"
    assert "s3cret" not in human.stdout + human.stderr
    data = _status(shared)
    assert data["store"] == shown
    (row,) = [r for r in data["providers"] if r["provider"] == "openai"]
    assert row["models"] == len(_expected(emu))
