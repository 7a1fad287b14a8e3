"""Capability rules: the most specific match decides, disagreement is unknown, and the shipped
rules never contradict what is known better.

The audit runs each adapter's rules over every model id its emulator fixtures and the real
captures list (plus the ids issue 9 names), and checks them against a table of facts from the
providers' model pages and against the bundled catalog.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from modelsync.facts import load_bundled
from modelsync.model import Model
from modelsync.providers import adapter_class, known_providers
from modelsync.rules import capabilities_from_rules, conflicts, rule
from tests.adapters_live import ADAPTER_OF, fetch_models
from tests.capture_lists import LISTS, entries
from tests.emulators import ProviderEmulator
from tests.fixtures import EmulatorFactory

# -- the engine -------------------------------------------------------------------------


def _caps(model_id: str, *rules: object) -> dict[str, bool]:
    found = capabilities_from_rules(model_id, rules)  # type: ignore[arg-type]
    return {k: v.supported for k, v in found.items()}


def test_the_longer_match_wins_whatever_the_order() -> None:
    general = rule(r"^gpt-4o", vision=True)
    narrow = rule(r"^gpt-4o(-mini)?-search", vision=False)
    assert _caps("gpt-4o-search-preview", general, narrow) == {"vision": False}
    assert _caps("gpt-4o-search-preview", narrow, general) == {"vision": False}
    assert _caps("gpt-4o-2024-08-06", narrow, general) == {"vision": True}


def test_equally_specific_rules_that_disagree_leave_it_unknown() -> None:
    yes = rule(r"audio", vision=True)
    no = rule(r"vis..", vision=False, chat=True)
    assert _caps("vision-audio", yes, no) == {"chat": True}
    assert conflicts("vision-audio", [yes, no]) == ["vision"]
    # A more specific rule settles what two weaker ones disagreed on.
    assert _caps("vision-audio", yes, no, rule(r"vision-audio", vision=True))["vision"] is True
    # Agreement is no conflict.
    assert conflicts("audio-audio", [yes, rule(r"audio", vision=True)]) == []


def test_the_empty_pattern_is_the_weakest_default() -> None:
    default = rule(r"", chat=True)
    embed = rule(r"embed", chat=False, embeddings=True)
    assert _caps("nomic-embed-text", embed, default) == {"chat": False, "embeddings": True}
    assert _caps("llama3.2", embed, default) == {"chat": True}


def test_a_fine_tuned_openai_id_is_a_rule_answer_not_an_api_fact() -> None:
    rules = adapter_class("openai").capability_rules
    found = capabilities_from_rules("ft:gpt-4o-mini-2024-07-18:acme::abc123", rules)
    assert found["fine_tuning"].source == "rule"
    assert found["vision"].supported is True


# -- the audit --------------------------------------------------------------------------

#: (provider, id, capability, the truth). From the providers' model pages; the OpenAI and
#: Gemini ids are the ones issue 9 saw misjudged on real lists.
TRUTHS: tuple[tuple[str, str, str, bool], ...] = (
    ("openai", "gpt-4o-search-preview", "vision", False),
    ("openai", "gpt-4o-mini-search-preview", "vision", False),
    ("openai", "gpt-4o-search-preview", "web_search", True),
    ("openai", "gpt-4o-audio-preview", "vision", False),
    ("openai", "gpt-4o-audio-preview", "audio_input", True),
    ("openai", "gpt-4o-mini-audio-preview", "vision", False),
    ("openai", "gpt-4o-realtime-preview", "vision", False),
    ("openai", "gpt-4-1106-vision-preview", "vision", True),
    ("openai", "gpt-4-vision-preview", "vision", True),
    ("openai", "gpt-4-1106-preview", "vision", False),
    ("openai", "gpt-4-turbo-preview", "vision", False),
    ("openai", "gpt-4-turbo", "vision", True),
    ("openai", "gpt-image-1", "vision", True),
    ("openai", "gpt-image-1.5", "vision", True),
    ("openai", "gpt-image-2", "vision", True),
    ("openai", "chatgpt-image-latest", "vision", True),
    ("openai", "gpt-image-1", "image_generation", True),
    ("openai", "chatgpt-image-latest", "image_generation", True),
    ("openai", "chatgpt-image-latest", "chat", False),
    ("openai", "omni-moderation-latest", "vision", True),
    ("openai", "omni-moderation-latest", "moderation", True),
    ("openai", "text-moderation-latest", "vision", False),
    ("openai", "o1-mini", "vision", False),
    ("openai", "o3-mini", "vision", False),
    ("openai", "o1", "vision", True),
    ("openai", "o4-mini", "vision", True),
    ("openai", "gpt-4o", "vision", True),
    ("openai", "gpt-3.5-turbo", "vision", False),
    ("openai", "text-embedding-3-small", "embeddings", True),
    ("openai", "text-embedding-3-small", "chat", False),
    ("openai", "whisper-1", "transcription", True),
    ("openai", "gpt-4o-transcribe", "transcription", True),
    ("openai", "gpt-4o-mini-tts", "speech", True),
    ("openai", "gpt-4o-mini-tts", "vision", False),
    ("openai", "dall-e-3", "image_generation", True),
    ("gemini", "gemini-2.5-flash-preview-tts", "speech", True),
    ("gemini", "gemini-2.5-flash-preview-tts", "vision", False),
    ("gemini", "gemini-2.5-flash-preview-tts", "audio_input", False),
    ("gemini", "gemini-2.5-flash-preview-tts", "json_mode", False),
    ("gemini", "gemini-2.5-flash-preview-tts", "structured_output", False),
    ("gemini", "gemini-2.5-pro-preview-tts", "vision", False),
    ("gemini", "gemini-2.5-pro-preview-tts", "structured_output", False),
    ("gemini", "gemini-3.1-flash-tts-preview", "vision", False),
    ("gemini", "gemini-3.1-flash-tts-preview", "audio_input", False),
    ("gemini", "gemini-2.5-flash", "vision", True),
    ("gemini", "gemini-2.5-flash-image", "vision", True),
    ("gemini", "gemini-2.5-flash-image", "image_generation", True),
    ("anthropic", "claude-3-5-sonnet-20241022", "vision", True),
    ("anthropic", "claude-2.1", "vision", False),
    ("mistral", "pixtral-large-2411", "vision", True),
    ("mistral", "magistral-medium-2509", "reasoning", True),
    ("mistral", "mistral-embed", "embeddings", True),
    ("mistral", "voxtral-mini-transcribe-2507", "transcription", True),
    ("groq", "whisper-large-v3", "transcription", True),
    ("groq", "meta-llama/llama-4-scout-17b-16e-instruct", "vision", True),
    ("xai", "grok-2-image-1212", "image_generation", True),
    ("xai", "grok-4-fast-non-reasoning", "reasoning", False),
    ("xai", "grok-4-fast-reasoning", "reasoning", True),
    ("deepseek", "deepseek-reasoner", "reasoning", True),
    ("deepseek", "deepseek-chat", "reasoning", False),
    ("ollama", "nomic-embed-text:latest", "embeddings", True),
    ("ollama", "nomic-embed-text:latest", "chat", False),
    ("ollama", "llava:13b", "vision", True),
    ("openai-compatible", "BAAI/bge-reranker-v2-m3", "rerank", True),
    ("openai-compatible", "Qwen/Qwen3-Embedding-8B", "embeddings", True),
)


@pytest.mark.parametrize(("provider", "model_id", "capability", "truth"), TRUTHS)
def test_rules_agree_with_known_truths(
    provider: str, model_id: str, capability: str, truth: bool
) -> None:
    found = capabilities_from_rules(model_id, adapter_class(provider).capability_rules)
    assert capability in found, f"{provider}/{model_id}: rules say nothing about {capability}"
    assert found[capability].supported is truth


def _listed() -> Iterator[tuple[str, Model]]:
    """(adapter, model) for every model of every emulator's default list and every capture."""
    for provider in known_providers():
        with ProviderEmulator.start(provider, api_key="test-key-0123456789") as emu:
            for model in fetch_models(emu):
                yield provider, model
    for emulated, _directory, name, key in LISTS:
        listed = entries(_directory, name, key)
        with ProviderEmulator.start(emulated, api_key="test-key-0123456789", models=listed) as emu:
            for model in fetch_models(emu):
                yield ADAPTER_OF.get(emulated, emulated), model


