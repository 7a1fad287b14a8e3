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


def test_canary_never_leaks_through_a_litellm_proxy(
    env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The LiteLLM proxy emulator (item 9): good key, then the canary as a wrong key (400
    no_db_connection), across logs, errors, CLI output and the store file."""
    from tests.adapters_live import wire

    caplog.set_level(logging.DEBUG)
    emu = emulator("litellm", api_key=CANARY)
    wire(env, emu)
    assert env.catalog().provider("openai-compatible").sync_models().status == "success"
    shown = env.run_cli("models", "--json")
    _assert_clean(shown.stdout + shown.stderr)
    rejecting = emulator("litellm", api_key="sk-a-different-master-key-000")
    wire(env, rejecting, key=CANARY)
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider("openai-compatible").sync_models(force_refresh=True)
    _assert_clean(str(info.value))
    _assert_clean(repr(info.value))
    out = env.run_cli("sync", "openai-compatible", "--force", "-vv")
    assert out.returncode == 1
    _assert_clean(out.stdout + out.stderr)
    _assert_clean(caplog.text)


# Issue 12: the OpenAI-compatible presets (Azure's key and Entra tokens: tests/test_azure.py).
_PRESETS: tuple[str, ...] = ("cerebras", "huggingface", "deepinfra", "nebius", "sambanova")
_PRESETS += ("nvidia", "moonshot", "perplexity", "lmstudio", "llamacpp", "vllm", "litellm")


@pytest.mark.parametrize("provider", _PRESETS)
def test_canary_never_leaks_from_a_preset(
    provider: str, env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    from modelsync.providers import adapter_class

    spec = adapter_class(provider).spec
    caplog.set_level(logging.DEBUG)
    good = emulator(provider, api_key=CANARY)
    env.vars.update({spec.key_envs[0]: CANARY, spec.base_url_env: good.base_url})
    catalog = env.catalog()
    assert catalog.provider(provider).sync_models().status == "success"
    for obj in (catalog, catalog.engine(provider), catalog.adapter(provider)):
        _assert_clean(repr(obj))
    rejecting = emulator(provider, api_key="a-different-accepted-key-000")
    env.vars[spec.base_url_env] = rejecting.base_url
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider(provider).sync_models(force_refresh=True)
    _assert_clean(str(info.value))
    env.vars[spec.base_url_env] = good.base_url
    good.push(*[Fault.status(500) for _ in range(10)])
    out = env.run_cli("sync", provider, "--force", "-vv")
    _assert_clean(out.stdout + out.stderr)
    for record in caplog.records:
        _assert_clean(record.getMessage())
    _assert_clean(_store_bytes(env))


def test_canary_never_in_connection_errors_or_configuration_messages(env: Env) -> None:
    """Connection errors name the URL and the setting that chose it (issue 9, item 13), and
    missing-key errors name the variable (item 12): never the key, userinfo or a query."""
    catalog = env.catalog()
    catalog.add_provider(
        "leaky",
        "openai-compatible",
        base_url=f"http://user:{CANARY}@127.0.0.1:9/v1?key={CANARY}",
    )
    catalog.add_provider("keyed", "openai", base_url="http://127.0.0.1:9/v1", api_key=CANARY)
    report = catalog.sync(["leaky", "keyed"])
    for result in report:
        assert result.error and "127.0.0.1:9" in result.error
        _assert_clean(result.error)
    _assert_clean(repr(catalog.adapter("keyed").config))
    env.vars["OPENAI_API_KEY"] = CANARY
    env.vars["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"
    for args in (["sync", "openai", "--json"], ["providers", "--json"], ["status"], ["providers"]):
        out = env.run_cli(*args)
        _assert_clean(out.stdout + out.stderr)


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
