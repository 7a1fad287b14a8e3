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


def test_canary_never_in_any_served_route(env: Env, emulator: EmulatorFactory) -> None:
    """Every route of ``modelsync serve`` (and MCP's and export's outputs share the code): no
    key, no fragment of it, no stored fingerprint, in any body or header, and not in its log."""
    import httpx

    from modelsync.export import FORMATS
    from modelsync.sync import Keys
    from tests.serving import serve

    emu = emulator("openai", api_key=CANARY)
    env.wire(emu)
    catalog = env.catalog()
    assert catalog.sync().exit_code == 0
    fingerprint = catalog.store.get_value(Keys(catalog.settings.prefix, "openai").fingerprint)
    catalog.close()
    assert isinstance(fingerprint, str) and fingerprint
    env.vars["MODELSYNC_SERVE_TOKEN"] = "secrets-test-token-0123456789"
    server = serve(env.vars, env.tmp / "serve.log")
    auth = {"Authorization": "Bearer secrets-test-token-0123456789"}
    paths = [
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/models",
        "/api/models",
        "/api/models?include_missing=true",
        "/api/models/openai/gpt-4o",
        "/api/models/openai/not-a-model",
        "/api/providers",
        "/api/history?limit=500",
        "/api/diff?last=5",
        "/api/check?require=gpt-4o&require=nope",
        "/api.json",
        "/",
        "/models/openai/gpt-4o",
        *(f"/export/{fmt}" for fmt in FORMATS),
    ]
    try:
        for path in paths:
            answer = httpx.get(server.url + path, headers=auth, timeout=10)
            assert answer.status_code < 500, path
            blob = answer.text + json.dumps(dict(answer.headers))
            _assert_clean(blob)
            assert fingerprint not in blob, path
            assert fingerprint[:16] not in blob, path
    finally:
        server.stop()
    log = server.output()
    _assert_clean(log)
    assert "secrets-test-token" not in log
    out = env.run_cli("export", "--format", "litellm-config")
    _assert_clean(out.stdout + out.stderr)
    assert "os.environ/OPENAI_API_KEY" in out.stdout
