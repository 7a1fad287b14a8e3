"""The real captured model lists in tests/captures/, as lists an emulator can serve.

Each capture is the body of one real answer (sources and trimming in tests/captures/SOURCES.md);
``LISTS`` names the emulator that speaks that provider's wire format and the entries of the
body it serves.
"""

from __future__ import annotations

from typing import Any

from tests.emulators.providers_b import captured

#: (emulator, capture directory, capture name, key of the list in the body)
LISTS: tuple[tuple[str, str, str, str], ...] = (
    ("openrouter", "openrouter", "models-2026-08-04", "data"),
    ("openrouter", "openrouter", "models-2025-04-23", "data"),
    ("gemini", "gemini", "models-2026-08-05", "models"),
    ("mistral", "mistral", "models-2025-12-23", "data"),
    ("litellm", "openai-compatible", "litellm-proxy-models", "data"),
)


def entries(directory: str, name: str, key: str) -> list[dict[str, Any]]:
    listed = captured(directory, name)[key]
    assert isinstance(listed, list)
    return listed
