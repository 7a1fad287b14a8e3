"""``modelsync serve``, run for real in a subprocess over a store filled by real syncs against the
loopback emulators: every route, the token, 304s, gzip, the CLI parity of the JSON routes, and
read-only behaviour. Exports have their own file (test_exports.py), the page its browser test.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelsync.catalog import Catalog
from tests.emulators import Fault, ProviderEmulator, default_models
from tests.fixtures import BASE_ENV, CORE, KEY_ENV, TEST_KEYS, EmulatorFactory, Env
from tests.serving import Server, clean_env, serve

TOKEN = "serve-test-token-5b0c1d2e3f"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

#: Every GET route, with a path that exists in the prepared catalog.
ROUTES = (
    "/readyz",
    "/metrics",
    "/v1/models",
    "/api/models",
    "/api/models?capability=vision&sort=context",
    "/api/models/openai/gpt-4o",
    "/api/providers",
    "/api/history",
    "/api/diff?last=2",
    "/api/check?require=gpt-4o",
    "/export/openai",
    "/export/models.dev",
    "/export/litellm",
    "/export/litellm-config",
    "/export/csv",
    "/export/jsonl",
    "/api.json",
    "/",
    "/models/openai/gpt-4o",
    "/static/app.js",
)


@dataclass
class Served:
    server: Server
    env: dict[str, str]
    tmp: Path
    emulators: dict[str, ProviderEmulator]

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.server.get(path, headers={**AUTH, **headers})

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "modelsync", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def catalog(self) -> Catalog:
        return Catalog(env=self.env)


def _xai_with_shared_alias() -> list[dict[str, Any]]:
    """xAI's list plus a second model that claims the alias ``grok-4.20`` too."""
    models = default_models("xai")
    twin = copy.deepcopy(next(m for m in models if "grok-4.20" in m.get("aliases", [])))
    twin["id"] = "grok-4.20-0309-non-reasoning"
    twin["fingerprint"] = "fp_twin"
    return [*models, twin]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("served")
    env = clean_env(tmp)
    emus = {p: ProviderEmulator.start(p, api_key=TEST_KEYS[p]) for p in CORE}
    emus["xai"].set_models(_xai_with_shared_alias())
    for name, emu in emus.items():
        env[KEY_ENV[name]] = emu.api_key
        env[BASE_ENV[name]] = emu.base_url
    catalog = Catalog(env=env)
    assert catalog.sync().exit_code == 0
    # a second openai sync with one model gone and one new: a change for the feed and diff
    openai = default_models("openai")
    emus["openai"].set_models([*openai[1:], {**openai[0], "id": "gpt-new-model"}])
    assert catalog.provider("openai").sync_models(force_refresh=True).status == "success"
    # anthropic fails once: a failure record, the catalog kept
    emus["anthropic"].push(*[Fault.status(500) for _ in range(10)])
    assert catalog.sync(["anthropic"], force=True)["anthropic"].status == "error"
    catalog.close()
    server = serve({**env, "MODELSYNC_SERVE_TOKEN": TOKEN}, tmp / "serve.log")
    yield Served(server, env, tmp, emus)
    assert server.stop() == 0
    for emu in emus.values():
        emu.stop()


# -- auth, health, read-only ---------------------------------------------------------------------


