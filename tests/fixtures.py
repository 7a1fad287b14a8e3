"""Shared fixtures: an isolated environment, emulator factories and catalogs wired to them.

Tests never read the developer's real environment or cache dir: ``isolated`` clears every
provider and ``MODELSYNC_*`` variable and points HOME and the XDG dirs into ``tmp_path``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from modelsync.catalog import Catalog
from tests.emulators import ProviderEmulator

#: The twelve providers of the seed, in its order.
TWELVE = (
    "openai",
    "anthropic",
    "gemini",
    "xai",
    "mistral",
    "groq",
    "deepseek",
    "openrouter",
    "ollama",
    "together",
    "cohere",
    "fireworks",
)

KEY_ENV = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "xai": "XAI_API_KEY",
}
BASE_ENV = {
    "openai": "OPENAI_BASE_URL",
    "anthropic": "ANTHROPIC_BASE_URL",
    "gemini": "GEMINI_BASE_URL",
    "xai": "XAI_BASE_URL",
}
CORE = ("openai", "anthropic", "gemini", "xai")
TEST_KEYS = {
    "openai": "sk-test-openai-0123456789abcdef",
    "anthropic": "sk-ant-test-0123456789abcdef",
    "gemini": "AIzaTestGemini0123456789abcdef",
    "xai": "xai-test-0123456789abcdef",
}
_SCRUB_PREFIXES: tuple[str, ...] = ("MODELSYNC_", "AZURE_")
# Google Cloud: Vertex tokens and Application Default Credentials (key files, gcloud's config).
_SCRUB_PREFIXES += ("VERTEX_", "GOOGLE_", "GCLOUD_", "CLOUDSDK_", "GCE_")
# Every provider's key and endpoint variables, whatever provider adds them later.
_SCRUB_SUFFIXES = ("_API_KEY", "_BASE_URL", "_HOST")
_SCRUB = {
    *KEY_ENV.values(),
    *BASE_ENV.values(),
    "GOOGLE_API_KEY",
    # Azure and the presets' variables that do not end like a key or base URL
    "OPENAI_API_VERSION",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "MSI_ENDPOINT",
    "HF_TOKEN",
    "DEEPINFRA_TOKEN",
    "LITELLM_PROXY_API_BASE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
}


@dataclass
class Env:
    """A clean environment for one test: a dict usable by Catalog(env=...) and subprocesses."""

    vars: dict[str, str]
    tmp: Path

    @property
    def store_path(self) -> Path:
        return self.tmp / "catalog.db"

    def wire(self, *emus: ProviderEmulator) -> Env:
        """Point each emulator's provider at it, with its key."""
        for emu in emus:
            self.vars[KEY_ENV[emu.provider]] = emu.api_key
            self.vars[BASE_ENV[emu.provider]] = emu.base_url
        return self

    def catalog(self, **overrides: Any) -> Catalog:
        return Catalog(env=self.vars, **overrides)

    def run_cli(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run the real ``modelsync`` command in a subprocess with this environment."""
        return subprocess.run(
            [sys.executable, "-m", "modelsync", *args],
            env=self.vars,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture
def env(tmp_path: Path) -> Env:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUB and not k.startswith(_SCRUB_PREFIXES) and not k.endswith(_SCRUB_SUFFIXES)
    }
    home = tmp_path / "home"
    home.mkdir()
    base.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        MODELSYNC_STORE=f"sqlite:///{tmp_path / 'catalog.db'}",
        MODELSYNC_CONFIG=os.devnull,  # no config file (a named one must exist)
        MODELSYNC_RETRY_BASE_SECONDS="0.01",
        MODELSYNC_RETRY_MAX_SECONDS="0.5",
        NO_COLOR="1",
        # A local Ollama on the developer's machine must not join the tests' plain syncs.
        OLLAMA_HOST="http://127.0.0.1:9",
        # Likewise the local OpenAI-compatible presets (LM Studio, llama.cpp, vLLM, LiteLLM).
        LMSTUDIO_BASE_URL="http://127.0.0.1:9/v1",
        LLAMACPP_BASE_URL="http://127.0.0.1:9",
        VLLM_BASE_URL="http://127.0.0.1:9/v1",
        LITELLM_PROXY_API_BASE="http://127.0.0.1:9",
        PYTHONUNBUFFERED="1",
    )
    base["NO_GCE_CHECK"] = "true"  # google-auth must never look for a metadata server in tests
    # AWS (Bedrock): no developer credentials, profile or region, and never the EC2 metadata
    # service; the shared files live in the test's own HOME.
    for name in [k for k in base if k.startswith("AWS_")]:
        del base[name]
    base["AWS_EC2_METADATA_DISABLED"] = "true"
    return Env(base, tmp_path)


EmulatorFactory = Callable[..., ProviderEmulator]


@pytest.fixture
def emulator() -> Iterator[EmulatorFactory]:
    """``emulator("openai", **kw)`` starts one; all are stopped after the test."""
    started: list[ProviderEmulator] = []

    def make(provider: str, **kwargs: Any) -> ProviderEmulator:
        kwargs.setdefault("api_key", TEST_KEYS.get(provider, "test-key-0123456789"))
        emu = ProviderEmulator.start(provider, **kwargs)
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


def env_mapping(env: Env) -> Mapping[str, str]:
    return env.vars
