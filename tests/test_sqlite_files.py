"""The SQLite store touches only what modelsync created (issue 9, item 2).

Modes are read with ``os.stat`` before and after real CLI commands in subprocesses. Things that
are not a modelsync store (a folder, a text file, another program's database) are a clear error
that changes nothing; an operator's read-only store stays read-only and still answers reads.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from modelsync.errors import StoreError
from modelsync.stores.sqlite import SQLiteStore
from tests.fixtures import EmulatorFactory, Env


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _snapshot(folder: Path) -> dict[str, tuple[int, int, float]]:
    """Every file under ``folder``: mode, size, mtime (what "changes nothing" means here)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        info = path.stat()
        out[str(path.relative_to(folder))] = (
            stat.S_IMODE(info.st_mode),
            info.st_size,
            info.st_mtime,
        )
    return out


@pytest.mark.parametrize("command", [["models"], ["status"], ["sync"], ["history"]])
def test_a_folder_as_the_store_is_an_error_that_changes_nothing(
    command: list[str], env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai"))
    folder = env.tmp / "cache-folder"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    (folder / "unrelated.txt").write_text("keep me")
    before, mode = _snapshot(folder), _mode(folder)
    env.vars["MODELSYNC_STORE"] = f"sqlite:///{folder}"
    out = env.run_cli(*command)
    assert out.returncode == 1
    assert f"{folder} is a folder" in out.stderr and "MODELSYNC_STORE" in out.stderr
    assert "Traceback" not in out.stderr
    assert _mode(folder) == mode == 0o755
    assert _snapshot(folder) == before


@pytest.mark.parametrize("mode", [0o644, 0o400])
def test_a_file_that_is_not_sqlite_is_an_error_that_changes_nothing(mode: int, env: Env) -> None:
    target = env.tmp / "notes.db"
    target.write_text("not a database\n")
    os.chmod(target, mode)
    before = _snapshot(env.tmp)
    env.vars["MODELSYNC_STORE"] = f"sqlite:///{target}"
    for command in (["models", "--json"], ["sync"], ["status"]):
        out = env.run_cli(*command)
        assert out.returncode == 1
        assert f"{target} is not a SQLite database" in out.stdout + out.stderr
    assert _mode(target) == mode
    assert target.read_text() == "not a database\n"
    assert _snapshot(env.tmp) == before  # no -wal, -shm or journal beside it


def test_another_programs_database_is_left_alone(env: Env) -> None:
    target = env.tmp / "app.db"
    db = sqlite3.connect(target)
    db.execute("CREATE TABLE users(name TEXT)")
    db.commit()
    db.close()
    os.chmod(target, 0o640)
    data = target.read_bytes()
    env.vars["MODELSYNC_STORE"] = f"sqlite:///{target}"
    out = env.run_cli("status")
    assert out.returncode == 1 and "another program" in out.stderr and str(target) in out.stderr
    assert target.read_bytes() == data and _mode(target) == 0o640


def test_a_short_file_and_a_device_are_refused(tmp_path: Path) -> None:
    short = tmp_path / "short.db"
    short.write_bytes(b"SQLite")
    with pytest.raises(StoreError, match="not a SQLite database"):
        SQLiteStore(short)
    with pytest.raises(StoreError, match="not a regular file"):
        SQLiteStore("/dev/null")


def test_an_operators_read_only_store_stays_read_only_and_answers_reads(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai"))
    assert env.run_cli("sync").returncode == 0
    listed = json.loads(env.run_cli("models", "--json").stdout)
    assert listed
    os.chmod(env.store_path, 0o400)

    for command in (["models", "--json"], ["status", "--json"], ["history"], ["stats", "openai"]):
        out = env.run_cli(*command)
        assert out.returncode == 0, (command, out.stderr)
        assert _mode(env.store_path) == 0o400
    assert json.loads(env.run_cli("models", "--json").stdout) == listed

    out = env.run_cli("sync", "--force")
    assert out.returncode == 1
    assert str(env.store_path) in out.stdout + out.stderr
    assert "read-only" in out.stdout + out.stderr and "chmod u+w" in out.stdout + out.stderr
    assert _mode(env.store_path) == 0o400
    for side in env.tmp.glob("catalog.db-*"):  # SQLite's side files follow the main file
        assert _mode(side) == 0o400, side
    assert json.loads(env.run_cli("models", "--json").stdout) == listed


def test_a_read_only_file_with_no_catalog_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch(mode=0o400)
    os.chmod(empty, 0o400)
    with pytest.raises(StoreError, match="read-only and holds no catalog") as info:
        SQLiteStore(empty)
    assert str(empty) in str(info.value)
    assert _mode(empty) == 0o400 and empty.stat().st_size == 0


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_a_new_store_file_is_0600_whatever_the_umask(umask: int, tmp_path: Path) -> None:
    path = tmp_path / "new" / "catalog.db"
    old = os.umask(umask)
    try:
        store = SQLiteStore(path)
        store.put("p:a", 1, None)
        modes = {p.name: _mode(p) for p in path.parent.iterdir()}
        store.close()
    finally:
        os.umask(old)
    assert modes == {"catalog.db": 0o600, "catalog.db-wal": 0o600, "catalog.db-shm": 0o600}


def test_an_empty_file_made_by_the_operator_is_used_and_keeps_its_mode(tmp_path: Path) -> None:
    """``touch`` + ``chmod 640`` first (to pick owner and mode) is a fair way to set up a store."""
    path = tmp_path / "catalog.db"
    path.touch()
    os.chmod(path, 0o640)
    with SQLiteStore(path) as store:
        store.put("p:a", {"x": 1}, None)
        assert store.get_value("p:a") == {"x": 1}
    assert _mode(path) == 0o640
    with SQLiteStore(path) as again:
        assert again.get_value("p:a") == {"x": 1}
    assert _mode(path) == 0o640


def test_an_existing_store_keeps_the_mode_its_owner_chose(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai"))
    assert env.run_cli("sync").returncode == 0
    os.chmod(env.store_path, 0o640)  # shared with a reporting group
    assert env.run_cli("sync", "--force").returncode == 0
    assert env.run_cli("models").returncode == 0
    assert _mode(env.store_path) == 0o640


# -- where the operating system enforces the mode --------------------------------------------


def _without_dac_override(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as root without the capabilities that let root ignore file modes.

    This is what an ordinary user meets: ``access(W_OK)`` is false and writes are refused by
    the kernel, not by modelsync's reading of the mode bits. (A real ``nobody`` cannot run
    this interpreter, which lives under /root.)
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed to drop root's DAC capabilities")
    caps = "-dac_override,-dac_read_search"
    return subprocess.run(
        [
            setpriv,
            f"--inh-caps={caps}",
            f"--bounding-set={caps}",
            sys.executable,
            "-m",
            "modelsync",
            *args,
        ],
        env=env.vars,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_where_the_kernel_enforces_0400_reads_work_and_writes_are_refused(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("anthropic"))
    assert env.run_cli("sync").returncode == 0
    listed = json.loads(env.run_cli("models", "--json").stdout)
    assert listed
    os.chmod(env.store_path, 0o400)
    probe = _without_dac_override(env, "status", "--json")
    assert probe.returncode == 0, probe.stderr

    out = _without_dac_override(env, "models", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == listed
    out = _without_dac_override(env, "sync", "--force")
    assert out.returncode == 1
    assert str(env.store_path) in out.stdout + out.stderr
    assert "read-only" in out.stdout + out.stderr
    assert _mode(env.store_path) == 0o400


def test_where_the_kernel_refuses_to_read_the_file_the_error_names_it(env: Env) -> None:
    env.store_path.write_bytes(b"")
    os.chmod(env.store_path, 0o000)
    out = _without_dac_override(env, "models")
    assert out.returncode == 1
    assert str(env.store_path) in out.stderr and "Traceback" not in out.stderr
    assert _mode(env.store_path) == 0o000
