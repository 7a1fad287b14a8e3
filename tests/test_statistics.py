"""The seed's statistics keys, computed right on today's real ids, through a real sync."""

from __future__ import annotations

from typing import Any

from tests.fixtures import EmulatorFactory, Env


def _oa(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1715367049, "owned_by": "system"}


def _gemini(model_id: str, methods: list[str], thinking: bool | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": f"models/{model_id}",
        "displayName": model_id,
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 65536,
        "supportedGenerationMethods": methods,
    }
    if thinking is not None:
        entry["thinking"] = thinking
    return entry


def test_openai_families_and_capabilities(env: Env, emulator: EmulatorFactory) -> None:
    ids = [
        "gpt-3.5-turbo",
        "gpt-3.5-turbo-instruct",
        "gpt-4",
        "gpt-4-turbo",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4o-2024-08-06",
        "chatgpt-4o-latest",
        "gpt-5",
        "o3",
        "text-embedding-3-small",
        "whisper-1",
        "tts-1",
        "dall-e-3",
        "gpt-image-1",
        "omni-moderation-latest",
    ]
    emu = emulator("openai", models=[_oa(i) for i in ids])
    result = env.wire(emu).catalog().provider("openai").sync_models()
    stats = result.statistics
    assert stats is not None
    assert stats["total_models"] == len(ids)  # every model is stored, not only chat ones
    assert stats["gpt_3_5_models"] == 2
    assert stats["gpt_4_models"] == 4  # gpt-4, gpt-4-turbo, gpt-4.1, gpt-4.1-mini
    assert stats["gpt_4o_models"] == 4  # gpt-4o, -mini, dated, chatgpt-4o-latest
    assert stats["gpt_5_models"] == 1
    assert stats["embeddings_models"] == 1
    assert stats["transcription_models"] == 1
    assert stats["speech_models"] == 1
    assert stats["image_generation_models"] == 2
    assert stats["moderation_models"] == 1
    # chat models with tools: 3.5-turbo, 4, 4-turbo, 4.1 x2, 4o x4, gpt-5, o3
    assert stats["function_calling_models"] == 11
    # vision: 4-turbo, 4.1 x2, 4o x3, gpt-5, o3 and the retired gpt-image-1 (catalog: a retired
    # model keeps what no source contradicts), chatgpt-4o-latest and omni-moderation-latest
    # (rules: the catalog does not list them)
    assert stats["vision_models"] == 11
    assert stats["reasoning_models"] == 2
    assert "updated_at" in stats


def test_openai_capability_sources(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("gpt-4o"), _oa("text-embedding-3-large"), _oa("gpt-9x")])
    catalog = env.wire(emu).catalog()
    catalog.provider("openai").sync_models()
    models = {m.id: m for m in catalog.models()}
    assert models["gpt-4o"].capabilities["vision"].source == "catalog"  # the bundled catalog
    assert models["gpt-4o"].context_window == 128000
    assert models["gpt-4o"].sources["context_window"] == "catalog"
    assert models["gpt-9x"].capabilities["chat"].source == "rule"  # unknown to every catalog
    env.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    bare = env.catalog()
    bare.provider("openai").sync_models(force_refresh=True)
    models = {m.id: m for m in bare.models()}
    assert models["gpt-4o"].capabilities["vision"].source == "rule"
    assert models["gpt-4o"].context_window is None
    assert models["text-embedding-3-large"].supports("chat") is False
    assert models["text-embedding-3-large"].supports("pdf_input") is None  # unknown, not False


