"""Lifecycle as data: states decided by dates at read time, ``deprecations``, ``check``, and
lifecycle and price changes as their own kinds through the ledger, ``diff``, ``--on-change``,
``--webhook`` and callbacks. Real emulators, real SQLite files, the real CLI."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from modelsync.diff import ChangeEvent, Diff, FieldChange, ModelChange, change_kinds
from modelsync.lifecycle import (
    CheckResult,
    current_row,
    deprecations,
    effective_state,
)
from modelsync.model import Model, SyncResult
from modelsync.stores.base import LogAppend
from modelsync.sync import Keys
from tests.emulators import ProviderEmulator
from tests.emulators.loopback import Loopback
from tests.fixtures import EmulatorFactory, Env

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# -- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "deprecated", "shutdown", "expected"),
    [
        ("active", None, None, "active"),
        ("preview", None, None, "preview"),
        ("active", None, NOW + timedelta(days=30), "deprecated"),  # a future shutdown alone
        ("preview", None, NOW + timedelta(seconds=1), "deprecated"),
        ("active", None, NOW, "retired"),  # on the instant: gone
        ("deprecated", None, NOW - timedelta(days=1), "retired"),
        ("active", NOW + timedelta(days=3), None, "active"),  # deprecation not yet in force
        ("active", NOW - timedelta(days=3), None, "deprecated"),
        ("deprecated", None, None, "deprecated"),  # Cohere: stated, no date
        ("retired", None, None, "retired"),  # Groq: inactive, no date
        ("retired", None, NOW + timedelta(days=9), "retired"),  # never lowered by a date
    ],
)
def test_effective_state(
    stated: str, deprecated: datetime | None, shutdown: datetime | None, expected: str
) -> None:
    assert effective_state(stated, deprecated, shutdown, NOW) == expected


def test_the_rule_only_raises_so_a_stored_state_can_be_decided_again() -> None:
    moments = [NOW + timedelta(days=d) for d in (-40, -1, 0, 1, 40)]
    for stated in ("active", "preview", "deprecated", "retired"):
        for deprecated in (None, NOW - timedelta(days=2), NOW + timedelta(days=2)):
            for shutdown in (None, NOW + timedelta(days=1), NOW - timedelta(days=1)):
                for earlier in moments:
                    for later in moments:
                        if later < earlier:
                            continue
                        stored = effective_state(stated, deprecated, shutdown, earlier)
                        again = effective_state(stored, deprecated, shutdown, later)
                        assert again == effective_state(stated, deprecated, shutdown, later)


def test_rows_are_copied_only_when_their_state_changes() -> None:
    plain = {"provider": "openai", "id": "gpt-4o", "lifecycle": "active"}
    assert current_row(plain, NOW) is plain
    dated = {"id": "m", "lifecycle": "deprecated", "shutdown_date": "2026-05-01T00:00:00Z"}
    out = current_row(dated, NOW)
    assert out is not dated and out["lifecycle"] == "retired"
    assert dated["lifecycle"] == "deprecated"  # the stored row is never touched
    ahead = {"id": "m", "lifecycle": "deprecated", "shutdown_date": "2026-07-01"}
    assert current_row(ahead, NOW) is ahead
    legacy = {"id": "old", "lifecycle": "deprecated", "deprecation_date": "2026-01-01T00:00:00"}
    fixed = current_row(legacy, NOW)
    assert fixed["lifecycle"] == "retired" and fixed["shutdown_date"] == "2026-01-01T00:00:00"
    assert "deprecation_date" not in fixed
    # Model objects read rows stored before 0.2 too (a naive time is UTC).
    model = Model.model_validate({**legacy, "provider": "openai", "name": "Old"})
    assert model.state(NOW) == "retired" and model.state(datetime(2025, 1, 1, tzinfo=UTC)) == (
        "deprecated"
    )


def test_deprecations_order_and_filters() -> None:
    rows = [
        {"provider": "a", "id": "later", "shutdown_date": "2026-09-01T00:00:00Z"},
        {"provider": "a", "id": "gone", "shutdown_date": "2026-03-01T00:00:00Z"},
        {"provider": "b", "id": "soon", "shutdown_date": "2026-06-10", "replacement": "new"},
        {"provider": "b", "id": "undated", "lifecycle": "deprecated"},
        {"provider": "b", "id": "fine", "lifecycle": "active"},
    ]
    found = deprecations(rows, now=NOW)
    assert [d.id for d in found] == ["gone", "soon", "later", "undated"]
    assert [d.state for d in found] == ["retired", "deprecated", "deprecated", "deprecated"]
    assert found[1].days_left == 9 and found[0].days_left == -92
    assert found[1].to_dict()["shutdown_date"] == "2026-06-10"
    assert found[1].to_dict()["replacement"] == "new"
    assert [d.id for d in deprecations(rows, now=NOW, within_days=30)] == ["gone", "soon"]
    assert [d.id for d in deprecations(rows, now=NOW, include_retired=False)] == [
        "soon",
        "later",
        "undated",
    ]


def test_check_result_is_still_a_list_of_problems() -> None:
    result = CheckResult(["x"], ["w"])
    assert result == ["x"] and not result.ok and result.warnings == ["w"]
    assert CheckResult() == [] and CheckResult().ok
    assert result.to_dict() == {"ok": False, "problems": ["x"], "warnings": ["w"]}


@pytest.mark.parametrize(
    ("fields", "kinds"),
    [
        (
            {
                "shutdown_date": (None, "2026-10-23T00:00:00Z"),
                "lifecycle": ("active", "deprecated"),
            },
            ["deprecation_announced"],
        ),
        (
            {
                "shutdown_date": (None, "2026-10-23T00:00:00Z"),
                "lifecycle": ("active", "deprecated"),
                "replacement": (None, "gpt-5"),
            },
            ["deprecation_announced"],  # a replacement named with the announcement is part of it
        ),
        ({"shutdown_date": ("2026-10-23", "2026-12-01")}, ["shutdown_date_changed"]),
        ({"lifecycle": ("deprecated", "retired")}, ["retired"]),
        (
            {"lifecycle": ("active", "retired"), "shutdown_date": (None, "2026-01-01")},
            ["retired"],
        ),
        (
            {"lifecycle": ("deprecated", "active"), "shutdown_date": ("2026-10-23", None)},
            ["deprecation_withdrawn"],
        ),
        ({"replacement": ("a", "b")}, ["replacement_changed"]),
        ({"pricing": ({"input": "1"}, {"input": "2"})}, ["price_changed"]),
        (
            {"pricing": ({"input": "1"}, {"input": "2"}), "context_window": (1, 2)},
            ["price_changed", "details_changed"],
        ),
        ({"name": ("a", "b")}, ["details_changed"]),
    ],
)
def test_change_kinds(fields: dict[str, tuple[Any, Any]], kinds: list[str]) -> None:
    assert change_kinds({k: FieldChange(*v) for k, v in fields.items()}) == kinds


# -- helpers for the end-to-end tests ----------------------------------------------------------


def _day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def _oa(model_id: str, shutdown: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": model_id,
        "object": "model",
        "created": 1715367049,
        "owned_by": "system",
    }
    if shutdown is not None:
        entry["shutdown_date"] = shutdown
    return entry


def _card(
    name: str, *, deprecation: str | None = None, replacement: str | None = None
) -> dict[str, Any]:
    """A Mistral base model card (shape of the real list; see tests/emulators/providers_a.py)."""
    return {
        "id": name,
        "object": "model",
        "created": 1767094366,
        "owned_by": "mistralai",
        "capabilities": {"completion_chat": True, "function_calling": True, "vision": False},
        "name": name,
        "description": f"{name} test card",
        "max_context_length": 131072,
        "aliases": [],
        "deprecation": deprecation,
        "deprecation_replacement_model": replacement,
        "default_model_temperature": 0.3,
        "type": "base",
    }


def _route(
    model_id: str, prompt: str, *, expires: str | None = None, cached: str | None = None
) -> dict[str, Any]:
    """An OpenRouter list entry (the documented shape, as in the real answers quoted in
    /work/shared/reference/provider-apis.md)."""
    pricing = {"prompt": prompt, "completion": "0.000015"}
    if cached is not None:
        pricing["input_cache_read"] = cached
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "hugging_face_id": "",
        "name": model_id,
        "created": 1747930371,
        "description": "",
        "context_length": 200000,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Claude",
            "instruct_type": None,
        },
        "pricing": pricing,
        "top_provider": {
            "context_length": 200000,
            "max_completion_tokens": 64000,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": ["tools", "max_tokens"],
        "expiration_date": expires,
    }


def _wire(env: Env, emu: ProviderEmulator, key_env: str, base_env: str) -> Env:
    env.vars[key_env] = emu.api_key
    env.vars[base_env] = emu.base_url
    return env


def _mistral(env: Env, emulator: EmulatorFactory, cards: list[dict[str, Any]]) -> Any:
    emu = emulator("mistral", models=cards, api_key="mistral-test-0123456789abcdefABCDEF")
    _wire(env, emu, "MISTRAL_API_KEY", "MISTRAL_BASE_URL")
    return emu


def _openrouter(env: Env, emulator: EmulatorFactory, entries: list[dict[str, Any]]) -> Any:
    emu = emulator("openrouter", models=entries, api_key="sk-or-v1-test0123456789abcdef0123")
    _wire(env, emu, "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL")
    return emu


def _json(env: Env, *args: str) -> Any:
    out = env.run_cli(*args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _iso_seconds(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- read time -----------------------------------------------------------------------------------


def test_a_passing_shutdown_date_retires_a_model_without_a_sync(
    env: Env, emulator: EmulatorFactory
) -> None:
    """Mistral's ``deprecation`` is a datetime: set it a few seconds ahead and watch every read
    path turn the model retired while the emulator sees no request at all."""
    # Far enough ahead for the "before" reads on a loaded machine (each CLI run is a process).
    shutdown = (datetime.now(UTC) + timedelta(seconds=12)).replace(microsecond=0)
    emu = _mistral(
        env,
        emulator,
        [
            _card("old-model-2410", deprecation=_iso_seconds(shutdown), replacement="new-latest"),
            _card("new-model-2512"),
        ],
    )
    catalog = env.catalog()
    assert catalog.provider("mistral").sync_models().status == "success"
    requests = emu.count()

    before = {m["id"]: m for m in catalog.raw_models()[0]}
    assert before["old-model-2410"]["lifecycle"] == "deprecated"
    assert before["new-model-2512"]["lifecycle"] == "active"
    assert [(d.id, d.state) for d in catalog.deprecations()] == [("old-model-2410", "deprecated")]
    ok = env.run_cli("check", "--require", "old-model-2410")
    assert ok.returncode == 0, ok.stderr
    assert "old-model-2410 (mistral/old-model-2410) is deprecated" in ok.stderr
    assert f"shuts down on {shutdown.date().isoformat()}" in ok.stderr
    assert "replacement: new-latest" in ok.stderr
    assert datetime.now(UTC) < shutdown, "the machine was too slow for this test's margin"

    time.sleep(max(0.0, (shutdown - datetime.now(UTC)).total_seconds()) + 0.3)

    after = {m["id"]: m for m in _json(env, "models", "--json")}
    assert after["old-model-2410"]["lifecycle"] == "retired"
    assert after["new-model-2512"]["lifecycle"] == "active"
    models = {m.id: m for m in env.catalog().models(provider="mistral")}
    assert models["old-model-2410"].lifecycle == "retired"
    snapshot = {r["id"]: r for r in env.catalog().snapshot("mistral")["models"]}
    assert snapshot["old-model-2410"]["lifecycle"] == "retired"
    assert models["old-model-2410"].state() == "retired"
    table = env.run_cli("models").stdout
    assert "old-model-2410 [retired]" in table
    csv_lines = env.run_cli("models", "--csv").stdout.splitlines()
    header = csv_lines[0].split(",")
    old = next(line.split(",") for line in csv_lines if line.startswith("mistral,old-model"))
    assert old[header.index("lifecycle")] == "retired"
    assert old[header.index("shutdown_date")].startswith(shutdown.date().isoformat())
    assert old[header.index("replacement")] == "new-latest"
    shown = _json(env, "show", "old-model-2410", "--json")[0]["fields"]
    assert shown["lifecycle"]["value"] == "retired"
    assert shown["replacement"]["value"] == "new-latest"
    failed = env.run_cli("check", "--require", "old-model-2410", "--require", "new-model-2512")
    assert failed.returncode == 1
    assert (
        "required model old-model-2410 is retired (mistral/old-model-2410 shut down on "
        f"{shutdown.date().isoformat()}); replacement: new-latest"
    ) in failed.stderr
    assert "new-model-2512" not in failed.stderr
    listed = _json(env, "deprecations", "--json")["models"]
    assert [(d["id"], d["state"]) for d in listed] == [("old-model-2410", "retired")]
    assert _json(env, "deprecations", "--json", "--exclude-retired")["models"] == []
    assert emu.count() == requests  # every answer above came from the store alone

    # The next sync records the retirement as a change of its own kind.
    assert env.run_cli("sync", "--force").returncode == 0
    diff = _json(env, "diff", "--json")["providers"]["mistral"]
    (change,) = diff["changed"]
    assert change["id"] == "old-model-2410" and change["kinds"] == ["retired"]
    (event,) = diff["events"]
    assert event["kind"] == "retired" and event["replacement"] == "new-latest"
    assert event["shutdown_date"].startswith(shutdown.date().isoformat())
    assert event["changes"] == {"lifecycle": {"old": "deprecated", "new": "retired"}}
    assert "[retired]" in env.run_cli("diff").stdout


def test_openai_shutdown_dates_are_days(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(
        "openai",
        models=[
            _oa("gpt-4o"),
            _oa("gpt-4-0613", _day(-2)),
            _oa("gpt-4.1", _day(10)),
            _oa("gpt-4.1-mini", _day(200)),
        ],
    )
    env.vars.update(OPENAI_API_KEY=emu.api_key, OPENAI_BASE_URL=emu.base_url)
    env.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"  # the list's own dates, nothing merged in
    assert env.run_cli("sync").returncode == 0
    states = {m["id"]: m["lifecycle"] for m in _json(env, "models", "--json")}
    assert states == {
        "gpt-4o": "active",
        "gpt-4-0613": "retired",
        "gpt-4.1": "deprecated",
        "gpt-4.1-mini": "deprecated",
    }
    stored = {m.id: m for m in env.catalog().models()}
    assert stored["gpt-4.1"].shutdown_date == datetime.combine(
        date.fromisoformat(_day(10)), datetime.min.time(), UTC
    )

    human = env.run_cli("deprecations")
    assert human.returncode == 0
    lines = human.stdout.splitlines()
    assert lines[0].split() == ["shutdown", "when", "state", "model", "replacement"]
    assert lines[1].split()[:5] == [_day(-2), "2d", "ago", "retired", "openai/gpt-4-0613"]
    assert lines[2].split()[:5] == [_day(10), "in", "10d", "deprecated", "openai/gpt-4.1"]
    assert lines[3].split()[4] == "openai/gpt-4.1-mini" and lines[-1] == "3 models"

    within = _json(env, "deprecations", "--within", "30", "--json")
    assert [d["id"] for d in within["models"]] == ["gpt-4-0613", "gpt-4.1"]
    assert within["models"][1] == {
        "provider": "openai",
        "id": "gpt-4.1",
        "name": "GPT-4.1",
        "state": "deprecated",
        "deprecated_date": None,
        "shutdown_date": _day(10),
        "days_left": 10,
        "replacement": None,
        "missing": False,
    }
    assert _json(env, "deprecations", "--provider", "anthropic", "--json")["models"] == []
    empty = env.run_cli("deprecations", "--within", "1", "--exclude-retired")
    assert empty.stdout.strip() == "No deprecated or retired models in that span."

    api = env.catalog().deprecations(within_days=30)
    assert [(d.id, d.state, d.days_left) for d in api] == [
        ("gpt-4-0613", "retired", -2),
        ("gpt-4.1", "deprecated", 10),
    ]


# -- check ---------------------------------------------------------------------------------------


def test_check_exit_codes_and_messages(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(
        "openai",
        models=[_oa("gpt-4o"), _oa("gpt-4-0613", _day(-2)), _oa("gpt-4.1", _day(10))],
    )
    env.vars.update(OPENAI_API_KEY=emu.api_key, OPENAI_BASE_URL=emu.base_url)
    env.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    assert env.run_cli("sync").returncode == 0

    fine = env.run_cli("check", "--require", "gpt-4o", "--deprecations-within", "30")
    assert fine.returncode == 0 and fine.stderr == ""

    warned = env.run_cli("check", "--require", "gpt-4.1")
    assert warned.returncode == 0
    assert "✓ all required models present" in warned.stdout
    assert (
        f"! required model gpt-4.1 (openai/gpt-4.1) is deprecated: shuts down on {_day(10)} "
        "(in 10 days); no replacement named"
    ) in warned.stderr

    soon = env.run_cli("check", "--require", "gpt-4.1", "--deprecations-within", "30")
    assert soon.returncode == 1
    assert (
        f"✗ required model gpt-4.1 (openai/gpt-4.1) shuts down on {_day(10)} (in 10 days), "
        "within 30 days; no replacement named"
    ) in soon.stderr
    later = env.run_cli("check", "--require", "gpt-4.1", "--deprecations-within", "9")
    assert later.returncode == 0  # ten days out is not within nine

    retired = env.run_cli("check", "--require", "openai/gpt-4-0613", "--json")
    assert retired.returncode == 1
    data = json.loads(retired.stdout)
    assert data == {
        "ok": False,
        "problems": [
            "required model openai/gpt-4-0613 is retired (openai/gpt-4-0613 shut down on "
            f"{_day(-2)}); no replacement named"
        ],
        "warnings": [],
    }
    gone = env.run_cli("check", "--require", "gpt-99")
    assert gone.returncode == 1 and "gpt-99 is not in the catalog" in gone.stderr
    usage = env.run_cli("check", "--deprecations-within", "soon")
    assert usage.returncode == 2

    help_text = env.run_cli("check", "--help").stdout
    for needle in ("Exit codes:", "0  every required model", "1  a required model", "2  usage"):
        assert needle in help_text

    result = env.catalog().check(["gpt-4.1", "gpt-4o"])
    assert result == [] and result.warnings and "gpt-4.1" in result.warnings[0]


def test_check_is_met_by_any_living_match(env: Env, emulator: EmulatorFactory) -> None:
    """An id two providers list is retired only when both copies are; within DAYS looks at the
    one that lives longest."""
    oa = emulator("openai", models=[_oa("shared-model", _day(-1))])
    orouter = _openrouter(env, emulator, [_route("shared-model", "0.000003", expires=_day(5))])
    env.vars.update(OPENAI_API_KEY=oa.api_key, OPENAI_BASE_URL=oa.base_url)
    env.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    assert env.run_cli("sync").returncode == 0, orouter
    result = env.catalog().check(["shared-model"])
    assert result == [] and "(openrouter/shared-model) is deprecated" in result.warnings[0]
    assert env.catalog().check(["openai/shared-model"]) == [
        f"required model openai/shared-model is retired (openai/shared-model shut down on "
        f"{_day(-1)}); no replacement named"
    ]
    soon = env.catalog().check(["shared-model"], deprecations_within=7)
    assert soon == [
        f"required model shared-model (openrouter/shared-model) shuts down on {_day(5)} "
        "(in 5 days), within 7 days; no replacement named"
    ]


# -- kinds through ledger, diff, notifications, callbacks ----------------------------------------


class _Hook(BaseHTTPRequestHandler):
    received: list[Any]

    def do_POST(self) -> None:
        self.received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, list[Any]]]:
    received: list[Any] = []
    server = Loopback(type("H", (_Hook,), {"received": received}))
    yield f"{server.base}/models-hook", received
    server.stop()


def test_kinds_reach_diff_on_change_and_webhook(
    env: Env, emulator: EmulatorFactory, hook: tuple[str, list[Any]]
) -> None:
    url, received = hook
    sink = env.tmp / "payload.json"
    notify = ("--on-change", f"cat > {sink}", "--webhook", url)
    emu = _openrouter(
        env,
        emulator,
        [_route("anthropic/claude-x", "0.000003"), _route("openai/gpt-y", "0.0000025")],
    )
    assert env.run_cli("sync", *notify).returncode == 0
    assert not sink.exists() and received == []  # a first sync is a baseline

    shutdown = _day(40)
    emu.set_models(
        [
            _route("anthropic/claude-x", "0.0000035", expires=shutdown, cached="0.0000003"),
            _route("openai/gpt-y", "0.0000025"),
        ]
    )
    out = env.run_cli("sync", "--force", *notify)
    assert out.returncode == 0
    assert "change 1 (1 deprecation announced, 1 price changed)" in out.stdout

    payload = json.loads(sink.read_text())
    assert received == [payload]  # the webhook got the same JSON
    news = payload["providers"]["openrouter"]
    (change,) = news["changed"]
    assert change["kinds"] == ["deprecation_announced", "price_changed"]
    announced, priced = news["events"]
    assert announced == {
        "kind": "deprecation_announced",
        "id": "anthropic/claude-x",
        "changes": {
            "lifecycle": {"old": "active", "new": "deprecated"},
            "shutdown_date": {"old": None, "new": f"{shutdown}T00:00:00Z"},
        },
        "state": "deprecated",
        "shutdown_date": f"{shutdown}T00:00:00Z",
        "replacement": None,
    }
    assert priced == {
        "kind": "price_changed",
        "id": "anthropic/claude-x",
        "changes": {
            "input": {"old": "3", "new": "3.5"},
            "cached_input": {"old": None, "new": "0.3"},
        },
    }

    moved = _day(70)
    emu.set_models(
        [
            _route("anthropic/claude-x", "0.0000035", expires=moved, cached="0.0000003"),
            _route("openai/gpt-y", "0.0000025"),
        ]
    )
    assert env.run_cli("sync", "--force", *notify).returncode == 0
    news = json.loads(sink.read_text())["providers"]["openrouter"]
    (event,) = news["events"]
    assert event["kind"] == "shutdown_date_changed"
    assert event["changes"]["shutdown_date"] == {
        "old": f"{shutdown}T00:00:00Z",
        "new": f"{moved}T00:00:00Z",
    }
    assert received[-1] == json.loads(sink.read_text())

    # diff over the whole span nets the two syncs: announced (with the latest date) and priced.
    span = _json(env, "diff", "--last", "2", "--json")["providers"]["openrouter"]
    assert span["changed"][0]["kinds"] == ["deprecation_announced", "price_changed"]
    assert span["events"][0]["shutdown_date"] == f"{moved}T00:00:00Z"
    text = env.run_cli("diff", "--last", "2").stdout
    assert "~ anthropic/claude-x  [deprecation announced, price changed]" in text
    assert "price input: 3 -> 3.5" in text and "price cached_input: None -> 0.3" in text
    history = _json(env, "history", "--json")["entries"]
    assert history[0]["diff"]["changed"][0]["kinds"] == ["shutdown_date_changed"]
    assert "events" not in history[0]["diff"]  # the ledger keeps what events are made from


def test_callbacks_carry_the_kinds(env: Env, emulator: EmulatorFactory) -> None:
    emu = _mistral(env, emulator, [_card("codestral-2501"), _card("codestral-2508")])
    catalog = env.catalog()
    changes: list[SyncResult] = []
    lifecycle: list[ChangeEvent] = []
    catalog.on_change(changes.append)
    catalog.on_deprecation(lifecycle.append)

    @catalog.on_deprecation
    def broken(event: ChangeEvent) -> None:
        raise RuntimeError("a listener bug must not fail the sync")

    handle = catalog.provider("mistral")
    handle.sync_models()
    shutdown = f"{_day(60)}T12:00:00Z"
    emu.set_models(
        [
            _card("codestral-2501", deprecation=shutdown, replacement="codestral-latest"),
            _card("codestral-2508"),
        ]
    )
    assert handle.sync_models(force_refresh=True).status == "success"
    emu.set_models(
        [
            _card("codestral-2501", deprecation=shutdown, replacement="codestral-2508"),
            _card("codestral-2508"),
        ]
    )
    handle.sync_models(force_refresh=True)
    emu.set_models([_card("codestral-2501"), _card("codestral-2508")])
    handle.sync_models(force_refresh=True)

    assert [c.diff.changed[0].kinds for c in changes if c.diff] == [
        ["deprecation_announced"],
        ["replacement_changed"],
        ["deprecation_withdrawn"],
    ]
    assert [(e.kind, e.provider, e.id) for e in lifecycle] == [
        ("deprecation_announced", "mistral", "codestral-2501"),
        ("replacement_changed", "mistral", "codestral-2501"),
        ("deprecation_withdrawn", "mistral", "codestral-2501"),
    ]
    assert lifecycle[0].shutdown_date == shutdown
    assert lifecycle[0].replacement == "codestral-latest"
    assert lifecycle[1].changes["replacement"] == FieldChange("codestral-latest", "codestral-2508")
    assert lifecycle[2].state == "active" and lifecycle[2].label == "deprecation withdrawn"


def test_old_ledger_records_are_read_with_kinds(env: Env) -> None:
    """A record written before kinds existed (no ``kinds``, ``lifecycle`` or ``events``)."""
    catalog = env.catalog()
    old_diff = {
        "added": [],
        "removed": [],
        "changed": [
            {
                "id": "gpt-4-0613",
                "fields": {
                    "shutdown_date": {"old": None, "new": "2026-10-23T00:00:00Z"},
                    "lifecycle": {"old": "active", "new": "deprecated"},
                    "pricing": {
                        "old": {"state": "known", "input": "30", "source": "catalog"},
                        "new": {"state": "known", "input": "25", "source": "catalog"},
                    },
                },
            }
        ],
        "missing": [],
        "first_sync": False,
    }
    record = {
        "provider": "openai",
        "started_at": "2026-11-01T10:00:00+00:00",
        "finished_at": "2026-11-01T10:00:01+00:00",
        "status": "success",
        "diff": old_diff,
    }
    stream = Keys(catalog.settings.prefix, "openai").ledger
    catalog.store.put_many({}, append=LogAppend(stream, record, 10))
    (diff,) = catalog.diff("openai").values()
    assert diff.changed[0].kinds == ["deprecation_announced", "price_changed"]
    kinds = [e.kind for e in diff.events("openai")]
    assert kinds == ["deprecation_announced", "price_changed"]
    data = _json(env, "diff", "openai", "--json")["providers"]["openai"]
    assert data["events"][1]["changes"] == {"input": {"old": "30", "new": "25"}}
    assert _json(env, "history", "--json")["entries"][0]["diff"] == old_diff


def test_where_a_price_was_read_is_not_a_change() -> None:
    old = {"pricing": {"state": "known", "input": "2.50", "source": "catalog", "as_of": "2026-1"}}
    new = {"pricing": {"state": "known", "input": "2.5", "source": "user", "as_of": "2026-2"}}
    from modelsync.diff import changed_fields

    assert changed_fields(old, new) == {}
    tiered = {"pricing": {**new["pricing"], "tiers": [{"above_tokens": 200000, "input": "5"}]}}
    moved = changed_fields(new, tiered)
    assert list(moved) == ["pricing"]
    diff = Diff(changed=[ModelChange("m", moved)])
    (event,) = diff.events()
    assert event.changes == {"tiers": FieldChange(None, [{"above_tokens": 200000, "input": "5"}])}


def test_offline_deprecations_come_from_the_bundled_catalog(env: Env) -> None:
    """``--offline`` needs no store or key; it lists exactly the bundled entries the dates (or a
    stated state) put on their way out, decided now."""
    from modelsync.facts import load_bundled
    from modelsync.metadata import offline_rows

    rows, _ = offline_rows()
    expected = deprecations(rows)
    today = datetime.now(UTC).date()
    bundled = {
        (f.provider, f.id)
        for f in load_bundled()
        if f.shutdown_date
        or (f.deprecated_date and f.deprecated_date <= today)
        or f.lifecycle in ("deprecated", "retired")
    }
    assert {(d.provider, d.id) for d in expected} == bundled
    out = env.run_cli("deprecations", "--offline", "--json")
    assert out.returncode == 0 and "offline: the bundled catalog" in out.stderr
    data = json.loads(out.stdout)
    assert data["offline"] is True
    assert [(d["provider"], d["id"], d["state"]) for d in data["models"]] == [
        (d.provider, d.id, d.state) for d in expected
    ]
    assert not env.store_path.exists()  # no store was opened
