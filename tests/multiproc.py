"""Helpers for driving many real processes at once: tests/test_multiprocess.py, bench/bench_store.py.

The parent (a test or the bench) owns the emulators and the clock; children are real Python
processes started with ``python -m tests.multiproc [--ready FILE --go FILE] ROLE ...`` from the
repository root:

- ``cli ARGS...``: the real ``modelsync`` command (``modelsync.cli.main``), as ``python -m
  modelsync ARGS...`` would run it.
- ``reader PROVIDER READS LABEL:SIZE...``: ``READS`` reads through the Python API, each checked to be
  one complete model set (ids ``LABEL-*``, exactly ``SIZE`` of them) with statistics and last_sync
  from the same snapshot; prints one JSON report and exits 1 if any read was not.
- ``writer PROVIDER STOP_FILE``: forced syncs of ``PROVIDER`` back to back until ``STOP_FILE``
  exists; prints one JSON report.
- ``open URL_TEMPLATE ROUNDS SYNC_DIR NAME``: for each round k, waits at a barrier of its own
  (``SYNC_DIR/NAME.ready-k``, then ``SYNC_DIR/go-k``) and opens the store at
  ``URL_TEMPLATE.format(round=k)`` through ``Catalog``; prints one JSON report of the failures.

With ``--ready/--go`` a child imports everything it needs, creates the ready file and waits for the
go file, so a batch of children starts its real work at one instant (a barrier), not spread over
their interpreter start-up times.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The same database and lock file as the ``redis_url`` fixture in tests/conftest.py.
TEST_REDIS_URL = os.environ.get("MODELSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
REDIS_LOCK = Path(tempfile.gettempdir()) / "modelsync-test-redis.lock"
CORE = ("openai", "anthropic", "gemini", "xai")
#: What a child imports before it reports ready, so the barrier releases warm processes.
_WARM_MODULES = (
    "modelsync.cli",
    "modelsync.catalog",
    "modelsync.http",
    "modelsync.stores.sqlite",
    "modelsync.stores.redis",
    "modelsync.providers.openai",
    "modelsync.providers.anthropic",
    "modelsync.providers.gemini",
    "modelsync.providers.xai",
)


# -- waiting ---------------------------------------------------------------------------------------


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.005
) -> None:
    """Poll ``condition`` until it holds; ``TimeoutError`` naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


# -- expected catalogs -----------------------------------------------------------------------------


def catalog_ids(
    provider: str, wire_models: Sequence[Mapping[str, Any]], extra: Sequence[str] = ()
) -> set[str]:
    """The model ids a sync stores for an emulator listing ``wire_models`` (xAI: plus ``extra``)."""
    if provider == "gemini":
        return {str(m["name"]).removeprefix("models/") for m in wire_models}
    return {str(m["id"]) for m in wire_models} | set(extra)


def relabel(models: Sequence[Mapping[str, Any]], label: str) -> list[dict[str, Any]]:
    """OpenAI-style wire entries with ``label-`` put before each id (a recognisable model set)."""
    return [{**m, "id": f"{label}-{m['id']}"} for m in models]


# -- processes -------------------------------------------------------------------------------------


@dataclass
class Child:
    """One child process with its output in files (no pipe can fill up and block it)."""

    name: str
    proc: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    ready: Path | None = None

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=max(timeout, 0.0))

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise AssertionError(
                f"{self.name}: stdout is not JSON ({exc}); rc={self.proc.returncode}\n"
                f"stdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}"
            ) from None

    def describe(self) -> str:
        return (
            f"{self.name}: rc={self.proc.returncode}\n"
            f"stdout: {self.stdout[-1500:]}\nstderr: {self.stderr[-1500:]}"
        )


