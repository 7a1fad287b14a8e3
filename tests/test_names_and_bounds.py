"""Names are checked everywhere, with suggestions; numbers are checked against one set of bounds.

A typo must not look like an empty catalog: every command that takes a provider or capability
name refuses an unknown one (exit 1) and says "did you mean ...". Settings from the environment,
the config file, ``Catalog(...)`` arguments and CLI flags share the ranges in ``config.BOUNDS``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from modelsync.config import BOUNDS, Settings
from modelsync.errors import ConfigurationError
from tests.fixtures import EmulatorFactory, Env


@pytest.mark.parametrize(
    "args",
    [
        ("models", "--provider", "opneai"),
        ("models", "--offline", "--provider", "opneai"),
        ("clear", "opneai"),
        ("diff", "opneai"),
        ("history", "opneai"),
        ("stats", "opneai"),
        ("sync", "opneai"),
        ("show", "gpt-4o", "--provider", "opneai"),
    ],
)
def test_an_unknown_provider_exits_1_with_a_suggestion(env: Env, args: tuple[str, ...]) -> None:
    out = env.run_cli(*args)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "unknown provider 'opneai'" in out.stderr
    assert "did you mean 'openai'?" in out.stderr
    assert "Traceback" not in out.stderr


def test_an_unknown_capability_exits_1_with_a_suggestion(env: Env) -> None:
    for args in (("models", "--capability", "visoin"), ("models", "--offline", "-c", "visoin")):
        out = env.run_cli(*args)
        assert out.returncode == 1
        assert "unknown capability 'visoin'" in out.stderr
        assert "did you mean 'vision'?" in out.stderr


def test_nothing_close_lists_the_known_names(env: Env) -> None:
    out = env.run_cli("models", "--capability", "zzzzzz")
    assert out.returncode == 1
    assert "did you mean" not in out.stderr
    assert "function_calling" in out.stderr


def test_a_provider_only_the_store_knows_is_accepted(env: Env, emulator: EmulatorFactory) -> None:
    """A reader on a shared store need not configure the instances another host syncs."""
    emu = emulator("openai")
    catalog = env.catalog()
    catalog.add_provider("gw-east", "openai", base_url=emu.base_url, api_key=emu.api_key)
    assert catalog.sync(["gw-east"]).exit_code == 0
    out = env.run_cli("models", "--provider", "gw-east", "--json")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() != "[]"
    assert env.run_cli("history", "gw-east").returncode == 0
    typo = env.run_cli("models", "--provider", "gw-eats")
    assert typo.returncode == 1 and "did you mean 'gw-east'?" in typo.stderr


def test_the_python_api_checks_names_too(env: Env) -> None:
    catalog = env.catalog()
    with pytest.raises(ConfigurationError, match="did you mean 'openai'"):
        catalog.models(provider="opneai")
    with pytest.raises(ConfigurationError, match="did you mean 'vision'"):
        catalog.models(capability="visoin")
    with pytest.raises(ConfigurationError, match="did you mean 'anthropic'"):
        catalog.history("antropic")
    with pytest.raises(ConfigurationError, match="did you mean 'openai-compatible'"):
        catalog.add_provider("my-vllm", "openai-compatable", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ConfigurationError, match="max_price"):
        catalog.models(max_price=Decimal(-1))
    with pytest.raises(ConfigurationError, match="min_context"):
        catalog.models(min_context=0)


@pytest.mark.parametrize(
    "args",
    [
        ("models", "--max-price", "-1"),
        ("models", "--max-price", "NaN"),
        ("models", "--max-price", "Infinity"),
        ("models", "--min-context", "-5"),
        ("models", "--min-context", "0"),
        ("sync", "--timeout", "0"),
        ("sync", "--timeout", "-1"),
        ("diff", "--last", "0"),
        ("history", "--limit", "-3"),
        ("check", "--max-age", "-1"),
    ],
)
def test_out_of_range_flags_are_usage_errors(env: Env, args: tuple[str, ...]) -> None:
    out = env.run_cli(*args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Invalid value" in out.stderr


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("MODELSYNC_TIMEOUT", "0", "greater than 0"),
        ("MODELSYNC_TIMEOUT", "-2", "greater than 0"),
        ("MODELSYNC_REQUEST_TIMEOUT", "nan", "finite"),
        ("MODELSYNC_MAX_SHRINK", "1.5", "between 0 and 1"),
        ("MODELSYNC_MAX_PAGES", "0", "at least 1"),
        ("MODELSYNC_REMOVE_AFTER", "0", "at least 1"),
        ("MODELSYNC_LEDGER_MAX_ENTRIES", "0", "at least 1"),
        ("MODELSYNC_MAX_RETRIES", "2.5", "whole number"),
        ("MODELSYNC_MODELS_TTL_HOURS", "0", "greater than 0"),
        ("MODELSYNC_PREFIX", " ", "empty"),
    ],
)
def test_environment_settings_are_checked_like_the_flags(
    env: Env, variable: str, value: str, words: str
) -> None:
    env.vars[variable] = value
    out = env.run_cli("status")
    assert out.returncode == 1
    assert variable in out.stderr and words in out.stderr
    assert "Traceback" not in out.stderr


def test_config_file_and_arguments_share_the_bounds(env: Env) -> None:
    config = env.tmp / "config.toml"
    config.write_text("timeout = 0\n")
    with pytest.raises(ConfigurationError, match=r"timeout from .*config.toml.*greater than 0"):
        Settings.load({"MODELSYNC_CONFIG": str(config)})
    with pytest.raises(ConfigurationError, match="greater than 0"):
        env.catalog(timeout=0)
    assert env.catalog(timeout=0.5).settings.timeout == 0.5


def test_every_numeric_setting_has_a_bound() -> None:
    numeric = {
        f.name
        for f in dataclasses.fields(Settings)
        if f.type in ("int", "float") and f.name not in ("providers", "overrides")
    }
    assert numeric == set(BOUNDS)
    defaults = Settings()
    for name, bound in BOUNDS.items():
        assert bound.violation(float(getattr(defaults, name))) is None, name
