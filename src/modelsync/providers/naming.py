"""Display names for providers whose lists carry only ids (OpenAI, xAI)."""

from __future__ import annotations

import re

_WORDS = {
    "gpt": "GPT",
    "chatgpt": "ChatGPT",
    "tts": "TTS",
    "hd": "HD",
    "dall": "DALL",
    "e": "E",
    "grok": "Grok",
    "latest": "(latest)",
}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def display_name(model_id: str) -> str:
    """``gpt-4o-mini-2024-07-18`` -> ``GPT-4o Mini (2024-07-18)``; unknown shapes stay readable."""
    base = model_id.rsplit("/", 1)[-1]
    date = ""
    m = re.search(r"-(\d{4}-\d{2}-\d{2})$", base)
    if m:
        date, base = m.group(1), base[: m.start()]
    parts = base.split("-")
    words: list[str] = []
    for i, part in enumerate(parts):
        mapped = _WORDS.get(part)
        if mapped is None:
            mapped = part if any(c.isdigit() for c in part) else part.capitalize()
        if i > 0 and parts[i - 1] in ("gpt", "chatgpt", "dall") and not mapped.startswith("("):
            words[-1] = f"{words[-1]}-{mapped}"
        else:
            words.append(mapped)
    name = " ".join(words)
    return f"{name} ({date})" if date else name