class Children:
    """Starts children in their own process groups; on exit, SIGKILLs every group still alive.

    Use as a context manager so a failing test never leaves a child (or its own children) behind.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.go = workdir / "go"
        self._children: list[Child] = []

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill_all()

    def spawn(
        self,
        name: str,
        args: Sequence[str],
        env: Mapping[str, str],
        *,
        gated: bool = False,
    ) -> Child:
        """Start ``python [-m tests.multiproc --ready R --go G] ARGS`` from the repository root.

        ``args`` starts with ``-m``: ``["-m", "modelsync", "sync"]`` or ``["-m", "tests.multiproc",
        "reader", ...]``. ``gated`` puts a ``cli``/``reader``/``writer`` role behind the barrier.
        """
        argv = [sys.executable, *args]
        ready = None
        if gated:
            if list(args[:2]) != ["-m", "tests.multiproc"]:
                raise ValueError("only tests.multiproc roles can wait behind the barrier")
            ready = self.workdir / f"{name}.ready"
            argv = [sys.executable, "-m", "tests.multiproc", "--ready", str(ready)]
            argv += ["--go", str(self.go), *args[2:]]
        out = self.workdir / f"{name}.out"
        err = self.workdir / f"{name}.err"
        with out.open("wb") as fout, err.open("wb") as ferr:
            proc = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=fout,
                stderr=ferr,
                start_new_session=True,  # its own process group, killed as one
            )
        child = Child(name, proc, out, err, ready)
        self._children.append(child)
        return child

    def wait_ready(self, children: Sequence[Child], timeout: float) -> None:
        """Wait until every gated child has imported everything and sits at the barrier."""

        def all_ready() -> bool:
            for child in children:
                if child.proc.poll() is not None:
                    raise AssertionError(f"exited before the barrier: {child.describe()}")
            return all(c.ready is not None and c.ready.exists() for c in children)

        wait_for(all_ready, timeout, f"{len(children)} children to reach the barrier")

    def release(self) -> float:
        """Open the barrier; returns the ``time.monotonic()`` at which it opened."""
        started = time.monotonic()
        self.go.touch()
        return started

    def wait_all(self, children: Sequence[Child], timeout: float) -> list[int]:
        deadline = time.monotonic() + timeout
        return [c.wait(deadline - time.monotonic()) for c in children]

    def kill(self, child: Child) -> None:
        if child.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(timeout=10)

    def kill_all(self) -> None:
        for child in self._children:
            self.kill(child)


# -- the race --------------------------------------------------------------------------------------


@dataclass
class Race:
    wall_seconds: float
    children: list[Child]
    returncodes: list[int]


def race(
    env: Mapping[str, str],
    workdir: Path,
    cli_args: Sequence[str],
    *,
    processes: int = 8,
    timeout: float = 60.0,
) -> Race:
    """Run ``modelsync CLI_ARGS`` in ``processes`` warm processes released at one instant.

    ``wall_seconds`` runs from the barrier opening until the last process exits.
    """
    with Children(workdir) as children:
        procs = [
            children.spawn(
                f"sync-{i}", ["-m", "tests.multiproc", "cli", *cli_args], env, gated=True
            )
            for i in range(processes)
        ]
        children.wait_ready(procs, timeout)
        started = children.release()
        codes = children.wait_all(procs, timeout)
        wall = time.monotonic() - started
    return Race(wall, procs, codes)


# -- Redis for the bench ---------------------------------------------------------------------------


@contextlib.contextmanager
def redis_test_db() -> Iterator[str]:
    """The tests' own Redis database, flushed before and after, under the fixture's lock."""
    import redis

    with REDIS_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
        try:
            client.flushdb()
            yield TEST_REDIS_URL
        finally:
            with contextlib.suppress(redis.RedisError):
                client.flushdb()
            client.close()


# -- child roles -----------------------------------------------------------------------------------


def _barrier(ready: Path | None, go: Path | None, timeout: float = 60.0) -> None:
    for module in _WARM_MODULES:
        importlib.import_module(module)
    if ready is None or go is None:
        return
    ready.touch()
    wait_for(go.exists, timeout, f"{go} (the barrier)", interval=0.001)


def _role_cli(args: Sequence[str]) -> None:
    from modelsync.cli import main

    main(args=list(args), prog_name="modelsync")  # exits with the command's own code


def _check_set(
    ids: Sequence[str], provider_of: Sequence[str], provider: str, sets: Mapping[str, int]
) -> tuple[str | None, str | None]:
    """(label, None) when ``ids`` is exactly one complete set; (None, why) otherwise."""
    labels = {i.split("-", 1)[0] for i in ids}
    if len(labels) != 1:
        return None, f"ids from {sorted(labels)[:5]} (mixed sets) in {len(ids)} models"
    (label,) = labels
    if label not in sets:
        return None, f"unknown model set {label!r}"
    if len(ids) != sets[label] or len(set(ids)) != len(ids):
        return None, f"set {label}: {len(ids)} ids ({len(set(ids))} distinct), want {sets[label]}"
    if any(p != provider for p in provider_of):
        return None, f"rows of another provider: {sorted(set(provider_of))}"
    return label, None


def _role_reader(provider: str, reads: int, sets: Mapping[str, int]) -> int:
    from modelsync.catalog import Catalog
    from modelsync.sync import Keys

    catalog = Catalog()
    keys = Keys(catalog.settings.prefix, provider)
    failures: list[str] = []
    seen: Counter[str] = Counter()
    transitions = 0
    previous: str | None = None
    started = time.monotonic()
    for n in range(reads):
        # The public read API: dicts, and every fifth read pydantic objects.
        if n % 5 == 4:
            listed = catalog.models(provider)
            ids = [m.id for m in listed]
            owners = [m.provider for m in listed]
            freshness = listed.freshness
        else:
            rows, freshness = catalog.raw_models(provider)
            ids = [str(r.get("id")) for r in rows]
            owners = [str(r.get("provider")) for r in rows]
        label, problem = _check_set(ids, owners, provider, sets)
        fresh = freshness.get(provider)
        if problem is None and (fresh is None or fresh.state != "fresh" or not fresh.last_sync):
            problem = f"freshness {fresh}"
        # Models, last_sync and statistics of one snapshot must come from one sync.
        got = catalog.store.get_many(
            [keys.models, keys.last_sync, keys.stats], include_expired=True
        )
        entries = [got[keys.models], got[keys.last_sync], got[keys.stats]]
        if problem is None and any(e is None for e in entries):
            problem = f"snapshot missing keys: {[e is None for e in entries]}"
        if problem is None:
            models, last, stats = (e.value for e in entries if e is not None)
            snap_ids = [str(m.get("id")) for m in models]
            _, problem = _check_set(snap_ids, [provider] * len(models), provider, sets)
            present = sum(1 for m in models if not m.get("missing_count"))
            if problem is None and stats.get("total_models") != present:
                problem = f"stats say {stats.get('total_models')} models, snapshot has {present}"
            if problem is None and stats.get("updated_at") != last:
                problem = f"stats.updated_at {stats.get('updated_at')} != last_sync {last}"
        if problem is not None:
            failures.append(f"read {n}: {problem}")
            continue
        assert label is not None
        seen[label] += 1
        if previous is not None and label != previous:
            transitions += 1
        previous = label
    catalog.close()
    report = {
        "reads": reads,
        "failures": len(failures),
        "examples": failures[:5],
        "seen": dict(seen),
        "transitions": transitions,
        "seconds": round(time.monotonic() - started, 3),
    }
    print(json.dumps(report))
    return 1 if failures else 0


def _role_writer(provider: str, stop: Path, max_seconds: float) -> int:
    from modelsync.catalog import Catalog
    from modelsync.errors import ModelSyncError

    catalog = Catalog()
    handle = catalog.provider(provider)
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    deadline = time.monotonic() + max_seconds
    while not stop.exists() and time.monotonic() < deadline:
        try:
            result = handle.sync_models(force_refresh=True)
        except ModelSyncError as exc:
            outcomes["error"] += 1
            problems.append(f"{type(exc).__name__}: {exc}")
            continue
        outcomes[result.status] += 1
        if result.status != "success":
            problems.append(json.dumps(result.to_dict()))
    catalog.close()
    print(json.dumps({"outcomes": dict(outcomes), "problems": problems[:5]}))
    return 0 if not problems else 1


def open_round_files(sync_dir: Path, name: str, k: int) -> tuple[Path, Path]:
    """(ready file of child ``name``, go file shared by all) for round ``k`` of the ``open`` role."""
    return sync_dir / f"{name}.ready-{k}", sync_dir / f"go-{k}"


def _role_open(template: str, rounds: int, sync_dir: Path, name: str) -> int:
    from modelsync.catalog import Catalog
    from modelsync.errors import ModelSyncError

    failures: list[str] = []
    for k in range(rounds):
        ready, go = open_round_files(sync_dir, name, k)
        ready.touch()
        wait_for(go.exists, 60, f"{go} (round {k})", interval=0.0005)
        catalog = Catalog(store=template.format(round=k))
        try:
            catalog.store.keys("modelsync:")
        except ModelSyncError as exc:
            failures.append(f"round {k}: {exc}")
        finally:
            catalog.close()
    print(json.dumps({"rounds": rounds, "failures": failures}))
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.multiproc")
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--go", type=Path)
    roles = parser.add_subparsers(dest="role", required=True)
    cli = roles.add_parser("cli")
    cli.add_argument("args", nargs=argparse.REMAINDER)
    reader = roles.add_parser("reader")
    reader.add_argument("provider")
    reader.add_argument("reads", type=int)
    reader.add_argument("sets", nargs="+", help="LABEL:SIZE")
    writer = roles.add_parser("writer")
    writer.add_argument("provider")
    writer.add_argument("stop", type=Path)
    writer.add_argument("--max-seconds", type=float, default=60.0)
    opener = roles.add_parser("open")
    opener.add_argument("template")
    opener.add_argument("rounds", type=int)
    opener.add_argument("sync_dir", type=Path)
    opener.add_argument("name")
    ns = parser.parse_args(argv)
    _barrier(ns.ready, ns.go)
    if ns.role == "cli":
        _role_cli(ns.args)
        return 0  # not reached: click exits
    if ns.role == "reader":
        sets = {label: int(size) for label, size in (s.split(":", 1) for s in ns.sets)}
        return _role_reader(ns.provider, ns.reads, sets)
    if ns.role == "open":
        return _role_open(ns.template, ns.rounds, ns.sync_dir, ns.name)
    return _role_writer(ns.provider, ns.stop, ns.max_seconds)


if __name__ == "__main__":
    sys.exit(main())
