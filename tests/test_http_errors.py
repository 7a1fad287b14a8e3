"""Errors mapped by status then body, and retries that honour every retry hint, per provider."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from modelsync.errormap import error_from_response
from modelsync.errors import (
    EndpointNotFoundError,
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    ProviderUnreachableError,
    QuotaExceededError,
    RateLimitError,
)
from tests.emulators import Fault
from tests.fixtures import CORE, EmulatorFactory, Env


def _sync_error(env: Env, provider: str) -> ModelSyncError:
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider(provider).sync_models(force_refresh=True)
    return info.value


@pytest.mark.parametrize("provider", CORE)
def test_bad_key_is_invalid_credentials_whatever_the_status(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    env.wire(emu).vars[f"{provider.upper()}_API_KEY"] = "wrong-key-123456789"
    err = _sync_error(env, provider)
    assert isinstance(err, InvalidCredentialsError)
    expected_status = 400 if provider in ("gemini", "xai") else 401
    assert err.status_code == expected_status
    assert provider in str(err)
    assert f"{provider.upper()}_API_KEY" in str(err)
    # Never retried. xAI lists two endpoints at once; the first failure may cancel the second.
    assert 1 <= emu.count() <= (2 if provider == "xai" else 1)


@pytest.mark.parametrize("provider", CORE)
def test_429_with_retry_after_then_success(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    emu.push(Fault.status(429, retry_after="0.2"))
    started = time.monotonic()
    result = env.wire(emu).catalog().provider(provider).sync_models()
    assert result.status == "success"
    assert result.retries == 1
    assert time.monotonic() - started >= 0.2
    assert result.requests == emu.count()


def test_retry_after_ms_is_preferred(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    emu.push(Fault.status(429, retry_after_ms="150", retry_after="30"))
    started = time.monotonic()
    result = env.wire(emu).catalog().provider("openai").sync_models()
    elapsed = time.monotonic() - started
    assert result.status == "success"
    assert 0.15 <= elapsed < 5


def test_retry_after_http_date(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("anthropic")
    # HTTP dates have whole seconds: +3 s is at least 2 s away, and the wait is capped at 0.5 s.
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    emu.push(Fault.status(429, retry_after=when))
    started = time.monotonic()
    result = env.wire(emu).catalog().provider("anthropic").sync_models()
    assert result.status == "success"
    assert 0.45 <= time.monotonic() - started < 3


def test_gemini_retry_info_in_body(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini")
    emu.push(Fault.status(429, retry_delay="0.3s"))
    started = time.monotonic()
    result = env.wire(emu).catalog().provider("gemini").sync_models()
    assert result.status == "success"
    assert result.retries == 1
    assert time.monotonic() - started >= 0.3


def test_retry_wait_is_capped(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    emu.push(Fault.status(429, retry_after="3600"))
    env.wire(emu).vars["MODELSYNC_RETRY_MAX_SECONDS"] = "0.2"
    started = time.monotonic()
    assert env.catalog().provider("openai").sync_models().status == "success"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("provider", "status"),
    [("openai", 500), ("anthropic", 529), ("gemini", 503), ("xai", 502), ("anthropic", 500)],
)
def test_5xx_then_success(provider: str, status: int, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(provider)
    emu.push(Fault.status(status), Fault.status(status))
    result = env.wire(emu).catalog().provider(provider).sync_models()
    assert result.status == "success"
    assert result.retries == 2


def test_retries_exhausted_keeps_catalog(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    ids = [m.id for m in catalog.models()]
    emu.reset_requests()
    emu.push(*[Fault.status(503) for _ in range(10)])
    err = _sync_error(env, "openai")
    assert isinstance(err, ProviderUnavailableError)
    assert emu.count() == 4  # 1 + MODELSYNC_MAX_RETRIES (3)
    assert [m.id for m in env.catalog().models()] == ids


def test_max_retries_is_configurable(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars["MODELSYNC_MAX_RETRIES"] = "1"
    emu.push(*[Fault.status(500) for _ in range(5)])
    _sync_error(env, "openai")
    assert emu.count() == 2


@pytest.mark.parametrize("provider", ["openai", "anthropic", "xai"])
def test_quota_exhausted_is_not_retried(provider: str, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(provider)
    emu.push(Fault.status(429, kind="quota"), Fault.status(429, kind="quota"))
    err = _sync_error(env.wire(emu), provider)
    assert isinstance(err, QuotaExceededError)
    # Never retried. xAI lists two endpoints at once; the first failure may cancel the second.
    assert 1 <= emu.count() <= (2 if provider == "xai" else 1)


@pytest.mark.parametrize("status", [400, 403, 404])
def test_client_errors_are_not_retried(status: int, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    emu.push(Fault.status(status), Fault.status(status))
    err = _sync_error(env.wire(emu), "openai")
    assert emu.count() == 1
    expected: type[ModelSyncError] = {
        400: ProviderError,
        403: PermissionDeniedError,
        404: EndpointNotFoundError,
    }[status]
    assert isinstance(err, expected)


def test_rate_limit_exhausted_is_rate_limit_error(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai")
    emu.push(*[Fault.status(429, retry_after="0") for _ in range(8)])
    err = _sync_error(env.wire(emu), "xai")
    assert isinstance(err, RateLimitError)
    assert err.error_type == "rate_limited"


@pytest.mark.parametrize("provider", CORE)
def test_malformed_json_is_malformed_response(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    emu.push(Fault.malformed(), Fault.malformed())
    err = _sync_error(env.wire(emu), provider)
    assert isinstance(err, MalformedResponseError)
    assert "invalid JSON" in str(err)


@pytest.mark.parametrize("provider", CORE)
def test_html_200_is_malformed_response(provider: str, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(provider)
    emu.push(Fault.html(), Fault.html())
    err = _sync_error(env.wire(emu), provider)
    assert isinstance(err, MalformedResponseError)
    assert "HTML" in str(err)
    assert "base URL" in str(err)


@pytest.mark.parametrize("provider", CORE)
def test_wrong_shape_is_malformed_response(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider)
    emu.push(Fault.wrong_shape(), Fault.wrong_shape())
    err = _sync_error(env.wire(emu), provider)
    assert isinstance(err, MalformedResponseError)


def test_request_timeout_is_retried_then_fails(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    env.wire(emu).vars.update(MODELSYNC_REQUEST_TIMEOUT="0.3", MODELSYNC_MAX_RETRIES="1")
    emu.push(Fault.hang(2), Fault.hang(2))
    started = time.monotonic()
    err = _sync_error(env, "openai")
    assert isinstance(err, ProviderUnavailableError)
    assert "0.3s" in str(err)
    assert time.monotonic() - started < 2.5


def test_timeout_then_success(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini")
    env.wire(emu).vars["MODELSYNC_REQUEST_TIMEOUT"] = "0.3"
    emu.push(Fault.hang(1.5))
    result = env.catalog().provider("gemini").sync_models()
    assert result.status == "success"
    assert result.retries == 1


def test_provider_deadline(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("anthropic")
    env.wire(emu).vars["MODELSYNC_TIMEOUT"] = "0.5"
    emu.latency = 2.0
    started = time.monotonic()
    err = _sync_error(env, "anthropic")
    assert isinstance(err, ProviderUnavailableError)
    assert "0.5s" in str(err)
    assert time.monotonic() - started < 1.9


def test_network_error_names_provider(env: Env) -> None:
    env.vars.update(OPENAI_API_KEY="sk-x-123456789", OPENAI_BASE_URL="http://127.0.0.1:1/v1")
    env.vars["MODELSYNC_MAX_RETRIES"] = "0"
    err = _sync_error(env, "openai")
    assert isinstance(err, ProviderUnavailableError)
    assert isinstance(err, ProviderUnreachableError)
    assert str(err).startswith("openai: cannot connect")


GEMINI_DAILY_QUOTA = json.dumps(
    {
        "error": {
            "code": 429,
            "message": "You exceeded your current quota, please check your plan and billing details.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [
                        {
                            "quotaMetric": "generativelanguage.googleapis.com/generate_requests",
                            "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                        }
                    ],
                }
            ],
        }
    }
)


def test_gemini_daily_quota_without_retry_info_is_not_retried(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("gemini")
    emu.push(Fault.raw(429, GEMINI_DAILY_QUOTA), Fault.raw(429, GEMINI_DAILY_QUOTA))
    err = _sync_error(env.wire(emu), "gemini")
    assert isinstance(err, QuotaExceededError)
    assert emu.count() == 1


def test_x_should_retry_false_vetoes_a_retry(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai")
    body = json.dumps(
        {"error": {"message": "boom", "type": "server_error", "param": None, "code": None}}
    )
    emu.push(Fault.raw(500, body, headers={"x-should-retry": "false"}))
    err = _sync_error(env.wire(emu), "openai")
    assert isinstance(err, ProviderUnavailableError)
    assert emu.count() == 1


def test_gemini_missing_key_body_maps_to_permission_denied() -> None:
    body = json.dumps(
        {
            "error": {
                "code": 403,
                "message": "Method doesn't allow unregistered callers.",
                "status": "PERMISSION_DENIED",
            }
        }
    )
    err = error_from_response(
        provider="gemini",
        status=403,
        headers={},
        text=body,
        secrets=(),
        key_env="GEMINI_API_KEY",
        base_url="https://generativelanguage.googleapis.com",
    )
    assert isinstance(err, PermissionDeniedError)
    assert str(err).startswith("gemini: Method doesn't allow unregistered callers.")


def test_refused_connection_is_retried_for_a_named_provider(env: Env) -> None:
    env.vars.update(OPENAI_API_KEY="sk-x-123456789", OPENAI_BASE_URL="http://127.0.0.1:1/v1")
    env.vars["MODELSYNC_MAX_RETRIES"] = "2"
    with pytest.raises(ProviderUnreachableError):
        env.catalog().provider("openai").sync_models()
    failure = env.catalog().provider("openai").last_failure()
    assert failure is not None
    assert failure["error_type"] == "unreachable" and failure["retry_count"] == 2


@pytest.mark.parametrize(
    ("status", "error_type", "body", "expected"),
    [
        (
            403,
            "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/",
            {"message": "The security token included in the request is invalid."},
            InvalidCredentialsError,
        ),
        (
            403,
            "ExpiredTokenException",
            {"message": "The security token ... is expired"},
            InvalidCredentialsError,
        ),
        (
            400,
            "IncompleteSignatureException",
            {"message": "requires 'Signature'"},
            InvalidCredentialsError,
        ),
        (
            403,
            "InvalidSignatureException",
            {"message": "Signature expired: ..."},
            InvalidCredentialsError,
        ),
        (
            403,
            "AccessDeniedException",
            {"message": "User ... is not authorized"},
            PermissionDeniedError,
        ),
        (
            403,
            "AccessDeniedException",
            {"Message": "Authentication failed: Please make sure your API Key is valid."},
            InvalidCredentialsError,
        ),
        (400, "ValidationException", {"message": "1 validation error detected"}, ProviderError),
    ],
)
def test_aws_error_types_decide_bad_credentials(
    status: int, error_type: str, body: dict[str, str], expected: type[ModelSyncError]
) -> None:
    err = error_from_response(
        provider="bedrock",
        status=status,
        headers={"x-amzn-errortype": error_type},
        text=json.dumps(body),
        secrets=(),
        key_env="AWS_PROFILE",
        base_url="https://bedrock.us-east-1.amazonaws.com",
    )
    assert type(err) is expected
    assert str(err).startswith("bedrock: " + next(iter(body.values())))
