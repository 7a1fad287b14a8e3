"""Missing or wrong configuration says what is missing, and errors say where they happened.

A named instance whose key variable is unset fails at once, with no request, naming that
variable; ``providers`` and ``status`` name it too. A config file someone named must exist; a
table with a bad or missing ``type`` is named. A refused connection names the URL it tried and
the setting that chose it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from modelsync.errors import ConfigurationError, InvalidCredentialsError
from tests.emulators import Fault
from tests.fixtures import EmulatorFactory, Env


def _instances(env: Env, body: str) -> None:
    config = env.tmp / "config.toml"
    config.write_text(textwrap.dedent(body))
    env.vars["MODELSYNC_CONFIG"] = str(config)


def test_an_instance_with_its_key_variable_unset_fails_at_once(
    env: Env, emulator: EmulatorFactory
) -> None:
    vllm = emulator("openai-compatible")
    vllm.push(*[Fault.status(500)] * 8)  # were a request sent, it would be retried
    _instances(
        env,
        f"""
        [providers.my-vllm]
        type = "openai-compatible"
        base_url = "{vllm.base_url}"
        api_key_env = "MY_VLLM_KEY"
        """,
    )
    named = env.run_cli("sync", "my-vllm", "--json")
    assert named.returncode == 1
    result = json.loads(named.stdout)["providers"]["my-vllm"]
    assert result["error_type"] == "invalid_credentials"
    assert "MY_VLLM_KEY is not set" in result["error"] and "[providers.my-vllm]" in result["error"]
    plain = env.run_cli("sync")  # a plain sync includes what the user configured, and says why
    assert plain.returncode == 1
    assert "✗ my-vllm" in plain.stdout and "MY_VLLM_KEY" in plain.stdout
    assert vllm.count() == 0  # no request, so no retries either
    assert env.catalog().provider("my-vllm").has_valid_credentials() is False
    with pytest.raises(InvalidCredentialsError, match="MY_VLLM_KEY"):
        env.catalog().provider("my-vllm").sync_models()
    assert vllm.count() == 0

    providers = {r["provider"]: r for r in json.loads(env.run_cli("providers", "--json").stdout)}
    assert providers["my-vllm"]["key_env"] == ["MY_VLLM_KEY"]
    assert providers["my-vllm"]["configured"] is False
    status = {
        r["provider"]: r for r in json.loads(env.run_cli("status", "--json").stdout)["providers"]
    }
    assert status["my-vllm"]["key"] == "missing" and status["my-vllm"]["key_env"] == ["MY_VLLM_KEY"]
    assert "no key (MY_VLLM_KEY)" in env.run_cli("status").stdout

    env.vars["MY_VLLM_KEY"] = vllm.api_key
    status = {
        r["provider"]: r for r in json.loads(env.run_cli("status", "--json").stdout)["providers"]
    }
    assert status["my-vllm"]["key"] == "set"


def test_a_named_openai_instance_names_its_own_variable(env: Env) -> None:
    _instances(
        env,
        """
        [providers.openai-research]
        type = "openai"
        api_key_env = "OPENAI_RESEARCH_KEY"
        """,
    )
    env.vars["OPENAI_API_KEY"] = "sk-the-default-org-0123456789"
    human = env.run_cli("providers").stdout
    line = next(x for x in human.splitlines() if "openai-research" in x)
    assert "OPENAI_RESEARCH_KEY" in line and "OPENAI_API_KEY" not in line
    out = env.run_cli("sync", "openai-research")
    assert out.returncode == 1 and "OPENAI_RESEARCH_KEY is not set" in out.stdout


def test_status_says_no_key_needed_for_keyless_providers(env: Env) -> None:
    rows = {
        r["provider"]: r for r in json.loads(env.run_cli("status", "--json").stdout)["providers"]
    }
    assert rows["ollama"]["key"] == "optional" and rows["ollama"]["configured"] is True
    assert rows["openai"]["key"] == "missing" and rows["openai"]["key_env"] == ["OPENAI_API_KEY"]
    lines = {x.split()[0]: x for x in env.run_cli("status").stdout.splitlines()[2:]}
    assert "no key needed" in lines["ollama"] and "no key needed" in lines["openrouter"]
    assert "key set" not in lines["ollama"]
    env.vars["OPENROUTER_API_KEY"] = "sk-or-0123456789"
    lines = {x.split()[0]: x for x in env.run_cli("status").stdout.splitlines()[2:]}
    assert "key set" in lines["openrouter"]


def test_no_credentials_lists_every_variable_that_would_configure_one(env: Env) -> None:
    _instances(
        env,
        """
        [providers.gateway]
        type = "anthropic"
        api_key_env = "GATEWAY_ANTHROPIC_KEY"
        enabled = false

        [providers.openai]
        api_key_env = "CORP_OPENAI_KEY"
        """,
    )
    out = env.run_cli("sync")
    assert out.returncode == 1
    for var in (
        "CORP_OPENAI_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "COHERE_API_KEY",
        "CO_API_KEY",
        "OPENROUTER_API_KEY",
        "XAI_API_KEY",
    ):
        assert var in out.stderr, var
    assert "GATEWAY_ANTHROPIC_KEY" not in out.stderr  # disabled
    # a provider that needs its endpoint as well as a key says both
    assert "AZURE_OPENAI_API_KEY with AZURE_OPENAI_ENDPOINT" in out.stderr


def test_a_named_config_file_must_exist(env: Env) -> None:
    env.vars["MODELSYNC_CONFIG"] = str(env.tmp / "modelsyc.toml")
    out = env.run_cli("status")
    assert out.returncode == 1
    assert "modelsyc.toml" in out.stderr and "does not exist" in out.stderr
    assert "MODELSYNC_CONFIG" in out.stderr
    env.vars["MODELSYNC_CONFIG"] = str(env.tmp)
    assert "is a directory" in env.run_cli("status").stderr
    with pytest.raises(ConfigurationError, match="does not exist"):
        env.catalog(config_file=str(env.tmp / "nope.toml"))


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('[providers.gpu2]\ntype = "olama"\n', ["[providers.gpu2]", "'olama'", "'ollama'"]),
        ('[providers.gpu2]\nbase_url = "http://h:1"\n', ["[providers.gpu2]", "no type"]),
        ("[providers.gpu2]\ntype = 3\n", ["[providers.gpu2]", "type"]),
        ('[providers.gpu2]\ntype = "ollama"\nenabled = "no"\n', ["[providers.gpu2]", "enabled"]),
    ],
)
def test_a_bad_provider_table_is_named(env: Env, table: str, words: list[str]) -> None:
    _instances(env, table)
    out = env.run_cli("providers")
    assert out.returncode == 1
    for word in words:
        assert word in out.stderr, (word, out.stderr)
    assert "config.toml" in out.stderr


def _without_file_access(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as root without the capabilities that bypass file permissions, so
    permissions apply as they do to any other user."""
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to drop file-permission capabilities"
    drop = "-dac_override,-dac_read_search"
    return subprocess.run(
        [setpriv, "--bounding-set", drop, sys.executable, "-m", "modelsync", *args],
        env=env.vars,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_os_errors_name_the_path(env: Env) -> None:
    locked = env.tmp / "locked"
    locked.mkdir()
    (locked / "config.toml").write_text("refresh_hours = 1\n")
    locked.chmod(0)
    try:
        probe = _without_file_access(env, "--version")
        assert probe.returncode == 0, probe.stderr
        env.vars["MODELSYNC_CONFIG"] = str(locked / "config.toml")
        named = _without_file_access(env, "status")
        env.vars.pop("MODELSYNC_CONFIG")
        env.vars["XDG_CONFIG_HOME"] = str(locked)
        default = _without_file_access(env, "status")
        env.vars["XDG_CONFIG_HOME"] = str(env.tmp)
        env.vars["MODELSYNC_STORE"] = f"sqlite:///{locked / 'catalog.db'}"
        store = _without_file_access(env, "models")
    finally:
        locked.chmod(0o700)
    for out, path in (
        (named, locked / "config.toml"),
        (default, locked / "modelsync" / "config.toml"),
        (store, locked / "catalog.db"),
    ):
        assert out.returncode == 1
        assert "unexpected" not in out.stderr
        assert str(path) in out.stderr and "ermission denied" in out.stderr, out.stderr


def test_a_refused_connection_names_the_url_and_the_setting(
    env: Env, emulator: EmulatorFactory
) -> None:
    env.vars["OLLAMA_HOST"] = "127.0.0.1:9"
    env.vars["MODELSYNC_MAX_RETRIES"] = "0"
    out = env.run_cli("sync", "ollama", "--json")
    error = json.loads(out.stdout)["providers"]["ollama"]["error"]
    assert "http://127.0.0.1:9/api/tags" in error and "OLLAMA_HOST" in error

    _instances(
        env,
        """
        [providers.gpu2]
        type = "ollama"
        base_url = "http://127.0.0.1:9/proxy"
        """,
    )
    out = env.run_cli("sync", "gpu2", "--json")
    error = json.loads(out.stdout)["providers"]["gpu2"]["error"]
    assert "http://127.0.0.1:9/proxy/api/tags" in error
    assert "[providers.gpu2]" in error and "config.toml" in error

    catalog = env.catalog()
    catalog.add_provider("gw", "anthropic", base_url="http://127.0.0.1:9", api_key="sk-ant-x")
    result = catalog.sync(["gw"])["gw"]
    assert result.error and "http://127.0.0.1:9/v1/models" in result.error
    assert "add_provider(base_url=...)" in result.error
    assert "?" not in result.error.split("base URL from")[0]  # no query (limit=...) shown


def test_a_default_base_url_says_so(env: Env) -> None:
    env.vars.pop("OLLAMA_HOST", None)
    adapter = env.catalog().adapter("ollama")
    assert adapter.config.base_url_origin == "the default"
    env.vars["OLLAMA_HOST"] = "gpu-9:11434"
    assert env.catalog().adapter("ollama").config.base_url_origin == "OLLAMA_HOST"
