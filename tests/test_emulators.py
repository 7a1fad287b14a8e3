"""Self-tests for the provider emulators, using plain httpx (never modelsync code).

They pin down the wire behaviour other tests rely on: auth rejections, list shapes,
pagination, cursor faults, scripted faults, latency, path prefixes and request recording.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.emulators import (
    PROVIDERS,
    Fault,
    ProviderEmulator,
    default_models,
    synthetic_models,
)

KEY = "sk-test-123"
Start = Callable[..., ProviderEmulator]


@pytest.fixture
def start() -> Iterator[Start]:
    """Start emulators and always stop them, even when the test fails."""
    started: list[ProviderEmulator] = []

    def _start(provider: str, **kwargs: Any) -> ProviderEmulator:
        emu = ProviderEmulator.start(provider, **kwargs)
        started.append(emu)
        return emu

    yield _start
    for emu in started:
        emu.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


def auth(provider: str, key: str = KEY) -> dict[str, str]:
    """Headers the official SDK sends for ``provider``."""
    if provider == "anthropic":
        return {"x-api-key": key, "anthropic-version": "2023-06-01"}
    if provider == "gemini":
        return {"x-goog-api-key": key}
    return {"Authorization": f"Bearer {key}"}


def list_url(emu: ProviderEmulator) -> str:
    """Where the SDK lists models, relative to the emulator's base_url."""
    suffix = {"anthropic": "/v1/models", "gemini": "/v1beta/models"}.get(emu.provider, "/models")
    return emu.base_url + suffix


def ids_of(provider: str, entries: list[dict[str, Any]]) -> list[str]:
    field = "name" if provider == "gemini" else "id"
    return [e[field] for e in entries]


