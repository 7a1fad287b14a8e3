"""Amazon Bedrock against its emulator: SigV4 checked for real, API keys, the AWS credential chain
(environment, profiles, credential_process, SSO), the fault matrix, pages, normalization, vendor
facts without vendor prices, statistics, and the providers/status rows."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from modelsync.catalog import Catalog
from modelsync.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
)
from modelsync.model import Model
from modelsync.providers.bedrock import BedrockConfig
from tests.emulators import Fault, ProviderEmulator, default_models, synthetic_models
from tests.emulators.providers_bedrock import (
    ACCESS_KEY_ID,
    API_KEY,
    SECRET_ACCESS_KEY,
    bedrock_of,
    sigv4_env,
)
from tests.fixtures import EmulatorFactory, Env
from tests.random_answers import succeed_or_malformed
from tests.test_modelsdev import ModelsDevServer

SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
US_SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
LEGACY = "anthropic.claude-3-7-sonnet-20250219-v1:0"
UNDATED_LEGACY = "anthropic.claude-3-5-sonnet-20241022-v2:0"
APP_PROFILE = "a1b2c3d4e5f6"
N_MODELS = len(default_models("bedrock"))


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """botocore also reads the process environment: no developer credentials, no metadata
    service, no real ~/.aws (SSO caches) in these tests."""
    import os

    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def bedrock(emulator: EmulatorFactory) -> ProviderEmulator:
    return emulator("bedrock", api_key=API_KEY)


def sigv4(env: Env, emu: ProviderEmulator, **extra: str) -> Env:
    env.vars.update(sigv4_env(emu, **extra))
    return env


def bearer(env: Env, emu: ProviderEmulator, key: str = API_KEY) -> Env:
    env.vars.update(
        AWS_ENDPOINT_URL_BEDROCK=emu.base_url, AWS_REGION="us-east-1", AWS_BEARER_TOKEN_BEDROCK=key
    )
    return env


def sync_error(env: Env) -> ModelSyncError:
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider("bedrock").sync_models(force_refresh=True)
    return info.value


def by_id(catalog: Catalog) -> dict[str, Model]:
    return {m.id: m for m in catalog.models(provider="bedrock")}


def region_of(catalog: Catalog, name: str) -> str | None:
    config = catalog.adapter(name).config
    assert isinstance(config, BedrockConfig)
    return config.region


def write_aws_files(env: Env, config: str, credentials: str = "") -> None:
    aws_dir = Path(env.vars["HOME"]) / ".aws"
    aws_dir.mkdir(parents=True, exist_ok=True)
    (aws_dir / "config").write_text(textwrap.dedent(config))
    (aws_dir / "credentials").write_text(textwrap.dedent(credentials))


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


# ------------------------------------------------------------------ emulator self-tests (httpx)


def test_emulator_wants_a_signature_or_an_api_key(
    bedrock: ProviderEmulator, client: httpx.Client
) -> None:
    r = client.get(f"{bedrock.base_url}/foundation-models")
    assert r.status_code == 403
    assert r.headers["x-amzn-errortype"].startswith("MissingAuthenticationTokenException:")
    assert r.json() == {"message": "Missing Authentication Token"}
    ok = client.get(
        f"{bedrock.base_url}/foundation-models", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert ok.status_code == 200
    assert ok.json()["modelSummaries"][0]["modelId"] == SONNET
    bad = client.get(
        f"{bedrock.base_url}/inference-profiles",
        headers={"Authorization": "Bearer ABSKnot-the-key"},
    )
    assert (bad.status_code, bad.json()) == (
        403,
        {"Message": "Authentication failed: Please make sure your API Key is valid."},
    )
    shape = client.get(
        f"{bedrock.base_url}/inference-profiles", headers={"Authorization": "Bearer sk-123"}
    )
    assert shape.json() == {"Message": "Invalid API Key format: Must start with pre-defined prefix"}


def test_emulator_pages_profiles_and_validates_like_aws(
    bedrock: ProviderEmulator, client: httpx.Client
) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    url = f"{bedrock.base_url}/inference-profiles"
    first = client.get(url, params={"maxResults": "4"}, headers=auth).json()
    assert len(first["inferenceProfileSummaries"]) == 4
    token = first["nextToken"]
    assert any(c in token for c in "+/=")  # opaque tokens must survive the query string
    rest = client.get(url, params={"maxResults": "1000", "nextToken": token}, headers=auth).json()
    assert "nextToken" not in rest
    assert len(first["inferenceProfileSummaries"]) + len(rest["inferenceProfileSummaries"]) == 10
    apps = client.get(url, params={"type": "APPLICATION"}, headers=auth).json()
    assert [p["inferenceProfileId"] for p in apps["inferenceProfileSummaries"]] == [APP_PROFILE]
    too_many = client.get(url, params={"maxResults": "1001"}, headers=auth)
    assert too_many.status_code == 400
    assert too_many.headers["x-amzn-errortype"].startswith("ValidationException:")
    assert "less than or equal to 1000" in too_many.json()["message"]
    filtered = client.get(
        f"{bedrock.base_url}/foundation-models",
        params={"byOutputModality": "EMBEDDING"},
        headers=auth,
    ).json()
    assert [m["modelId"] for m in filtered["modelSummaries"]] == ["amazon.titan-embed-text-v2:0"]
    details = client.get(
        f"{bedrock.base_url}/foundation-models/{UNDATED_LEGACY.replace(':', '%3A')}", headers=auth
    ).json()["modelDetails"]
    assert details["modelLifecycle"]["endOfLifeTime"] == "2026-03-01T00:00:00Z"
    missing = client.get(f"{bedrock.base_url}/foundation-models/nope.nope-v1", headers=auth)
    assert missing.status_code == 404


# ------------------------------------------------------------------ a real sync, signed


def test_sigv4_sync_lists_models_and_profiles(env: Env, bedrock: ProviderEmulator) -> None:
    catalog = sigv4(env, bedrock).catalog()
    result = catalog.provider("bedrock").sync_models()
    assert result.status == "success"
    assert result.models_synced == N_MODELS
    # One list of models, one page of profiles, one GetFoundationModel for the undated LEGACY.
    assert (result.requests, result.pages) == (3, 2)
    assert bedrock_of(bedrock).authenticated == [ACCESS_KEY_ID] * 3
    paths = sorted(r.path for r in bedrock.requests)
    assert paths == [
        "/foundation-models",
        f"/foundation-models/{UNDATED_LEGACY.replace(':', '%3A')}",
        "/inference-profiles",
    ]
    profiles = next(r for r in bedrock.requests if r.path == "/inference-profiles")
    assert profiles.query == {"maxResults": ["1000"]}
    assert profiles.headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/"
    )
    assert "/us-east-1/bedrock/aws4_request" in profiles.headers["authorization"]
    assert "SignedHeaders=host;x-amz-date," in profiles.headers["authorization"]
    ids = set(by_id(catalog))
    assert {SONNET, US_SONNET, APP_PROFILE, "global.anthropic.claude-opus-4-6-v1"} <= ids
    # The second sync is served from the store.
    again = catalog.provider("bedrock").sync_models()
    assert (again.status, again.reason) == ("skipped", "cache_valid")


def test_temporary_credentials_send_the_session_token(env: Env, bedrock: ProviderEmulator) -> None:
    bedrock_of(bedrock).add_principal("ASIAEMULATORTEMP0001", "temp-secret-0123456789", "tok//en+=")
    sigv4(
        env,
        bedrock,
        AWS_ACCESS_KEY_ID="ASIAEMULATORTEMP0001",
        AWS_SECRET_ACCESS_KEY="temp-secret-0123456789",
        AWS_SESSION_TOKEN="tok//en+=",
    )
    assert env.catalog().provider("bedrock").sync_models().status == "success"
    assert all(r.headers["x-amz-security-token"] == "tok//en+=" for r in bedrock.requests)
    env.vars.pop("AWS_SESSION_TOKEN")
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError)
    assert err.status_code == 403
    assert "security token included in the request is invalid" in str(err)
    assert "AWS_SESSION_TOKEN" in str(err)


def test_api_key_sync_sends_the_bearer_token(env: Env, bedrock: ProviderEmulator) -> None:
    catalog = bearer(env, bedrock).catalog()
    assert catalog.provider("bedrock").sync_models().status == "success"
    assert {r.headers["authorization"] for r in bedrock.requests} == {f"Bearer {API_KEY}"}
    assert bedrock_of(bedrock).authenticated[0] == "bearer"
    assert len(by_id(catalog)) == N_MODELS


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("ABSKQmVkcm9ja0FQSUtleS1vdGhlcg==", "Please make sure your API Key is valid"),
        ("not-a-bedrock-key", "Invalid API Key format"),
    ],
)
def test_bad_api_key_is_invalid_credentials(
    env: Env, bedrock: ProviderEmulator, key: str, message: str
) -> None:
    err = sync_error(bearer(env, bedrock, key))
    assert isinstance(err, InvalidCredentialsError)
    assert message in str(err)
    assert "AWS_BEARER_TOKEN_BEDROCK" in str(err)
    assert bedrock.count() <= 2  # never retried (two lists start at once)


# ------------------------------------------------------------------ the credential chain


def test_named_profile_from_the_shared_files(env: Env, bedrock: ProviderEmulator) -> None:
    write_aws_files(
        env,
        "[profile team]\nregion = us-east-1\n",
        f"[team]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}\n",
    )
    env.vars.update(AWS_PROFILE="team", AWS_ENDPOINT_URL_BEDROCK=bedrock.base_url)
    catalog = env.catalog()
    assert region_of(catalog, "bedrock") == "us-east-1"  # from the profile
    assert catalog.provider("bedrock").sync_models().status == "success"
    env.vars.update(AWS_PROFILE="nobody", AWS_REGION="us-east-1")
    err = sync_error(env)
    assert isinstance(err, ConfigurationError)
    assert "AWS profile 'nobody'" in str(err)


def test_credential_process_runs_a_real_subprocess(env: Env, bedrock: ProviderEmulator) -> None:
    bedrock_of(bedrock).add_principal("ASIAPROCESS000000001", "process-secret-987", "proc-token")
    script = env.tmp / "creds.py"
    marker = env.tmp / "ran"
    script.write_text(
        "import json, pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('yes')\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'ASIAPROCESS000000001',"
        " 'SecretAccessKey': 'process-secret-987', 'SessionToken': 'proc-token',"
        " 'Expiration': '2099-01-01T00:00:00Z'}))\n"
    )
    write_aws_files(
        env, f"[default]\nregion = us-east-1\ncredential_process = {sys.executable} {script}\n"
    )
    env.vars["AWS_ENDPOINT_URL_BEDROCK"] = bedrock.base_url
    catalog = env.catalog()
    assert catalog.adapter("bedrock").config.has_key  # declared in the default profile
    report = catalog.sync()  # a plain sync includes Bedrock: credentials are declared
    assert report["bedrock"].status == "success"
    assert marker.read_text() == "yes"
    assert set(bedrock_of(bedrock).authenticated) == {"ASIAPROCESS000000001"}


def test_expired_sso_session_says_to_log_in(env: Env, bedrock: ProviderEmulator) -> None:
    write_aws_files(
        env,
        """\
        [profile corp]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = ReadOnly
        region = us-east-1

        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        """,
    )
    env.vars.update(AWS_PROFILE="corp", AWS_ENDPOINT_URL_BEDROCK=bedrock.base_url)
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError)
    assert "aws sso login --profile corp" in str(err)
    assert bedrock.count() == 0  # nothing was sent without credentials


def test_no_credentials_and_no_region(env: Env, bedrock: ProviderEmulator) -> None:
    env.vars.update(AWS_ENDPOINT_URL_BEDROCK=bedrock.base_url, AWS_REGION="us-east-1")
    catalog = env.catalog()
    assert not catalog.adapter("bedrock").config.has_key
    with pytest.raises(ConfigurationError):
        catalog.sync()  # a plain sync leaves out a provider with nothing declared
    err = sync_error(env)  # named, the chain is tried (metadata service disabled here)
    assert isinstance(err, InvalidCredentialsError)
    assert "no AWS credentials found" in str(err)
    env.vars.pop("AWS_REGION")
    env.vars.update(AWS_ACCESS_KEY_ID=ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY)
    err = sync_error(env)
    assert isinstance(err, ConfigurationError)
    assert "Set AWS_REGION" in str(err)
    assert bedrock.count() == 0


def test_region_comes_from_a_regional_base_url(env: Env) -> None:
    config = env.tmp / "config.toml"
    config.write_text(
        '[providers.bedrock-eu]\ntype = "bedrock"\n'
        'base_url = "https://bedrock.eu-central-1.amazonaws.com"\n'
    )
    env.vars.update(MODELSYNC_CONFIG=str(config), AWS_REGION="us-east-1")
    catalog = env.catalog()
    assert region_of(catalog, "bedrock-eu") == "eu-central-1"
    assert catalog.adapter("bedrock").config.base_url == "https://bedrock.us-east-1.amazonaws.com"
    assert (
        catalog.adapter("bedrock").config.fingerprint
        != catalog.adapter("bedrock-eu").config.fingerprint
    )


# ------------------------------------------------------------------ the fault matrix


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("unrecognized", "AWS_ACCESS_KEY_ID"),
        ("expired", "temporary credentials may have expired"),
        ("signature", "AWS_SECRET_ACCESS_KEY"),
        ("region", "region (us-east-1)"),
    ],
)
def test_each_real_credential_failure_is_invalid_credentials(
    env: Env, bedrock: ProviderEmulator, kind: str, words: str
) -> None:
    bedrock.push(*[Fault.status(403, kind=kind) for _ in range(4)])
    err = sync_error(sigv4(env, bedrock))
    assert isinstance(err, InvalidCredentialsError)
    assert err.status_code == 403
    assert words in str(err)
    assert str(err).startswith("bedrock: ")
    assert "\n" not in str(err)
    assert bedrock.count() <= 2  # never retried


def test_real_signature_checks_fail_in_aws_words(env: Env, bedrock: ProviderEmulator) -> None:
    sigv4(env, bedrock, AWS_SECRET_ACCESS_KEY="the-wrong-secret-0000")
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError)
    assert "signature we calculated does not match" in str(err)
    assert "Canonical String" not in str(err)  # AWS's appendix is cut
    bedrock_of(bedrock).region = "eu-west-1"
    sigv4(env, bedrock, AWS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY, AWS_REGION="us-east-1")
    assert "Credential should be scoped to a valid region" in str(sync_error(env))
    bedrock_of(bedrock).region = "us-east-1"
    bedrock_of(bedrock).clock_skew = 20 * 60  # this machine is 20 minutes behind
    err = sync_error(env)
    assert "Signature expired" in str(err)
    assert "clock" in str(err)
    bedrock_of(bedrock).clock_skew = 0
    bedrock_of(bedrock).add_principal(ACCESS_KEY_ID, SECRET_ACCESS_KEY, expired=True)
    assert "is expired" in str(sync_error(env))


def test_access_denied_is_permission_denied_naming_the_iam_actions(
    env: Env, bedrock: ProviderEmulator
) -> None:
    bedrock.push(Fault.status(403), Fault.status(403))
    err = sync_error(sigv4(env, bedrock))
    assert isinstance(err, PermissionDeniedError)
    assert "bedrock:ListInferenceProfiles" in str(err)
    assert "us-east-1" in str(err)


def test_throttling_with_retry_after_then_success(env: Env, bedrock: ProviderEmulator) -> None:
    bedrock.push(Fault.status(429, retry_after="0.2"))
    started = time.monotonic()
    result = sigv4(env, bedrock).catalog().provider("bedrock").sync_models()
    assert result.status == "success"
    assert result.retries == 1
    assert time.monotonic() - started >= 0.2
    assert result.models_synced == N_MODELS


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_then_success(env: Env, bedrock: ProviderEmulator, status: int) -> None:
    bedrock.push(Fault.status(status), Fault.status(status))
    result = sigv4(env, bedrock).catalog().provider("bedrock").sync_models()
    assert result.status == "success"
    assert result.retries == 2


def test_outage_keeps_the_last_good_catalog(env: Env, bedrock: ProviderEmulator) -> None:
    catalog = sigv4(env, bedrock).catalog()
    catalog.provider("bedrock").sync_models()
    before = sorted(by_id(catalog))
    bedrock.push(*[Fault.status(503) for _ in range(20)])
    err = sync_error(env)
    assert isinstance(err, ProviderUnavailableError)
    assert sorted(by_id(env.catalog())) == before
    failure = env.catalog().provider("bedrock").last_failure()
    assert failure is not None and failure["error_type"] == "provider_unavailable"


@pytest.mark.parametrize("fault", [Fault.malformed(), Fault.html(), Fault.wrong_shape()])
def test_malformed_answers_are_malformed_response(
    env: Env, bedrock: ProviderEmulator, fault: Fault
) -> None:
    bedrock.push(fault, fault)
    err = sync_error(sigv4(env, bedrock))
    assert isinstance(err, MalformedResponseError)


def test_a_broken_page_token_is_a_provider_error(env: Env, bedrock: ProviderEmulator) -> None:
    bedrock.set_models(synthetic_models("bedrock", 8))
    bedrock.page_size = 2
    bedrock.push(
        Fault.status(200),
        Fault.status(200),
        Fault.raw(200, json.dumps({"inferenceProfileSummaries": [], "nextToken": "bm9wZQ=="})),
    )
    err = sync_error(sigv4(env, bedrock))
    assert isinstance(err, ProviderError)


# ------------------------------------------------------------------ pages


def test_every_profile_page_is_followed(env: Env, bedrock: ProviderEmulator) -> None:
    bedrock.set_models(synthetic_models("bedrock", 14))  # 7 models, 7 profiles
    bedrock.page_size = 2
    catalog = sigv4(env, bedrock).catalog()
    result = catalog.provider("bedrock").sync_models()
    assert result.status == "success"
    assert result.models_synced == 14
    assert result.pages == 1 + 4  # the model list, and 4 pages of 2 profiles
    tokens = [r.query["nextToken"][0] for r in bedrock.requests if "nextToken" in r.query]
    assert len(tokens) == 3 and all("=" in t for t in tokens)


def test_a_looping_page_chain_is_refused(env: Env, bedrock: ProviderEmulator) -> None:
    bedrock.set_models(synthetic_models("bedrock", 12))
    bedrock.page_size = 2
    catalog = sigv4(env, bedrock).catalog()
    catalog.provider("bedrock").sync_models()
    bedrock.cursor_fault = "repeat"
    with pytest.raises(MalformedResponseError, match="repeated"):
        catalog.provider("bedrock").sync_models(force_refresh=True)
    assert len(by_id(catalog)) == 12


def test_page_count_is_capped(env: Env, bedrock: ProviderEmulator) -> None:
    bedrock.set_models(synthetic_models("bedrock", 20))
    bedrock.page_size = 1
    env.vars["MODELSYNC_MAX_PAGES"] = "3"
    with pytest.raises(MalformedResponseError, match="more than 3 pages"):
        sigv4(env, bedrock).catalog().provider("bedrock").sync_models()


# ------------------------------------------------------------------ normalization and metadata


def test_models_and_profiles_are_normalized(env: Env, bedrock: ProviderEmulator) -> None:
    catalog = sigv4(env, bedrock).catalog()
    catalog.provider("bedrock").sync_models()
    models = by_id(catalog)
    sonnet = models[SONNET]
    assert (sonnet.name, sonnet.owned_by, sonnet.family) == (
        "Claude Sonnet 4.5",
        "Anthropic",
        "foundation_model",
    )
    assert sonnet.input_modalities == ("text", "image")
    assert sonnet.inference_types == ("INFERENCE_PROFILE",)
    assert sonnet.capabilities["streaming"].source == "api"
    assert sonnet.supports("vision") is True and sonnet.supports("fine_tuning") is False
    nova = models["amazon.nova-pro-v1:0"]
    assert nova.input_modalities == ("text", "image", "video")
    assert nova.supports("fine_tuning") is True
    assert nova.inference_types == ("ON_DEMAND", "INFERENCE_PROFILE")
    embed = models["amazon.titan-embed-text-v2:0"]
    assert embed.supports("embeddings") is True and embed.supports("streaming") is False
    assert embed.output_modalities == ()
    assert models["amazon.nova-canvas-v1:0"].supports("image_generation") is True
    assert models["amazon.nova-sonic-v1:0"].supports("speech") is True
    assert models["cohere.rerank-v3-5:0"].supports("rerank") is True
    assert models["cohere.rerank-v3-5:0"].supports("chat") is False
    # LEGACY is deprecated, with AWS's dates; GetFoundationModel fills dates the list lacks.
    # Read after its end-of-life date, the model is retired (the state is decided when read).
    legacy = models[LEGACY]
    assert legacy.shutdown_date is not None
    ended = legacy.shutdown_date <= datetime.now(UTC)
    assert legacy.lifecycle == ("retired" if ended else "deprecated")
    assert (
        legacy.deprecated_date is not None
        and legacy.deprecated_date.date().isoformat() == "2026-01-28"
    )
    assert (
        legacy.shutdown_date is not None and legacy.shutdown_date.date().isoformat() == "2026-10-28"
    )
    undated = models[UNDATED_LEGACY]
    assert (
        undated.shutdown_date is not None
        and undated.shutdown_date.date().isoformat() == "2026-03-01"
    )
    # A profile takes its model's modalities, owner and lifecycle (profiles always say ACTIVE).
    profile = models["us.anthropic.claude-3-7-sonnet-20250219-v1:0"]
    assert (profile.family, profile.owned_by, profile.lifecycle) == (
        "inference_profile",
        "Anthropic",
        legacy.lifecycle,
    )
    assert profile.shutdown_date == legacy.shutdown_date
    assert profile.inference_types == ()
    app = models[APP_PROFILE]
    assert app.family == "application_inference_profile"
    assert app.name == "team-search-haiku"
    assert "anthropic.claude-haiku-4-5-20251001-v1:0" in app.aliases
    assert any(a.endswith(f":application-inference-profile/{APP_PROFILE}") for a in app.aliases)


def test_claude_on_bedrock_gets_claudes_facts_but_never_anthropics_price(
    env: Env, bedrock: ProviderEmulator
) -> None:
    catalog = sigv4(env, bedrock).catalog()
    catalog.provider("bedrock").sync_models()
    models = by_id(catalog)
    for model_id in (
        SONNET,
        US_SONNET,
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        APP_PROFILE,
    ):
        model = models[model_id]
        assert model.context_window == 200000, model_id
        assert model.sources.get("context_window") == "catalog"
        assert model.capabilities["function_calling"].source == "catalog"
        assert model.pricing is None or model.pricing.state == "unknown", model_id
    # A provisioned 200k-context variant finds no vendor facts: its window is not the vendor's.
    assert models["anthropic.claude-3-haiku-20240307-v1:0:200k"].context_window is None
    # gpt-oss on Bedrock: OpenAI's facts, not OpenAI's price.
    assert models["openai.gpt-oss-120b-1:0"].pricing is None


def test_a_source_that_prices_bedrock_gives_bedrocks_price(
    env: Env, bedrock: ProviderEmulator
) -> None:
    server = ModelsDevServer()
    try:
        server.body = json.dumps(
            {
                "amazon-bedrock": {
                    "id": "amazon-bedrock",
                    "name": "Amazon Bedrock",
                    "env": ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"],
                    "models": {
                        SONNET: {
                            "id": SONNET,
                            "name": "Claude Sonnet 4.5",
                            "limit": {"context": 200000, "output": 64000},
                            "cost": {"input": 3.3, "output": 16.5},
                        }
                    },
                },
                "anthropic": {
                    "id": "anthropic",
                    "name": "Anthropic",
                    "env": ["ANTHROPIC_API_KEY"],
                    "models": {
                        "claude-sonnet-4-5-20250929": {
                            "id": "claude-sonnet-4-5-20250929",
                            "name": "Claude Sonnet 4.5",
                            "limit": {"context": 200000, "output": 64000},
                            "cost": {"input": 3, "output": 15},
                        }
                    },
                },
            }
        ).encode()
        sigv4(env, bedrock, MODELSYNC_MODELSDEV_ENABLED="1", MODELSYNC_MODELSDEV_URL=server.url)
        catalog = env.catalog()
        assert catalog.provider("bedrock").sync_models().status == "success"
        models = by_id(catalog)
    finally:
        server.stop()
    priced = models[SONNET].pricing
    assert (
        priced is not None and priced.input == Decimal("3.3") and priced.output == Decimal("16.5")
    )
    # The profile is not that id: Bedrock's price for it is not known, Anthropic's never used.
    profile_price = models[US_SONNET].pricing
    assert profile_price is None or profile_price.input is None


def test_statistics_families_and_breakdowns(env: Env, bedrock: ProviderEmulator) -> None:
    result = sigv4(env, bedrock).catalog().provider("bedrock").sync_models()
    stats = result.statistics
    assert stats is not None
    assert stats["total_models"] == N_MODELS == 25
    assert stats["foundation_models"] == 15
    assert stats["inference_profile_models"] == 10
    assert stats["by_kind"] == {
        "application_inference_profile": 1,
        "foundation_model": 15,
        "inference_profile": 9,
    }
    assert stats["by_inference_type"] == {"INFERENCE_PROFILE": 9, "ON_DEMAND": 7, "PROVISIONED": 1}
    assert stats["on_demand_models"] == 7
    assert stats["provisioned_models"] == 1
    assert stats["profile_only_models"] == 7  # callable only through a profile
    assert stats["by_geography"] == {"global": 2, "us": 7}
    assert stats["by_provider"]["Anthropic"] == 14  # 7 models + their 7 profiles
    assert stats["claude_models"] == 13
    assert stats["legacy_models"] == 3  # 3.7 Sonnet, its profile, 3.5 Sonnet v2
    assert stats["embeddings_models"] == 1
    assert stats["rerank_models"] == 1


# ------------------------------------------------------------------ providers, status, credentials


def test_providers_and_status_rows(env: Env, bedrock: ProviderEmulator) -> None:
    rows = {r["provider"]: r for r in json.loads(env.run_cli("providers", "--json").stdout)}
    row = rows["bedrock"]
    assert row["title"] == "Amazon Bedrock"
    assert row["key_set"] is False
    assert row["key_env"] == ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_BEARER_TOKEN_BEDROCK"]
    assert "missing_extra" not in row  # botocore is installed here
    sigv4(env, bedrock)
    rows = {r["provider"]: r for r in json.loads(env.run_cli("providers", "--json").stdout)}
    assert rows["bedrock"]["key_set"] is True
    assert rows["bedrock"]["key_env"] == ["AWS_ACCESS_KEY_ID"]
    assert rows["bedrock"]["base_url"] == bedrock.base_url
    assert env.run_cli("sync", "bedrock").returncode == 0
    status = {
        r["provider"]: r for r in json.loads(env.run_cli("status", "--json").stdout)["providers"]
    }
    assert status["bedrock"]["configured"] is True
    assert status["bedrock"]["models"] == N_MODELS
    assert status["bedrock"]["state"] == "fresh"


def test_another_access_key_does_not_see_this_catalog(env: Env, bedrock: ProviderEmulator) -> None:
    sigv4(env, bedrock).catalog().provider("bedrock").sync_models()
    env.vars["AWS_ACCESS_KEY_ID"] = "AKIAANOTHERACCOUNT01"
    catalog = env.catalog()
    assert catalog.freshness("bedrock").state == "mismatch"
    assert catalog.models(provider="bedrock") == []


def test_has_valid_credentials(env: Env, bedrock: ProviderEmulator) -> None:
    assert sigv4(env, bedrock).catalog().provider("bedrock").has_valid_credentials() is True
    probe = bedrock.requests[-1]
    assert (probe.path, probe.query) == ("/inference-profiles", {"maxResults": ["1"]})
    env.vars["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-00000000"
    assert env.catalog().provider("bedrock").has_valid_credentials() is False


def test_preview_lists_ids_without_writing(env: Env, bedrock: ProviderEmulator) -> None:
    catalog = bearer(env, bedrock).catalog()
    preview = catalog.provider("bedrock").get_syncable_models()
    assert {p["id"] for p in preview} >= {SONNET, US_SONNET}
    assert catalog.models(provider="bedrock") == []


# ------------------------------------------------------------------ random answers


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def _payloads(draw: st.DrawFn) -> Any:
    """A real answer of either list, bent in one to four places; sometimes anything at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(_JSON)
    everything = default_models("bedrock")
    profiles = draw(st.booleans())
    key = "inferenceProfileSummaries" if profiles else "modelSummaries"
    entries: list[Any] = [e for e in everything if ("inferenceProfileId" in e) == profiles]
    body: dict[str, Any] = {key: entries}
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "replace", "nested", "entry", "top"]))
        if op == "top":
            body[draw(st.sampled_from([key, "nextToken"]))] = draw(_JSON)
            continue
        if not isinstance(body.get(key), list) or not entries:
            break
        i = draw(st.integers(0, len(entries) - 1))
        entry = entries[i]
        if op == "entry" or not isinstance(entry, dict) or not entry:
            entries[i] = draw(_JSON)
            continue
        name = draw(st.sampled_from(sorted(entry)))
        if op == "delete":
            del entry[name]
        elif op == "nested" and isinstance(entry[name], dict) and entry[name]:
            entry[name][draw(st.sampled_from(sorted(entry[name])))] = draw(_JSON)
        else:
            entry[name] = draw(_JSON)
    return body


def test_random_answers_succeed_or_are_malformed(env: Env, bedrock: ProviderEmulator) -> None:
    bearer(env, bedrock).vars.update(MODELSYNC_MAX_RETRIES="0", MODELSYNC_MAX_SHRINK="1")
    succeed_or_malformed(env.catalog(), "bedrock", bedrock, _payloads())
