"""A canary key must never appear in a log line, exception, CLI output, repr or store file."""

from __future__ import annotations

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


# -- Amazon Bedrock: an API key, and AWS keys whose session token AWS echoes back -----------------

SESSION_CANARY = "IQoJb3JpZ2luX2VjCANARY+session/token=9f8e7d6c5b4a3928170615243342516"
BEDROCK_FRAGMENTS = (*FRAGMENTS, SESSION_CANARY, SESSION_CANARY[:16], SESSION_CANARY[-12:])


def _assert_bedrock_clean(text: str | bytes) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for fragment in BEDROCK_FRAGMENTS:
        assert fragment not in blob


def test_bedrock_api_key_canary_never_leaks(
    env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = emulator("bedrock", api_key=CANARY)
    env.vars.update(
        AWS_ENDPOINT_URL_BEDROCK=good.base_url,
        AWS_REGION="us-east-1",
        AWS_BEARER_TOKEN_BEDROCK=CANARY,
    )
    catalog = env.catalog()
    assert catalog.provider("bedrock").sync_models().status == "success"
    for obj in (catalog, catalog.engine("bedrock"), catalog.adapter("bedrock")):
        _assert_bedrock_clean(repr(obj))
    _assert_bedrock_clean(repr(catalog.adapter("bedrock").config))
    rejecting = emulator("bedrock", api_key="ABSK-a-different-key-000")
    env.vars["AWS_ENDPOINT_URL_BEDROCK"] = rejecting.base_url
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider("bedrock").sync_models(force_refresh=True)
    _assert_bedrock_clean(str(info.value) + repr(info.value))
    out = env.run_cli("sync", "bedrock", "--force", "-vv")
    assert out.returncode == 1
    _assert_bedrock_clean(out.stdout + out.stderr)
    _assert_bedrock_clean(env.run_cli("status", "--json").stdout)
    _assert_bedrock_clean(caplog.text)
    _assert_bedrock_clean(_store_bytes(env))


def test_bedrock_secret_key_and_session_token_never_leak(
    env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.emulators.providers_bedrock import bedrock_of

    caplog.set_level(logging.DEBUG)
    emu = emulator("bedrock")
    bedrock_of(emu).add_principal("ASIACANARYTEST000001", CANARY, SESSION_CANARY)
    env.vars.update(
        AWS_ENDPOINT_URL_BEDROCK=emu.base_url,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="ASIACANARYTEST000001",
        AWS_SECRET_ACCESS_KEY=CANARY,
        AWS_SESSION_TOKEN=SESSION_CANARY,
    )
    catalog = env.catalog()
    assert catalog.provider("bedrock").sync_models().status == "success"
    _assert_bedrock_clean(
        repr(catalog.adapter("bedrock")) + repr(catalog.adapter("bedrock").config)
    )
    # The server knows another secret now: AWS's answer quotes the canonical request, which
    # holds the session token. It must not come back out.
    bedrock_of(emu).add_principal("ASIACANARYTEST000001", "the-secret-aws-has", SESSION_CANARY)
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider("bedrock").sync_models(force_refresh=True)
    assert "signature we calculated does not match" in str(info.value)
    _assert_bedrock_clean(str(info.value) + repr(info.value))
    out = env.run_cli("sync", "bedrock", "--force", "-vv")
    assert out.returncode == 1
    _assert_bedrock_clean(out.stdout + out.stderr)
    _assert_bedrock_clean(env.run_cli("status", "--json").stdout)
    _assert_bedrock_clean(caplog.text)
    _assert_bedrock_clean(_store_bytes(env))
