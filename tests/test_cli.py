"""The ``modelsync`` command as a user runs it: a real subprocess, real store, emulated providers."""

from __future__ import annotations

import json
import os
import sqlite3
import time

from tests.emulators import Fault
from tests.fixtures import EmulatorFactory, Env


def test_no_credentials_exits_1_and_names_env_vars(env: Env) -> None:
    out = env.run_cli("sync")
    assert out.returncode == 1
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "XAI_API_KEY"):
        assert var in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_no_credentials_json(env: Env) -> None:
    out = env.run_cli("sync", "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["providers"] == {}
    assert data["error_type"] == "configuration_error"


def test_sync_then_skip_then_force(env: Env, emulator: EmulatorFactory) -> None:
    emus = [emulator(p) for p in ("openai", "anthropic", "gemini", "xai")]
    env.wire(*emus)
    first = env.run_cli("sync")
    assert first.returncode == 0, first.stderr
    for name in ("openai", "anthropic", "gemini", "xai"):
        assert f"✓ {name}:" in first.stdout
    assert "4 succeeded" in first.stdout
    counts = [e.count() for e in emus]

    second = env.run_cli("sync")
    assert second.returncode == 0
    assert second.stdout.count("skipped (cache valid") == 4
    assert [e.count() for e in emus] == counts  # no HTTP request made

    forced = env.run_cli("sync", "openai", "--force")
    assert forced.returncode == 0
    assert "✓ openai:" in forced.stdout
    assert "anthropic" not in forced.stdout
    assert emus[0].count() == counts[0] + 1
    assert [e.count() for e in emus[1:]] == counts[1:]


def test_sync_json_shape(env: Env, emulator: EmulatorFactory) -> None:
    env.wire(emulator("openai"), emulator("gemini"))
    out = env.run_cli("sync", "--json")
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert set(data) == {"providers"}
    assert set(data["providers"]) == {"openai", "gemini"}
    openai = data["providers"]["openai"]
    assert openai["status"] == "success"
    assert openai["models_synced"] > 0
    assert openai["statistics"]["total_models"] == openai["models_synced"]
    again = json.loads(env.run_cli("sync", "--json").stdout)
    assert again["providers"]["gemini"] == {
        **again["providers"]["gemini"],
        "status": "skipped",
        "reason": "cache_valid",
    }


def test_partial_failure_exits_2(env: Env, emulator: EmulatorFactory) -> None:
    good = emulator("openai")
    bad = emulator("anthropic")
    env.wire(good, bad).vars["ANTHROPIC_API_KEY"] = "sk-ant-wrong-000000"
    out = env.run_cli("sync")
    assert out.returncode == 2
    assert "✓ openai" in out.stdout
    assert "✗ anthropic: failed [invalid_credentials]" in out.stdout
    assert "ANTHROPIC_API_KEY" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_all_failed_exits_1(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["MODELSYNC_MAX_RETRIES"] = "0"
    emu.push(Fault.status(500))
    out = env.run_cli("sync", "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)["providers"]["openai"]
    assert data["status"] == "error"
    assert data["error_type"] == "provider_unavailable"


def test_unknown_provider_exits_1_without_traceback(env: Env, emulator: EmulatorFactory) -> None:
    env.wire(emulator("openai"))
    out = env.run_cli("sync", "nosuchprovider")
    assert out.returncode == 1
    assert "unknown provider 'nosuchprovider'" in out.stderr
    assert "openai" in out.stderr  # lists the known ones
    assert "Traceback" not in out.stderr


def test_dry_run_writes_nothing_and_makes_one_call(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu)
    out = env.run_cli("sync", "--dry-run", "-v")
    assert out.returncode == 0, out.stderr
    assert "○ openai: would sync" in out.stdout
    assert "last synced: never" in out.stdout
    assert emu.count() == 1
    db = sqlite3.connect(env.store_path)
    assert db.execute("SELECT count(*) FROM entries").fetchone() == (0,)
    data = json.loads(env.run_cli("sync", "--dry-run", "--json").stdout)
    assert data["providers"]["openai"]["status"] == "dry_run"
    assert {"id", "name", "owned_by", "created"} <= set(data["providers"]["openai"]["models"][0])


def test_timeout_option(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    emu.latency = 3
    out = env.wire(emu).run_cli("sync", "--timeout", "0.5", "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)["providers"]["openai"]
    assert data["error_type"] == "provider_unavailable"
    assert "0.5s" in data["error"]


def test_quiet_prints_only_failures(env: Env, emulator: EmulatorFactory) -> None:
    good = emulator("openai")
    bad = emulator("xai")
    env.wire(good, bad).vars["XAI_API_KEY"] = "xai-wrong-key-0000"
    out = env.run_cli("sync", "--quiet")
    assert out.returncode == 2
    assert "openai" not in out.stdout
    assert "✗ xai" in out.stdout


def test_verbose_logs_without_secrets(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini")
    out = env.wire(emu).run_cli("sync", "-v")
    assert "starting model sync" in out.stderr
    assert "model sync completed" in out.stderr
    assert emu.api_key not in out.stderr + out.stdout


def test_models_stats_status_clear(env: Env, emulator: EmulatorFactory) -> None:
    env.wire(emulator("openai"), emulator("gemini"))
    assert env.run_cli("sync").returncode == 0

    models = json.loads(env.run_cli("models", "--provider", "gemini", "--json").stdout)
    assert models and all(m["provider"] == "gemini" for m in models)
    assert all({"provider", "id", "name"} <= set(m) for m in models)
    assert not any(m["id"].startswith("models/") for m in models)

    vision = json.loads(env.run_cli("models", "--capability", "embeddings", "--json").stdout)
    assert vision and all(m["capabilities"]["embeddings"]["supported"] for m in vision)
    found = json.loads(env.run_cli("models", "--search", "GPT-4O", "--json").stdout)
    assert found and all("gpt-4o" in (m["id"] + m["name"]).lower() for m in found)

    table = env.run_cli("models", "--provider", "openai")
    assert table.returncode == 0
    assert "gpt-4o" in table.stdout

    stats = json.loads(env.run_cli("stats", "openai", "--json").stdout)
    assert stats["total_models"] > 0
    for key in (
        "gpt_3_5_models",
        "gpt_4_models",
        "gpt_4o_models",
        "function_calling_models",
        "vision_models",
        "updated_at",
    ):
        assert key in stats
    human = env.run_cli("stats", "gemini")
    assert "gemini_pro_models" in human.stdout

    status = json.loads(env.run_cli("status", "--json").stdout)
    assert status["store"].startswith("sqlite:///")
    rows = {r["provider"]: r for r in status["providers"]}
    assert rows["openai"]["configured"] is True and rows["openai"]["state"] == "fresh"
    assert rows["anthropic"]["configured"] is False and rows["anthropic"]["state"] == "empty"
    assert "store: sqlite:///" in env.run_cli("status").stdout

    cleared = env.run_cli("clear", "openai")
    assert cleared.returncode == 0 and "removed" in cleared.stdout
    assert json.loads(env.run_cli("models", "--provider", "openai", "--json").stdout) == []
    assert json.loads(env.run_cli("models", "--provider", "gemini", "--json").stdout)


def test_stats_for_unsynced_provider(env: Env) -> None:
    out = env.run_cli("stats", "openai")
    assert out.returncode == 1
    assert "modelsync sync openai" in out.stderr


def test_models_warn_when_stale(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["MODELSYNC_MODELS_TTL_HOURS"] = str(0.001 / 3600)
    assert env.run_cli("sync").returncode == 0
    out = env.run_cli("models", "--json")
    assert json.loads(out.stdout)  # the last good catalog is still served
    assert "stale" in out.stderr
    status = json.loads(env.run_cli("status", "--json").stdout)
    assert {r["provider"]: r["state"] for r in status["providers"]}["openai"] == "stale"


def test_store_file_is_private(env: Env, emulator: EmulatorFactory) -> None:
    env.wire(emulator("openai"))
    assert env.run_cli("sync").returncode == 0
    assert os.stat(env.store_path).st_mode & 0o777 == 0o600


def test_bad_store_url_is_a_clear_error(env: Env) -> None:
    env.vars["MODELSYNC_STORE"] = "mongodb://nowhere"
    out = env.run_cli("status")
    assert out.returncode == 1
    assert "MODELSYNC_STORE" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_setting_is_a_clear_error(env: Env) -> None:
    env.vars["MODELSYNC_REFRESH_HOURS"] = "soon"
    out = env.run_cli("status")
    assert out.returncode == 1
    assert "refresh_hours" in out.stderr and "MODELSYNC_REFRESH_HOURS" in out.stderr


def test_config_file_settings(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    config = env.tmp / "modelsync.toml"
    config.write_text(
        'prefix = "fromfile"\nrefresh_hours = 1\n\n[providers.openai]\n'
        f'base_url = "{emu.base_url}"\n'
    )
    env.vars["MODELSYNC_CONFIG"] = str(config)
    env.vars["OPENAI_API_KEY"] = emu.api_key
    assert env.run_cli("sync").returncode == 0
    db = sqlite3.connect(env.store_path)
    keys = [r[0] for r in db.execute("SELECT key FROM entries")]
    assert "fromfile:openai:models" in keys


def test_a_sync_run_purges_long_expired_entries(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu)
    catalog = env.catalog()
    catalog.store.put("modelsync:gone-provider:models", [], 0.01)
    env.vars["MODELSYNC_STALE_RETENTION_HOURS"] = str(0.05 / 3600)
    time.sleep(0.1)
    assert env.run_cli("sync").returncode == 0
    keys = env.catalog().store.keys("modelsync:")
    assert "modelsync:gone-provider:models" not in keys
    assert "modelsync:openai:models" in keys
