"""The sync ledger: history, diffs, safe removal, dry-run diffs, checks and notifications."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from modelsync.errors import SuspiciousFetchError
from modelsync.model import SyncResult
from tests.emulators import Fault, default_models, synthetic_models
from tests.emulators.loopback import Loopback
from tests.fixtures import EmulatorFactory, Env


def _oa(model_id: str, created: int = 1700000000) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": created, "owned_by": "system"}


def _xai(model_id: str, price: int) -> dict[str, Any]:
    return {
        "id": model_id,
        "created": 1743724800,
        "object": "model",
        "owned_by": "xai",
        "version": "1.0",
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "prompt_text_token_price": price,
        "completion_text_token_price": 150000,
        "aliases": [],
    }


def test_first_sync_is_all_added_and_said_once(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("a"), _oa("b")])
    result = env.wire(emu).catalog().provider("openai").sync_models()
    assert result.diff is not None and result.diff.first_sync
    data = result.to_dict()
    assert sorted(data["added"]) == ["a", "b"] and data["first_sync"] is True
    assert data["removed"] == [] and data["changed"] == []
    out = env.run_cli("sync", "--force")
    assert "no changes" in out.stdout
    env.run_cli("clear", "openai")
    out = env.run_cli("sync")
    assert "first sync" in out.stdout and " a\n" not in out.stdout


def test_added_changed_and_noise(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai", models=[_xai("grok-a", 30000), _xai("grok-b", 20000)])
    emu.extra_plain_models = []
    catalog = env.wire(emu).catalog()
    catalog.provider("xai").sync_models()
    emu.set_models([_xai("grok-b", 20000), _xai("grok-a", 35000), _xai("grok-c", 1000)])
    result = catalog.provider("xai").sync_models(force_refresh=True)
    data = result.to_dict()
    assert data["added"] == ["grok-c"]
    assert data["removed"] == []
    (change,) = data["changed"]
    assert change["id"] == "grok-a"
    assert change["fields"]["pricing"]["old"]["input"] == "3"
    assert change["fields"]["pricing"]["new"]["input"] == "3.5"
    assert set(change["fields"]) == {"pricing"}  # reordering the list is not a change


def test_created_drift_is_not_a_change(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("gpt-4o", 1), _oa("gpt-4.1", 2)])
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    emu.set_models([_oa("gpt-4.1", 999), _oa("gpt-4o", 1000)])
    result = catalog.provider("openai").sync_models(force_refresh=True)
    assert result.diff is not None and result.diff.empty


def test_safe_removal_after_two_good_fetches(env: Env, emulator: EmulatorFactory) -> None:
    models = [_oa(f"m{i}") for i in range(6)]
    emu = emulator("openai", models=models)
    catalog = env.wire(emu).catalog()
    handle = catalog.provider("openai")
    handle.sync_models()
    emu.set_models(models[1:])  # m0 vanishes
    first = handle.sync_models(force_refresh=True)
    assert first.diff is not None
    assert first.diff.removed == [] and first.diff.missing == ["m0"]
    assert "m0" not in {m.id for m in catalog.models()}  # not served by default
    kept = {m.id: m for m in catalog.models(include_missing=True)}
    assert "m0" in kept and kept["m0"].missing_since is not None
    assert kept["m0"].missing_count == 1
    assert catalog.check(["m0"]) == [
        f"required model m0 was not listed by openai since {kept['m0'].missing_since.isoformat()}"
    ]
    second = handle.sync_models(force_refresh=True)
    assert second.diff is not None and second.diff.removed == ["m0"]
    assert "m0" not in {m.id for m in catalog.models(include_missing=True)}


def test_a_model_that_comes_back_is_not_reported(env: Env, emulator: EmulatorFactory) -> None:
    models = [_oa(f"m{i}") for i in range(5)]
    emu = emulator("openai", models=models)
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    emu.set_models(models[1:])
    catalog.provider("openai").sync_models(force_refresh=True)
    emu.set_models(models)
    back = catalog.provider("openai").sync_models(force_refresh=True)
    assert back.diff is not None and back.diff.empty and back.diff.missing == []
    assert all(m.missing_since is None for m in catalog.models(include_missing=True))


def test_remove_after_is_configurable(env: Env, emulator: EmulatorFactory) -> None:
    models = [_oa(f"m{i}") for i in range(4)]
    emu = emulator("openai", models=models)
    env.wire(emu).vars["MODELSYNC_REMOVE_AFTER"] = "1"
    catalog = env.catalog()
    catalog.provider("openai").sync_models()
    emu.set_models(models[1:])
    result = catalog.provider("openai").sync_models(force_refresh=True)
    assert result.diff is not None and result.diff.removed == ["m0"]


@pytest.mark.parametrize("kept", [0, 2])
def test_bad_fetches_never_shrink_and_are_recorded(
    kept: int, env: Env, emulator: EmulatorFactory
) -> None:
    models = [_oa(f"m{i}") for i in range(6)]
    emu = emulator("openai", models=models)
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    emu.set_models(models[:kept])  # empty, or two thirds gone
    with pytest.raises(SuspiciousFetchError):
        catalog.provider("openai").sync_models(force_refresh=True)
    assert len(catalog.models()) == 6
    assert all(m.missing_since is None for m in catalog.models())
    latest = catalog.history("openai", limit=1)[0]
    assert latest["status"] == "error" and latest["suspicious"] is True
    assert latest["models_before"] == latest["models_after"] == 6


def test_ledger_records_every_attempt_bounded_and_durable(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("anthropic")
    env.wire(emu).vars["MODELSYNC_LEDGER_MAX_ENTRIES"] = "4"
    catalog = env.catalog()
    for _ in range(3):
        catalog.provider("anthropic").sync_models(force_refresh=True)
    env.vars["MODELSYNC_MAX_RETRIES"] = "1"
    emu.push(Fault.status(529), Fault.status(529))
    with pytest.raises(Exception):  # noqa: B017 - the failure itself is tested elsewhere
        env.catalog().provider("anthropic").sync_models(force_refresh=True)
    catalog.provider("anthropic").sync_models(force_refresh=True)
    records = env.catalog().history("anthropic")  # a fresh catalog: read back from disk
    assert len(records) == 4
    assert [r["status"] for r in records] == ["success", "error", "success", "success"]
    failed = records[1]
    assert failed["error_type"] == "provider_unavailable"
    assert failed["retries"] == 1 and failed["requests"] == 2
    assert "anthropic" in failed["error"]
    ok = records[0]
    for key in (
        "started_at",
        "finished_at",
        "duration_ms",
        "pages",
        "requests",
        "retries",
        "models_before",
        "models_after",
        "diff",
    ):
        assert key in ok
    assert ok["pages"] == 1 and ok["requests"] == 1
    assert ok["models_before"] == ok["models_after"] == len(default_models("anthropic"))
    assert env.catalog().history("anthropic", limit=2) == records[:2]


def test_skips_and_dry_runs_are_not_attempts(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    catalog.provider("openai").sync_models()
    catalog.sync(["openai"], dry_run=True)
    assert len(catalog.history("openai")) == 1


def test_dry_run_shows_the_diff_and_writes_nothing(env: Env, emulator: EmulatorFactory) -> None:
    models = [_oa(f"m{i}") for i in range(5)]
    emu = emulator("openai", models=models)
    env.wire(emu)
    assert env.run_cli("sync").returncode == 0
    emu.set_models([*models[1:], _oa("m9")])
    out = env.run_cli("sync", "--dry-run")
    assert out.returncode == 0
    assert "would add 1" in out.stdout and "1 missing" in out.stdout
    data = json.loads(env.run_cli("sync", "--dry-run", "--json").stdout)["providers"]["openai"]
    assert data["added"] == ["m9"] and data["missing"] == ["m0"]
    assert {m["id"] for m in json.loads(env.run_cli("models", "--json").stdout)} == {
        f"m{i}" for i in range(5)
    }
    assert len(env.catalog().history("openai")) == 1


def test_diff_and_history_commands(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai", models=[_xai("grok-a", 30000), _xai("grok-b", 20000)])
    emu.extra_plain_models = []
    env.wire(emu)
    assert env.run_cli("sync").returncode == 0
    emu.set_models([_xai("grok-a", 31000), _xai("grok-b", 20000), _xai("grok-c", 5)])
    assert env.run_cli("sync", "--force").returncode == 0
    emu.set_models([_xai("grok-a", 31000), _xai("grok-c", 5), _xai("grok-d", 5)])
    assert env.run_cli("sync", "--force").returncode == 0

    last = json.loads(env.run_cli("diff", "xai", "--json").stdout)["providers"]["xai"]
    assert last["added"] == ["grok-d"] and last["missing"] == ["grok-b"]
    two = json.loads(env.run_cli("diff", "--last", "2", "--json").stdout)["providers"]["xai"]
    assert sorted(two["added"]) == ["grok-c", "grok-d"]
    assert [c["id"] for c in two["changed"]] == ["grok-a"]
    since = json.loads(env.run_cli("diff", "--since", "1h", "--json").stdout)["providers"]["xai"]
    # the span starts with the first sync: it is the baseline, and the rest is news against it
    assert since["first_sync"] is False and sorted(since["baseline"]) == ["grok-a", "grok-b"]
    assert sorted(since["added"]) == ["grok-c", "grok-d"]
    assert [c["id"] for c in since["changed"]] == ["grok-a"]
    human = env.run_cli("diff", "--last", "2").stdout
    assert "+ grok-c" in human and "~ grok-a  [price changed]" in human
    assert "price input: 3 -> 3.1" in human
    future = env.run_cli("diff", "--since", "2999-01-01", "--json")
    assert json.loads(future.stdout) == {"providers": {}}
    bad = env.run_cli("diff", "--since", "yesterday-ish")
    assert bad.returncode == 2 and "36h" in bad.stderr

    history = json.loads(env.run_cli("history", "--json").stdout)
    assert [e["status"] for e in history["entries"]] == ["success"] * 3
    assert history["failure_rates"]["xai"] == {"attempts": 3, "failures": 0, "failure_rate": 0.0}
    limited = json.loads(env.run_cli("history", "xai", "--limit", "1", "--json").stdout)
    assert len(limited["entries"]) == 1
    assert "0 of 3 attempts failed" in env.run_cli("history").stdout


def test_check_command(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu)
    assert env.run_cli("sync").returncode == 0
    ok = env.run_cli("check", "--require", "gpt-4o", "--require", "openai/gpt-4o-mini")
    assert ok.returncode == 0, ok.stderr
    missing = env.run_cli("check", "--require", "gpt-4o", "--require", "gpt-99")
    assert missing.returncode == 1
    assert "required model gpt-99 is not in the catalog" in missing.stderr
    wrong_provider = env.run_cli("check", "--require", "anthropic/gpt-4o", "--json")
    assert json.loads(wrong_provider.stdout)["ok"] is False
    fresh = env.run_cli("check", "--max-age", "1")
    assert fresh.returncode == 0
    env.vars["MODELSYNC_CONFIG"] = os.devnull
    stale = env.run_cli("check", "--max-age", "0")
    assert stale.returncode == 1 and "old (allowed 0h)" in stale.stderr


def test_empty_catalog_fails_max_age_check(env: Env) -> None:
    out = env.run_cli("check", "--max-age", "24")
    assert out.returncode == 1 and "empty" in out.stderr


def test_python_callbacks(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("a"), _oa("b")])
    catalog = env.wire(emu).catalog()
    seen: dict[str, list[SyncResult]] = {"sync": [], "change": [], "failure": []}
    catalog.on_sync(seen["sync"].append)
    catalog.on_change(seen["change"].append)
    catalog.on_failure(seen["failure"].append)

    @catalog.on_sync
    def broken(result: SyncResult) -> None:
        raise RuntimeError("a listener bug must not fail the sync")

    catalog.sync()  # first sync: a baseline, not a change
    emu.set_models([_oa("a"), _oa("b"), _oa("c")])
    catalog.provider("openai").sync_models(force_refresh=True)
    catalog.provider("openai").sync_models()  # skipped
    emu.push(*[Fault.status(500) for _ in range(4)])
    with pytest.raises(Exception):  # noqa: B017
        catalog.provider("openai").sync_models(force_refresh=True)
    assert [r.status for r in seen["sync"]] == ["success", "success", "skipped", "error"]
    assert len(seen["change"]) == 1
    assert seen["change"][0].diff is not None and seen["change"][0].diff.added == ["c"]
    assert [r.error_type for r in seen["failure"]] == ["provider_unavailable"]


def test_on_change_command_runs_with_the_diff(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("a"), _oa("b")])
    env.wire(emu)
    sink = env.tmp / "changes.json"
    command = f"cat > {sink}"
    assert env.run_cli("sync", "--on-change", command).returncode == 0
    assert not sink.exists()  # the first sync is a baseline
    emu.set_models([_oa("a"), _oa("b"), _oa("new-model")])
    assert env.run_cli("sync", "--force", "--on-change", command).returncode == 0
    payload = json.loads(sink.read_text())
    assert payload["providers"]["openai"]["added"] == ["new-model"]
    failing = env.run_cli("sync", "--force", "--on-change", "exit 3")
    assert failing.returncode == 0  # a failing hook never fails the sync


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    status_codes: list[int]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.received.append({"body": json.loads(body), "type": self.headers["content-type"]})
        code = self.status_codes.pop(0) if self.status_codes else 204
        self.send_response(code)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"received": [], "status_codes": []})
    server = Loopback(handler)
    yield f"{server.base}/hook", handler
    server.stop()


def test_webhook_receives_the_diff_with_retries(
    env: Env, emulator: EmulatorFactory, webhook: tuple[str, type[_Hook]]
) -> None:
    url, hook = webhook
    emu = emulator("openai", models=[_oa("a"), _oa("b")])
    env.wire(emu)
    assert env.run_cli("sync", "--webhook", url).returncode == 0
    assert hook.received == []
    emu.set_models([_oa("a"), _oa("b"), _oa("c")])
    hook.status_codes.extend([503])
    assert env.run_cli("sync", "--force", "--webhook", url).returncode == 0
    assert len(hook.received) == 2  # one 503, then delivered
    assert hook.received[-1]["type"] == "application/json"
    assert hook.received[-1]["body"]["providers"]["openai"]["added"] == ["c"]
    assert emu.api_key not in json.dumps(hook.received)


def test_webhook_failure_is_logged_not_fatal(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("a"), _oa("b")])
    env.wire(emu)
    assert env.run_cli("sync").returncode == 0
    emu.set_models([_oa("a"), _oa("b"), _oa("c")])
    secret_url = "http://127.0.0.1:1/services/T0/B0/s3cr3t-token?sig=abc123"
    out = env.run_cli("sync", "--force", "--webhook", secret_url)
    assert out.returncode == 0
    assert "webhook" in out.stderr and "failed after 3 attempts" in out.stderr
    assert "s3cr3t-token" not in out.stderr and "abc123" not in out.stderr


def test_ledger_on_redis(env: Env, emulator: EmulatorFactory, redis_url: str) -> None:
    emu = emulator("gemini", models=synthetic_models("gemini", 3))
    env.wire(emu).vars["MODELSYNC_STORE"] = redis_url
    assert env.run_cli("sync").returncode == 0
    emu.set_models(synthetic_models("gemini", 4))
    assert env.run_cli("sync", "--force").returncode == 0
    records = json.loads(env.run_cli("history", "--json").stdout)["entries"]
    assert len(records) == 2
    assert records[0]["diff"]["added"] == ["gemini-synth-0003"]


def test_snapshot_reads_one_sync(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("a"), _oa("b")])
    catalog = env.wire(emu).catalog()
    result = catalog.provider("openai").sync_models()
    snap = catalog.snapshot("openai")
    assert [m["id"] for m in snap["models"]] == ["a", "b"]
    assert snap["statistics"]["total_models"] == 2
    assert snap["last_sync"] == result.last_sync.isoformat()  # type: ignore[union-attr]
    assert snap["statistics"]["updated_at"] == snap["last_sync"]
    assert snap["freshness"].state == "fresh"
    assert catalog.snapshot("anthropic")["models"] is None
