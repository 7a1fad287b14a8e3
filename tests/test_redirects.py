"""A redirect never carries a credential to another origin (issue 9, item 1).

Every registered adapter, a named instance and a plugin with its own key header run a real sync
against their loopback emulator, which answers the list call with a redirect to a second
emulator on another port. That second server has the same key, so a leaked credential would
make the sync succeed; the assertion is stronger still: it receives no request at all.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from modelsync.config import Settings
from modelsync.errors import MalformedResponseError, ModelSyncError, RedirectRefusedError
from modelsync.http import HttpClient
from modelsync.providers import BUILTIN, adapter_class
from modelsync.redirects import origin_of
from tests.adapters_live import key_vars
from tests.emulators import Fault, ProviderEmulator
from tests.fixtures import EmulatorFactory, Env

KEY = "sk-REDIRECT-canary-5e1f0a9d3c7b2e4f"


def _wire(env: Env, provider: str, emu: ProviderEmulator) -> None:
    env.vars.update(key_vars(provider, KEY))
    env.vars[adapter_class(provider).spec.base_url_env] = emu.base_url


def _catalog_state(env: Env, provider: str) -> tuple[list[str], Any]:
    catalog = env.catalog()
    try:
        ids = sorted(m.id for m in catalog.models(provider=provider, include_missing=True))
        return ids, catalog.provider(provider).get_last_sync_time()
    finally:
        catalog.close()


def _refused(env: Env, provider: str) -> RedirectRefusedError:
    catalog = env.catalog()
    try:
        with pytest.raises(RedirectRefusedError) as info:
            catalog.provider(provider).sync_models(force_refresh=True)
        return info.value
    finally:
        catalog.close()


@pytest.mark.parametrize("provider", sorted(BUILTIN))
@pytest.mark.parametrize("code", [302, 307])
def test_every_adapter_refuses_a_cross_origin_redirect(
    provider: str, code: int, env: Env, emulator: EmulatorFactory
) -> None:
    primary = emulator(provider, api_key=KEY)
    elsewhere = emulator(provider, api_key=KEY)
    _wire(env, provider, primary)
    catalog = env.catalog()
    assert catalog.provider(provider).sync_models().status == "success"
    before = _catalog_state(env, provider)
    assert before[0]

    primary.push(Fault.redirect(elsewhere.origin, code))
    error = _refused(env, provider)

    assert elsewhere.requests == []  # not a header, not a query, not a connection
    message = str(error)
    assert elsewhere.origin in message and "?" not in message
    assert error.provider == provider and not error.retryable
    assert adapter_class(provider).spec.base_url_env in message  # says what to change
    assert KEY not in message and KEY not in repr(error)
    assert primary.pending_faults == 0
    assert _catalog_state(env, provider) == before  # the last good catalog stands
    failure = env.catalog().provider(provider).last_failure()
    assert failure is not None and failure["error_type"] == "redirect_refused"


@pytest.mark.parametrize("provider", sorted(BUILTIN))
def test_every_adapter_follows_a_same_origin_redirect_with_its_key(
    provider: str, env: Env, emulator: EmulatorFactory
) -> None:
    primary = emulator(provider, api_key=KEY)
    _wire(env, provider, primary)
    primary.push(Fault.redirect(primary.origin, 308))
    result = env.catalog().provider(provider).sync_models()
    assert result.status == "success" and result.models_synced > 0
    first = primary.requests[0]
    # The redirected request was made again, to the same place, with the same key.
    again = [r for r in primary.requests[1:] if r.raw_url == first.raw_url]
    assert again, [r.raw_url for r in primary.requests]
    assert again[0].headers.get(_key_header(first)) == first.headers[_key_header(first)]
    assert result.requests == len(primary.requests)  # every hop counts as a request


def _key_header(request: Any) -> str:
    """The header that carried the key on the first request (the emulator accepted it)."""
    for name, value in request.headers.items():
        if KEY in value:
            return str(name)
    raise AssertionError(f"no header carried the key: {sorted(request.headers)}")


def test_a_relative_redirect_is_same_origin(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", api_key=KEY)
    _wire(env, "openai", emu)
    emu.push(Fault.raw(301, "", {"location": "/v1/models"}, content_type="text/plain"))
    assert env.catalog().provider("openai").sync_models().status == "success"
    assert [r.path for r in emu.requests] == ["/v1/models", "/v1/models"]
    assert emu.requests[1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("change", ["port", "scheme"])
def test_another_port_or_scheme_on_the_same_host_is_another_origin(
    change: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("anthropic", api_key=KEY)
    other = emulator("anthropic", api_key=KEY)
    _wire(env, "anthropic", emu)
    target = other.origin if change == "port" else emu.origin.replace("http://", "https://")
    emu.push(Fault.raw(307, "", {"location": target + "/v1/models"}, content_type="text/plain"))
    error = _refused(env, "anthropic")
    assert target in str(error)
    assert other.requests == [] and len(emu.requests) == 1


def test_a_named_instance_refuses_and_names_its_config_entry(
    env: Env, emulator: EmulatorFactory
) -> None:
    primary = emulator("gemini", api_key=KEY)
    elsewhere = emulator("gemini", api_key=KEY)
    config = env.tmp / "config.toml"
    config.write_text(
        textwrap.dedent(f"""
        [providers.gemini-eu]
        type = "gemini"
        base_url = "{primary.base_url}"
        api_key_env = "GEMINI_EU_KEY"
        """)
    )
    env.vars.update(MODELSYNC_CONFIG=str(config), GEMINI_EU_KEY=KEY)
    assert env.catalog().provider("gemini-eu").sync_models().status == "success"
    before = _catalog_state(env, "gemini-eu")
    primary.push(Fault.redirect(elsewhere.origin))
    error = _refused(env, "gemini-eu")
    assert elsewhere.requests == []
    assert "gemini-eu" in str(error) and "[providers.gemini-eu]" in str(error)
    assert _catalog_state(env, "gemini-eu") == before
    # A same-origin redirect still works for the instance.
    primary.push(Fault.redirect(primary.origin))
    assert env.catalog().provider("gemini-eu").sync_models(force_refresh=True).status == "success"
    assert primary.requests[-1].headers["x-goog-api-key"] == KEY


PLUGIN = '''
"""A plugin that sends its key in a header of its own as well as the usual Bearer token."""

from modelsync.providers.base import ProviderSpec
from modelsync.providers.openai import OpenAIAdapter


class AcmeAdapter(OpenAIAdapter):
    spec = ProviderSpec(
        name="acme",
        title="Acme AI",
        key_envs=("ACME_API_KEY",),
        base_url_env="ACME_BASE_URL",
        default_base_url="https://api.acme.invalid/v1",
    )

    def auth_headers(self):
        return {**super().auth_headers(), "x-acme-key": self.config.api_key or ""}
'''


def _install_plugin(tmp: Path) -> Path:
    site = tmp / "site"
    (site / "acme_redirect").mkdir(parents=True)
    (site / "acme_redirect" / "__init__.py").write_text(PLUGIN)
    info = site / "acme_redirect-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-redirect\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[modelsync.providers]\nacme = acme_redirect:AcmeAdapter\n"
    )
    return site


def test_a_plugin_with_its_own_key_header_refuses(env: Env, emulator: EmulatorFactory) -> None:
    primary = emulator("openai", api_key=KEY)
    elsewhere = emulator("openai", api_key=KEY)
    env.vars.update(
        PYTHONPATH=str(_install_plugin(env.tmp)), ACME_API_KEY=KEY, ACME_BASE_URL=primary.base_url
    )
    first = env.run_cli("sync", "acme", "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    assert primary.requests[0].headers["x-acme-key"] == KEY
    models_before = env.run_cli("models", "--provider", "acme", "--json").stdout

    primary.push(Fault.redirect(elsewhere.origin, 302))
    out = env.run_cli("sync", "acme", "--force", "--json")
    assert out.returncode == 1
    result = json.loads(out.stdout)["providers"]["acme"]
    assert result["error_type"] == "redirect_refused"
    assert elsewhere.origin in result["error"] and "ACME_BASE_URL" in result["error"]
    assert elsewhere.requests == []
    assert KEY not in out.stdout + out.stderr
    assert env.run_cli("models", "--provider", "acme", "--json").stdout == models_before


def test_a_request_without_credentials_may_follow_to_another_origin(
    env: Env, emulator: EmulatorFactory
) -> None:
    """A keyless local server (or models.dev) has nothing to leak: the redirect is followed."""
    primary = emulator("openai-compatible", api_key="")
    elsewhere = emulator("openai-compatible", api_key="")
    env.vars["OPENAI_COMPATIBLE_BASE_URL"] = primary.base_url
    primary.push(Fault.redirect(elsewhere.origin))
    result = env.catalog().provider("openai-compatible").sync_models()
    assert result.status == "success" and result.models_synced > 0
    assert len(elsewhere.requests) == 1
    assert "authorization" not in elsewhere.requests[0].headers


def test_a_key_in_the_query_string_counts_as_a_credential(emulator: EmulatorFactory) -> None:
    """A plugin that authenticates with ``?key=`` and sends no header is still protected."""
    primary = emulator("openai", api_key=KEY)
    elsewhere = emulator("openai", api_key=KEY)
    primary.push(Fault.redirect(elsewhere.origin))

    async def get() -> Any:
        client = HttpClient(provider="acme", settings=Settings(), secrets=(KEY,))
        async with client as http:
            return await http.get_json(primary.base_url + "/models", params={"key": KEY})

    with pytest.raises(RedirectRefusedError) as info:
        asyncio.run(get())
    assert elsewhere.requests == []
    assert KEY not in str(info.value) and "the base URL setting" in str(info.value)


def test_a_redirect_loop_is_an_error_not_a_hang(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", api_key=KEY)
    _wire(env, "openai", emu)
    emu.push(*[Fault.redirect(emu.origin) for _ in range(30)])
    with pytest.raises(RedirectRefusedError, match="more than 10 redirects"):
        env.catalog().provider("openai").sync_models()
    assert len(emu.requests) == 11  # the request and ten hops, once: never retried


def test_a_redirect_to_a_non_http_url_is_refused(emulator: EmulatorFactory) -> None:
    emu = emulator("openai", api_key=KEY)
    emu.push(
        Fault.raw(302, "", {"location": "ftp://127.0.0.1/models"}, content_type="text/plain"),
        Fault.raw(302, "", {"location": "http://user:pw@/x"}, content_type="text/plain"),
    )

    async def get() -> Any:
        async with HttpClient(provider="keyless", settings=Settings()) as http:
            return await http.get_json(emu.base_url + "/models")

    with pytest.raises(ModelSyncError) as info:
        asyncio.run(get())
    assert isinstance(info.value, RedirectRefusedError)
    assert "ftp://127.0.0.1" in str(info.value)
    with pytest.raises(MalformedResponseError, match="no usable host") as bad:
        asyncio.run(get())
    assert "pw" not in str(bad.value)
    assert len(emu.requests) == 2


def test_origins_compare_scheme_host_and_effective_port() -> None:
    assert origin_of("http://Example.com/v1") == origin_of("http://example.com:80/other?q=1")
    assert origin_of("https://example.com") == origin_of("https://example.com:443/")
    assert origin_of("https://example.com") != origin_of("http://example.com")
    assert origin_of("http://example.com:8080") != origin_of("http://example.com")
    assert origin_of("http://a.example.com") != origin_of("http://b.example.com")
    shown = str(origin_of("https://user:pw@example.com:443/v1/models?key=secret"))
    assert shown == "https://example.com"
    assert str(origin_of("http://[::1]:8080/x")) == "http://[::1]:8080"
    with pytest.raises(ValueError):
        origin_of("/relative/only")


def test_a_webhook_redirect_is_not_followed(emulator: EmulatorFactory) -> None:
    """The diff goes to the URL the user gave, never onward (a Slack URL is itself a secret)."""
    from modelsync.notify import post_webhook

    hook = emulator("openai", api_key=KEY)
    elsewhere = emulator("openai", api_key=KEY)
    hook.push(Fault.redirect(elsewhere.origin, 307))
    assert post_webhook(hook.origin + "/hooks/T000/B000/XXXX", {"providers": {}}) is False
    assert [r.method for r in hook.requests] == ["POST"]
    assert elsewhere.requests == []
