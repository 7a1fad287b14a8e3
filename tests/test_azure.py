"""Issue 12: Azure OpenAI / AI Foundry against its loopback emulator.

Models and deployments, the link between them (metadata flows by ``base_model``), lifecycle from
Azure's deprecation timestamps, the three deployment sources (data plane, ARM with azure-identity
against a loopback managed-identity endpoint, declared), the v1 surface, key and Entra ID auth,
the missing-extra error, and the fault matrix.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelsync.catalog import Catalog
from modelsync.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    PermissionDeniedError,
    ProviderUnavailableError,
)
from modelsync.model import Model
from modelsync.providers.azure import model_family
from tests.emulators import Fault, ProviderEmulator, synthetic_models
from tests.emulators.providers_azure import (
    AZURE_MODELS,
    ENTRA_TOKEN,
    IDENTITY_HEADER,
    AzureProvider,
)
from tests.fixtures import BASE_ENV, KEY_ENV, TEST_KEYS, EmulatorFactory, Env

KEY_ENV["azure"] = "AZURE_OPENAI_API_KEY"
BASE_ENV["azure"] = "AZURE_OPENAI_ENDPOINT"
TEST_KEYS["azure"] = "0123456789abcdef0123456789abcdef"
MODEL_IDS = {e["id"] for e in AZURE_MODELS}
DEPLOYMENTS = {"chat", "gpt-4o-mini", "embeddings", "legacy-35"}


def provider_of(emu: ProviderEmulator) -> AzureProvider:
    spec = emu.spec
    assert isinstance(spec, AzureProvider)
    return spec


def by_id(catalog: Catalog) -> dict[str, Model]:
    return {m.id: m for m in catalog.models(provider="azure")}


def sync_error(env: Env) -> ModelSyncError:
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider("azure").sync_models(force_refresh=True)
    return info.value


def write_config(env: Env, text: str) -> None:
    path = env.tmp / "config.toml"
    path.write_text(text)
    env.vars["MODELSYNC_CONFIG"] = str(path)


@pytest.fixture
def entra(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``entra(env, emu)``: no key; azure-identity's DefaultAzureCredential finds the emulator's
    managed identity. azure-identity reads the process environment, so it is set there too."""

    def wire(env: Env, emu: ProviderEmulator) -> Env:
        for name in list(__import__("os").environ):
            if name.startswith(("AZURE_", "IDENTITY_", "MSI_")):
                monkeypatch.delenv(name)
        identity = {
            "IDENTITY_ENDPOINT": emu.origin + "/msi/token",
            "IDENTITY_HEADER": IDENTITY_HEADER,
        }
        for name, value in identity.items():
            monkeypatch.setenv(name, value)
        env.vars.pop("AZURE_OPENAI_API_KEY", None)
        env.vars.update(identity, AZURE_OPENAI_ENDPOINT=emu.base_url)
        return env

    return wire


# ------------------------------------------------------------------ emulator self-tests (httpx)


