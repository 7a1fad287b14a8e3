"""Named instances, catalogs that never cross keys or hosts, plugins, and ``modelsync providers``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from modelsync.catalog import Catalog
from modelsync.errors import ConfigurationError
from tests.fixtures import EmulatorFactory, Env


def _oa(model_id: str) -> dict[str, object]:
    return {"id": model_id, "object": "model", "created": 1700000000, "owned_by": "org"}


def test_two_instances_of_one_provider_keep_separate_catalogs(
    env: Env, emulator: EmulatorFactory
) -> None:
    org_a = emulator("openai", models=[_oa("gpt-4o"), _oa("ft:gpt-4o:org-a:custom")])
    org_b = emulator("openai", api_key="sk-org-b-0123456789abcdef", models=[_oa("gpt-4.1")])
    config = env.tmp / "config.toml"
    config.write_text(
        textwrap.dedent(f"""
        [providers.openai-b]
        type = "openai"
        base_url = "{org_b.base_url}"
        api_key_env = "OPENAI_ORG_B_KEY"
        """)
    )
    env.wire(org_a).vars.update(MODELSYNC_CONFIG=str(config), OPENAI_ORG_B_KEY=org_b.api_key)
    report = env.catalog().sync()
    assert report["openai"].status == "success"
    assert report["openai-b"].status == "success"
    catalog = env.catalog()
    assert {m.id for m in catalog.models(provider="openai")} == {"gpt-4o", "ft:gpt-4o:org-a:custom"}
    assert [m.id for m in catalog.models(provider="openai-b")] == ["gpt-4.1"]
    assert {m.provider for m in catalog.models(provider="openai-b")} == {"openai-b"}
    assert org_b.requests[0].headers["authorization"] == f"Bearer {org_b.api_key}"
    assert catalog.stats("openai-b") is not None


def test_add_provider_in_code(env: Env, emulator: EmulatorFactory) -> None:
    first = emulator("openai", models=[_oa("served-by-first")])
    second = emulator("openai", api_key="sk-second-0123456789", models=[_oa("served-by-second")])
    catalog = env.catalog()
    catalog.add_provider("gw-1", "openai", base_url=first.base_url, api_key=first.api_key)
    catalog.add_provider("gw-2", "openai", base_url=second.base_url, api_key=second.api_key)
    report = catalog.sync(["gw-1", "gw-2"])
    assert report.exit_code == 0
    assert [m.id for m in catalog.models(provider="gw-1")] == ["served-by-first"]
    assert [m.id for m in catalog.models(provider="gw-2")] == ["served-by-second"]
    assert catalog.provider("gw-2").sync_models().status == "skipped"


def test_instance_names_are_checked(env: Env) -> None:
    with pytest.raises(ConfigurationError):
        env.catalog().add_provider("bad:name", "openai", base_url="http://127.0.0.1:9/v1")
    config = env.tmp / "config.toml"
    config.write_text('[providers."has space"]\ntype = "openai"\n')
    env.vars["MODELSYNC_CONFIG"] = str(config)
    out = env.run_cli("status")
    assert out.returncode == 1 and "not allowed" in out.stderr


def test_a_catalog_from_another_host_is_never_served(env: Env, emulator: EmulatorFactory) -> None:
    host_a = emulator("openai", models=[_oa("only-on-a")])
    host_b = emulator("openai", models=[_oa("only-on-b")])
    env.wire(host_a)
    assert env.catalog().provider("openai").sync_models().status == "success"
    env.wire(host_b)  # same key, another host
    catalog = env.catalog()
    assert list(catalog.models(provider="openai")) == []
    state = {r["provider"]: r["state"] for r in catalog.status()}["openai"]
    assert state == "mismatch"
    assert catalog.provider("openai").sync_models().status == "success"  # not skipped
    assert [m.id for m in catalog.models(provider="openai")] == ["only-on-b"]


def test_a_catalog_from_another_key_is_never_served(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("anthropic")
    env.wire(emu)
    env.catalog().provider("anthropic").sync_models()
    env.vars["ANTHROPIC_API_KEY"] = "sk-ant-someone-else-0000"
    assert list(env.catalog().models(provider="anthropic")) == []
    out = env.run_cli("models", "--provider", "anthropic", "--json")
    assert json.loads(out.stdout) == []
    assert "different key or base URL" in out.stderr
    # A reader with no key at all (a web worker on a shared store) still reads it.
    del env.vars["ANTHROPIC_API_KEY"]
    assert len(env.catalog().models(provider="anthropic")) > 0


def test_providers_command(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini")
    env.wire(emu)
    rows = {r["provider"]: r for r in json.loads(env.run_cli("providers", "--json").stdout)}
    assert {"openai", "anthropic", "gemini", "xai"} <= set(rows)
    gemini = rows["gemini"]
    assert gemini["configured"] is True and gemini["key_set"] is True
    assert gemini["key_env"] == ["GEMINI_API_KEY"]
    assert gemini["base_url"] == emu.base_url
    assert gemini["base_url_env"] == "GEMINI_BASE_URL"
    assert rows["openai"]["configured"] is False
    assert rows["openai"]["key_env"] == ["OPENAI_API_KEY"]
    assert rows["openai"]["base_url"] == "https://api.openai.com/v1"
    human = env.run_cli("providers").stdout
    assert "✓ gemini" in human and emu.api_key not in human


PLUGIN = '''
"""A throwaway third-party provider: an OpenAI-shaped list under another name."""

from modelsync.providers.base import ProviderSpec
from modelsync.providers.openai import OpenAIAdapter
from modelsync.stats import family


class AcmeAdapter(OpenAIAdapter):
    spec = ProviderSpec(
        name="acme",
        title="Acme AI",
        key_envs=("ACME_API_KEY",),
        base_url_env="ACME_BASE_URL",
        default_base_url="https://api.acme.invalid/v1",
    )
    families = (family("acme_gpt_models", r"gpt"),)


class LocalAdapter(OpenAIAdapter):
    spec = ProviderSpec(
        name="acmelocal",
        title="Acme local server",
        key_envs=("ACMELOCAL_API_KEY",),
        base_url_env="ACMELOCAL_HOST",
        default_base_url="http://127.0.0.1:9/v1",
        key_required=False,
        auto_sync="probe",
    )


NotAnAdapter = object
'''


def _install_plugin(tmp: Path) -> Path:
    """A real installed distribution: a package plus its .dist-info with entry points."""
    site = tmp / "site"
    (site / "acme_modelsync").mkdir(parents=True)
    (site / "acme_modelsync" / "__init__.py").write_text(PLUGIN)
    info = site / "acme_modelsync-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-modelsync\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[modelsync.providers]\n"
        "acme = acme_modelsync:AcmeAdapter\n"
        "acmelocal = acme_modelsync:LocalAdapter\n"
        "broken = acme_modelsync:NotAnAdapter\n"
    )
    return site


def test_plugin_provider_through_entry_points(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("gpt-acme-1"), _oa("other")])
    site = _install_plugin(env.tmp)
    env.vars.update(PYTHONPATH=str(site), ACME_API_KEY=emu.api_key, ACME_BASE_URL=emu.base_url)
    rows = {r["provider"]: r for r in json.loads(env.run_cli("providers", "--json").stdout)}
    assert rows["acme"]["source"] == "plugin"
    assert rows["acme"]["configured"] is True
    assert "not a modelsync Adapter" in rows["broken"]["error"]

    out = env.run_cli("sync", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    providers = json.loads(out.stdout)["providers"]
    assert providers["acme"]["status"] == "success"
    assert providers["acme"]["statistics"]["acme_gpt_models"] == 1
    assert "acmelocal" not in providers  # a local server that does not answer is left out
    models = json.loads(env.run_cli("models", "--provider", "acme", "--json").stdout)
    assert sorted(m["id"] for m in models) == ["gpt-acme-1", "other"]


def test_probe_providers_join_a_plain_sync_only_when_they_answer(
    env: Env, emulator: EmulatorFactory
) -> None:
    local = emulator("openai", models=[_oa("local-llama")])
    site = _install_plugin(env.tmp)
    env.vars.update(
        PYTHONPATH=str(site), ACMELOCAL_HOST=local.base_url, ACMELOCAL_API_KEY=local.api_key
    )
    out = env.run_cli("sync", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["providers"]["acmelocal"]["status"] == "success"


def test_exactly_when_a_catalog_is_served_without_a_key(
    env: Env, emulator: EmulatorFactory
) -> None:
    """The README's rule for readers on a shared store (item 17 of issue 9)."""
    openai = emulator("openai", models=[_oa("gpt-4o")])
    router = emulator("openrouter")
    env.wire(openai).vars.update(
        OPENROUTER_API_KEY=router.api_key, OPENROUTER_BASE_URL=router.base_url
    )
    writer = env.catalog()
    writer.add_provider("gw-east", "openai", base_url=openai.base_url, api_key=openai.api_key)
    assert writer.sync(["openai", "openrouter", "gw-east"]).exit_code == 0

    def served(reader_env: dict[str, str]) -> dict[str, str]:
        reader = Catalog(env=reader_env)
        return {r["provider"]: r["state"] for r in reader.status() if r["models"]}

    keyless = {k: v for k, v in env.vars.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    states = served(keyless)
    # openai needs a key and this reader has none: served as stored, whatever its base URL;
    # gw-east is not configured here at all: served as stored
    assert states["openai"] != "mismatch" and states["gw-east"] != "mismatch"
    assert [m.id for m in Catalog(env=keyless).models(provider="openai")] == ["gpt-4o"]
    # OpenRouter works without a key, so its fingerprint (base URL and key) is compared: a
    # catalog fetched with a key is not served to a reader without one
    assert states["openrouter"] == "mismatch"
    other_key = {**env.vars, "OPENAI_API_KEY": "sk-someone-else-0123456789"}
    assert served(other_key)["openai"] == "mismatch"