def test_healthz_is_open_and_everything_else_needs_the_token(served: Served) -> None:
    assert served.server.get("/healthz").json() == {"status": "ok"}
    for path in ROUTES:
        bare = served.server.get(path)
        assert bare.status_code == 401, path
        assert bare.json()["error"] == "authentication required"
        assert 'Bearer realm="modelsync"' in bare.headers.get_list("www-authenticate")
        wrong = served.server.get(path, headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
        assert wrong.status_code == 401, path
        assert served.get(path).status_code == 200, path
    basic = base64.b64encode(f"anyone:{TOKEN}".encode()).decode()
    assert served.server.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert TOKEN not in served.server.output()


def test_no_route_writes_and_other_methods_are_refused(served: Served) -> None:
    catalog = served.catalog()
    before = catalog.store.version()
    for path in ROUTES:
        served.get(path)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            answer = httpx.request(method, served.server.url + path.split("?")[0], headers=AUTH)
            assert answer.status_code == 405, (method, path)
    assert catalog.store.version() == before
    catalog.close()


def test_readyz_needs_a_catalog(env: Env, tmp_path: Path) -> None:
    server = serve(env.vars, tmp_path / "empty.log")
    try:
        answer = server.get("/readyz")
        assert answer.status_code == 503
        assert "no provider has a catalog" in answer.json()["error"]
        assert server.get("/healthz").status_code == 200
        assert server.get("/v1/models").json() == {"object": "list", "data": []}
    finally:
        assert server.stop() == 0


def test_cors_is_off_unless_configured(served: Served, env: Env, tmp_path: Path) -> None:
    origin = {"Origin": "https://dash.example"}
    assert "access-control-allow-origin" not in served.get("/api/models", **origin).headers
    env.vars["MODELSYNC_SERVE_CORS_ORIGINS"] = "https://dash.example"
    server = serve(env.vars, tmp_path / "cors.log")
    try:
        answer = server.get("/v1/models", headers=origin)
        assert answer.headers["access-control-allow-origin"] == "https://dash.example"
        other = server.get("/v1/models", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    finally:
        server.stop()


# -- /v1/models ------------------------------------------------------------------------------------


def test_any_openai_client_lists_the_catalog(served: Served) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=served.server.url + "/v1", api_key=TOKEN, max_retries=0)
    listed = list(client.models.list())
    rows, _ = served.catalog().raw_models()
    assert sorted(m.id for m in listed) == sorted(f"{r['provider']}/{r['id']}" for r in rows)
    assert all(m.object == "model" and isinstance(m.created, int) for m in listed)
    gpt = next(m for m in listed if m.id == "openai/gpt-4o")
    assert gpt.owned_by and gpt.created > 1_600_000_000


def test_etag_gives_304_and_gzip_is_offered(served: Served) -> None:
    first = served.get("/v1/models")
    tag = first.headers["etag"]
    again = served.get("/v1/models", **{"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert served.get("/v1/models", **{"If-None-Match": '"other"'}).status_code == 200
    raw = httpx.get(
        served.server.url + "/v1/models",
        headers={**AUTH, "Accept-Encoding": "gzip"},
    )
    assert raw.headers["content-encoding"] == "gzip"
    assert json.loads(raw.content) == first.json()  # httpx decoded it
    with httpx.stream(
        "GET", served.server.url + "/v1/models", headers={**AUTH, "Accept-Encoding": "gzip"}
    ) as stream:
        packed = b"".join(stream.iter_raw())
    assert json.loads(gzip.decompress(packed)) == first.json()
    assert len(packed) < len(first.content) / 3
    # weak ETags on bodies with the clock in them still give 304 while nothing changed
    listed = served.get("/api/models")
    assert listed.headers["etag"].startswith('W/"')
    assert served.get("/api/models", **{"If-None-Match": listed.headers["etag"]}).status_code == 304


def test_a_new_catalog_gets_a_new_etag(env: Env, emulator: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator("openai")
    env.wire(emu)
    catalog = env.catalog()
    assert catalog.sync().exit_code == 0
    server = serve(env.vars, tmp_path / "etag.log")
    try:
        tag = server.get("/v1/models").headers["etag"]
        emu.set_models([*default_models("openai"), {**default_models("openai")[0], "id": "gpt-x"}])
        assert catalog.provider("openai").sync_models(force_refresh=True).status == "success"
        fresh = server.get("/v1/models", headers={"If-None-Match": tag})
        assert fresh.status_code == 200  # the very next request: no polling delay
        assert fresh.headers["etag"] != tag
        assert "openai/gpt-x" in {m["id"] for m in fresh.json()["data"]}
    finally:
        server.stop()
        catalog.close()


# -- /api/models: the CLI's filters, the CLI's rows --------------------------------------------------


@pytest.mark.parametrize(
    ("query", "flags"),
    [
        ("", []),
        ("provider=gemini", ["--provider", "gemini"]),
        ("capability=vision&sort=context", ["--capability", "vision", "--sort", "context"]),
        ("min_context=200000&sort=price", ["--min-context", "200000", "--sort", "price"]),
        ("max_price=3&sort=name", ["--max-price", "3", "--sort", "name"]),
        ("search=grok", ["--search", "grok"]),
        ("include_missing=true&provider=openai", ["--include-missing", "--provider", "openai"]),
    ],
)
def test_api_models_answers_as_the_cli_does(served: Served, query: str, flags: list[str]) -> None:
    answer = served.get("/api/models?" + query)
    assert answer.status_code == 200
    body = answer.json()
    cli = served.cli("models", "--json", *flags)
    assert cli.returncode == 0, cli.stderr
    assert body["models"] == json.loads(cli.stdout)
    assert body["total"] == len(body["models"])
    for name, fresh in body["freshness"].items():
        assert fresh["state"] in ("fresh", "due", "stale", "mismatch")
        assert fresh["provider"] == name


def test_api_models_pages_and_refuses_bad_parameters(served: Served) -> None:
    everything = served.get("/api/models?sort=id").json()
    page = served.get("/api/models?sort=id&limit=5&offset=3").json()
    assert page["models"] == everything["models"][3:8]
    assert page["total"] == everything["total"]
    assert (page["limit"], page["offset"]) == (5, 3)
    for query, fragment in (
        ("capabilty=vision", "did you mean 'capability'"),
        ("capability=telepathy", "unknown capability"),
        ("min_context=lots", "whole number"),
        ("max_price=cheap", "must be a number"),
        ("sort=vibes", "unknown sort"),
        ("limit=0", "between 1"),
        ("include_missing=maybe", "true or false"),
    ):
        bad = served.get("/api/models?" + query)
        assert bad.status_code == 400, query
        assert fragment in bad.json()["error"]
    unknown = served.get("/api/models?provider=opnai")
    assert unknown.status_code == 404
    assert "did you mean openai" in unknown.json()["error"]


def test_one_model_with_every_field_and_its_source(served: Served) -> None:
    answer = served.get("/api/models/openai/gpt-4o")
    assert answer.status_code == 200
    item = answer.json()
    shown = json.loads(served.cli("show", "openai/gpt-4o", "--json").stdout)
    assert {k: v for k, v in item.items() if k != "freshness"} == shown[0]
    assert item["fields"]["context_window"]["source"] in ("api", "catalog", "rule", "user")
    assert item["freshness"]["provider"] == "openai"
    # ids with slashes, and a model kept as missing, are reachable too
    missing = served.get("/api/models/openai/" + default_models("openai")[0]["id"])
    assert missing.status_code == 200
    assert missing.json()["missing_since"]


def test_unknown_and_ambiguous_models_say_so(served: Served) -> None:
    nothing = served.get("/api/models/openai/gpt-4oo")
    assert nothing.status_code == 404
    assert nothing.headers["content-type"] == "application/json"
    assert "not in openai's catalog" in nothing.json()["error"]
    assert "openai/gpt-4o" in nothing.json()["suggestions"]
    assert served.get("/api/models/nobody/gpt-4o").status_code == 404
    twins = served.get("/api/models/xai/grok-4.20")
    assert twins.status_code == 300
    assert sorted(twins.json()["candidates"]) == [
        "xai/grok-4.20-0309-non-reasoning",
        "xai/grok-4.20-0309-reasoning",
    ]
    single = served.get("/api/models/xai/grok-4")
    assert single.status_code == 200
    assert served.get("/models/openai/gpt-4oo").status_code == 404  # the page says so too


# -- providers, history, diff, check ----------------------------------------------------------------


def test_providers_report_state_failures_and_statistics(served: Served) -> None:
    rows = {p["provider"]: p for p in served.get("/api/providers").json()["providers"]}
    assert set(CORE) <= set(rows)
    anthropic = rows["anthropic"]
    assert anthropic["state"] == "fresh"
    assert anthropic["models"] > 0  # the failure kept the last good catalog
    assert anthropic["last_failure"]["type"] == "provider_unavailable"
    assert "anthropic" in anthropic["last_failure"]["message"]
    assert anthropic["last_failure"]["time"]
    assert anthropic["syncs"]["failures"] == 1
    assert anthropic["syncs"]["attempts"] == 2
    assert anthropic["syncs"]["last_status"] == "error"
    openai = rows["openai"]
    assert openai["last_failure"] is None
    assert openai["statistics"]["total_models"] == openai["models"]
    assert openai["syncs"]["last_success_at"]
    assert rows["mistral"]["state"] == "empty"


def test_history_diff_and_check_answer_as_the_cli(served: Served) -> None:
    assert served.get("/api/history?limit=50").json() == json.loads(
        served.cli("history", "--limit", "50", "--json").stdout
    )
    assert served.get("/api/history?provider=openai&limit=1").json()["entries"][0]["provider"] == (
        "openai"
    )
    diff = served.get("/api/diff?provider=openai").json()
    assert diff == json.loads(served.cli("diff", "openai", "--json").stdout)
    assert diff["providers"]["openai"]["added"] == ["gpt-new-model"]
    assert served.get("/api/diff?last=2").json() == json.loads(
        served.cli("diff", "--last", "2", "--json").stdout
    )
    since = served.get("/api/diff?since=1h").json()
    assert set(since["providers"]) >= {"openai", "gemini"}
    assert served.get("/api/diff?since=yesterday-ish").status_code == 400

    ok = served.get("/api/check?require=gpt-4o&require=anthropic/claude-opus-4-6")
    assert ok.status_code == 200
    answer = ok.json()
    assert answer["ok"] is True and answer["problems"] == []
    # gpt-4o is deprecated (the bundled catalog knows its shutdown date): a warning, not a
    # failure, as `check` says it; the same answer as the CLI's.
    assert [w for w in answer["warnings"] if "gpt-4o" in w and "deprecated" in w]
    cli_ok = served.cli(
        "check", "--require", "gpt-4o", "--require", "anthropic/claude-opus-4-6", "--json"
    )
    assert json.loads(cli_ok.stdout) == answer
    within = served.get("/api/check?require=gpt-4o&deprecations_within=100000")
    assert within.status_code == 409 and "gpt-4o" in within.json()["problems"][0]
    missing = served.get("/api/check?require=gpt-4o,gpt-9-ultra")
    assert missing.status_code == 409
    assert missing.json()["problems"] == ["required model gpt-9-ultra is not in the catalog"]
    cli = served.cli("check", "--require", "gpt-4o", "--require", "gpt-9-ultra", "--json")
    assert json.loads(cli.stdout) == missing.json()


# -- metrics ---------------------------------------------------------------------------------------


def test_metrics_are_prometheus_text(served: Served) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    served.get("/api/models")
    served.get("/api/models/openai/nope")
    text = served.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    models = {s.labels["provider"]: s.value for s in families["modelsync_models"].samples}
    rows, _ = served.catalog().raw_models()
    for name in CORE:
        assert models[name] == sum(1 for r in rows if r["provider"] == name)
    ages = {
        s.labels["provider"]: s.value for s in families["modelsync_catalog_age_seconds"].samples
    }
    assert all(0 <= a < 600 for a in ages.values())
    assert "modelsync_last_success_timestamp_seconds" in families
    requests = families["modelsync_http_requests"].samples
    routes = {(s.labels["route"], s.labels["status"]) for s in requests}
    assert ("/api/models", "200") in routes
    assert ("/api/models/{provider}/{model_id:path}", "404") in routes
    assert not any("/openai/nope" in r for r, _ in routes)  # templates, never raw paths
    assert "modelsync_http_request_duration_seconds" in families
    assert "modelsync_sync_attempts" in families
    assert "modelsync_sync_duration_seconds" in families


# -- the page over plain HTTP (the browser test drives it for real) -----------------------------


def test_page_and_model_page_render(served: Served) -> None:
    page = served.get("/")
    assert page.headers["content-type"].startswith("text/html")
    rows, _ = served.catalog().raw_models()
    assert page.text.count('<tr data-provider="') == len(rows)
    assert "gpt-new-model" in page.text  # the changes feed
    assert "provider_unavailable" in page.text  # the health panel's last failure
    model = served.get("/models/gemini/gemini-2.5-pro")
    assert model.status_code == 200
    assert "Context Window" in model.text or "context window" in model.text.lower()
    assert served.get("/static/app.css").headers["content-type"].startswith("text/css")
    assert "cdn" not in page.text.lower()
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")


def test_workers_share_their_counters_and_stop_cleanly(
    env: Env, emulator: EmulatorFactory, tmp_path: Path
) -> None:
    """``--workers 2``: whichever worker answers /metrics counts every worker's requests."""
    from prometheus_client.parser import text_string_to_metric_families

    env.wire(emulator("openai"))
    catalog = env.catalog()
    assert catalog.sync().exit_code == 0
    catalog.close()
    server = serve(env.vars, tmp_path / "workers.log", "--workers", "2")
    try:
        for _ in range(12):
            assert server.get("/v1/models").status_code == 200
        for _ in range(3):  # any worker may answer; each must see all twelve
            text = server.get("/metrics").text
            counted = sum(
                s.value
                for f in text_string_to_metric_families(text)
                if f.name == "modelsync_http_requests"
                for s in f.samples
                if s.name.endswith("_total") and s.labels.get("route") == "/v1/models"
            )
            assert counted == 12
    finally:
        assert server.stop() == 0