def listed(provider: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = body["models"] if provider == "gemini" else body["data"]
    return entries


# ------------------------------------------------------------------------ basic listing


@pytest.mark.parametrize("provider", PROVIDERS)
def test_default_listing_and_base_url(start: Start, client: httpx.Client, provider: str) -> None:
    emu = start(provider)
    root = {"openai": "/v1", "xai": "/v1"}.get(provider, "")
    assert emu.base_url == f"http://127.0.0.1:{emu.port}{root}"
    assert emu.provider == provider and emu.api_key == KEY

    r = client.get(list_url(emu), headers=auth(provider))

    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    if provider in ("openai", "xai"):
        assert body["object"] == "list"
    if provider == "anthropic":
        assert body["has_more"] is False
    if provider == "gemini":
        assert "nextPageToken" not in body
    expected = default_models(provider)
    if provider == "xai":
        assert ids_of(provider, listed(provider, body)) == [
            *ids_of(provider, expected),
            "grok-2-image-1212",
        ]
    else:
        assert listed(provider, body) == expected


def test_default_fixtures_contain_required_ids() -> None:
    openai_ids = set(ids_of("openai", default_models("openai")))
    assert {
        "gpt-5",
        "gpt-5-mini",
        "gpt-4.1",
        "gpt-4o",
        "chatgpt-4o-latest",
        "gpt-3.5-turbo",
        "o3",
        "o4-mini",
        "text-embedding-3-small",
        "whisper-1",
        "tts-1",
        "dall-e-3",
        "gpt-image-1",
        "omni-moderation-latest",
    } <= openai_ids
    anthropic = default_models("anthropic")
    assert anthropic[0]["id"] == "claude-opus-4-6" and "capabilities" in anthropic[0]
    assert any("capabilities" not in m for m in anthropic)
    created = [m["created_at"] for m in anthropic]
    assert created == sorted(created, reverse=True), "newest first"
    gemini = {m["name"]: m for m in default_models("gemini")}
    assert gemini["models/text-embedding-004"]["supportedGenerationMethods"] == ["embedContent"]
    assert gemini["models/imagen-4.0-generate-001"]["supportedGenerationMethods"] == ["predict"]
    assert {"grok-4", "grok-3", "grok-3-mini", "grok-2-vision-1212", "grok-code-fast-1"} <= set(
        ids_of("xai", default_models("xai"))
    )
    first = default_models("openai")
    first[0]["id"] = "mutated"
    assert default_models("openai")[0]["id"] != "mutated", "returns copies"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_synthetic_models_are_distinct_and_listable(
    start: Start, client: httpx.Client, provider: str
) -> None:
    models = synthetic_models(provider, 7)
    ids = ids_of(provider, models)
    assert len(set(ids)) == 7
    assert set(ids).isdisjoint(ids_of(provider, synthetic_models(provider, 3, start=7)))
    emu = start(provider, models=models)
    body = client.get(list_url(emu), headers=auth(provider)).json()
    got = listed(provider, body)
    if provider == "xai":
        got = got[:-1]  # the extra plain image model
        assert [m["id"] for m in got] == ids
    else:
        assert got == models


def test_set_models_takes_effect_and_models_is_a_copy(start: Start, client: httpx.Client) -> None:
    emu = start("openai")
    emu.set_models(synthetic_models("openai", 2))
    body = client.get(list_url(emu), headers=auth("openai")).json()
    assert [m["id"] for m in body["data"]] == ["gpt-synth-0000", "gpt-synth-0001"]
    snapshot = emu.models
    snapshot[0]["id"] = "changed"
    assert emu.models[0]["id"] == "gpt-synth-0000"


def test_xai_two_endpoints_from_one_model_set(start: Start, client: httpx.Client) -> None:
    emu = start("xai", models=synthetic_models("xai", 2))
    emu.extra_plain_models = ["grok-imagine-image"]
    plain = client.get(emu.base_url + "/models", headers=auth("xai")).json()
    detailed = client.get(emu.base_url + "/language-models", headers=auth("xai")).json()
    assert set(detailed) == {"models"}
    assert detailed["models"] == synthetic_models("xai", 2)
    assert detailed["models"][0]["prompt_text_token_price"] == 2000
    assert plain["data"] == [
        {"id": "grok-synth-0000", "created": 1767225600, "object": "model", "owned_by": "xai"},
        {"id": "grok-synth-0001", "created": 1767139200, "object": "model", "owned_by": "xai"},
        {"id": "grok-imagine-image", "created": 1733961600, "object": "model", "owned_by": "xai"},
    ]


# ----------------------------------------------------------------------------------- auth


def test_openai_auth_failures(start: Start, client: httpx.Client) -> None:
    emu = start("openai")
    bad = client.get(list_url(emu), headers=auth("openai", "sk-test-456"))
    assert bad.status_code == 401
    err = bad.json()["error"]
    assert err["code"] == "invalid_api_key" and err["type"] == "invalid_request_error"
    assert err["param"] is None
    assert err["message"].startswith("Incorrect API key provided: sk-te**-456.")
    assert bad.headers["x-request-id"].startswith("req_")
    assert bad.headers["openai-version"] == "2020-10-01"

    missing = client.get(list_url(emu))
    assert missing.status_code == 401
    err = missing.json()["error"]
    assert err["code"] is None and err["message"].startswith("You didn't provide an API key.")


def test_anthropic_auth_failures(start: Start, client: httpx.Client) -> None:
    emu = start("anthropic")
    url = list_url(emu)

    def check(resp: httpx.Response, status: int, type_: str, message: str) -> None:
        assert resp.status_code == status
        body = resp.json()
        assert body["type"] == "error"
        assert body["error"] == {"type": type_, "message": message}
        assert body["request_id"] == resp.headers["request-id"]
        assert body["request_id"].startswith("req_")

    check(
        client.get(url, headers={"anthropic-version": "2023-06-01"}),
        401,
        "authentication_error",
        "x-api-key header is required",
    )
    check(
        client.get(url, headers=auth("anthropic", "sk-ant-wrong")),
        401,
        "authentication_error",
        "invalid x-api-key",
    )
    check(
        client.get(url, headers={"x-api-key": KEY}),
        400,
        "invalid_request_error",
        "anthropic-version: header is required",
    )
    bearer = client.get(
        url, headers={"Authorization": f"Bearer {KEY}", "anthropic-version": "2023-06-01"}
    )
    assert bearer.status_code == 200 and bearer.headers["request-id"].startswith("req_011C")


def test_gemini_auth_failures(start: Start, client: httpx.Client) -> None:
    emu = start("gemini")
    url = list_url(emu)
    assert client.get(url, params={"key": KEY}).status_code == 200
    assert client.get(url, headers=auth("gemini")).status_code == 200

    bad = client.get(url, params={"key": "AIza-wrong"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/json; charset=UTF-8"
    err = bad.json()["error"]
    assert err["code"] == 400 and err["status"] == "INVALID_ARGUMENT"
    assert err["message"] == "API key not valid. Please pass a valid API key."
    assert err["details"][0]["reason"] == "API_KEY_INVALID"
    assert err["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"

    missing = client.get(url)
    assert missing.status_code == 403
    assert missing.json()["error"]["status"] == "PERMISSION_DENIED"

    as_bearer = client.get(url, headers={"Authorization": f"Bearer {KEY}"})
    assert as_bearer.status_code == 401
    assert as_bearer.json()["error"]["status"] == "UNAUTHENTICATED"


def test_xai_auth_failures(start: Start, client: httpx.Client) -> None:
    emu = start("xai", api_key="xai-secret-KEYYA")
    for path in ("/models", "/language-models"):
        bad = client.get(emu.base_url + path, headers=auth("xai", "xai-wrong-keyYA"))
        assert bad.status_code == 400
        assert bad.json() == {
            "code": "Client specified an invalid argument",
            "error": "Incorrect API key provided: xa***YA. "
            "You can obtain an API key from https://console.x.ai.",
        }
    missing = client.get(emu.base_url + "/models")
    assert missing.status_code == 400
    assert missing.json()["code"] == "Client specified an invalid argument"
    ok = client.get(emu.base_url + "/models", headers=auth("xai", "xai-secret-KEYYA"))
    assert ok.status_code == 200


# ----------------------------------------------------------------------------- pagination


def collect_anthropic(
    client: httpx.Client, emu: ProviderEmulator, **params: Any
) -> list[dict[str, Any]]:
    """Follow after_id/last_id until has_more is false, like the official SDK."""
    out: list[dict[str, Any]] = []
    query: dict[str, Any] = dict(params)
    for _ in range(100):
        body = client.get(list_url(emu), headers=auth("anthropic"), params=query).json()
        out.extend(body["data"])
        if not body["has_more"]:
            return out
        query["after_id"] = body["last_id"]
    raise AssertionError("pagination did not terminate")


def collect_gemini(
    client: httpx.Client, emu: ProviderEmulator, **params: Any
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    query: dict[str, Any] = dict(params)
    for _ in range(100):
        body = client.get(list_url(emu), headers=auth("gemini"), params=query).json()
        out.extend(body.get("models", []))
        if "nextPageToken" not in body:
            return out
        query["pageToken"] = body["nextPageToken"]
    raise AssertionError("pagination did not terminate")


def test_anthropic_pagination_returns_every_model_once(start: Start, client: httpx.Client) -> None:
    models = synthetic_models("anthropic", 7)
    emu = start("anthropic", models=models, page_size=2)
    assert collect_anthropic(client, emu) == models
    assert emu.count("/v1/models") == math.ceil(7 / 2)
    first = emu.requests[0]
    assert "after_id" not in first.query
    assert emu.requests[1].query["after_id"] == [models[1]["id"]]

    page = client.get(list_url(emu), headers=auth("anthropic"), params={"limit": 1}).json()
    assert page["data"] == models[:1], "client limit below page_size wins"
    assert page["first_id"] == page["last_id"] == models[0]["id"] and page["has_more"] is True

    emu.page_size = None
    assert collect_anthropic(client, emu, limit=3) == models

    back = client.get(
        list_url(emu), headers=auth("anthropic"), params={"before_id": models[5]["id"], "limit": 2}
    ).json()
    assert back["data"] == models[3:5] and back["has_more"] is True
    assert back["first_id"] == models[3]["id"] and back["last_id"] == models[4]["id"]


def test_anthropic_pagination_errors_and_empty(start: Start, client: httpx.Client) -> None:
    emu = start("anthropic")
    for params in ({"after_id": "claude-nope"}, {"limit": 0}, {"limit": 1001}, {"limit": "x"}):
        r = client.get(list_url(emu), headers=auth("anthropic"), params=params)
        assert r.status_code == 400, params
        assert r.json()["error"]["type"] == "invalid_request_error"
    emu.set_models([])
    empty = client.get(list_url(emu), headers=auth("anthropic")).json()
    assert empty == {"data": [], "has_more": False, "first_id": None, "last_id": None}


def test_gemini_pagination_returns_every_model_once(start: Start, client: httpx.Client) -> None:
    models = synthetic_models("gemini", 7)
    emu = start("gemini", models=models, page_size=2)
    assert collect_gemini(client, emu) == models
    assert emu.count("/v1beta/models") == 4
    tokens = [r.query["pageToken"][0] for r in emu.requests[1:]]
    assert len(set(tokens)) == 3 and all(t.isascii() and not t.isdigit() for t in tokens)

    one = client.get(list_url(emu), headers=auth("gemini"), params={"pageSize": 1}).json()
    assert one["models"] == models[:1] and one["nextPageToken"]

    emu.page_size = None
    emu.set_models(synthetic_models("gemini", 1001))
    capped = client.get(list_url(emu), headers=auth("gemini"), params={"pageSize": 5000}).json()
    assert len(capped["models"]) == 1000 and "nextPageToken" in capped
    default = client.get(list_url(emu), headers=auth("gemini")).json()
    assert len(default["models"]) == 50


def test_gemini_pagination_errors_and_empty(start: Start, client: httpx.Client) -> None:
    emu = start("gemini")
    for params in ({"pageToken": "garbage!"}, {"pageSize": "abc"}, {"pageSize": -1}):
        r = client.get(list_url(emu), headers=auth("gemini"), params=params)
        assert r.status_code == 400, params
        assert r.json()["error"]["status"] == "INVALID_ARGUMENT"
    emu.set_models([])
    empty = client.get(list_url(emu), headers=auth("gemini"))
    assert empty.status_code == 200 and empty.json() == {}, "proto3 JSON omits empty lists"


def test_cursor_fault_repeat(start: Start, client: httpx.Client) -> None:
    anth = start("anthropic", models=synthetic_models("anthropic", 6), page_size=2)
    anth.cursor_fault = "repeat"
    p1 = client.get(list_url(anth), headers=auth("anthropic")).json()
    p2 = client.get(
        list_url(anth), headers=auth("anthropic"), params={"after_id": p1["last_id"]}
    ).json()
    assert p2["last_id"] == p1["last_id"] and p2["has_more"] is True

    gem = start("gemini", models=synthetic_models("gemini", 6), page_size=2)
    gem.cursor_fault = "repeat"
    g1 = client.get(list_url(gem), headers=auth("gemini")).json()
    g2 = client.get(
        list_url(gem), headers=auth("gemini"), params={"pageToken": g1["nextPageToken"]}
    ).json()
    assert g2["nextPageToken"] == g1["nextPageToken"]


def test_cursor_fault_null(start: Start, client: httpx.Client) -> None:
    anth = start("anthropic", models=synthetic_models("anthropic", 3), page_size=2)
    anth.cursor_fault = "null"
    p1 = client.get(list_url(anth), headers=auth("anthropic")).json()
    assert p1["has_more"] is True and p1["last_id"] is None and len(p1["data"]) == 2

    gem = start("gemini", models=synthetic_models("gemini", 3), page_size=2)
    gem.cursor_fault = "null"
    g1 = client.get(list_url(gem), headers=auth("gemini")).json()
    assert g1["nextPageToken"] == "" and len(g1["models"]) == 2

    with pytest.raises(ValueError):
        gem.cursor_fault = "sideways"  # type: ignore[assignment]


# --------------------------------------------------------------------------------- faults


def test_faults_are_fifo_and_precede_auth(start: Start, client: httpx.Client) -> None:
    emu = start("openai")
    emu.push(Fault.status(429, retry_after="0.2", retry_after_ms=150), Fault.status(200))
    first = client.get(list_url(emu))  # no key at all: the fault still wins
    assert first.status_code == 429
    assert first.headers["retry-after"] == "0.2" and first.headers["retry-after-ms"] == "150"
    assert first.json()["error"]["code"] == "rate_limit_exceeded"
    assert emu.pending_faults == 1
    assert client.get(list_url(emu), headers=auth("openai")).status_code == 200
    assert client.get(list_url(emu), headers=auth("openai")).status_code == 200
    assert emu.pending_faults == 0


def test_status_fault_bodies_per_provider(start: Start, client: httpx.Client) -> None:
    oa = start("openai")
    oa.push(Fault.status(429, kind="quota"), Fault.status(500))
    quota = client.get(list_url(oa)).json()["error"]
    assert quota["code"] == "insufficient_quota" and quota["type"] == "insufficient_quota"
    assert client.get(list_url(oa)).json()["error"]["type"] == "server_error"

    an = start("anthropic")
    an.push(
        Fault.status(529, retry_after=0),
        Fault.status(429, kind="quota"),
        Fault.status(429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"),
    )
    overloaded = client.get(list_url(an))
    assert overloaded.status_code == 529 and overloaded.headers["retry-after"] == "0"
    assert overloaded.json()["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    assert overloaded.json()["request_id"] == overloaded.headers["request-id"]
    spend = client.get(list_url(an))
    assert spend.json()["error"]["details"] == {"error_code": "enforced_spend_limit_reached"}
    assert "retry-after" not in spend.headers
    dated = client.get(list_url(an))
    assert dated.headers["retry-after"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert dated.json()["error"]["type"] == "rate_limit_error"

    ge = start("gemini")
    ge.push(Fault.status(429, retry_delay="0.1s"), Fault.status(503), Fault.status(500))
    err = client.get(list_url(ge)).json()["error"]
    assert err["code"] == 429 and err["status"] == "RESOURCE_EXHAUSTED"
    types = {d["@type"].rsplit(".", 1)[-1]: d for d in err["details"]}
    assert types["RetryInfo"]["retryDelay"] == "0.1s"
    assert types["QuotaFailure"]["violations"][0]["quotaId"]
    assert client.get(list_url(ge)).json()["error"]["status"] == "UNAVAILABLE"
    assert client.get(list_url(ge)).json()["error"]["status"] == "INTERNAL"
    ge.push(Fault.status(429))
    no_retry = client.get(list_url(ge)).json()["error"]["details"]
    assert not any(d["@type"].endswith("RetryInfo") for d in no_retry)

    xa = start("xai")
    xa.push(Fault.status(429, kind="quota"), Fault.status(503))
    credits = client.get(list_url(xa))
    assert credits.status_code == 429
    assert credits.json()["code"] == "Some resource has been exhausted"
    assert "used all available credits" in credits.json()["error"]
    assert client.get(list_url(xa)).json()["code"] == "The service is currently unavailable"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_malformed_html_raw_and_wrong_shape(
    start: Start, client: httpx.Client, provider: str
) -> None:
    emu = start(provider)
    emu.push(
        Fault.malformed(),
        Fault.html(),
        Fault.raw(502, "<html>bad gateway</html>", {"x-proxy": "edge"}, "text/html"),
        Fault.wrong_shape(),
    )
    url, headers = list_url(emu), auth(provider)

    malformed = client.get(url, headers=headers)
    assert malformed.status_code == 200
    assert malformed.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.text)

    html = client.get(url, headers=headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text.lstrip().startswith("<!DOCTYPE html>")

    raw = client.get(url, headers=headers)
    assert raw.status_code == 502 and raw.text == "<html>bad gateway</html>"
    assert raw.headers["x-proxy"] == "edge" and raw.headers["content-type"] == "text/html"

    shape = client.get(url, headers=headers)
    assert shape.status_code == 200
    body = shape.json()
    key = "models" if provider == "gemini" else "data"
    assert not isinstance(body.get(key), list)


def test_hang_trips_client_timeout_without_blocking_others(
    start: Start, client: httpx.Client
) -> None:
    emu = start("openai")
    emu.push(Fault.hang(1.0))
    outcome: dict[str, BaseException | int] = {}

    def slow() -> None:
        try:
            with httpx.Client(timeout=0.3) as c:
                outcome["slow"] = c.get(list_url(emu), headers=auth("openai")).status_code
        except httpx.TimeoutException as exc:
            outcome["slow"] = exc

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 2
    while emu.pending_faults and time.monotonic() < deadline:
        time.sleep(0.01)  # the hang fault is now held by the slow request
    began = time.monotonic()
    assert client.get(list_url(emu), headers=auth("openai")).status_code == 200
    assert time.monotonic() - began < 0.5, "a hanging request must not block others"
    thread.join(timeout=5)
    assert isinstance(outcome["slow"], httpx.ReadTimeout)


def test_hang_then_answers_normally(start: Start, client: httpx.Client) -> None:
    emu = start("xai")
    emu.push(Fault.hang(0.15))
    began = time.monotonic()
    r = client.get(list_url(emu), headers=auth("xai"))
    assert r.status_code == 200 and time.monotonic() - began >= 0.15


def test_latency(start: Start, client: httpx.Client) -> None:
    emu = start("anthropic", latency=0.15)
    began = time.monotonic()
    assert client.get(list_url(emu), headers=auth("anthropic")).status_code == 200
    assert time.monotonic() - began >= 0.15
    emu.latency = 0.0
    began = time.monotonic()
    client.get(list_url(emu), headers=auth("anthropic"))
    assert time.monotonic() - began < 0.15


# ----------------------------------------------------------------- routing and recording


@pytest.mark.parametrize("provider", PROVIDERS)
def test_path_prefix(start: Start, client: httpx.Client, provider: str) -> None:
    emu = start(provider, path_prefix="/proxy/" + provider)
    assert emu.base_url.startswith(f"http://127.0.0.1:{emu.port}/proxy/{provider}")
    assert client.get(list_url(emu), headers=auth(provider)).status_code == 200
    unprefixed = list_url(emu).replace(f"/proxy/{provider}", "")
    missed = client.get(unprefixed, headers=auth(provider))
    assert missed.status_code == 404
    assert missed.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("provider", "check"),
    [
        ("openai", lambda b: b["error"]["message"] == "Invalid URL (GET /v1/nope)"),
        ("anthropic", lambda b: b["error"]["type"] == "not_found_error"),
        ("gemini", lambda b: b["error"]["status"] == "NOT_FOUND"),
        ("xai", lambda b: b["code"] == "Some requested entity was not found"),
    ],
)
def test_unknown_path_and_non_get(
    start: Start, client: httpx.Client, provider: str, check: Callable[[Any], bool]
) -> None:
    emu = start(provider)
    r = client.get(f"{emu.origin}/v1/nope", headers=auth(provider))
    assert r.status_code == 404 and check(r.json())
    post = client.post(list_url(emu), headers=auth(provider), json={"x": 1})
    assert post.status_code in (404, 405)
    assert post.headers["content-type"].startswith("application/json")


def test_request_recording(start: Start, client: httpx.Client) -> None:
    emu = start("gemini")
    client.get(
        list_url(emu) + "?pageSize=5&key=" + KEY + "&empty=",
        headers={"X-Custom-Thing": "Yes", "X-Goog-Api-Client": "genai-py/1.0"},
    )
    client.get(emu.origin + "/elsewhere")
    assert emu.count() == 2 and emu.count("/v1beta/models") == 1
    rec = emu.requests[0]
    assert rec.method == "GET" and rec.path == "/v1beta/models"
    assert rec.query == {"pageSize": ["5"], "key": [KEY], "empty": [""]}
    assert rec.raw_url == f"/v1beta/models?pageSize=5&key={KEY}&empty="
    assert rec.headers["x-custom-thing"] == "Yes"
    assert rec.headers["x-goog-api-client"] == "genai-py/1.0"
    assert all(name == name.lower() for name in rec.headers)
    emu.reset_requests()
    assert emu.count() == 0 and emu.requests == []


def test_concurrent_requests(start: Start) -> None:
    # 40 requests at 0.5 s each take 20 s one after another; in parallel, well under 10 s even on
    # a loaded 2-core machine (the margin keeps this from failing for reasons of load).
    emu = start("openai", latency=0.5)
    results: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(timeout=5) as c:
            status = c.get(list_url(emu), headers=auth("openai")).status_code
        with lock:
            results.append(status)

    threads = [threading.Thread(target=worker) for _ in range(40)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    assert results == [200] * 40
    assert emu.count("/models") == 40
    assert time.monotonic() - began < 10, "requests must be served in parallel"


def test_stop_is_prompt_idempotent_and_drops_keepalive() -> None:
    with httpx.Client(timeout=2) as c:
        with ProviderEmulator.start("openai") as emu:
            assert c.get(list_url(emu), headers=auth("openai")).status_code == 200
            began = time.monotonic()
        assert time.monotonic() - began < 1
        emu.stop()
        with pytest.raises(httpx.TransportError):
            c.get(list_url(emu), headers=auth("openai"))


def test_unknown_provider_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown provider"):
        ProviderEmulator.start("nosuchprovider")
    with pytest.raises(ValueError):
        synthetic_models("nosuchprovider", 1)
