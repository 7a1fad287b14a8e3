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


def adapter_for(emu: ProviderEmulator, **settings: Any) -> Adapter:
    """The provider's real adapter, pointed at ``emu`` with its key."""
    cls = adapter_class(emu.provider)
    env = {cls.spec.base_url_env: emu.base_url}
    if cls.spec.key_envs:
        env[cls.spec.key_envs[0]] = emu.api_key
    return cls.from_env(Settings.load(env={}, **settings), env=env)


def fetch_models(emu: ProviderEmulator) -> list[Model]:
    """Every model the adapter parses from the emulator's current list."""
    adapter = adapter_for(emu)

    async def run() -> list[Model]:
        async with adapter.http() as http:
            return await adapter.fetch(http)

    return asyncio.run(run())