def test_gemini_families(env: Env, emulator: EmulatorFactory) -> None:
    chat = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]
    entries = [
        _gemini("gemini-2.5-pro", chat, thinking=True),
        _gemini("gemini-2.5-flash", chat, thinking=True),
        _gemini("gemini-2.5-flash-lite", chat),
        _gemini("gemini-2.0-flash", chat),
        _gemini("gemini-1.5-pro-latest", chat),
        _gemini("gemini-pro", ["generateContent"]),
        _gemini("gemma-3-27b-it", ["generateContent"]),
        _gemini("text-embedding-004", ["embedContent"]),
        _gemini("imagen-4.0-generate-001", ["predict"]),
    ]
    emu = emulator("gemini", models=entries)
    result = env.wire(emu).catalog().provider("gemini").sync_models()
    stats = result.statistics
    assert stats is not None
    assert stats["total_models"] == 9
    assert stats["gemini_pro_models"] == 3  # 2.5-pro, 1.5-pro-latest, gemini-pro
    assert stats["gemini_flash_models"] == 3
    assert stats["multimodal_models"] == 5  # gemini 1.5+ chat models
    assert stats["safety_filtered_models"] == 7  # every generateContent model
    assert stats["embeddings_models"] == 1
    assert stats["image_generation_models"] == 1
    assert stats["reasoning_models"] == 3  # 2.5 pro and flash say so; flash-lite per catalog
    assert stats["prompt_caching_models"] == 5


def test_gemini_capabilities_record_their_source(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini", models=[_gemini("gemini-3.5-flash", ["generateContent"])])
    catalog = env.wire(emu).catalog()
    catalog.provider("gemini").sync_models()
    (model,) = catalog.models()
    assert model.capabilities["chat"].source == "api"
    assert model.capabilities["vision"].source == "catalog"
    assert model.pricing is not None and model.pricing.source == "catalog"
    env.vars["MODELSYNC_BUNDLED_ENABLED"] = "0"
    bare = env.catalog()
    bare.provider("gemini").sync_models(force_refresh=True)
    (model,) = bare.models()
    assert model.capabilities["vision"].source == "rule"
    assert model.context_window == 1048576
    assert model.max_output_tokens == 65536


def test_xai_families(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai")
    result = env.wire(emu).catalog().provider("xai").sync_models()
    stats = result.statistics
    assert stats is not None
    catalog_ids = [m.id for m in env.catalog().models(provider="xai")]
    assert stats["grok_models"] == sum(1 for i in catalog_ids if "grok" in i)
    reasoning = {
        m.id for m in env.catalog().models(provider="xai") if m.supports("reasoning") is True
    }
    assert stats["reasoning_models"] == len(reasoning)
    assert "grok-4" in reasoning and "grok-3-mini" in reasoning
    assert "grok-3" not in reasoning


def test_anthropic_capabilities_from_api_win_over_rules(
    env: Env, emulator: EmulatorFactory
) -> None:
    entry = {
        "type": "model",
        "id": "claude-opus-4-6",
        "display_name": "Claude Opus 4.6",
        "created_at": "2026-02-04T00:00:00Z",
        "max_input_tokens": 1000000,
        "max_tokens": 128000,
        "capabilities": {
            "batch": {"supported": True},
            "image_input": {"supported": False},
            "pdf_input": {"supported": True},
            "structured_outputs": {"supported": True},
            "thinking": {"supported": True, "types": {"adaptive": {"supported": True}}},
        },
    }
    legacy = {
        "type": "model",
        "id": "claude-haiku-4-5-20251001",
        "display_name": "Claude Haiku 4.5",
        "created_at": "1970-01-01T00:00:00Z",
    }
    emu = emulator("anthropic", models=[entry, legacy])
    catalog = env.wire(emu).catalog()
    catalog.provider("anthropic").sync_models()
    models = {m.id: m for m in catalog.models()}
    opus = models["claude-opus-4-6"]
    assert opus.capabilities["vision"].supported is False  # the API said no; the rule says yes
    assert opus.capabilities["vision"].source == "api"
    assert opus.context_window == 1000000 and opus.max_output_tokens == 128000
    assert opus.name == "Claude Opus 4.6"
    haiku = models["claude-haiku-4-5-20251001"]
    assert haiku.created is None  # epoch means "unknown"
    assert haiku.capabilities["vision"].source == "catalog"  # the bundled catalog knows it
    assert haiku.capabilities["pdf_input"].source == "catalog"  # models.dev: PDF input
