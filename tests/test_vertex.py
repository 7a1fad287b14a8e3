"""Issue 12: Google Vertex AI against its emulator and a loopback Google token endpoint.

The same bar as every provider (every model and page, skip when fresh, the fault matrix, malformed
answers, timeouts, statistics, the canary), plus what is Vertex's own: several publishers fanned
out and all-or-nothing, ids as users call them, launch stage to lifecycle, vendor facts without
vendor prices, Application Default Credentials signed for real (a service-account JWT verified
with the test's public key, a refresh-token grant), and the optional extra staying optional.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from modelsync.catalog import Catalog
from modelsync.config import Settings
from modelsync.errors import (
    ConfigurationError,
    EndpointNotFoundError,
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    PermissionDeniedError,
    ProviderUnavailableError,
    QuotaExceededError,
    SuspiciousFetchError,
)
from modelsync.facts import load_bundled
from modelsync.model import Model
from modelsync.providers.vertex import VertexAdapter, VertexConfig, location_url, model_id
from tests.emulators import Fault, ProviderEmulator, default_models
from tests.emulators.google_oauth import (
    MetadataServer,
    ServiceAccountKey,
    TokenEndpoint,
    authorized_user_file,
    service_account_file,
)
from tests.emulators.providers_vertex import vertex_entry
from tests.fixtures import BASE_ENV, KEY_ENV, TEST_KEYS, EmulatorFactory, Env
from tests.random_answers import succeed_or_malformed

KEY_ENV.update(vertex="VERTEX_ACCESS_TOKEN")
BASE_ENV.update(vertex="VERTEX_BASE_URL")
TEST_KEYS.update(vertex="ya29.a0-test-vertex-token-0123456789abcdef")
PROJECT = "test-project"
PUBLISHERS = ("google", "anthropic", "meta", "mistralai")
#: The default fixture's ids as users call them on Vertex (see providers/vertex.py).
EXPECTED_IDS = {
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash-001",
    "gemini-3-pro-preview",
    "gemini-3-flash-preview",
    "gemini-embedding-001",
    "imagen-4.0-generate-001",
    "veo-3.1-generate-preview",
    "gemma3",
    "model-optimizer-exp-04-09",
    "claude-sonnet-4-5@20250929",
    "claude-haiku-4-5@20251001",
    "claude-opus-4-1@20250805",
    "claude-opus-4-6",
    "meta/llama-4-maverick-17b-128e-instruct-maas",
    "meta/llama-4-scout-17b-16e-instruct-maas",
    "meta/llama3-3",
    "mistral-medium-3",
    "mistral-small-2503",
    "codestral-2501",
}


@pytest.fixture
def venv(env: Env) -> Env:
    """``env`` with a project set; wire an emulator with ``venv.wire(emu)``."""
    env.vars["GOOGLE_CLOUD_PROJECT"] = PROJECT
    return env


def by_id(catalog: Catalog) -> dict[str, Model]:
    return {m.id: m for m in catalog.models(provider="vertex")}


def sync_error(env: Env) -> ModelSyncError:
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider("vertex").sync_models(force_refresh=True)
    return info.value


def only_google(env: Env) -> Env:
    env.vars["VERTEX_PUBLISHERS"] = "google"
    return env


def google_models(n: int) -> list[dict[str, Any]]:
    return [vertex_entry("google", f"gemini-synth-{i:03d}") for i in range(n)]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


# ------------------------------------------------------------------ emulator self-tests (httpx)


def test_emulator_lists_each_publisher_at_the_real_path(
    emulator: EmulatorFactory, client: httpx.Client
) -> None:
    emu = emulator("vertex")
    auth = {"Authorization": f"Bearer {emu.api_key}"}
    assert emu.base_url == emu.origin  # shaped like https://us-central1-aiplatform.googleapis.com
    r = client.get(f"{emu.origin}/v1beta1/publishers/anthropic/models", headers=auth)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=UTF-8"
    names = [m["name"] for m in r.json()["publisherModels"]]
    assert names and all(n.startswith("publishers/anthropic/models/") for n in names)
    assert "nextPageToken" not in r.json()
    unknown = client.get(f"{emu.origin}/v1beta1/publishers/nosuch/models", headers=auth)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["status"] == "NOT_FOUND"
    v1 = client.get(f"{emu.origin}/v1/publishers/google/models", headers=auth)  # no list in v1
    assert v1.status_code == 404


def test_emulator_answers_bad_credentials_in_googles_shapes(
    emulator: EmulatorFactory, client: httpx.Client
) -> None:
    emu = emulator("vertex")
    url = f"{emu.origin}/v1beta1/publishers/google/models"

    def reason(response: httpx.Response) -> tuple[int, str, str]:
        err = response.json()["error"]
        return response.status_code, err["status"], err["details"][0]["reason"]

    missing = client.get(url)
    assert reason(missing) == (401, "UNAUTHENTICATED", "CREDENTIALS_MISSING")
    assert missing.json()["error"]["message"].startswith(
        "Request is missing required authentication"
    )
    api_key = client.get(url, headers={"x-goog-api-key": "AIzaSyTest"})
    assert reason(api_key) == (401, "UNAUTHENTICATED", "CREDENTIALS_MISSING")
    assert api_key.json()["error"]["message"].startswith("API keys are not supported by this API.")
    expired = client.get(url, headers={"Authorization": "Bearer ya29.not-the-token"})
    assert reason(expired) == (401, "UNAUTHENTICATED", "ACCESS_TOKEN_EXPIRED")
    as_bearer = client.get(url, headers={"Authorization": "Bearer AIzaSyTest"})
    assert reason(as_bearer) == (401, "UNAUTHENTICATED", "ACCESS_TOKEN_TYPE_UNSUPPORTED")


def test_emulator_pages_per_publisher_and_honours_the_view(
    emulator: EmulatorFactory, client: httpx.Client
) -> None:
    emu = emulator("vertex", page_size=2)
    auth = {"Authorization": f"Bearer {emu.api_key}"}
    url = f"{emu.origin}/v1beta1/publishers/google/models"
    seen: list[str] = []
    params: dict[str, str] = {"view": "PUBLISHER_MODEL_VIEW_FULL"}
    for _ in range(20):
        body = client.get(url, headers=auth, params=params).json()
        seen.extend(m["name"] for m in body["publisherModels"])
        if "nextPageToken" not in body:
            break
        params["pageToken"] = body["nextPageToken"]
    google = [m["name"] for m in default_models("vertex") if "/google/" in m["name"]]
    assert seen == google
    first = client.get(url, headers=auth).json()
    token = first["nextPageToken"]
    other = client.get(
        f"{emu.origin}/v1beta1/publishers/anthropic/models",
        headers=auth,
        params={"pageToken": token},
    )
    assert other.status_code == 400  # a page token is one list's, not another publisher's
    basic = client.get(url, headers=auth, params={"view": "PUBLISHER_MODEL_VIEW_BASIC"}).json()
    assert all("supportedActions" not in m for m in basic["publisherModels"])
    full = client.get(url, headers=auth, params={"view": "PUBLISHER_MODEL_VIEW_FULL"}).json()
    assert any("supportedActions" in m for m in full["publisherModels"])
    bad = client.get(url, headers=auth, params={"view": "EVERYTHING"})
    assert bad.status_code == 400


def test_emulator_error_bodies(emulator: EmulatorFactory, client: httpx.Client) -> None:
    emu = emulator("vertex")
    emu.push(
        Fault.status(403),
        Fault.status(429, retry_delay="2s"),
        Fault.status(429, kind="quota"),
        Fault.status(503),
    )
    url = f"{emu.origin}/v1beta1/publishers/google/models"
    disabled, limited, quota, down = (client.get(url).json()["error"] for _ in range(4))
    assert disabled["status"] == "PERMISSION_DENIED"
    assert disabled["message"].startswith("Vertex AI API has not been used in project")
    assert disabled["details"][0]["reason"] == "SERVICE_DISABLED"
    assert limited["status"] == "RESOURCE_EXHAUSTED"
    assert limited["details"][-1] == {
        "@type": "type.googleapis.com/google.rpc.RetryInfo",
        "retryDelay": "2s",
    }
    assert quota["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerDayPerProject"
    assert down == {
        "code": 503,
        "message": "The service is currently unavailable.",
        "status": "UNAVAILABLE",
    }


# ------------------------------------------------------------------------------ sync, ids


def test_sync_lists_every_publisher_then_skips_with_zero_requests(
    venv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("vertex")
    catalog = venv.wire(emu).catalog()
    handle = catalog.provider("vertex")
    first = handle.sync_models()
    assert first.status == "success"
    assert set(by_id(catalog)) == EXPECTED_IDS
    assert first.models_synced == len(EXPECTED_IDS)
    assert first.requests == first.pages == emu.count() == 4  # one page per publisher
    assert sorted(r.path for r in emu.requests) == sorted(
        f"/v1beta1/publishers/{p}/models" for p in PUBLISHERS
    )
    for request in emu.requests:
        assert request.headers["authorization"] == f"Bearer {emu.api_key}"
        assert request.headers["x-goog-user-project"] == PROJECT
        assert request.query == {"pageSize": ["100"], "view": ["PUBLISHER_MODEL_VIEW_FULL"]}
        assert emu.api_key not in request.raw_url
    second = handle.sync_models()
    assert (second.status, second.reason) == ("skipped", "cache_valid")
    assert emu.count() == 4
    assert handle.sync_models(force_refresh=True).status == "success"
    assert emu.count() == 8


def test_ids_owners_versions_lifecycle_and_actions(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    catalog = venv.wire(emu).catalog()
    catalog.provider("vertex").sync_models()
    models = by_id(catalog)
    sonnet = models["claude-sonnet-4-5@20250929"]
    assert (sonnet.owned_by, sonnet.version, sonnet.lifecycle) == (
        "anthropic",
        "20250929",
        "active",
    )
    assert sonnet.description == (
        "Vertex AI Model Garden model published by anthropic; launch stage GA."
    )
    assert models["claude-opus-4-6"].version == "default"  # not a snapshot date: no @ suffix
    scout = models["meta/llama-4-scout-17b-16e-instruct-maas"]
    assert (scout.owned_by, scout.lifecycle) == ("meta", "preview")
    llama = models["meta/llama3-3"]  # no launch stage at all: the API says nothing
    assert llama.lifecycle == "active"
    assert llama.description == "Vertex AI Model Garden model published by meta."
    assert models["gemini-3-pro-preview"].lifecycle == "preview"  # PUBLIC_PREVIEW
    assert models["model-optimizer-exp-04-09"].lifecycle == "preview"  # EXPERIMENTAL
    assert models["codestral-2501"].lifecycle == "active"  # LAUNCH_STAGE_UNSPECIFIED
    assert models["codestral-2501"].owned_by == "mistralai"
    tuned = models["gemini-2.5-pro"].capabilities["fine_tuning"]
    assert (tuned.supported, tuned.source) == (True, "api")  # openFineTuningPipeline
    assert models["gemma3"].supports("fine_tuning") is None  # deploy only: unknown, not False
    assert models["claude-haiku-4-5@20251001"].supports("fine_tuning") is None


def test_every_launch_stage_maps_to_a_lifecycle(venv: Env, emulator: EmulatorFactory) -> None:
    stages = {
        "GA": "active",
        "EXPERIMENTAL": "preview",
        "PRIVATE_PREVIEW": "preview",
        "PUBLIC_PREVIEW": "preview",
        "DOGFOOD": "preview",  # an older enum value
        "DEPRECATED": "deprecated",  # not in today's enum; mapped should Google add it
        "LAUNCH_STAGE_UNSPECIFIED": "active",
        "SOMETHING_NEW": "active",  # an unknown value says nothing, and breaks nothing
    }
    entries = [vertex_entry("google", f"m-{s.lower()}", stage=s) for s in stages]
    emu = emulator("vertex", models=entries)
    catalog = only_google(venv.wire(emu)).catalog()
    result = catalog.provider("vertex").sync_models()
    models = by_id(catalog)
    assert {s: models[f"m-{s.lower()}"].lifecycle for s in stages} == stages
    assert result.statistics is not None
    assert result.statistics["by_launch_stage"] == {
        s: 1 for s in stages if s != "LAUNCH_STAGE_UNSPECIFIED"
    }


@pytest.mark.parametrize(
    ("publisher", "name", "version", "expected"),
    [
        ("google", "gemini-2.5-pro", "default", "gemini-2.5-pro"),
        ("google", "gemini-2.0-flash-001", "001", "gemini-2.0-flash-001"),
        ("anthropic", "claude-sonnet-4-5", "20250929", "claude-sonnet-4-5@20250929"),
        ("anthropic", "claude-sonnet-4-5@20250929", "20250929", "claude-sonnet-4-5@20250929"),
        ("anthropic", "claude-opus-4-6", "default", "claude-opus-4-6"),
        ("mistralai", "mistral-small-2503", "001", "mistral-small-2503"),
        (
            "meta",
            "llama-4-scout-17b-16e-instruct-maas",
            "001",
            "meta/llama-4-scout-17b-16e-instruct-maas",
        ),
        (
            "qwen",
            "qwen3-coder-480b-a35b-instruct-maas",
            None,
            "qwen/qwen3-coder-480b-a35b-instruct-maas",
        ),
    ],
)
def test_model_ids_are_what_users_call(
    publisher: str, name: str, version: str | None, expected: str
) -> None:
    assert model_id(publisher, name, version) == expected


def test_partner_models_borrow_vendor_facts_but_never_vendor_prices(
    venv: Env, emulator: EmulatorFactory
) -> None:
    bundled = load_bundled()
    anthropic = bundled.lookup("anthropic", "claude-haiku-4-5-20251001")
    gemini = bundled.lookup("gemini", "gemini-3-flash-preview")
    assert anthropic is not None and anthropic.pricing is not None  # the vendor has a price
    assert gemini is not None and gemini.pricing is not None
    # Anthropic retired Sonnet 4.5 on its own API; that is Anthropic's schedule, not Vertex's.
    retired = bundled.lookup("anthropic", "claude-sonnet-4-5-20250929")
    assert retired is not None and retired.lifecycle == "retired"
    emu = emulator("vertex")
    catalog = venv.wire(emu).catalog()
    catalog.provider("vertex").sync_models()
    models = by_id(catalog)
    haiku = models["claude-haiku-4-5@20251001"]
    assert haiku.context_window == anthropic.context_window == 200000
    assert haiku.sources["context_window"] == "catalog"
    assert (haiku.supports("vision"), haiku.capabilities["vision"].source) == (True, "catalog")
    assert haiku.name == anthropic.name  # the vendor's name for exactly this snapshot
    assert haiku.pricing is None  # Anthropic's price is not Vertex's
    sonnet = models["claude-sonnet-4-5@20250929"]
    assert sonnet.context_window == retired.context_window == 200000  # what the model is
    assert sonnet.lifecycle != "retired" and sonnet.shutdown_date is None  # not when it ends
    assert sonnet.name == "Claude Sonnet 4.5"
    flash = models["gemini-3-flash-preview"]
    assert flash.context_window == gemini.context_window == 1048576
    assert flash.pricing is None
    assert models["meta/llama3-3"].context_window is None  # nobody knows: left unknown

    venv.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    bare = venv.catalog()
    bare.provider("vertex").sync_models(force_refresh=True)
    assert by_id(bare)["claude-sonnet-4-5@20250929"].context_window is None


VERTEX_API_JSON = {
    "anthropic": {
        "id": "anthropic",
        "models": {
            "claude-sonnet-4-5": {
                "id": "claude-sonnet-4-5",
                "name": "Claude Sonnet 4.5",
                "limit": {"context": 200000, "output": 64000},
                "cost": {"input": 3, "output": 15},
            }
        },
    },
    "google-vertex": {
        "id": "google-vertex",
        "models": {
            # models.dev's own id form (providers/google-vertex/models/*.toml); prices illustrative
            "claude-sonnet-4-5@20250929": {
                "id": "claude-sonnet-4-5@20250929",
                "name": "Claude Sonnet 4.5",
                "limit": {"context": 200000, "output": 64000},
                "cost": {"input": 3.3, "output": 16.5},
            },
            "claude-opus-4-6@default": {
                "id": "claude-opus-4-6@default",
                "name": "Claude Opus 4.6",
                "limit": {"context": 1000000, "output": 128000},
                "cost": {"input": 5, "output": 25},
            },
        },
    },
}


def test_models_dev_vertex_prices_are_vertex_prices(venv: Env, emulator: EmulatorFactory) -> None:
    from tests.test_modelsdev import ModelsDevServer

    server = ModelsDevServer()
    server.body = json.dumps(VERTEX_API_JSON).encode()
    try:
        emu = emulator("vertex")
        venv.wire(emu).vars.update(
            MODELSYNC_MODELSDEV_ENABLED="1", MODELSYNC_MODELSDEV_URL=server.url
        )
        catalog = venv.catalog()
        catalog.provider("vertex").sync_models()
    finally:
        server.stop()
    models = by_id(catalog)
    sonnet = models["claude-sonnet-4-5@20250929"].pricing
    assert sonnet is not None and (str(sonnet.input), str(sonnet.output)) == ("3.3", "16.5")
    assert sonnet.source == "catalog"
    opus = models["claude-opus-4-6"]  # models.dev's "@default" is the moving alias of the model
    assert opus.context_window == 1000000
    assert models["claude-haiku-4-5@20251001"].pricing is None  # Anthropic's price never flows


def test_vertex_snapshot_spelling_matches_only_the_same_snapshot() -> None:
    bundled = load_bundled()
    exact = bundled.match("vertex", "claude-sonnet-4-5@20250929")
    assert exact is not None and exact[0].id == "claude-sonnet-4-5-20250929" and exact[1]
    assert exact[0].pricing is None  # an aggregator's view of the vendor entry
    assert bundled.match("vertex", "claude-sonnet-4-5@20240101") is None  # another date: no
    assert bundled.match("anthropic", "claude-sonnet-4-5@20250929") is not None


def test_statistics_families_and_breakdowns(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    stats = venv.wire(emu).catalog().provider("vertex").sync_models().statistics
    assert stats is not None
    assert stats["total_models"] == len(EXPECTED_IDS)
    assert stats["by_publisher"] == {"anthropic": 4, "google": 11, "meta": 3, "mistralai": 3}
    assert stats["by_launch_stage"] == {"EXPERIMENTAL": 1, "GA": 14, "PUBLIC_PREVIEW": 4}
    assert (stats["gemini_models"], stats["gemma_models"], stats["claude_models"]) == (7, 1, 4)
    assert (stats["llama_models"], stats["mistral_models"]) == (3, 3)
    assert (stats["imagen_models"], stats["veo_models"]) == (1, 1)
    assert stats["fine_tuning_models"] == 4


# ------------------------------------------------------------------------------ pagination


def test_every_page_of_every_publisher_is_followed(venv: Env, emulator: EmulatorFactory) -> None:
    entries = google_models(5) + [
        vertex_entry("anthropic", f"claude-synth-{i}", version="20250101") for i in range(3)
    ]
    emu = emulator("vertex", models=entries, page_size=2)
    venv.wire(emu).vars["VERTEX_PUBLISHERS"] = "google,anthropic"
    catalog = venv.catalog()
    result = catalog.provider("vertex").sync_models()
    assert result.models_synced == 8
    assert result.pages == result.requests == emu.count() == 5  # 3 google pages, 2 anthropic
    assert len(by_id(catalog)) == 8
    tokens = [r.query.get("pageToken") for r in emu.requests]
    assert sum(1 for t in tokens if t) == 3


@pytest.mark.parametrize("fault", ["repeat", "null"])
def test_a_broken_page_chain_is_refused_not_shortened(
    fault: str, venv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("vertex", models=google_models(6), page_size=2)
    catalog = only_google(venv.wire(emu)).catalog()
    catalog.provider("vertex").sync_models()
    emu.cursor_fault = fault  # type: ignore[assignment]
    with pytest.raises(MalformedResponseError) as info:
        catalog.provider("vertex").sync_models(force_refresh=True)
    if fault == "repeat":
        assert "publisher 'google'" in str(info.value) and "loops" in str(info.value)
    else:  # an empty token ends Google's lists: the short list is caught by the shrink guard
        assert isinstance(info.value, SuspiciousFetchError)
    assert len(catalog.models(provider="vertex")) == 6


def test_page_count_is_capped(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex", models=google_models(10), page_size=1)
    only_google(venv.wire(emu)).vars["MODELSYNC_MAX_PAGES"] = "3"
    err = sync_error(venv)
    assert isinstance(err, MalformedResponseError)
    assert "more than 3 pages" in str(err)
    assert emu.count() == 3
    assert venv.catalog().models() == []


# ----------------------------------------------------------------- all or nothing, per publisher


def test_an_unknown_publisher_fails_the_sync_and_says_which(
    venv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("vertex")
    venv.wire(emu).vars["VERTEX_PUBLISHERS"] = "google,nosuch"
    err = sync_error(venv)
    assert isinstance(err, EndpointNotFoundError)
    assert str(err).startswith("vertex: publisher 'nosuch': ")
    assert "VERTEX_PUBLISHERS" in str(err) and "us-central1" in str(err)
    assert venv.catalog().models() == []  # google's models were not stored as "the catalog"
    failure = venv.catalog().provider("vertex").last_failure()
    assert failure is not None and failure["error_type"] == "not_found"


def test_one_publisher_refused_keeps_the_whole_last_good_catalog(
    venv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("vertex")
    catalog = venv.wire(emu).catalog()
    catalog.provider("vertex").sync_models()
    before = [m.to_dict() for m in catalog.models(provider="vertex")]
    emu.reset_requests()
    emu.push(Fault.status(403))  # whichever publisher's request comes first is refused
    err = sync_error(venv)
    assert isinstance(err, PermissionDeniedError)
    assert any(f"publisher '{p}'" in str(err) for p in PUBLISHERS)
    assert "aiplatform.googleapis.com" in str(err) and PROJECT in str(err)
    assert [m.to_dict() for m in venv.catalog().models(provider="vertex")] == before
    assert emu.count() <= 4  # never retried; the others may be cancelled


def test_a_publisher_listing_nothing_is_refused(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex", models=google_models(3))
    catalog = only_google(venv.wire(emu)).catalog()
    catalog.provider("vertex").sync_models()
    emu.push(Fault.raw(200, "{}"))  # proto3 JSON of an empty list
    with pytest.raises(SuspiciousFetchError) as info:
        catalog.provider("vertex").sync_models(force_refresh=True)
    assert "publisher 'google' listed no models at us-central1" in str(info.value)
    assert len(catalog.models(provider="vertex")) == 3


# ---------------------------------------------------------------------------- fault matrix


@pytest.mark.parametrize("kind", ["expired", "missing", "api_key", "type"])
def test_bad_credentials_in_each_shape_are_invalid_credentials(
    kind: str, venv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu))
    emu.push(Fault.status(401, kind=kind), Fault.status(401, kind=kind))
    err = sync_error(venv)
    assert isinstance(err, InvalidCredentialsError)
    assert err.status_code == 401
    assert str(err).startswith("vertex: publisher 'google': ")
    assert "gcloud auth print-access-token" in str(err)  # a static token: mint a new one
    assert emu.count() == 1  # never retried, never "renewed": the token is not ours to renew


def test_a_wrong_token_is_invalid_credentials(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    venv.wire(emu).vars["VERTEX_ACCESS_TOKEN"] = "ya29.wrong-token-0000000000"
    err = sync_error(venv)
    assert isinstance(err, InvalidCredentialsError)
    assert "Request had invalid authentication credentials" in str(err)
    assert 1 <= emu.count() <= 4


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("service_disabled", "Vertex AI API has not been used in project"),
        ("user_project", "Caller does not have required permission to use project"),
        ("iam", "Permission 'aiplatform.models.list' denied"),
    ],
)
def test_403_in_each_shape_is_permission_denied(
    kind: str, text: str, venv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu))
    emu.push(Fault.status(403, kind=kind), Fault.status(403, kind=kind))
    err = sync_error(venv)
    assert isinstance(err, PermissionDeniedError)
    assert text in str(err)
    assert f"enable the Vertex AI API (aiplatform.googleapis.com) for {PROJECT}" in str(err)
    assert emu.count() == 1


def test_429_with_retry_after_then_success(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu))
    emu.push(Fault.status(429, retry_after="0.2"))
    started = time.monotonic()
    result = venv.catalog().provider("vertex").sync_models()
    assert result.status == "success"
    assert result.retries == 1
    assert result.requests == emu.count() == 2
    assert time.monotonic() - started >= 0.2


def test_429_retry_info_in_the_body_is_honoured(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu))
    emu.push(Fault.status(429, retry_delay="0.3s"))
    started = time.monotonic()
    result = venv.catalog().provider("vertex").sync_models()
    assert (result.status, result.retries) == ("success", 1)
    assert time.monotonic() - started >= 0.3


def test_a_daily_quota_is_not_retried(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu))
    emu.push(Fault.status(429, kind="quota"), Fault.status(429, kind="quota"))
    err = sync_error(venv)
    assert isinstance(err, QuotaExceededError)
    assert emu.count() == 1


@pytest.mark.parametrize("status", [500, 503, 504])
def test_5xx_then_success(status: int, venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu))
    emu.push(Fault.status(status), Fault.status(status))
    result = venv.catalog().provider("vertex").sync_models()
    assert (result.status, result.retries) == ("success", 2)
    assert result.models_synced == 11


def test_retries_exhausted_keep_the_last_good_catalog(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    catalog = only_google(venv.wire(emu)).catalog()
    catalog.provider("vertex").sync_models()
    before = [m.to_dict() for m in catalog.models(provider="vertex")]
    emu.reset_requests()
    emu.push(*[Fault.status(503) for _ in range(10)])
    err = sync_error(venv)
    assert isinstance(err, ProviderUnavailableError)
    assert emu.count() == 4  # 1 + MODELSYNC_MAX_RETRIES (3)
    assert [m.to_dict() for m in venv.catalog().models(provider="vertex")] == before
    failure = venv.catalog().provider("vertex").last_failure()
    assert failure is not None and failure["retry_count"] == 3


GEMINI_SHAPED = json.dumps({"models": [{"name": "models/gemini-2.5-pro"}]})


@pytest.mark.parametrize("fault", ["malformed", "html", "wrong_shape", "gemini_shaped", "bad_name"])
def test_garbage_answers_are_malformed_responses(
    fault: str, venv: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu))
    make: dict[str, Callable[[], Fault]] = {
        "malformed": Fault.malformed,
        "html": Fault.html,
        "wrong_shape": Fault.wrong_shape,
        "gemini_shaped": lambda: Fault.raw(200, GEMINI_SHAPED),
        "bad_name": lambda: Fault.raw(200, json.dumps({"publisherModels": [{"name": "x"}]})),
    }
    emu.push(make[fault](), make[fault]())
    err = sync_error(venv)
    assert isinstance(err, MalformedResponseError)
    assert emu.count() == 1  # a garbage answer is not retried
    expected = {
        "malformed": "invalid JSON",
        "html": "HTML",
        "wrong_shape": "unexpected shape",
        "gemini_shaped": "no 'publisherModels' array",
        "bad_name": "is not publishers/{p}/models/{m}",
    }
    assert expected[fault] in str(err)
    assert "publisher 'google'" in str(err)


def test_timeout_is_provider_unavailable(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu)).vars.update(
        MODELSYNC_REQUEST_TIMEOUT="0.2", MODELSYNC_MAX_RETRIES="0"
    )
    emu.push(Fault.hang(3))
    started = time.monotonic()
    err = sync_error(venv)
    assert isinstance(err, ProviderUnavailableError)
    assert "0.2s" in str(err)
    assert time.monotonic() - started < 2


def test_credentials_probe_is_one_cheap_request(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    handle = venv.wire(emu).catalog().provider("vertex")
    assert handle.has_valid_credentials() is True
    (request,) = emu.requests
    assert (request.path, request.query) == (
        "/v1beta1/publishers/google/models",
        {"pageSize": ["1"]},
    )
    venv.vars["VERTEX_ACCESS_TOKEN"] = "ya29.wrong-token-0000000000"
    assert venv.catalog().provider("vertex").has_valid_credentials() is False


def test_base_url_path_prefix_is_kept(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex", path_prefix="/psc/vertex")
    assert venv.wire(emu).catalog().provider("vertex").sync_models().status == "success"
    assert all(r.path.startswith("/psc/vertex/v1beta1/publishers/") for r in emu.requests)


# -------------------------------------------------------------------------- configuration


def _adapter(env: dict[str, str]) -> VertexAdapter:
    adapter = VertexAdapter.from_env(Settings(), env)
    assert isinstance(adapter, VertexAdapter)
    return adapter


@pytest.mark.parametrize(
    ("location", "url"),
    [
        (None, "https://us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com"),
        ("global", "https://aiplatform.googleapis.com"),
        ("us", "https://aiplatform.us.rep.googleapis.com"),
        ("EU", "https://aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_location_chooses_the_endpoint(location: str | None, url: str, tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    if location:
        env["GOOGLE_CLOUD_LOCATION"] = location
    adapter = _adapter(env)
    assert adapter.config.base_url == url == location_url((location or "us-central1").lower())
    env["VERTEX_BASE_URL"] = "http://127.0.0.1:9/private"
    assert _adapter(env).config.base_url == "http://127.0.0.1:9/private"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("GOOGLE_CLOUD_LOCATION", "europe west4", "is not a Vertex AI location"),
        ("GOOGLE_CLOUD_LOCATION", "https://evil.example", "is not a Vertex AI location"),
        ("VERTEX_PUBLISHERS", "google, ../etc", "is not a list of Model Garden publisher ids"),
        ("VERTEX_PUBLISHERS", " , ", "is not a list of Model Garden publisher ids"),
    ],
)
def test_bad_settings_are_clear_configuration_errors(
    name: str, value: str, words: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError) as info:
        _adapter({"HOME": str(tmp_path), name: value})
    assert words in str(info.value)
    assert str(info.value).startswith("vertex: ")


def test_publishers_are_read_cleaned_and_deduplicated(tmp_path: Path) -> None:
    adapter = _adapter({"HOME": str(tmp_path), "VERTEX_PUBLISHERS": " Google,anthropic,google "})
    assert adapter.vertex.publishers == ("google", "anthropic")
    assert _adapter({"HOME": str(tmp_path)}).vertex.publishers == PUBLISHERS


def test_the_fingerprint_follows_endpoint_project_and_publishers_not_the_token(
    tmp_path: Path,
) -> None:
    base = {"HOME": str(tmp_path), "GOOGLE_CLOUD_PROJECT": "p1", "VERTEX_ACCESS_TOKEN": "ya29.one"}
    one = _adapter(base).config.fingerprint
    assert _adapter({**base, "VERTEX_ACCESS_TOKEN": "ya29.two"}).config.fingerprint == one
    assert _adapter({**base, "GOOGLE_CLOUD_PROJECT": "p2"}).config.fingerprint != one
    assert _adapter({**base, "VERTEX_PUBLISHERS": "google"}).config.fingerprint != one
    assert _adapter({**base, "GOOGLE_CLOUD_LOCATION": "global"}).config.fingerprint != one


def test_where_credentials_come_from(tmp_path: Path) -> None:
    home = {"HOME": str(tmp_path)}
    nothing = _adapter(home).vertex
    assert (nothing.has_key, nothing.key_env, nothing.adc_label) == (False, "", None)
    token = _adapter({**home, "GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.tok"}).vertex
    assert (token.has_key, token.key_env, token.adc_label) == (
        True,
        "GOOGLE_OAUTH_ACCESS_TOKEN",
        None,
    )
    named = _adapter({**home, "GOOGLE_APPLICATION_CREDENTIALS": "/keys/sa.json"}).vertex
    assert (named.has_key, named.key_env, named.adc_file) == (
        True,
        "GOOGLE_APPLICATION_CREDENTIALS",
        "/keys/sa.json",
    )
    gcloud = tmp_path / ".config" / "gcloud" / "application_default_credentials.json"
    gcloud.parent.mkdir(parents=True)
    gcloud.write_text("{}")
    found = _adapter(home).vertex
    assert (found.has_key, found.adc_label, found.adc_file) == (
        True,
        "gcloud ADC file",
        str(gcloud),
    )
    config_dir = tmp_path / "sdk"
    moved = _adapter({"HOME": "/nonexistent", "CLOUDSDK_CONFIG": str(config_dir)})
    assert moved.vertex.has_key is False  # CLOUDSDK_CONFIG moves gcloud's file elsewhere
    gce = _adapter({"HOME": "/nonexistent", "GCE_METADATA_HOST": "metadata.google.internal"})
    assert (gce.vertex.has_key, gce.vertex.adc_label) == (True, "GCE_METADATA_HOST")
    assert isinstance(gce.config, VertexConfig)


def test_a_plain_sync_includes_vertex_only_with_credentials(
    venv: Env, emulator: EmulatorFactory
) -> None:
    openai = emulator("openai")
    vertex = emulator("vertex")
    venv.wire(openai).vars["VERTEX_BASE_URL"] = vertex.base_url
    report = venv.catalog().sync()
    assert set(report.to_dict()["providers"]) == {"openai"}
    assert vertex.count() == 0
    venv.vars["VERTEX_ACCESS_TOKEN"] = vertex.api_key
    report = venv.catalog().sync()
    assert set(report.to_dict()["providers"]) == {"openai", "vertex"}
    assert report["vertex"].status == "success"


def test_naming_vertex_without_credentials_says_what_to_set(venv: Env) -> None:
    out = venv.run_cli("sync", "vertex")
    assert out.returncode == 1
    assert "vertex" in out.stdout + out.stderr and "VERTEX_ACCESS_TOKEN" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr


# ---------------------------------------------------------------------------------- secrets

CANARY = "ya29.CANARY-7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e"
REFRESH_CANARY = "1//0CANARY-refresh-9d8c7b6a5f4e3d2c1b0a"
FRAGMENTS = (CANARY, CANARY[:14], CANARY[-8:], REFRESH_CANARY, REFRESH_CANARY[-10:])


def _store_bytes(env: Env) -> bytes:
    return b"".join(Path(p).read_bytes() for p in env.tmp.glob("catalog.db*"))


def _assert_clean(text: str | bytes) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for fragment in FRAGMENTS:
        assert fragment not in blob


def test_canary_token_never_leaks(
    venv: Env, emulator: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = emulator("vertex", api_key=CANARY)
    catalog = venv.wire(good).catalog()
    assert catalog.provider("vertex").sync_models().status == "success"
    for obj in (catalog, catalog.engine("vertex"), catalog.adapter("vertex")):
        _assert_clean(repr(obj))
    adapter = catalog.adapter("vertex")
    assert isinstance(adapter, VertexAdapter)
    _assert_clean(repr(adapter.config))
    _assert_clean(repr(adapter.auth))

    rejecting = emulator("vertex", api_key="ya29.a-different-accepted-token")
    venv.wire(rejecting).vars["VERTEX_ACCESS_TOKEN"] = CANARY
    with pytest.raises(ModelSyncError) as info:
        venv.catalog().provider("vertex").sync_models(force_refresh=True)
    _assert_clean(str(info.value))
    _assert_clean(repr(info.value))
    assert venv.catalog().provider("vertex").has_valid_credentials() is False

    venv.wire(good)
    # A body that echoes the token, as a misbehaving proxy might.
    echo = json.dumps(
        {"error": {"code": 500, "message": f"bad token {CANARY}", "status": "INTERNAL"}}
    )
    good.push(Fault.raw(500, echo), *[Fault.status(500) for _ in range(20)])
    with pytest.raises(ModelSyncError) as info2:
        venv.catalog().provider("vertex").sync_models(force_refresh=True)
    _assert_clean(str(info2.value))
    for args in (["status", "--json"], ["providers", "--json"], ["models", "--json"]):
        out = venv.run_cli(*args)
        _assert_clean(out.stdout + out.stderr)
    out = venv.run_cli("sync", "vertex", "--force", "-vv")
    _assert_clean(out.stdout + out.stderr)
    for record in caplog.records:
        _assert_clean(record.getMessage())
    _assert_clean(caplog.text)
    _assert_clean(_store_bytes(venv))


# --------------------------------------------------------------- Application Default Credentials


@pytest.fixture(scope="module")
def sa_key() -> ServiceAccountKey:
    return ServiceAccountKey.generate()


@pytest.fixture
def token_endpoint(sa_key: ServiceAccountKey) -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint(public_key=sa_key.public_key, tokens=("ya29.adc-token-0001",))
    with endpoint.run():
        yield endpoint


def _service_account_env(
    env: Env, endpoint: TokenEndpoint, key: ServiceAccountKey, emu: ProviderEmulator
) -> Env:
    path = service_account_file(env.tmp / "sa.json", key=key, token_uri=endpoint.token_uri)
    env.vars.update(GOOGLE_APPLICATION_CREDENTIALS=str(path), VERTEX_BASE_URL=emu.base_url)
    return env


def test_service_account_adc_signs_a_jwt_and_uses_the_token(
    env: Env,
    emulator: EmulatorFactory,
    token_endpoint: TokenEndpoint,
    sa_key: ServiceAccountKey,
) -> None:
    emu = emulator("vertex", api_key=token_endpoint.next_token())
    catalog = _service_account_env(env, token_endpoint, sa_key, emu).catalog()
    assert catalog.is_configured("vertex")
    result = catalog.provider("vertex").sync_models()
    assert result.status == "success"
    assert set(by_id(catalog)) == EXPECTED_IDS
    (grant,) = token_endpoint.requests
    assert grant.grant_type == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert grant.claims["iss"] == token_endpoint.client_email
    assert grant.claims["aud"] == "https://oauth2.googleapis.com/token"
    assert grant.claims["scope"] == "https://www.googleapis.com/auth/cloud-platform"
    for request in emu.requests:
        assert request.headers["authorization"] == "Bearer ya29.adc-token-0001"
        # No GOOGLE_CLOUD_PROJECT: the key file's project bills the call.
        assert request.headers["x-goog-user-project"] == "test-project"
    # The token lasts an hour: the next sync reuses it instead of signing in again.
    catalog.provider("vertex").sync_models(force_refresh=True)
    assert token_endpoint.count == 1


def test_a_key_google_does_not_know_is_invalid_credentials(
    env: Env, emulator: EmulatorFactory, token_endpoint: TokenEndpoint
) -> None:
    emu = emulator("vertex", api_key=token_endpoint.next_token())
    stranger = ServiceAccountKey.generate()  # not the key whose public half the endpoint has
    err = sync_error(_service_account_env(env, token_endpoint, stranger, emu))
    assert isinstance(err, InvalidCredentialsError)
    assert "Invalid JWT Signature" in str(err)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(err)
    assert emu.count() == 0  # nothing was sent to Vertex without a token
    _assert_no_key_material(str(err), stranger)


def _assert_no_key_material(text: str, key: ServiceAccountKey) -> None:
    body = "".join(key.private_pem.splitlines()[1:-1])
    assert body[:40] not in text and body[-40:] not in text


def test_an_unreachable_token_endpoint_is_provider_unavailable(
    env: Env, emulator: EmulatorFactory, sa_key: ServiceAccountKey
) -> None:
    emu = emulator("vertex")
    path = service_account_file(
        env.tmp / "sa.json", key=sa_key, token_uri="http://127.0.0.1:9/token"
    )
    env.vars.update(GOOGLE_APPLICATION_CREDENTIALS=str(path), VERTEX_BASE_URL=emu.base_url)
    err = sync_error(env)
    assert isinstance(err, ProviderUnavailableError)
    assert "token endpoint" in str(err)
    assert emu.count() == 0


def test_a_missing_or_broken_key_file_is_a_clear_error(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    env.vars.update(
        GOOGLE_APPLICATION_CREDENTIALS=str(env.tmp / "missing.json"), VERTEX_BASE_URL=emu.base_url
    )
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError)
    assert "no usable Application Default Credentials" in str(err)
    assert "missing.json" in str(err)
    broken = env.tmp / "broken.json"
    broken.write_text('{"type": "service_account", "private_key": "nope"}')
    env.vars["GOOGLE_APPLICATION_CREDENTIALS"] = str(broken)
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError)
    assert emu.count() == 0


def test_a_401_on_an_adc_token_renews_it_once(
    env: Env, emulator: EmulatorFactory, token_endpoint: TokenEndpoint, sa_key: ServiceAccountKey
) -> None:
    emu = emulator("vertex", api_key=token_endpoint.next_token())
    only_google(_service_account_env(env, token_endpoint, sa_key, emu))
    emu.push(Fault.status(401))  # revoked early: google-auth still thought the token valid
    result = env.catalog().provider("vertex").sync_models()
    assert result.status == "success"
    assert token_endpoint.count == 2  # signed in, then once more after the 401
    assert emu.count() == 2
    emu.push(Fault.status(401), Fault.status(401))  # still refused after renewing: give up
    err = sync_error(env)
    assert isinstance(err, InvalidCredentialsError)
    assert token_endpoint.count == 4  # a fresh catalog signs in, then renews once
    assert emu.count() == 4
    # Four publishers refused at once renew the token once, not four times.
    env.vars["VERTEX_PUBLISHERS"] = ",".join(PUBLISHERS)
    catalog = env.catalog()
    assert catalog.provider("vertex").sync_models().status == "success"
    assert token_endpoint.count == 5
    emu.push(*[Fault.status(401) for _ in range(4)])
    assert catalog.provider("vertex").sync_models(force_refresh=True).status == "success"
    assert token_endpoint.count == 6


def test_gcloud_authorized_user_file_refreshes_with_its_refresh_token(
    env: Env,
    emulator: EmulatorFactory,
    token_endpoint: TokenEndpoint,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import google.oauth2.credentials

    # gcloud's file names no token endpoint; google-auth always uses Google's. Point it here.
    monkeypatch.setattr(
        google.oauth2.credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", token_endpoint.token_uri
    )
    emu = emulator("vertex", api_key=token_endpoint.next_token())
    gcloud = Path(env.vars["HOME"]) / ".config" / "gcloud" / "application_default_credentials.json"
    authorized_user_file(gcloud, endpoint=token_endpoint, quota_project_id="quota-project")
    env.vars.update(VERTEX_BASE_URL=emu.base_url, GOOGLE_CLOUD_PROJECT=PROJECT)
    catalog = only_google(env).catalog()
    assert catalog.adapter("vertex").config.key_env == "gcloud ADC file"
    assert catalog.provider("vertex").sync_models().status == "success"
    (grant,) = token_endpoint.requests
    assert grant.grant_type == "refresh_token"
    assert grant.form["refresh_token"] == token_endpoint.refresh_token
    (request,) = emu.requests
    assert request.headers["x-goog-user-project"] == "quota-project"  # the file's quota project
    env.vars["GOOGLE_CLOUD_QUOTA_PROJECT"] = "billed-here"
    only_google(env).catalog().provider("vertex").sync_models(force_refresh=True)
    assert emu.requests[-1].headers["x-goog-user-project"] == "billed-here"


def test_adc_secrets_never_leak(
    env: Env,
    emulator: EmulatorFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import google.oauth2.credentials

    caplog.set_level(logging.DEBUG)
    endpoint = TokenEndpoint(tokens=(CANARY,), refresh_token=REFRESH_CANARY)
    with endpoint.run():
        monkeypatch.setattr(
            google.oauth2.credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", endpoint.token_uri
        )
        emu = emulator("vertex", api_key=CANARY)
        gcloud = Path(env.vars["HOME"]) / ".config/gcloud/application_default_credentials.json"
        authorized_user_file(gcloud, endpoint=endpoint)
        env.vars["VERTEX_BASE_URL"] = emu.base_url
        catalog = env.catalog()
        assert catalog.provider("vertex").sync_models().status == "success"
        _assert_clean(repr(catalog.adapter("vertex")))
        echo = json.dumps({"error": {"code": 503, "message": f"token {CANARY}", "status": "X"}})
        emu.push(*[Fault.raw(503, echo) for _ in range(20)])
        with pytest.raises(ModelSyncError) as info:
            catalog.provider("vertex").sync_models(force_refresh=True)
        _assert_clean(str(info.value))
        # The token endpoint refuses the refresh token, echoing it (as no real one should).
        endpoint.fail(400, {"error": "invalid_grant", "error_description": f"bad {REFRESH_CANARY}"})
        with pytest.raises(InvalidCredentialsError) as info2:
            env.catalog().provider("vertex").sync_models(force_refresh=True)
        _assert_clean(str(info2.value))
    for record in caplog.records:
        _assert_clean(record.getMessage())
    _assert_clean(_store_bytes(env))


def test_cli_with_a_service_account_key_file(
    env: Env, emulator: EmulatorFactory, token_endpoint: TokenEndpoint, sa_key: ServiceAccountKey
) -> None:
    emu = emulator("vertex", api_key=token_endpoint.next_token())
    _service_account_env(env, token_endpoint, sa_key, emu)
    out = env.run_cli("sync", "--json")  # a plain sync: the key file makes Vertex configured
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["providers"]["vertex"]["models_synced"] == len(EXPECTED_IDS)
    rows = {r["provider"]: r for r in json.loads(env.run_cli("providers", "--json").stdout)}
    vertex = rows["vertex"]
    assert (vertex["key_set"], vertex["configured"], vertex["key_env"]) == (
        True,
        True,
        ["GOOGLE_APPLICATION_CREDENTIALS"],
    )
    assert vertex["base_url"] == emu.base_url
    status = {
        r["provider"]: r for r in json.loads(env.run_cli("status", "--json").stdout)["providers"]
    }
    assert (status["vertex"]["configured"], status["vertex"]["state"]) == (True, "fresh")
    assert status["vertex"]["models"] == len(EXPECTED_IDS)
    listed = json.loads(env.run_cli("models", "--provider", "vertex", "--json").stdout)
    assert {m["id"] for m in listed} == EXPECTED_IDS


def test_adc_from_the_metadata_server_on_google_cloud(env: Env, emulator: EmulatorFactory) -> None:
    """GCE_METADATA_HOST marks Google Cloud: google-auth finds and asks the metadata server."""
    with MetadataServer(token="ya29.gce-token-0001").run() as metadata:
        emu = emulator("vertex", api_key=metadata.token)
        env.vars.pop("NO_GCE_CHECK")  # this run may look for the (loopback) metadata server
        env.vars.update(
            GCE_METADATA_HOST=metadata.host,
            GCE_METADATA_IP=metadata.host,  # where google-auth pings to detect Google Cloud
            VERTEX_BASE_URL=emu.base_url,
            VERTEX_PUBLISHERS="google",
        )
        out = env.run_cli("sync", "vertex", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["providers"]["vertex"]["status"] == "success"
    (request,) = emu.requests
    assert request.headers["authorization"] == "Bearer ya29.gce-token-0001"
    assert request.headers["x-goog-user-project"] == "gce-project"  # the project it reported
    assert "/computeMetadata/v1/instance/service-accounts/default/token" in {
        p.split("?")[0] for p in metadata.paths
    }


def test_providers_says_what_vertex_needs_when_nothing_is_set(env: Env) -> None:
    out = env.run_cli("providers")
    (line,) = [ln for ln in out.stdout.splitlines() if " vertex " in ln]
    assert "no key" in line
    assert "VERTEX_ACCESS_TOKEN or GOOGLE_OAUTH_ACCESS_TOKEN" in line
    assert "https://us-central1-aiplatform.googleapis.com" in line


# ------------------------------------------------------------------ the optional extra stays optional

BLOCK_GOOGLE_AUTH = """
import sys

