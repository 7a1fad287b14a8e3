"""Issue 12: the OpenAI-compatible presets, each against an emulator of its host.

Every preset: its auth header, the base path its list lives under, the list shape, the fault
matrix; then one test per quirk (a path in the base URL, a list query, richer entries, keyless
local servers that join a plain sync only when they answer, a host that may not list at all).
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from modelsync.errors import (
    EndpointNotFoundError,
    InvalidCredentialsError,
    MalformedResponseError,
    ModelSyncError,
    PermissionDeniedError,
    ProviderUnavailableError,
)
from modelsync.model import Model
from modelsync.providers import adapter_class
from modelsync.providers.presets import PRESETS
from tests.emulators import Fault, default_models, synthetic_models
from tests.emulators.providers_presets import PRESET_LIST_ROUTES
from tests.fixtures import BASE_ENV, KEY_ENV, TEST_KEYS, EmulatorFactory, Env

NAMES = tuple(p.name for p in PRESETS)
LOCAL = ("lmstudio", "llamacpp", "vllm", "litellm")
for _p in PRESETS:
    KEY_ENV[_p.name] = _p.key_env
    BASE_ENV[_p.name] = _p.base_url_env
    TEST_KEYS[_p.name] = f"test-{_p.name}-key-0123456789abcdef"


def models_of(env: Env, name: str) -> dict[str, Model]:
    return {m.id: m for m in env.catalog().models(provider=name)}


def sync_error(env: Env, name: str) -> ModelSyncError:
    with pytest.raises(ModelSyncError) as info:
        env.catalog().provider(name).sync_models(force_refresh=True)
    return info.value


# ------------------------------------------------------------------ every preset, same bar


def test_every_preset_is_a_known_provider_with_its_spec() -> None:
    for preset in PRESETS:
        spec = adapter_class(preset.name).spec
        assert (spec.name, spec.default_base_url, spec.key_envs[0]) == (
            preset.name,
            preset.base_url,
            preset.key_env,
        )
        assert spec.auto_sync == ("probe" if preset.name in LOCAL else "key")
        assert spec.key_required is (preset.name not in LOCAL)
        assert preset.source  # where the facts were checked, or that they were not


@pytest.mark.parametrize("name", NAMES)
def test_emulator_serves_the_list_under_the_hosts_path(
    name: str, emulator: EmulatorFactory
) -> None:
    emu = emulator(name)
    api_root, route = PRESET_LIST_ROUTES[name]
    assert emu.base_url == emu.origin + api_root
    ok = httpx.get(
        emu.origin + route, headers={"authorization": f"Bearer {emu.api_key}"}, timeout=5
    )
    assert ok.status_code == 200 and ok.json()["object"] == "list"
    assert httpx.get(emu.origin + route, timeout=5).status_code == 401


@pytest.mark.parametrize("name", NAMES)
def test_sync_sends_bearer_to_the_right_path_then_skips(
    name: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(name)
    catalog = env.wire(emu).catalog()
    handle = catalog.provider(name)
    result = handle.sync_models()
    assert result.status == "success"
    assert set(models_of(env, name)) == {e["id"] for e in default_models(name)}
    [request] = emu.requests
    assert request.path == PRESET_LIST_ROUTES[name][1]
    assert request.headers["authorization"] == f"Bearer {emu.api_key}"
    assert handle.sync_models().reason == "cache_valid" and emu.count() == 1
    assert handle.has_valid_credentials() is True


@pytest.mark.parametrize("name", NAMES)
def test_bad_key_is_invalid_credentials_naming_the_variable(
    name: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(name)
    env.wire(emu).vars[KEY_ENV[name]] = "wrong-key-0000000000"
    err = sync_error(env, name)
    # A LiteLLM proxy without a database answers an unknown key 400 no_db_connection (captured).
    assert isinstance(err, InvalidCredentialsError)
    assert err.status_code == (400 if name == "litellm" else 401)
    assert str(err).startswith(f"{name}: ") and KEY_ENV[name] in str(err)
    assert emu.count() == 1


@pytest.mark.parametrize("name", NAMES)
def test_fault_matrix(name: str, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(name)
    catalog = env.wire(emu).catalog()
    emu.push(Fault.status(429, retry_after="0.2"), Fault.status(502))
    started = time.monotonic()
    ok = catalog.provider(name).sync_models()
    assert ok.status == "success" and ok.retries == 2 and time.monotonic() - started >= 0.2
    before = [m.to_dict() for m in catalog.models(provider=name)]
    emu.push(Fault.status(403))
    assert isinstance(sync_error(env, name), PermissionDeniedError)
    for make in (Fault.malformed, Fault.html, Fault.wrong_shape):
        emu.push(make())
        assert isinstance(sync_error(env, name), MalformedResponseError)
    emu.push(*[Fault.status(503) for _ in range(10)])
    assert isinstance(sync_error(env, name), ProviderUnavailableError)
    emu.clear_faults()
    assert [m.to_dict() for m in env.catalog().models(provider=name)] == before


@pytest.mark.parametrize("name", ["cerebras", "nvidia"])
def test_many_models(name: str, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(name, models=synthetic_models(name, 300))
    assert env.wire(emu).catalog().provider(name).sync_models().models_synced == 300


def test_providers_lists_every_preset_and_sync_selects_one_by_name(
    env: Env, emulator: EmulatorFactory
) -> None:
    out = env.run_cli("providers", "--json")
    rows = {r["provider"]: r for r in json.loads(out.stdout)}
    for preset in PRESETS:
        row = rows[preset.name]
        assert row["source"] == "builtin" and row["base_url"] in (
            preset.base_url,
            env.vars.get(preset.base_url_env),
        )
        assert row["key_env"][0] == preset.key_env
    emu = emulator("cerebras")
    env.wire(emu)
    done = env.run_cli("sync", "cerebras", "--json")
    assert done.returncode == 0 and '"status": "success"' in done.stdout
    status = env.run_cli("status")
    assert any(ln.strip().startswith("cerebras") for ln in status.stdout.splitlines())


def test_a_preset_as_a_named_instance(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vllm")
    path = env.tmp / "config.toml"
    path.write_text(
        f'[providers.gpu-2]\ntype = "vllm"\nbase_url = "{emu.base_url}"\napi_key_env = "GPU2_KEY"\n'
    )
    env.vars.update(MODELSYNC_CONFIG=str(path), GPU2_KEY=emu.api_key)
    catalog = env.catalog()
    assert catalog.provider("gpu-2").sync_models().status == "success"
    [model] = catalog.models(provider="gpu-2")
    assert (model.provider, model.context_window) == ("gpu-2", 40960)


# ---------------------------------------------------------------------------------- quirks


def test_deepinfra_lists_under_its_openai_path(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("deepinfra")
    env.wire(emu).catalog().provider("deepinfra").sync_models()
    assert [r.path for r in emu.requests] == ["/v1/openai/models"]
    assert models_of(env, "deepinfra")["deepseek-ai/DeepSeek-V3"].owned_by == "deepinfra"


def test_nebius_asks_for_the_verbose_list(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("nebius")
    env.wire(emu).catalog().provider("nebius").sync_models()
    assert emu.requests[0].query == {"verbose": ["true"]}
    assert models_of(env, "nebius")["Qwen/Qwen3-235B-A22B"].context_window == 40960


def test_huggingface_router_reads_its_providers_table(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("huggingface")
    env.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    env.wire(emu).catalog().provider("huggingface").sync_models()
    m = models_of(env, "huggingface")
    llama = m["meta-llama/Llama-3.3-70B-Instruct"]
    assert llama.context_window == 131072  # the staging provider's 262144 does not count
    assert llama.capabilities["function_calling"].model_dump() == {
        "supported": True,
        "source": "api",
    }
    assert llama.supports("structured_output") is True and llama.supports("vision") is False
    assert llama.owned_by == "meta-llama"
    qwen = m["Qwen/Qwen2.5-VL-7B-Instruct"]
    assert qwen.supports("vision") is True and qwen.input_modalities == ("text", "image")
    assert qwen.supports("function_calling") is False
    assert m["deepseek-ai/DeepSeek-R1"].supports("function_calling") is None  # nobody said


def test_huggingface_token_under_its_other_name(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("huggingface")
    env.wire(emu).vars.pop("HF_TOKEN")
    env.vars["HUGGINGFACE_API_KEY"] = emu.api_key
    assert env.catalog().provider("huggingface").sync_models().status == "success"


def test_moonshot_states_vision_and_reasoning(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("moonshot")
    env.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    env.wire(emu).catalog().provider("moonshot").sync_models()
    m = models_of(env, "moonshot")
    assert m["kimi-latest"].capabilities["vision"].model_dump() == {
        "supported": True,
        "source": "api",
    }
    assert m["kimi-k2-thinking"].supports("reasoning") is True
    assert m["kimi-k2-0905-preview"].supports("vision") is False
    assert m["kimi-k2-0905-preview"].context_window == 262144


def test_sambanova_limits(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("sambanova")
    env.wire(emu).catalog().provider("sambanova").sync_models()
    r1 = models_of(env, "sambanova")["DeepSeek-R1"]
    assert (r1.context_window, r1.max_output_tokens) == (32768, 8192)


def test_llamacpp_at_the_root_with_its_trained_context(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("llamacpp")
    env.wire(emu).catalog().provider("llamacpp").sync_models()
    assert emu.base_url == emu.origin and [r.path for r in emu.requests] == ["/v1/models"]
    [model] = env.catalog().models(provider="llamacpp")
    assert model.context_window == 32768 and model.created is None  # llama.cpp stamps "now"


def test_nvidia_breaks_down_by_owner(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("nvidia")
    stats = env.wire(emu).catalog().provider("nvidia").sync_models().statistics
    assert stats is not None and stats["by_owner"] == {"meta": 1, "mistralai": 1, "nvidia": 2}
    assert models_of(env, "nvidia")["nvidia/nv-embedqa-e5-v5"].supports("embeddings") is True


def test_perplexity_without_a_list_says_so(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("perplexity")
    env.wire(emu).vars["PERPLEXITY_BASE_URL"] = emu.base_url + "/no-list-here"
    err = sync_error(env, "perplexity")
    assert isinstance(err, EndpointNotFoundError) and "PERPLEXITY" not in str(err).split(":")[0]
    assert "/no-list-here" in str(err)
    env.vars.pop("PERPLEXITY_API_KEY")
    env.vars.update(PPLX_API_KEY=emu.api_key, PERPLEXITY_BASE_URL=emu.base_url)
    assert env.catalog().provider("perplexity").sync_models().status == "success"
    assert emu.requests[-1].path == "/models"


@pytest.mark.parametrize("name", LOCAL)
def test_local_server_without_a_key_joins_a_plain_sync_only_when_running(
    name: str, env: Env, emulator: EmulatorFactory
) -> None:
    cerebras = emulator("cerebras")
    env.wire(cerebras)
    report = env.catalog().sync()  # the local server's variable points at a closed port
    assert list(report.results) == ["cerebras"]
    local = emulator(name, api_key="")
    env.vars[BASE_ENV[name]] = local.base_url
    env.vars.pop(KEY_ENV[name], None)
    report = env.catalog().sync(force=True)
    assert sorted(report.results) == sorted(["cerebras", name])
    assert report[name].status == "success"
    assert "authorization" not in local.requests[0].headers


def test_local_presets_default_to_their_usual_ports() -> None:
    assert {p.name: p.base_url for p in PRESETS if p.name in LOCAL} == {
        "lmstudio": "http://localhost:1234/v1",
        "llamacpp": "http://localhost:8080",
        "vllm": "http://localhost:8000/v1",
        "litellm": "http://localhost:4000",
    }


def test_vllm_drops_the_request_time_created(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("vllm")
    env.wire(emu).catalog().provider("vllm").sync_models()
    [model] = env.catalog().models(provider="vllm")
    assert model.created is None and model.context_window == 40960  # vLLM stamps "now"
