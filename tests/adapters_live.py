"""Run a real adapter against a loopback emulator and get its parsed models, without a store.

The rules audit and the capture tests need every provider's parsed list; going through the
adapter's own ``fetch`` (real HTTP to the emulator, real wire schema) keeps them honest while
skipping the sync engine, which other tests cover.
"""

from __future__ import annotations

import asyncio
from typing import Any

from modelsync.config import Settings
from modelsync.model import Model
from modelsync.providers import adapter_class
from modelsync.providers.base import Adapter
from tests.emulators import ProviderEmulator
from tests.fixtures import Env

#: Emulators of one flavour of a provider (a LiteLLM proxy is an OpenAI-compatible server).
ADAPTER_OF = {"litellm": "openai-compatible"}


def key_vars(provider: str, key: str) -> dict[str, str]:
    """The variables that give ``provider`` an API key of the kind its emulator checks: its
    first key variable, except where that names something else (Bedrock's first is
    ``AWS_PROFILE``, for the credential chain; its key is ``AWS_BEARER_TOKEN_BEDROCK``, and any
    Bedrock call needs a region)."""
    if provider == "bedrock":
        return {"AWS_BEARER_TOKEN_BEDROCK": key, "AWS_REGION": "us-east-1"}
    key_envs = adapter_class(provider).spec.key_envs
    return {key_envs[0]: key} if key_envs else {}


def adapter_for(emu: ProviderEmulator, *, api_key: str | None = None, **settings: Any) -> Adapter:
    """The provider's real adapter, pointed at ``emu`` with its key (or ``api_key``)."""
    provider = ADAPTER_OF.get(emu.provider, emu.provider)
    cls = adapter_class(provider)
    env = {cls.spec.base_url_env: emu.base_url}
    env.update(key_vars(provider, emu.api_key if api_key is None else api_key))
    return cls.from_env(Settings.load(env={}, **settings), env=env)


def fetch_models(emu: ProviderEmulator, *, api_key: str | None = None) -> list[Model]:
    """Every model the adapter parses from the emulator's current list."""
    adapter = adapter_for(emu, api_key=api_key)

    async def run() -> list[Model]:
        async with adapter.http() as http:
            return await adapter.fetch(http)

    return asyncio.run(run())


def wire(env: Env, emu: ProviderEmulator, *, key: str | None = None) -> Env:
    """Point the emulated provider's adapter at ``emu`` (any provider, by its own variables)."""
    provider = ADAPTER_OF.get(emu.provider, emu.provider)
    env.vars.update(key_vars(provider, emu.api_key if key is None else key))
    env.vars[adapter_class(provider).spec.base_url_env] = emu.base_url
    return env