class _NoGoogleAuth:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[:2] in (["google", "auth"], ["google", "oauth2"]):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoGoogleAuth())
"""


def _run_blocked(env: Env, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_GOOGLE_AUTH + code, *args],
        env=env.vars,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


CLI = "from modelsync.cli import main\nmain(prog_name='modelsync')\n"


def test_without_google_auth_everything_else_works(env: Env, emulator: EmulatorFactory) -> None:
    probe = _run_blocked(env, "import google.auth\n")
    assert probe.returncode != 0 and "No module named 'google.auth'" in probe.stderr  # the shim
    imported = _run_blocked(
        env,
        "import modelsync, modelsync.providers.vertex, modelsync.cli\n"
        "print(sorted(m for m in sys.modules if m.startswith('google')))\n",
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "[]"
    assert _run_blocked(env, CLI, "providers").returncode == 0
    offline = _run_blocked(env, CLI, "models", "--offline", "--provider", "anthropic")
    assert offline.returncode == 0 and "claude" in offline.stdout
    openai = emulator("openai")
    env.wire(openai)
    assert _run_blocked(env, CLI, "sync", "openai").returncode == 0
    # Vertex with a token needs no extra either.
    vertex = emulator("vertex")
    env.vars.update(VERTEX_ACCESS_TOKEN=vertex.api_key, VERTEX_BASE_URL=vertex.base_url)
    synced = _run_blocked(env, CLI, "sync", "vertex", "--json")
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["providers"]["vertex"]["status"] == "success"


def test_adc_without_the_extra_is_one_line_naming_it(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    key_file = env.tmp / "sa.json"
    key_file.write_text("{}")
    env.vars.update(GOOGLE_APPLICATION_CREDENTIALS=str(key_file), VERTEX_BASE_URL=emu.base_url)
    out = _run_blocked(env, CLI, "sync", "vertex")
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    (line,) = [ln for ln in out.stdout.splitlines() if "modelsync[vertex]" in ln]
    assert "[configuration_error] vertex: Application Default Credentials need" in line
    assert "pip install 'modelsync[vertex]'" in line and "google-auth" in line
    assert all(ln.count("modelsync[vertex]") == 1 for ln in out.stderr.splitlines())  # the log
    assert emu.count() == 0
    failure = _run_blocked(env, CLI, "status", "--json")
    rows = {r["provider"]: r for r in json.loads(failure.stdout)["providers"]}
    assert rows["vertex"]["last_failure"]["error_type"] == "configuration_error"


def test_importing_the_vertex_adapter_loads_no_google_auth() -> None:
    code = (
        "import sys, modelsync.providers.vertex\n"
        "assert not any(m.startswith('google') for m in sys.modules), sorted(sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------- random answers: success or refused

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.text(max_size=10)
    | st.sampled_from(["GA", "publishers/google/models/x", "20250929", "", "PUBLIC_PREVIEW"])
)
_JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def _payloads(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(_JSON)
    entries: list[Any] = [e for e in default_models("vertex") if "/google/" in e["name"]]
    body: dict[str, Any] = {"publisherModels": entries}
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "replace", "entry", "top"]))
        if op == "top":
            body[draw(st.sampled_from(["publisherModels", "nextPageToken", "extra"]))] = draw(_JSON)
            continue
        if not isinstance(body.get("publisherModels"), list) or not entries:
            break
        i = draw(st.integers(0, len(entries) - 1))
        if op == "entry" or not isinstance(entries[i], dict) or not entries[i]:
            entries[i] = draw(_JSON)
            continue
        key = draw(st.sampled_from(sorted(entries[i])))
        if op == "delete":
            del entries[i][key]
        else:
            entries[i][key] = draw(_JSON)
    return body


def test_random_answers_succeed_or_are_refused(venv: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vertex")
    only_google(venv.wire(emu)).vars.update(MODELSYNC_MAX_RETRIES="0", MODELSYNC_MAX_SHRINK="1")
    succeed_or_malformed(venv.catalog(), "vertex", emu, _payloads(), then=[Fault.raw(200, "{}")])
