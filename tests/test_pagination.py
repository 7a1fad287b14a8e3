"""Every page followed, exactly the pages needed, and a broken chain refused rather than shortened."""

from __future__ import annotations

import pytest

from modelsync.errors import MalformedResponseError, ModelSyncError
from tests.emulators import synthetic_models
from tests.fixtures import EmulatorFactory, Env

PAGED = ("anthropic", "gemini")
LIST_PATH = {"anthropic": "/v1/models", "gemini": "/v1beta/models"}


@pytest.mark.parametrize("provider", PAGED)
def test_every_page_is_followed(provider: str, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(provider, models=synthetic_models(provider, 7), page_size=2)
    catalog = env.wire(emu).catalog()
    result = catalog.provider(provider).sync_models()
    assert result.status == "success"
    assert result.models_synced == 7
    assert result.pages == 4
    assert emu.count() == 4
    assert len({m.id for m in catalog.models()}) == 7


def test_anthropic_asks_for_big_pages_and_follows_after_id(
    env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("anthropic", models=synthetic_models("anthropic", 3), page_size=2)
    env.wire(emu).catalog().provider("anthropic").sync_models()
    first, second = emu.requests
    assert first.query["limit"] == ["1000"]
    assert "after_id" not in first.query
    assert second.query["after_id"] == [synthetic_models("anthropic", 3)[1]["id"]]
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert first.headers["x-api-key"] == emu.api_key


def test_gemini_key_travels_in_a_header_never_the_url(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini", models=synthetic_models("gemini", 5), page_size=2)
    env.wire(emu).catalog().provider("gemini").sync_models()
    assert emu.count() == 3
    for request in emu.requests:
        assert request.headers["x-goog-api-key"] == emu.api_key
        assert emu.api_key not in request.raw_url
        assert "key" not in request.query
        assert request.query["pageSize"] == ["1000"]
    assert "pageToken" in emu.requests[1].query


@pytest.mark.parametrize("provider", PAGED)
@pytest.mark.parametrize("fault", ["repeat", "null"])
def test_broken_page_chain_is_an_error_not_a_short_list(
    provider: str, fault: str, env: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator(provider, models=synthetic_models(provider, 6), page_size=2)
    catalog = env.wire(emu).catalog()
    catalog.provider(provider).sync_models()
    emu.cursor_fault = fault  # type: ignore[assignment]
    with pytest.raises(ModelSyncError) as info:
        catalog.provider(provider).sync_models(force_refresh=True)
    if provider == "anthropic" or fault == "repeat":
        assert isinstance(info.value, MalformedResponseError)
    assert len(catalog.models()) == 6  # last good catalog intact


def test_page_count_is_capped(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("gemini", models=synthetic_models("gemini", 10), page_size=1)
    env.wire(emu).vars["MODELSYNC_MAX_PAGES"] = "3"
    with pytest.raises(MalformedResponseError) as info:
        env.catalog().provider("gemini").sync_models()
    assert "more than 3 pages" in str(info.value)
    assert emu.count() == 3
    assert env.catalog().models() == []


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini", "xai"])
def test_base_url_path_prefix_is_kept(provider: str, env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator(provider, path_prefix="/proxy/team-a")
    result = env.wire(emu).catalog().provider(provider).sync_models()
    assert result.status == "success"
    assert all(r.path.startswith("/proxy/team-a/") for r in emu.requests)


def test_xai_merges_models_with_language_models(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("xai")
    catalog = env.wire(emu).catalog()
    catalog.provider("xai").sync_models()
    paths = sorted(r.path for r in emu.requests)
    assert paths == ["/v1/language-models", "/v1/models"]
    by_id = {m.id: m for m in catalog.models()}
    grok3 = by_id["grok-3"]
    assert grok3.pricing is not None
    assert str(grok3.pricing.input) == "3"  # 30000 cents per 100M tokens = $3 per 1M
    assert str(grok3.pricing.output) == "15"
    assert "grok-3-latest" in grok3.aliases
    assert by_id["grok-2-vision-1212"].supports("vision") is True
    assert by_id["grok-2-image-1212"].supports("image_generation") is True
