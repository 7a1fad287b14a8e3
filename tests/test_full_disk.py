"""A full disk is reported as a full disk, and the last good catalog survives it (issue 9, 2b).

The store lives on a real, small tmpfs mounted for the test (the tests run as root here and in
CI). The filesystem is filled almost to the brim; a sync of a few thousand models then runs out
of room part-way through its transaction, which SQLite rolls back by itself. The error that
reaches the user and the ledger must be SQLite's "database or disk is full" naming the file,
not the "cannot rollback - no transaction is active" that a second ROLLBACK used to raise.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulators import synthetic_models
from tests.fixtures import EmulatorFactory, Env

FS_SIZE = "8m"
LEFT_FREE = 256 * 1024  # room for the lease and a failure record, not for 5,000 models
BIG = 5000  # enough rows that SQLite spills to the WAL mid-transaction (its cache is 2 MiB)


@pytest.fixture
def small_fs() -> Iterator[Path]:
    """An 8 MiB tmpfs, unmounted afterwards. Fails (never skips) when it cannot be mounted."""
    mount_point = Path(tempfile.mkdtemp(prefix="modelsync-fullfs-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={FS_SIZE},mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        mount_point.rmdir()
        pytest.fail(
            f"cannot mount a tmpfs at {mount_point} ({done.stderr.strip() or done.returncode}); "
            "the full-disk test needs root (or CAP_SYS_ADMIN) to mount a small filesystem",
            pytrace=False,
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        mount_point.rmdir()


def _fill(folder: Path, leave: int) -> Path:
    """Fill the filesystem holding ``folder``, then give back ``leave`` bytes."""
    filler = folder / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


def _free(folder: Path) -> int:
    info = os.statvfs(folder)
    return info.f_bavail * info.f_frsize


def test_a_large_sync_on_a_full_disk_reports_the_full_disk_and_keeps_the_catalog(
    small_fs: Path, env: Env, emulator: EmulatorFactory
) -> None:
    store = small_fs / "catalog.db"
    env.vars["MODELSYNC_STORE"] = f"sqlite:///{store}"
    emu = emulator("openai", models=synthetic_models("openai", 30))
    env.wire(emu)
    assert env.run_cli("sync").returncode == 0
    before = json.loads(env.run_cli("models", "--provider", "openai", "--json").stdout)
    assert len(before) == 30

    filler = _fill(small_fs, LEFT_FREE)
    assert _free(small_fs) <= LEFT_FREE + 64 * 1024
    emu.set_models(synthetic_models("openai", BIG))
    out = env.run_cli("sync", "--force", "--json")
    assert out.returncode == 1
    result = json.loads(out.stdout)["providers"]["openai"]
    assert result["error_type"] == "store_error"
    assert "database or disk is full" in result["error"], result["error"]
    assert str(store) in result["error"] and "Free space" in result["error"]
    assert "cannot rollback" not in out.stdout + out.stderr

    # The last good catalog is intact and readable by a new process.
    assert json.loads(env.run_cli("models", "--provider", "openai", "--json").stdout) == before
    # The small failure record fits, and carries the original error.
    status = json.loads(env.run_cli("status", "--json").stdout)
    failure = {r["provider"]: r for r in status["providers"]}["openai"]["last_failure"]
    assert failure is not None and "database or disk is full" in failure["error"]
    history = json.loads(env.run_cli("history", "openai", "--json").stdout)["entries"]
    assert [h["status"] for h in history] == ["error", "success"]
    assert "database or disk is full" in history[0]["error"]
    assert history[0]["models_after"] == 30

    # With room again, the same sync succeeds: nothing was left half-open or corrupt.
    filler.unlink()
    assert env.run_cli("sync", "--force").returncode == 0
    assert len(json.loads(env.run_cli("models", "--provider", "openai", "--json").stdout)) == BIG
    db = sqlite3.connect(store)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()


def test_a_completely_full_disk_says_so_instead_of_disk_io_error(
    small_fs: Path, env: Env, emulator: EmulatorFactory
) -> None:
    """With no room at all SQLite cannot create its shared-memory file and answers "disk I/O
    error"; the message says the filesystem is full and names the file."""
    store = small_fs / "catalog.db"
    env.vars["MODELSYNC_STORE"] = f"sqlite:///{store}"
    env.wire(emulator("openai", models=synthetic_models("openai", 30)))
    assert env.run_cli("sync").returncode == 0
    filler = _fill(small_fs, 0)
    out = env.run_cli("models", "--provider", "openai")
    assert out.returncode == 1
    assert str(store) in out.stderr and "KiB free" in out.stderr and "Free space" in out.stderr
    assert "Traceback" not in out.stderr
    filler.unlink()
    listed = json.loads(env.run_cli("models", "--provider", "openai", "--json").stdout)
    assert len(listed) == 30
