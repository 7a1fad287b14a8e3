"""A canary key must never appear in a log line, exception, CLI output, repr or store file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from modelsync.errors import ModelSyncError
from modelsync.redact import redact
from tests.emulators import Fault
from tests.fixtures import CORE, KEY_ENV, EmulatorFactory, Env

CANARY = "sk-CANARY-7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e"
# Fragments a provider's masked echo would leak (prefix and suffix).
FRAGMENTS = (CANARY, CANARY[:10], CANARY[-8:])


def _store_bytes(env: Env) -> bytes:
    data = b""
    for path in env.tmp.glob("catalog.db*"):
        data += Path(path).read_bytes()
    return data


def _assert_clean(text: str | bytes) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for fragment in FRAGMENTS:
        assert fragment not in blob


@pytest.mark.parametrize("provider", CORE)
def test_canary_never_leaks_on_success_or_failure(
    provider: str, env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = emulator(provider, api_key=CANARY)
    env.wire(good)
    catalog = env.catalog()
    assert catalog.provider(provider).sync_models().status == "success"
    _assert_clean(repr(catalog))
    _assert_clean(repr(catalog.engine(provider)))
    _assert_clean(repr(catalog.adapter(provider)))
    _assert_clean(repr(catalog.adapter(provider).config))
    _assert_clean(repr(catalog.provider(provider)))

    # Another host rejects the canary: the provider echoes it back (masked) in its error.
    rejecting = emulator(provider, api_key="a-different-accepted-key-000")
    env.wire(rejecting).vars[KEY_ENV[provider]] = CANARY
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider(provider).sync_models(force_refresh=True)
    _assert_clean(str(info.value))
    _assert_clean(repr(info.value))
    # Failures from several kinds of answers, all echoing nothing.
    env.wire(good)
    good.push(*[Fault.status(500) for _ in range(10)])
    with pytest.raises(ModelSyncError) as info2:
        env.catalog().provider(provider).sync_models(force_refresh=True)
    _assert_clean(str(info2.value))

    for record in caplog.records:
        _assert_clean(record.getMessage())
    _assert_clean(caplog.text)
    _assert_clean(_store_bytes(env))


def test_canary_never_in_cli_output(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", api_key=CANARY)
    env.wire(emu)
    for args in (
        ["sync", "-vv"],
        ["sync", "--json", "--force"],
        ["status"],
        ["models", "--json"],
        ["status", "--json"],
        ["sync", "--dry-run", "-v"],
    ):
        out = env.run_cli(*args)
        _assert_clean(out.stdout + out.stderr)
    env.vars[KEY_ENV["openai"]] = CANARY[:-1] + "X"  # wrong key: the emulator echoes it masked
    out = env.run_cli("sync", "--force", "-vv")
    assert out.returncode == 1
    _assert_clean(out.stdout + out.stderr)
    out = env.run_cli("status", "--json")
    _assert_clean(out.stdout + out.stderr)
    _assert_clean(_store_bytes(env))


def test_redact_removes_keys_masked_keys_and_query_keys() -> None:
    text = (
        f"bad key {CANARY}; Incorrect API key provided: sk-CA****1c3e. "
        "GET https://x.test/v1beta/models?key=AIzaSECRET&pageSize=5 Bearer abcdef123456"
    )
    cleaned = redact(text, [CANARY])
    _assert_clean(cleaned)
    assert "AIzaSECRET" not in cleaned
    assert "abcdef123456" not in cleaned
    assert "pageSize=5" in cleaned


@pytest.mark.parametrize("provider", CORE)
def test_canary_never_follows_a_redirect_to_another_origin(
    provider: str, env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The redirect target gets nothing; the refusal names its origin and never the key, even
    when the provider's ``Location`` echoes the key in its query string."""
    caplog.set_level(logging.DEBUG)
    good = emulator(provider, api_key=CANARY)
    target = emulator(provider, api_key=CANARY)
    env.wire(good)
    location = f"{target.origin}/v1/models?key={CANARY}&user=me:{CANARY[:12]}"
    good.push(Fault.raw(302, "", {"location": location}, content_type="text/plain"))
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider(provider).sync_models()
    assert info.value.error_type == "redirect_refused"
    assert target.origin in str(info.value)
    assert target.requests == []
    _assert_clean(str(info.value))
    _assert_clean(repr(info.value))
    # modelsync's own log lines (httpcore's DEBUG trace prints raw response headers, including
    # a Location that echoes the key; that logger is the application's to configure).
    for record in caplog.records:
        if record.name.startswith("modelsync"):
            _assert_clean(record.getMessage())
    _assert_clean(_store_bytes(env))
    good.push(Fault.raw(302, "", {"location": location}, content_type="text/plain"))
    out = env.run_cli("sync", provider, "--json", "-vv")
    assert out.returncode == 1 and target.requests == []
    _assert_clean(out.stdout + out.stderr)


def test_canary_never_leaks_through_ollama_show_or_lifecycle_output(
    env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The key rides on every ``/api/show`` too; a failing one becomes a warning (result, ledger,
    log) that names the model, never the key; ``deprecations`` and ``check`` print none."""
    from tests.emulators import default_models

    caplog.set_level(logging.DEBUG)
    models = default_models("ollama")
    models[0]["_show"] = None  # its /api/show answers 404
    emu = emulator("ollama", api_key=CANARY, models=models)
    env.vars.update(OLLAMA_HOST=emu.base_url, OLLAMA_API_KEY=CANARY)
    result = env.catalog().provider("ollama").sync_models()
    assert result.status == "success" and len(result.warnings) == 1
    assert any(r.path == "/api/show" for r in emu.requests)
    _assert_clean(json.dumps(result.to_dict()))
    _assert_clean(json.dumps(env.catalog().history("ollama")))
    _assert_clean(caplog.text)
    for args in (
        ["sync", "--force", "--json", "-vv"],
        ["deprecations", "--json"],
        ["deprecations"],
        ["check", "--require", "llama3.2:latest", "--deprecations-within", "30", "--json"],
        ["diff", "--json"],
    ):
        out = env.run_cli(*args)
        _assert_clean(out.stdout + out.stderr)
    _assert_clean(_store_bytes(env))
