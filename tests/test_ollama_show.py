"""Ollama's ``POST /api/show``: asked only about models ``/api/tags`` describes in part, once per
digest, a bounded number at a time; a failing one keeps its model and warns."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from modelsync.model import Capability
from modelsync.providers.ollama import context_length
from tests.emulators import ProviderEmulator, default_models
from tests.emulators.ollama_show import DOCS_EXAMPLE, SHOWN
from tests.fixtures import EmulatorFactory, Env


def api(value: bool) -> Capability:
    return Capability(supported=value, source="api")


@pytest.fixture
def ollama(env: Env, emulator: EmulatorFactory) -> ProviderEmulator:
    """A local Ollama (no key) with the default fixture list."""
    emu = emulator("ollama", api_key="")
    env.vars["OLLAMA_HOST"] = emu.base_url
    env.vars.pop("OLLAMA_API_KEY", None)
    return emu


def _shown(emu: ProviderEmulator) -> list[str]:
    return [json.loads(r.body)["model"] for r in emu.requests if r.path == "/api/show"]


def _bump_digest(models: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    out = copy.deepcopy(models)
    for entry in out:
        if entry["model"] == name:
            entry["digest"] = "f" * 64  # `ollama pull` brought a new build
    return out


def test_show_fills_what_tags_left_out_once_per_digest(env: Env, ollama: ProviderEmulator) -> None:
    catalog = env.catalog()
    handle = catalog.provider("ollama")
    first = handle.sync_models()
    assert first.status == "success" and first.warnings == []
    assert sorted(_shown(ollama)) == sorted(SHOWN)  # only the incomplete entries
    show = next(r for r in ollama.requests if r.path == "/api/show")
    assert show.method == "POST" and show.headers["content-type"] == "application/json"
    assert json.loads(show.body).keys() == {"model"}  # not verbose: no tokenizer arrays
    assert "authorization" not in show.headers

    models = {m.id: m for m in catalog.models(provider="ollama")}
    llama = models["llama3.2:latest"]
    assert llama.context_window == 131072
    assert llama.capabilities["function_calling"] == api(True)
    assert llama.capabilities["vision"] == api(False)
    assert llama.family == "llama"
    coder = models["deepseek-coder-v2:16b"]
    assert coder.context_window == 163840 and coder.capabilities["chat"] == api(True)
    cloud = models["gpt-oss:120b-cloud"]  # tags said capabilities, show the context length
    assert cloud.context_window == 131072 and cloud.capabilities["reasoning"] == api(True)
    qwen3 = models["qwen3:8b"]  # complete in /api/tags: never asked about
    assert qwen3.context_window == 40960 and "qwen3:8b" not in _shown(ollama)
    assert all(m.digest for m in models.values())

    ollama.reset_requests()
    again = handle.sync_models(force_refresh=True)
    assert again.status == "success"
    assert _shown(ollama) == [] and ollama.count() == 1  # same digests: /api/tags only
    assert again.diff is not None and again.diff.empty  # reused details are not "changes"
    kept = {m.id: m for m in catalog.models(provider="ollama")}
    assert kept["llama3.2:latest"].context_window == 131072
    assert kept["llama3.2:latest"].capabilities == llama.capabilities
    assert kept["deepseek-r1:latest"].capabilities["reasoning"] == api(True)

    ollama.set_models(_bump_digest(default_models("ollama"), "llama3.2:latest"))
    ollama.reset_requests()
    handle.sync_models(force_refresh=True)
    assert _shown(ollama) == ["llama3.2:latest"]


def test_a_failing_show_keeps_the_model_and_warns(env: Env, ollama: ProviderEmulator) -> None:
    models = default_models("ollama")
    for entry in models:
        if entry["model"] == "deepseek-coder-v2:16b":
            entry["_show"] = None  # /api/show answers 404: deleted between the two calls
    ollama.set_models(models)
    out = env.run_cli("sync", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)["providers"]["ollama"]
    assert result["status"] == "success" and result["models_synced"] == len(models)
    (warning,) = result["warnings"]
    assert warning.startswith("deepseek-coder-v2:16b: /api/show failed (not_found, HTTP 404")
    assert "model 'deepseek-coder-v2:16b' not found" in warning
    stored = {m["id"]: m for m in json.loads(env.run_cli("models", "--json").stdout)}
    coder = stored["deepseek-coder-v2:16b"]
    assert "context_window" not in coder and "digest" not in coder  # asked again next time
    assert coder["capabilities"]["chat"]["source"] == "rule"  # what /api/tags and rules gave
    assert stored["llama3.2:latest"]["context_window"] == 131072  # the others were shown
    (record,) = env.catalog().history("ollama")
    assert record["status"] == "success" and record["warnings"] == [warning]

    ollama.set_models(default_models("ollama"))  # the model is back
    ollama.reset_requests()
    human = env.run_cli("sync", "--force")
    assert human.returncode == 0 and "warn" not in human.stderr.lower()
    assert _shown(ollama) == ["deepseek-coder-v2:16b"]  # the others' digests were stored
    fixed = {m.id: m for m in env.catalog().models(provider="ollama")}
    assert fixed["deepseek-coder-v2:16b"].context_window == 163840


@pytest.mark.parametrize("limit", [1, 2])
def test_show_requests_are_bounded(limit: int, env: Env, ollama: ProviderEmulator) -> None:
    spec: Any = ollama.spec
    spec.show_delay = 0.15
    env.vars["MODELSYNC_DETAILS_CONCURRENCY"] = str(limit)
    assert env.catalog().provider("ollama").sync_models().status == "success"
    assert len(_shown(ollama)) == len(SHOWN)
    assert 1 <= spec.show_peak <= limit


def test_a_keyed_server_gets_the_key_on_show_too(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("ollama", api_key="ollama-test-0123456789abcdef")
    env.vars.update(OLLAMA_HOST=emu.base_url, OLLAMA_API_KEY=emu.api_key)
    assert env.catalog().provider("ollama").sync_models().warnings == []
    shows = [r for r in emu.requests if r.path == "/api/show"]
    assert shows and all(r.headers["authorization"] == f"Bearer {emu.api_key}" for r in shows)


def test_context_length_from_model_info() -> None:
    assert context_length(DOCS_EXAMPLE["model_info"]) == 8192  # docs/api.md's example
    assert context_length({"general.architecture": "qwen3", "qwen3.context_length": 40960}) == (
        40960
    )
    assert context_length({"bert.context_length": 512}) == 512  # no architecture key
    assert context_length({"a.context_length": 1, "b.context_length": 2}) is None  # no guess
    assert context_length({"general.architecture": "llama"}) is None
    assert context_length({"general.architecture": "llama", "llama.context_length": True}) is None
    assert context_length(None) is None


def test_emulator_show_answers_like_the_server(ollama: ProviderEmulator) -> None:
    import httpx

    url = f"{ollama.base_url}/api/show"
    with httpx.Client() as client:
        assert client.post(url, json={"model": "llama3.2:latest"}).json()["capabilities"] == [
            "completion",
            "tools",
        ]
        assert client.post(url, json={"name": "llama3.2:latest"}).status_code == 200  # old field
        missing = client.post(url, json={"model": "nope:latest"})
        assert missing.status_code == 404
        assert missing.json() == {"error": "model 'nope:latest' not found"}
        assert client.post(url, json={}).json() == {"error": "model is required"}
        assert client.post(url, content=b"").json() == {"error": "missing request body"}
        assert client.get(url).status_code == 404  # Gin: GET is not routed
        tags = client.get(f"{ollama.base_url}/api/tags").json()["models"]
        assert not any(k.startswith("_") for e in tags for k in e)