@pytest.fixture(scope="module")
def listed() -> list[tuple[str, Model]]:
    return list(_listed())


def test_the_audit_sees_every_provider_and_capture(listed: list[tuple[str, Model]]) -> None:
    assert {p for p, _ in listed} == set(known_providers())
    assert len(listed) > 200  # fixtures of twelve providers plus five real lists


def test_no_listed_id_leaves_rules_in_conflict(listed: list[tuple[str, Model]]) -> None:
    clashes = []
    for provider, model in listed:
        for rules_of in {provider, "openai-compatible"}:  # a generic server may serve any id
            found = conflicts(model.id, adapter_class(rules_of).capability_rules)
            if found:
                clashes.append((rules_of, model.id, found))
    assert clashes == []


def test_no_rule_answer_contradicts_the_bundled_catalog(listed: list[tuple[str, Model]]) -> None:
    bundled = load_bundled()
    contradictions = []
    checked = 0
    for provider, model in listed:
        facts = bundled.lookup(provider, model.id, model.aliases)
        if facts is None:
            continue
        checked += 1
        ruled = capabilities_from_rules(model.id, adapter_class(provider).capability_rules)
        for name, cap in ruled.items():
            stated = facts.capabilities.get(name)
            if stated is not None and stated != cap.supported:
                contradictions.append((provider, model.id, name, cap.supported, stated))
    assert checked > 20  # the audit really met catalog entries
    assert contradictions == []


def test_an_api_answer_beats_a_rule(emulator: EmulatorFactory) -> None:
    """Rules fill only what the API left unsaid: Mistral's own ``vision: false`` stands although
    the ``^pixtral`` rule says yes."""
    card = dict(entries("mistral", "models-2025-12-23", "data")[2])  # devstral-small-2507
    card.update(id="pixtral-large-2411", name="pixtral-large-2411", aliases=[])
    emu = emulator("mistral", models=[card])
    (model,) = fetch_models(emu)
    assert capabilities_from_rules(model.id, adapter_class("mistral").capability_rules)[
        "vision"
    ].supported
    assert model.capabilities["vision"].supported is False
    assert model.capabilities["vision"].source == "api"
