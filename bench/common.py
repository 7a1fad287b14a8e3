"""What several benchmarks share: the twelve providers and an environment wired to emulators."""

from __future__ import annotations

import os
from pathlib import Path

from tests.emulators import ProviderEmulator
from tests.fixtures import TWELVE

from modelsync.providers import adapter_class

__all__ = ["TWELVE", "emulator_env"]


def emulator_env(tmp: Path, emus: dict[str, ProviderEmulator]) -> dict[str, str]:
    """The process environment minus every provider and modelsync variable, plus each
    emulator's base URL and key under its provider's own variable names."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MODELSYNC_", "AWS_"))
        and not k.endswith(("_API_KEY", "_BASE_URL", "_HOST"))
    }
    env["MODELSYNC_CONFIG"] = os.devnull  # no config file (a named file must exist)
    for name, emu in emus.items():
        spec = adapter_class(name).spec
        env[spec.base_url_env] = emu.base_url
        if spec.key_envs:
            env[spec.key_envs[0]] = emu.api_key
    return env
