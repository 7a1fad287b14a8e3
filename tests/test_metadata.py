"""Curated metadata end to end: the bundled catalog offline, ``show`` with provenance, and
models.dev plus user overrides merged into a real sync."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.fixtures import EmulatorFactory, Env
from tests.test_modelsdev import ModelsDevServer


@pytest.fixture
def modelsdev() -> Iterator[ModelsDevServer]:
    server = ModelsDevServer()
    yield server
    server.stop()


def _oa(model_id: str) -> dict[str, object]:
    return {"id": model_id, "object": "model", "created": 1715367049, "owned_by": "system"}


def test_offline_models_need_no_keys_and_no_network(env: Env) -> None:
    out = env.run_cli("models", "--offline", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    providers = {r["provider"] for r in rows}
    assert {"openai", "anthropic", "gemini", "xai", "mistral", "deepseek"} <= providers
    assert all(r["offline"] is True for r in rows)
    assert "bundled catalog (checked 20" in out.stderr
    assert not env.store_path.exists()  # no store was opened
    cheap_vision = json.loads(
        env.run_cli(
            "models", "--offline", "--capability", "vision", "--max-price", "1", "--json"
        ).stdout
    )
    assert cheap_vision
    for row in cheap_vision:
        assert row["capabilities"]["vision"] == {"supported": True, "source": "catalog"}
        assert float(row["pricing"]["input"]) <= 1
    table = env.run_cli("models", "--offline", "--provider", "anthropic")
    assert table.returncode == 0 and "claude" in table.stdout


def test_show_lists_every_field_with_its_source(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("gpt-4o"), _oa("gpt-9x")])
    env.wire(emu)
    assert env.run_cli("sync").returncode == 0
    (gpt4o,) = json.loads(env.run_cli("show", "gpt-4o", "--json").stdout)
    assert gpt4o["provider"] == "openai" and gpt4o["offline"] is False
    context = gpt4o["fields"]["context_window"]
    assert (context["value"], context["source"]) == (128000, "catalog")
    # the bundled catalog's value says which catalogs gave it and by which rule
    assert context["provenance"]["rule"] == "agree"
    assert {"models.dev", "litellm"} <= set(context["provenance"]["sources"])
    assert gpt4o["fields"]["owned_by"] == {"value": "system", "source": "api"}
    vision = gpt4o["capabilities"]["vision"]
    assert (vision["supported"], vision["source"]) == (True, "catalog")
    assert vision["provenance"]["rule"] == "agree"
    assert gpt4o["capabilities"]["rerank"] == {"supported": None, "source": None}
    assert gpt4o["pricing"]["source"] == "catalog"
    assert gpt4o["pricing"]["input"] == "2.5" and gpt4o["pricing"]["as_of"]
    (unknown,) = json.loads(env.run_cli("show", "openai/gpt-9x", "--json").stdout)
    assert unknown["capabilities"]["chat"]["source"] == "rule"
    assert unknown["fields"]["context_window"] == {"value": None, "source": None}
    human = env.run_cli("show", "gpt-4o").stdout
    assert (
        "context_window     128000  [catalog: models.dev, litellm, genai-prices (agree)]" in human
    )
    assert "capabilities ?" in human


def test_show_falls_back_to_the_bundled_catalog(env: Env) -> None:
    (found,) = json.loads(env.run_cli("show", "gpt-4o-2024-08-06", "--json").stdout)
    assert found["offline"] is True
    assert found["provider"] == "openai"
    assert found["fields"]["context_window"]["source"] == "catalog"
    missing = env.run_cli("show", "no-such-model-anywhere")
    assert missing.returncode == 1 and "neither the store nor the bundled catalog" in missing.stderr


def test_api_facts_beat_the_catalog(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai")
    catalog = env.wire(emu).catalog()
    catalog.provider("xai").sync_models()
    grok3 = {m.id: m for m in catalog.models()}["grok-3"]
    assert grok3.pricing is not None
    assert grok3.pricing.source == "api" and str(grok3.pricing.input) == "3"


def test_modelsdev_and_overrides_merge_into_a_sync(
    env: Env, emulator: EmulatorFactory, modelsdev: ModelsDevServer
) -> None:
    openai = emulator("openai", models=[_oa("gpt-4o"), _oa("gpt-4.1")])
    anthropic = emulator("anthropic")
    config = env.tmp / "config.toml"
    config.write_text(
        "modelsdev_enabled = true\n"
        f'modelsdev_url = "{modelsdev.url}"\n\n'
        '[overrides."openai/gpt-4.1"]\n'
        "context_window = 999999\n"
        "capabilities = { web_search = true }\n"
        'pricing = { input = "1.5", output = "6" }\n'
    )
    env.wire(openai, anthropic).vars["MODELSYNC_CONFIG"] = str(config)
    catalog = env.catalog()
    report = catalog.sync()
    assert report.exit_code == 0
    assert modelsdev.requests == 1  # one fetch shared by every provider in the run
    models = {m.id: m for m in catalog.models(provider="openai")}
    gpt4o = models["gpt-4o"]
    assert gpt4o.knowledge_cutoff == "2023-09"  # models.dev (2023-09) beats bundled (2023-10)
    assert gpt4o.sources["knowledge_cutoff"] == "catalog"
    gpt41 = models["gpt-4.1"]
    assert gpt41.context_window == 999999 and gpt41.sources["context_window"] == "user"
    assert gpt41.capabilities["web_search"].model_dump() == {"supported": True, "source": "user"}
    assert gpt41.pricing is not None and gpt41.pricing.source == "user"
    assert str(gpt41.pricing.input) == "1.5"

    catalog.sync(force=True)
    assert modelsdev.requests == 1  # within its TTL: served from the store


def test_modelsdev_failure_never_fails_a_sync(
    env: Env, emulator: EmulatorFactory, modelsdev: ModelsDevServer
) -> None:
    modelsdev.status = 500
    emu = emulator("openai", models=[_oa("gpt-4o")])
    env.wire(emu).vars.update(
        MODELSYNC_MODELSDEV_ENABLED="1",
        MODELSYNC_MODELSDEV_URL=modelsdev.url,
        MODELSYNC_MAX_RETRIES="0",
    )
    catalog = env.catalog()
    assert catalog.provider("openai").sync_models().status == "success"
    (gpt4o,) = catalog.models()
    assert gpt4o.context_window == 128000  # the bundled catalog still applies
    failure = catalog.metadata.source.last_failure()
    assert failure is not None and failure["error_type"] == "provider_unavailable"


def test_modelsdev_is_off_by_default(
    env: Env, emulator: EmulatorFactory, modelsdev: ModelsDevServer
) -> None:
    emu = emulator("openai", models=[_oa("gpt-4o")])
    env.wire(emu).vars["MODELSYNC_MODELSDEV_URL"] = modelsdev.url
    assert env.run_cli("sync").returncode == 0
    assert modelsdev.requests == 0


def test_bad_override_is_a_clear_error(env: Env) -> None:
    config = env.tmp / "config.toml"
    config.write_text('[overrides."openai/gpt-4o"]\ncontext_window = "huge"\n')
    env.vars["MODELSYNC_CONFIG"] = str(config)
    out = env.run_cli("status")
    assert out.returncode == 1
    assert "openai/gpt-4o" in out.stderr and "Traceback" not in out.stderr
