"""Loopback emulators of AI providers' model-list APIs, for pytest.

Typical use::

    with ProviderEmulator.start("anthropic", page_size=2) as emu:
        emu.push(Fault.status(529), Fault.status(200))
        ...  # point the client at emu.base_url with emu.api_key
"""

from tests.emulators.fixtures import PROVIDERS, default_models, synthetic_models
from tests.emulators.server import Fault, ProviderEmulator, RecordedRequest

# Providers beyond the core four register themselves when these modules load.
from tests.emulators import providers_a, providers_b  # noqa: F401  isort: skip
from tests.emulators import providers_azure, providers_presets  # noqa: F401  isort: skip
from tests.emulators import providers_vertex  # noqa: F401  isort: skip
from tests.emulators import providers_bedrock  # noqa: F401  isort: skip

__all__ = [
    "PROVIDERS",
    "Fault",
    "ProviderEmulator",
    "RecordedRequest",
    "default_models",
    "synthetic_models",
]
