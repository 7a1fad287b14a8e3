"""Human output: one line per failure, real figures in ``--json``, a diff that starts at the
first sync, tables that survive pipes and long names, statistics that read like text."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from tests.emulators import Fault
from tests.fixtures import EmulatorFactory, Env


def _oa(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1700000000, "owned_by": "org"}


def test_a_failure_prints_once_without_verbose(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["MODELSYNC_MAX_RETRIES"] = "1"
    emu.push(Fault.status(500), Fault.status(500))
    out = env.run_cli("sync")
    assert out.returncode == 1
    assert "✗ openai: failed [provider_unavailable]" in out.stdout
    assert "ERROR" not in out.stderr and "model sync failed" not in out.stderr
    both = out.stdout + out.stderr
    assert both.count("openai: failed") + both.count("sync failed") == 1
    emu.push(Fault.status(500), Fault.status(500))
    verbose = env.run_cli("sync", "-v")
    assert "model sync failed" in verbose.stderr  # the detail is there when asked for


def test_json_results_of_failed_providers_carry_the_real_counters(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["MODELSYNC_MAX_RETRIES"] = "2"
    emu.push(Fault.status(500), Fault.status(503), Fault.status(502))
    out = env.run_cli("sync", "--json")
    result = json.loads(out.stdout)["providers"]["openai"]
    assert result["status"] == "error"
    assert (result["requests"], result["retries"], result["pages"]) == (3, 2, 0)
    assert result["duration_ms"] > 0
    ledger = json.loads(env.run_cli("history", "--json").stdout)["entries"][0]
    for field in ("requests", "retries", "pages", "duration_ms"):
        assert result[field] == ledger[field], field


def test_dry_run_lists_models_without_the_removal_glyph(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.wire(emulator("openai", models=[_oa("gpt-keep-1"), _oa("gpt-keep-2")]))
    out = env.run_cli("sync", "--dry-run", "-v")
    assert out.returncode == 0
    listed = [line for line in out.stdout.splitlines() if "gpt-keep-" in line]
    assert len(listed) == 2
    assert not any(re.match(r"^\s*[-+~]\s", line) for line in listed)


def test_diff_across_the_first_sync_uses_it_as_the_baseline(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("openai", models=[_oa("model-a"), _oa("model-b")])
    env.wire(emu).vars.update(MODELSYNC_REMOVE_AFTER="1", MODELSYNC_MAX_SHRINK="1")
    assert env.run_cli("sync").returncode == 0
    emu.set_models([_oa("model-a"), _oa("model-b"), _oa("model-c")])
    assert env.run_cli("sync", "--force").returncode == 0
    emu.set_models([_oa("model-a"), _oa("model-c")])
    assert env.run_cli("sync", "--force").returncode == 0

    net = json.loads(env.run_cli("diff", "--last", "3", "--json").stdout)["providers"]["openai"]
    assert net["baseline"] == ["model-a", "model-b"]
    assert net["added"] == ["model-c"]
    assert net["removed"] == ["model-b"]
    human = env.run_cli("diff", "--last", "3").stdout
    assert "first sync: 2 models (the baseline)" in human
    assert "+ model-c" in human and "- model-b" in human
    assert "+ model-a" not in human
    only_first = json.loads(env.run_cli("diff", "--since", "1h", "--json").stdout)
    assert only_first["providers"]["openai"]["removed"] == ["model-b"]


def test_piped_tables_are_not_wrapped(env: Env, emulator: EmulatorFactory) -> None:
    ids = [
        f"ft:gpt-4o-2024-08-06:an-organisation-with-a-long-name:{i}-custom-suffix" for i in range(3)
    ]
    env.wire(emulator("openai", models=[_oa(i) for i in ids]))
    assert env.run_cli("sync").returncode == 0
    out = env.run_cli("models")
    lines = out.stdout.splitlines()
    assert len(lines) == 1 + len(ids) + 1  # header, one line per model, the count
    for model_id in ids:
        assert any(model_id in line for line in lines)
    assert max(len(line) for line in lines) > 100  # the width a pipe needs, not 80


def test_columns_stay_aligned_with_long_names(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    config = env.tmp / "config.toml"
    config.write_text(
        textwrap.dedent(f"""
        [providers.openai-research-division-eu-west-1]
        type = "openai"
        base_url = "{emu.base_url}"
        api_key_env = "RESEARCH_KEY"
        """)
    )
    env.wire(emu).vars.update(MODELSYNC_CONFIG=str(config), RESEARCH_KEY=emu.api_key)
    assert env.run_cli("sync").returncode == 0

    status = env.run_cli("status").stdout.splitlines()[2:]
    columns = {
        line.index(" fresh ") if " fresh " in line else line.index(" empty ") for line in status
    }
    assert len(columns) == 1, status

    providers = env.run_cli("providers").stdout.splitlines()
    columns = {line.index("http") for line in providers if "not configured" not in line}
    assert len(columns) == 1, providers

    history = env.run_cli("history").stdout.splitlines()
    rows = [line for line in history if line.startswith(("✓", "✗"))]
    assert len(rows) == 2
    assert len({line.index(" ms") for line in rows}) == 1, rows


def test_stats_print_nested_values_as_text(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("groq")
    env.vars.update(GROQ_API_KEY=emu.api_key, GROQ_BASE_URL=emu.base_url)
    assert env.run_cli("sync", "groq").returncode == 0
    stats = json.loads(env.run_cli("stats", "groq", "--json").stdout)
    owners = stats["by_owner"]
    assert isinstance(owners, dict) and owners
    human = env.run_cli("stats", "groq").stdout
    assert "{" not in human and "'" not in human
    lines = human.splitlines()
    start = lines.index("  by_owner:")
    block = lines[start + 1 : start + 1 + len(owners)]
    assert {line.split(":")[0].strip() for line in block} == set(owners)
    assert all(line.startswith("    ") for line in block)
    biggest = max(owners.values())
    assert block[0].split()[-1] == str(biggest)  # largest first