def test_emulator_speaks_the_documented_routes(emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    key = {"api-key": emu.api_key}
    with httpx.Client(base_url=emu.base_url, timeout=5) as c:
        ok = c.get("/openai/models", params={"api-version": "2024-10-21"}, headers=key)
        assert ok.status_code == 200 and ok.json()["object"] == "list"
        assert [e["id"] for e in ok.json()["data"]] == [e["id"] for e in AZURE_MODELS]
        assert c.get("/openai/models", headers=key).status_code == 404  # no api-version
        bad = c.get(
            "/openai/models", params={"api-version": "2024-10-21"}, headers={"api-key": "x"}
        )
        assert bad.status_code == 401
        assert bad.json()["error"]["message"].startswith(
            "Access denied due to invalid subscription"
        )
        entra = c.get(
            "/openai/models",
            params={"api-version": "2024-10-21"},
            headers={"authorization": "Bearer expired"},
        )
        assert entra.json()["statusCode"] == 401
        assert "audience is incorrect" in entra.json()["message"]
        old = c.get(
            "/openai/deployments", params={"api-version": "2023-03-15-preview"}, headers=key
        )
        assert old.json()["data"][0]["object"] == "deployment"
        ga = c.get("/openai/deployments", params={"api-version": "2024-10-21"}, headers=key)
        assert ga.status_code == 404  # removed from GA data planes
        v1 = c.get("/openai/v1/models", headers=key).json()["data"][0]
        assert set(v1) == {"id", "object", "created", "owned_by"}
        token = c.get(
            "/msi/token",
            params={"resource": "https://management.azure.com", "api-version": "2019-08-01"},
            headers={"x-identity-header": IDENTITY_HEADER},
        ).json()
        assert token["token_type"] == "Bearer" and int(token["expires_on"]) > time.time()
        provider_of(emu).arm_page_size = 2
        arm = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
        page = c.get(
            arm,
            params={"api-version": "2024-10-01"},
            headers={"authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert len(page["value"]) == 2 and "$skipToken=2" in page["nextLink"]
        assert c.get(arm, params={"api-version": "2024-10-01"}).status_code == 401


# ------------------------------------------------------------------------------ key auth


def test_key_sync_lists_deployments_linked_to_their_models(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("azure")
    catalog = env.wire(emu).catalog()
    handle = catalog.provider("azure")
    result = handle.sync_models()
    assert result.status == "success"
    models = by_id(catalog)
    # Every deployment, plus every model not shadowed by a deployment of the same name, once.
    assert set(models) == DEPLOYMENTS | (MODEL_IDS - DEPLOYMENTS)
    assert (
        result.models_synced == len(models) == 4 + 18
    )  # ada-002 listed twice, gpt-4o-mini shadowed
    paths = sorted((r.path, r.query.get("api-version")) for r in emu.requests)
    assert paths == [
        ("/openai/deployments", ["2023-03-15-preview"]),
        ("/openai/models", ["2024-10-21"]),
    ]
    assert all(r.headers["api-key"] == emu.api_key for r in emu.requests)
    assert all("authorization" not in r.headers for r in emu.requests)

    chat = models["chat"]
    assert (chat.base_model, chat.family, chat.name) == ("gpt-4o-2024-08-06", "gpt-4o", "chat")
    assert chat.capabilities["chat"].model_dump() == {"supported": True, "source": "api"}
    assert chat.capabilities["embeddings"].model_dump() == {"supported": False, "source": "api"}
    assert chat.shutdown_date == datetime.fromtimestamp(1755648000, UTC)  # deprecation.inference
    # Azure lists it as generally available; its inference date (2025-08-20) has passed, so it
    # reads as retired (the state is decided when read, from the dates).
    assert chat.lifecycle == "retired"
    # Curated facts found through the underlying model, never through the deployment's name.
    assert chat.context_window == 128000 and chat.sources["context_window"] == "catalog"
    assert chat.supports("vision") is True
    legacy = models["legacy-35"]
    assert legacy.base_model == "gpt-35-turbo-0613"
    assert legacy.capabilities["function_calling"].source == "rule"  # gpt-35 read as gpt-3.5
    embed = models["embeddings"]
    assert embed.supports("embeddings") is True and embed.supports("chat") is False
    # A deployment named like a model replaces that model's entry and carries its facts.
    mini = models["gpt-4o-mini"]
    assert mini.base_model == "gpt-4o-mini-2024-07-18"
    assert models["gpt-4o"].base_model is None  # a deployable model, not a deployment
    dalle = models["dall-e-3-3.0"]
    # Azure said preview; its inference date (2025-06-30) has passed, so it reads as retired.
    assert (dalle.lifecycle, dalle.family) == ("retired", "dall-e-3")
    assert dalle.shutdown_date == datetime.fromtimestamp(1751241600, UTC)
    assert models["davinci"].supports("completion") is True
    assert models["davinci"].shutdown_date == datetime(2024, 6, 14, tzinfo=UTC)

    again = handle.sync_models()
    assert (again.status, again.reason) == ("skipped", "cache_valid")
    assert emu.count() == 2


def test_statistics_count_deployments_families_and_lifecycles(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("azure")
    stats = env.wire(emu).catalog().provider("azure").sync_models().statistics
    assert stats is not None
    assert stats["deployments"] == 4
    assert stats["total_models"] == 22
    assert stats["gpt_4o_models"] == 8  # deployments chat and gpt-4o-mini, six gpt-4o* models
    assert stats["gpt_3_5_models"] == 4  # legacy-35 and three gpt-35-turbo models
    assert stats["embedding_models"] == 4
    assert stats["o_series_models"] == 2
    assert stats["by_lifecycle"] == {"active": 20, "preview": 2}
    assert stats["by_family"]["gpt-4o"] == 5
    assert stats["chat_models"] >= 13


def test_data_plane_without_deployments_keeps_the_models(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("azure")
    provider_of(emu).data_plane_deployments = False
    catalog = env.wire(emu).catalog()
    result = catalog.provider("azure").sync_models()
    assert result.status == "success"
    assert set(by_id(catalog)) == MODEL_IDS
    assert result.statistics is not None and result.statistics["deployments"] == 0


def test_declared_deployments_from_config_and_env(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    provider_of(emu).data_plane_deployments = False
    write_config(
        env,
        '[providers.azure]\ndeployments = { prod-chat = "gpt-4o-2024-11-20", o1 = "o1-2024-12-17" }\n'
        "include_models = false\n",
    )
    env.vars["AZURE_OPENAI_DEPLOYMENTS"] = "ignored=gpt-4o"  # the file wins
    catalog = env.wire(emu).catalog()
    catalog.provider("azure").sync_models()
    models = by_id(catalog)
    assert set(models) == {"prod-chat", "o1"}
    assert models["prod-chat"].shutdown_date == datetime.fromtimestamp(1766188800, UTC)
    assert models["o1"].supports("reasoning") is True

    env.vars["MODELSYNC_CONFIG"] = os.devnull
    env.vars["MODELSYNC_MAX_SHRINK"] = "1"  # the declared set changed on purpose
    env.vars["AZURE_OPENAI_DEPLOYMENTS"] = "bot=gpt-35-turbo-0125, vectors=text-embedding-3-small"
    catalog = env.catalog()
    catalog.provider("azure").sync_models(force_refresh=True)
    models = by_id(catalog)
    assert models["bot"].base_model == "gpt-35-turbo-0125"
    assert models["vectors"].supports("embeddings") is True
    assert "gpt-4o" in models  # include_models defaults to true


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('deployment = { a = "b" }', "unknown key(s) ['deployment']"),
        ('deployments = ["gpt-4o"]', "deployments must map deployment names"),
        ('auth = "password"', "auth must be auto, key or entra"),
        ("include_models = 1", "include_models must be true or false"),
        ('api_key = "sk-123"', "a secret in [providers.azure]"),
    ],
)
def test_bad_azure_tables_are_clear_configuration_errors(
    table: str, message: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("azure")
    write_config(env, f"[providers.azure]\n{table}\n")
    with pytest.raises(ConfigurationError) as info:
        env.wire(emu).catalog().adapter("azure")
    assert message in str(info.value)
    assert emu.count() == 0


def test_bad_env_deployments_are_a_configuration_error(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    env.wire(emu).vars["AZURE_OPENAI_DEPLOYMENTS"] = "chat"
    with pytest.raises(ConfigurationError, match="without name=model"):
        env.catalog().adapter("azure")


def test_v1_surface(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    provider_of(emu).data_plane_deployments = False
    env.wire(emu).vars["OPENAI_API_VERSION"] = "v1"
    catalog = env.catalog()
    assert catalog.provider("azure").sync_models().status == "success"
    [models_call] = [r for r in emu.requests if r.path.endswith("/models")]
    assert (models_call.path, models_call.query) == ("/openai/v1/models", {})
    m = by_id(catalog)["gpt-4o-2024-08-06"]
    assert m.owned_by == "openai" and m.created == datetime.fromtimestamp(1722902400, UTC)
    assert m.capabilities["chat"].source == "catalog"  # v1 entries state no capabilities
    assert by_id(catalog)["gpt-35-turbo-0613"].capabilities["chat"].source == "rule"


@pytest.mark.parametrize("suffix", ["", "/", "/openai", "/openai/v1/"])
def test_endpoint_written_as_sdks_write_it(
    suffix: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("azure")
    env.wire(emu).vars["AZURE_OPENAI_ENDPOINT"] = emu.base_url + suffix
    assert env.catalog().provider("azure").sync_models().status == "success"
    assert {r.path for r in emu.requests} == {"/openai/models", "/openai/deployments"}


def test_gateway_path_prefix_is_kept(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure", path_prefix="/apim/aoai")
    assert env.wire(emu).catalog().provider("azure").sync_models().status == "success"
    assert {r.path for r in emu.requests} == {
        "/apim/aoai/openai/models",
        "/apim/aoai/openai/deployments",
    }


def test_no_endpoint_is_a_clear_error(env: Env) -> None:
    env.vars["AZURE_OPENAI_API_KEY"] = "k" * 32
    catalog = env.catalog()
    assert catalog.is_configured("azure") is False
    with pytest.raises(ConfigurationError) as info:
        catalog.provider("azure")
    assert "AZURE_OPENAI_ENDPOINT" in str(info.value)


# ------------------------------------------------------------------------------ fault matrix


def test_bad_key_is_invalid_credentials_never_retried(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    env.wire(emu).vars["AZURE_OPENAI_API_KEY"] = "f" * 32
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError) and err.status_code == 401
    assert str(err).startswith("azure: Access denied due to invalid subscription key")
    assert "AZURE_OPENAI_API_KEY" in str(err)
    assert emu.count() <= 2  # the two concurrent first requests, no retries
    assert env.catalog().provider("azure").has_valid_credentials() is False


@pytest.mark.parametrize(
    ("kind", "needle"), [(None, "Public access is disabled"), ("rbac", "data action")]
)
def test_403_is_permission_denied(
    kind: str | None, needle: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("azure")
    emu.push(Fault.status(403, kind=kind), Fault.status(403, kind=kind))
    err = sync_error(env.wire(emu))
    assert isinstance(err, PermissionDeniedError) and needle in str(err)


def test_429_with_retry_after_then_success(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    provider_of(emu).data_plane_deployments = False
    env.wire(emu).vars["AZURE_OPENAI_DEPLOYMENTS"] = "chat=gpt-4o-2024-08-06"
    write_config(env, '[providers.azure]\ndeployments_api_version = ""\n')
    emu.push(Fault.status(429, retry_after="0.2"))
    started = time.monotonic()
    result = env.catalog().provider("azure").sync_models()
    assert result.status == "success" and result.retries == 1
    assert time.monotonic() - started >= 0.2
    assert emu.count() == 2  # only the models list: deployments are declared, the route is off


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_then_success(status: int, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    emu.push(Fault.status(status), Fault.status(status))
    result = env.wire(emu).catalog().provider("azure").sync_models()
    assert result.status == "success" and result.retries == 2


def test_exhausted_retries_keep_the_last_good_catalog(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    catalog = env.wire(emu).catalog()
    catalog.provider("azure").sync_models()
    before = [m.to_dict() for m in catalog.models(provider="azure")]
    emu.push(*[Fault.status(503) for _ in range(20)])
    assert isinstance(sync_error(env), ProviderUnavailableError)
    assert [m.to_dict() for m in env.catalog().models(provider="azure")] == before


@pytest.mark.parametrize("fault", ["malformed", "html", "wrong_shape"])
def test_bad_answers_are_malformed(fault: str, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    provider_of(emu).data_plane_deployments = False
    make = {"malformed": Fault.malformed, "html": Fault.html, "wrong_shape": Fault.wrong_shape}
    write_config(env, '[providers.azure]\ndeployments_api_version = ""\n')
    emu.push(make[fault]())
    err = sync_error(env.wire(emu))
    assert isinstance(err, MalformedResponseError)
    assert emu.count() == 1


def test_malformed_deployment_list_fails_the_sync(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    provider_of(emu).deployments = [{"id": "chat"}]  # no model: not a deployment
    err = sync_error(env.wire(emu))
    assert isinstance(err, MalformedResponseError) and "deployment list" in str(err)


def test_timeout_is_provider_unavailable(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    env.wire(emu).vars.update(MODELSYNC_REQUEST_TIMEOUT="0.2", MODELSYNC_MAX_RETRIES="0")
    emu.push(Fault.hang(3), Fault.hang(3))
    started = time.monotonic()
    assert isinstance(sync_error(env), ProviderUnavailableError)
    assert time.monotonic() - started < 2


def test_random_shapes_never_crash(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    write_config(env, '[providers.azure]\ndeployments_api_version = ""\n')
    catalog = env.wire(emu).catalog(max_shrink=1.0, max_retries=0)
    catalog.provider("azure").sync_models()
    weird: list[Any] = [
        {"data": [{"id": "m", "deprecation": {"inference": 10**20}, "capabilities": None}]},
        {"data": [{"id": "m", "created_at": -5, "lifecycle_status": "deprecating"}]},
        {"data": [{"id": 5}]},
        {"data": [{"id": "m", "capabilities": {"chat_completion": [1]}}]},
        {"data": None},
    ]
    outcomes = []
    for body in weird:
        emu.push(Fault.raw(200, json.dumps(body)))
        try:
            catalog.provider("azure").sync_models(force_refresh=True)
            outcomes.append("ok")
        except MalformedResponseError:
            outcomes.append("malformed")
    assert outcomes == ["ok", "ok", "malformed", "malformed", "malformed"]
    [model] = catalog.models(provider="azure")
    assert (model.id, model.lifecycle, model.created) == ("m", "deprecated", None)


# ------------------------------------------------------------------------------ Entra ID


def test_static_entra_token_is_sent_as_bearer(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    env.vars["AZURE_OPENAI_ENDPOINT"] = emu.base_url
    env.vars["AZURE_OPENAI_AD_TOKEN"] = ENTRA_TOKEN
    catalog = env.catalog()
    assert catalog.is_configured("azure")
    assert catalog.provider("azure").sync_models().status == "success"
    assert all(r.headers["authorization"] == f"Bearer {ENTRA_TOKEN}" for r in emu.requests)
    assert all("api-key" not in r.headers for r in emu.requests)
    env.vars["AZURE_OPENAI_AD_TOKEN"] = "expired-token"
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError)
    assert "audience is incorrect" in str(err) and "expired-token" not in str(err)
    assert "AZURE_OPENAI_AD_TOKEN" in str(err)


def test_azure_identity_signs_in_through_a_loopback_managed_identity(
    env: Env, emulator: EmulatorFactory, entra: Any
) -> None:
    emu = emulator("azure")
    entra(env, emu)
    catalog = env.catalog()
    assert catalog.is_configured("azure")  # Entra variables, no key
    assert catalog.provider("azure").sync_models().status == "success"
    [(token, resource)] = provider_of(emu).issued
    assert resource == "https://cognitiveservices.azure.com"
    data = [r for r in emu.requests if r.path.startswith("/openai")]
    assert {r.headers["authorization"] for r in data} == {f"Bearer {token}"}


def test_arm_deployments_paged_with_a_management_token(
    env: Env, emulator: EmulatorFactory, entra: Any
) -> None:
    emu = emulator("azure")
    provider_of(emu).arm_page_size = 2
    entra(env, emu).vars.update(AZURE_SUBSCRIPTION_ID="sub-1", AZURE_RESOURCE_GROUP="rg-ai")
    write_config(
        env, f'[providers.azure]\narm_endpoint = "{emu.origin}"\naccount = "contoso-aoai"\n'
    )
    catalog = env.catalog()
    result = catalog.provider("azure").sync_models()
    assert result.status == "success"
    arm = [r for r in emu.requests if r.path.startswith("/subscriptions/")]
    assert [r.path for r in arm] == [
        "/subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/"
        "accounts/contoso-aoai/deployments"
    ] * 3
    assert [r.query.get("$skipToken") for r in arm] == [None, ["2"], ["4"]]
    resources = sorted(res for _, res in provider_of(emu).issued)
    assert resources == ["https://cognitiveservices.azure.com", "https://management.azure.com"]
    assert not any(r.path == "/openai/deployments" for r in emu.requests)  # ARM replaces it
    models = by_id(catalog)
    assert (
        models["chat"].base_model == "gpt-4o-2024-08-06" and models["chat"].version == "2024-08-06"
    )
    assert "GlobalStandard" in (models["chat"].description or "")
    assert models["reasoner"].base_model == "o3-mini-2025-01-31"
    assert models["embeddings"].base_model == "text-embedding-3-large"
    deepseek = models["deepseek"]  # a partner model the OpenAI list does not know
    assert (deepseek.base_model, deepseek.family, deepseek.version) == (
        "DeepSeek-R1",
        "DeepSeek-R1",
        "1",
    )
    assert result.statistics is not None and result.statistics["deployments"] == 5


def test_arm_loop_and_foreign_next_link_are_refused(
    env: Env, emulator: EmulatorFactory, entra: Any
) -> None:
    emu = emulator("azure")
    provider_of(emu).arm_page_size = 2
    entra(env, emu).vars.update(AZURE_SUBSCRIPTION_ID="s", AZURE_RESOURCE_GROUP="g")
    write_config(env, f'[providers.azure]\narm_endpoint = "{emu.origin}"\n')
    catalog = env.catalog()
    catalog.provider("azure").sync_models()
    before = by_id(catalog)
    emu.cursor_fault = "repeat"
    err = sync_error(env)
    assert isinstance(err, MalformedResponseError) and "loops" in str(err)
    emu.cursor_fault = None
    write_config(env, '[providers.azure]\narm_endpoint = "http://127.0.0.2:1"\n')
    err = sync_error(env)  # the first page is at 127.0.0.2: unreachable, nothing sent elsewhere
    assert isinstance(err, ProviderUnavailableError)
    assert set(by_id(env.catalog())) == set(before)


def test_arm_token_rejected_is_invalid_credentials(
    env: Env, emulator: EmulatorFactory, entra: Any
) -> None:
    emu = emulator("azure")
    entra(env, emu).vars.update(AZURE_SUBSCRIPTION_ID="s", AZURE_RESOURCE_GROUP="g")
    write_config(env, f'[providers.azure]\narm_endpoint = "{emu.origin}"\n')
    provider_of(emu).arm_accepts_issued = False
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError) and err.status_code == 401
    assert "The access token is invalid" in str(err)
    assert env.catalog().models(provider="azure") == []


def test_missing_extra_is_a_one_line_error_naming_it(
    env: Env, emulator: EmulatorFactory, entra: Any
) -> None:
    emu = emulator("azure")
    entra(env, emu)
    script = (
        "import sys; sys.modules['azure'] = None; sys.modules['azure.identity'] = None\n"
        "from modelsync.cli import main; main(['sync', 'azure'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env.vars,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 1
    text = out.stdout + out.stderr
    assert "pip install 'modelsync[azure]'" in text
    assert "Traceback" not in text
    # Key auth and every other command work without the extra.
    env.vars["AZURE_OPENAI_API_KEY"] = emu.api_key
    script = script.replace("['sync', 'azure']", "['sync', 'azure', '--json']")
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env.vars,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert '"status": "success"' in out.stdout


def test_import_modelsync_does_not_import_azure_identity(env: Env) -> None:
    code = (
        "import sys, modelsync\n"
        "from modelsync.catalog import Catalog\n"
        "Catalog().describe_providers()\n"
        "import modelsync.providers.azure\n"
        "print(sorted(m for m in sys.modules if m.startswith('azure')))"
    )
    env.vars["AZURE_OPENAI_ENDPOINT"] = "https://contoso.openai.azure.com"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env.vars,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------ CLI rows


def test_providers_and_status_rows(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure")
    env.wire(emu)
    rows = {r["provider"]: r for r in env.catalog().describe_providers()}
    azure = rows["azure"]
    assert azure["key_env"] == ["AZURE_OPENAI_API_KEY"] and azure["configured"] is True
    assert azure["base_url_env"] == "AZURE_OPENAI_ENDPOINT" and azure["base_url"] == emu.base_url
    out = env.run_cli("providers")
    assert "azure" in out.stdout and "AZURE_OPENAI_API_KEY" in out.stdout
    assert env.run_cli("sync", "azure").returncode == 0
    status = env.run_cli("status")
    line = next(ln for ln in status.stdout.splitlines() if ln.strip().startswith("azure"))
    assert "fresh" in line and re.search(r"\b22\s+models\b", line)


def test_model_family_strips_only_versions() -> None:
    assert model_family("gpt-4o-2024-08-06") == "gpt-4o"
    assert model_family("gpt-35-turbo-0613") == "gpt-35-turbo"
    assert model_family("dall-e-3-3.0") == "dall-e-3"
    assert model_family("text-embedding-ada-002") == "text-embedding-ada-002"
    assert model_family("gpt-4") == "gpt-4"


def test_many_models_in_one_page(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("azure", models=synthetic_models("azure", 400))
    provider_of(emu).deployments = []
    result = env.wire(emu).catalog().provider("azure").sync_models()
    assert result.models_synced == 400 and result.pages == 2  # models + (empty) deployments


# ------------------------------------------------------------------------------ secrets

CANARY = "sk-CANARY-7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e"


def _clean(blob: str | bytes) -> None:
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    for fragment in (CANARY, CANARY[:10], CANARY[-8:], ENTRA_TOKEN, "identity-header-test"):
        assert fragment not in text


def test_canary_key_and_tokens_never_leak(
    env: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emu = emulator("azure", api_key=CANARY)
    catalog = env.wire(emu).catalog()
    assert catalog.provider("azure").sync_models().status == "success"
    for obj in (
        catalog,
        catalog.engine("azure"),
        catalog.adapter("azure"),
        catalog.adapter("azure").config,
    ):
        _clean(repr(obj))
    env.vars["AZURE_OPENAI_API_KEY"] = CANARY[:-1] + "X"
    _clean(str(sync_error(env)))
    env.vars.pop("AZURE_OPENAI_API_KEY")
    env.vars["AZURE_OPENAI_AD_TOKEN"] = ENTRA_TOKEN
    emu.push(*[Fault.status(500) for _ in range(10)])
    err = sync_error(env)
    _clean(str(err))
    _clean(repr(env.catalog().adapter("azure")))
    out = env.run_cli("sync", "azure", "--force", "-vv")
    _clean(out.stdout + out.stderr)
    for record in caplog.records:
        _clean(record.getMessage())
    _clean(b"".join(Path(p).read_bytes() for p in env.tmp.glob("catalog.db*")))


def test_one_catalog_signs_in_across_many_blocking_syncs(
    env: Env, emulator: EmulatorFactory, entra: Any
) -> None:
    """Each blocking sync runs in a new event loop; the token cache must work in every one."""
    emu = emulator("azure")
    entra(env, emu).vars.update(AZURE_SUBSCRIPTION_ID="s", AZURE_RESOURCE_GROUP="g")
    write_config(env, f'[providers.azure]\narm_endpoint = "{emu.origin}"\n')
    catalog = env.catalog()
    for _ in range(2):
        assert catalog.provider("azure").sync_models(force_refresh=True).status == "success"
    assert len(provider_of(emu).issued) == 2  # one token per scope, cached across the syncs


def test_token_cache_waits_in_every_event_loop() -> None:
    """Concurrent requests for a token that must be refreshed wait on one lock; a blocking
    ``Catalog`` runs each sync in a new loop, so that lock must not belong to the first."""
    from azure.core.credentials import AccessToken

    from modelsync.providers.azure_auth import COGNITIVE_SCOPE, TokenCache

    class ShortLived:  # azure-identity's credential protocol; tokens inside the refresh margin
        calls = 0

        def get_token(self, scope: str) -> AccessToken:
            self.calls += 1
            time.sleep(0.05)
            return AccessToken(f"token-{self.calls}", int(time.time()) + 60)

    issuer = ShortLived()
    cache = TokenCache("azure")
    cache._credential = issuer

    async def two_at_once() -> tuple[str, str]:
        return await asyncio.gather(cache.token(COGNITIVE_SCOPE), cache.token(COGNITIVE_SCOPE))

    got = [asyncio.run(two_at_once()) for _ in range(3)]
    assert issuer.calls == 6 and len({t for pair in got for t in pair}) == 6
