"""``clear`` names its scope, keeps history unless told, and can say what it would do (issue 9, 3)."""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelsync.errors import ConfigurationError
from modelsync.stores import Store, open_store
from modelsync.stores.base import LogAppend
from tests.fixtures import EmulatorFactory, Env


@pytest.fixture
def synced(env: Env, emulator: EmulatorFactory) -> Env:
    """OpenAI and Gemini synced twice each (two ledger records apiece)."""
    env.wire(emulator("openai"), emulator("gemini"))
    assert env.run_cli("sync").returncode == 0
    assert env.run_cli("sync", "--force").returncode == 0
    return env


def _models(env: Env, provider: str) -> list[str]:
    out = env.run_cli("models", "--provider", provider, "--json")
    return sorted(m["id"] for m in json.loads(out.stdout))


def _history(env: Env, provider: str) -> int:
    out = env.run_cli("history", provider, "--json", "--limit", "1000")
    return len(json.loads(out.stdout)["entries"])


def _rows(env: Env) -> tuple[int, int]:
    db = sqlite3.connect(env.store_path)
    try:
        entries = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        ledger = db.execute("SELECT count(*) FROM ledger").fetchone()[0]
        return int(entries), int(ledger)
    finally:
        db.close()


def test_clear_without_a_scope_refuses_and_changes_nothing(synced: Env) -> None:
    before = _rows(synced)
    out = synced.run_cli("clear")
    assert out.returncode != 0
    assert "provider" in out.stderr and "--all" in out.stderr
    assert _rows(synced) == before
    assert _models(synced, "openai") and _models(synced, "gemini")


def test_clear_one_provider_keeps_the_others_and_its_history(synced: Env) -> None:
    gemini = _models(synced, "gemini")
    out = synced.run_cli("clear", "openai")
    assert out.returncode == 0, out.stderr
    assert "for openai" in out.stdout and "history kept" in out.stdout
    assert _models(synced, "openai") == []
    assert _models(synced, "gemini") == gemini
    assert _history(synced, "openai") == 2 and _history(synced, "gemini") == 2


def test_clear_with_history_deletes_only_that_providers_ledger(synced: Env) -> None:
    out = synced.run_cli("clear", "openai", "--history")
    assert out.returncode == 0, out.stderr
    assert "and 2 history records" in out.stdout
    assert _history(synced, "openai") == 0
    assert _history(synced, "gemini") == 2
    assert _models(synced, "gemini")


def test_clear_all_keeps_history_unless_asked(synced: Env) -> None:
    assert synced.run_cli("clear", "--all").returncode == 0
    assert _models(synced, "openai") == [] and _models(synced, "gemini") == []
    assert _rows(synced) == (0, 4)
    assert _history(synced, "openai") == 2
    out = synced.run_cli("clear", "--all", "--history")
    assert out.returncode == 0 and "history kept" not in out.stdout
    assert _rows(synced) == (0, 0)


def test_clear_all_history_reaches_providers_no_longer_configured(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openai")
    config = env.tmp / "config.toml"
    config.write_text(
        textwrap.dedent(f"""
        [providers.old-gateway]
        type = "openai"
        base_url = "{emu.base_url}"
        api_key_env = "OLD_KEY"
        """)
    )
    env.vars.update(MODELSYNC_CONFIG=str(config), OLD_KEY=emu.api_key)
    assert env.run_cli("sync", "old-gateway").returncode == 0
    assert env.run_cli("clear", "old-gateway").returncode == 0  # entries gone, ledger kept
    env.vars["MODELSYNC_CONFIG"] = os.devnull  # the instance is gone too
    out = env.run_cli("clear", "--all", "--history", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["history"] == {"old-gateway": 1}
    assert _rows(env) == (0, 0)


@pytest.mark.parametrize(
    "args", [["openai"], ["openai", "--history"], ["--all"], ["--all", "--history"]]
)
def test_dry_run_says_what_would_go_and_removes_nothing(synced: Env, args: list[str]) -> None:
    before = _rows(synced)
    dry = synced.run_cli("clear", *args, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] is True
    assert _rows(synced) == before
    human = synced.run_cli("clear", *args, "--dry-run")
    assert "would remove" in human.stdout and "nothing was removed" in human.stdout
    assert _rows(synced) == before

    done = json.loads(synced.run_cli("clear", *args, "--json").stdout)
    assert done["dry_run"] is False
    assert done["entries"] == plan["entries"] and done["history"] == plan["history"]
    assert sum(plan["entries"].values()) == before[0] - _rows(synced)[0]
    assert sum(plan["history"].values()) == before[1] - _rows(synced)[1]
    if "--history" in args:
        assert set(plan["history"]) == set(plan["entries"])
    else:
        assert plan["history"] == {} and plan["history_kept"] is True


def test_an_unknown_provider_is_rejected(synced: Env) -> None:
    before = _rows(synced)
    out = synced.run_cli("clear", "opneai")
    assert out.returncode == 1
    assert "unknown provider 'opneai'" in out.stderr and "openai" in out.stderr
    assert _rows(synced) == before


def test_a_provider_and_all_together_is_refused(synced: Env) -> None:
    before = _rows(synced)
    out = synced.run_cli("clear", "openai", "--all")
    assert out.returncode != 0 and "--all" in out.stderr
    assert _rows(synced) == before


def test_python_api(synced: Env) -> None:
    catalog = synced.catalog()
    with pytest.raises(ConfigurationError, match="needs a scope"):
        catalog.clear()
    preview = catalog.clear("gemini", history=True, dry_run=True)
    assert preview.dry_run and preview.scope == "gemini"
    assert preview.entries["gemini"] > 0 and preview.history == {"gemini": 2}
    assert catalog.models(provider="gemini")
    done = catalog.clear("gemini", history=True)
    assert done.removed == preview.removed and not done.history_kept
    assert list(catalog.models(provider="gemini")) == []
    assert catalog.history("gemini") == []
    assert catalog.history("openai")
    everything = catalog.clear(all=True)
    assert set(everything.entries) >= {"openai"} and everything.history_kept
    assert catalog.history("openai")


# -- the store method clear relies on, held to one contract ---------------------------------


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'streams.db'}"
    else:
        url = request.getfixturevalue("redis_url")
    with open_store(url) as opened:
        yield opened


def test_log_streams_lists_every_log_under_a_prefix(store: Store) -> None:
    for stream in ("p:a:ledger", "p:b:ledger", "q:c:ledger"):
        store.put_many({}, append=LogAppend(stream, {"n": 1}, 10))
    store.put("p:a:models", [], None)  # an entry is not a log
    assert store.log_streams("p:") == ["p:a:ledger", "p:b:ledger"]
    store.delete_log("p:a:ledger")
    assert store.log_streams("p:") == ["p:b:ledger"]
    assert store.log_streams("none:") == []
