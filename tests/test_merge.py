"""Merging API data, models.dev, the bundled catalog, family rules and user overrides."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from modelsync.errors import ConfigurationError
from modelsync.facts import Facts, FactsIndex, load_bundled
from modelsync.merge import OverrideEntry, merge, merge_many, override_key, parse_overrides
from modelsync.model import Capability, Model, Pricing
from modelsync.providers.naming import display_name


def api(**caps: bool) -> dict[str, Capability]:
    return {k: Capability(supported=v, source="api") for k, v in caps.items()}


def rule(**caps: bool) -> dict[str, Capability]:
    return {k: Capability(supported=v, source="rule") for k, v in caps.items()}


def facts(origin: str, **data: Any) -> Facts:
    base: dict[str, Any] = {
        "provider": "openai",
        "id": "gpt-x",
        "origin": origin,
        "as_of": "2026-11-01" if origin == "models.dev" else "2026-10-15",
    }
    base.update(data)
    return Facts.model_validate(base)


MODELSDEV = facts(
    "models.dev",
    name="GPT-X (models.dev)",
    capabilities={"vision": True, "reasoning": False, "function_calling": True},
    context_window=200_000,
    knowledge_cutoff="2025-01",
    input_modalities=("text", "image"),
    pricing={"input": "0.15", "output": "0.6", "cached_input": "0.075"},
)
BUNDLED = facts(
    "bundled",
    name="GPT-X",
    capabilities={"reasoning": True, "function_calling": False, "chat": True, "pdf_input": True},
    context_window=300_000,
    max_output_tokens=32_768,
    knowledge_cutoff="2024-06",
    release_date="2025-04-14",
    output_modalities=("text",),
    pricing={"input": "2", "output": "8", "cached_input": "0.5"},
)


def model(**data: Any) -> Model:
    base: dict[str, Any] = {"provider": "openai", "id": "gpt-x", "name": display_name("gpt-x")}
    base.update(data)
    return Model(**base)


# -- order of sources ------------------------------------------------------------------------


def test_api_beats_modelsdev_beats_bundled_beats_rules_for_capabilities() -> None:
    m = model(
        capabilities={  # as an adapter builds them: the API's answer replaced the rule's
            **rule(vision=True, reasoning=True, chat=False, json_mode=True),
            **api(vision=False),
        }
    )
    out = merge(m, live=MODELSDEV, bundled=BUNDLED)
    caps = out.capabilities
    assert caps["vision"] == Capability(supported=False, source="api")
    assert caps["reasoning"] == Capability(supported=False, source="catalog")  # models.dev
    assert caps["function_calling"] == Capability(supported=True, source="catalog")  # models.dev
    assert caps["chat"] == Capability(supported=True, source="catalog")  # bundled beats the rule
    assert caps["pdf_input"] == Capability(supported=True, source="catalog")  # bundled only
    assert caps["json_mode"] == Capability(supported=True, source="rule")  # nobody else said
    assert m.capabilities["chat"].supported is False, "the input model is never modified"


def test_api_beats_modelsdev_beats_bundled_for_fields() -> None:
    with_api = merge(model(context_window=100_000), live=MODELSDEV, bundled=BUNDLED)
    assert with_api.context_window == 100_000
    assert "context_window" not in with_api.sources
    no_api = merge(model(), live=MODELSDEV, bundled=BUNDLED)
    assert no_api.context_window == 200_000
    assert no_api.sources["context_window"] == "catalog"
    bundled_only = merge(model(), live=None, bundled=BUNDLED)
    assert bundled_only.context_window == 300_000
    # each field independently: models.dev has no max output, bundled does
    assert no_api.max_output_tokens == 32_768
    assert no_api.knowledge_cutoff == "2025-01"
    assert no_api.release_date == "2025-04-14"
    assert no_api.input_modalities == ("text", "image")
    assert no_api.output_modalities == ("text",)


def test_sources_are_recorded_for_every_filled_field_and_only_those() -> None:
    out = merge(
        model(context_window=100_000, input_modalities=("text",)),
        live=MODELSDEV,
        bundled=BUNDLED,
    )
    assert out.sources == {
        "max_output_tokens": "catalog",
        "knowledge_cutoff": "catalog",
        "release_date": "catalog",
        "output_modalities": "catalog",
        "name": "catalog",
    }
    assert out.to_dict()["sources"]["release_date"] == "catalog"


def test_unknown_stays_unknown() -> None:
    m = model(capabilities=rule(chat=True))
    out = merge(m, live=facts("models.dev"), bundled=facts("bundled"))
    assert out.supports("vision") is None
    assert out.supports("web_search") is None
    assert out.supports("chat") is True
    assert set(out.capabilities) == {"chat"}
    assert out.context_window is None and "context_window" not in out.sources
    assert out.pricing is None


def test_nothing_to_merge_returns_the_same_object() -> None:
    m = model(capabilities=api(chat=True))
    assert merge(m, live=None, bundled=None) is m
    assert merge(m, live=None, bundled=None, overrides={}) is m


# -- pricing ---------------------------------------------------------------------------------


def test_catalog_pricing_is_exact_dated_and_marked() -> None:
    out = merge(model(), live=MODELSDEV, bundled=BUNDLED, as_of="2026-11-28")
    p = out.pricing
    assert p is not None
    assert p.state == "known" and p.source == "catalog"
    assert p.as_of == "2026-11-01"  # when models.dev was read, not when we merged
    assert (p.input, p.output, p.cached_input) == (
        Decimal("0.15"),
        Decimal("0.6"),
        Decimal("0.075"),
    )
    assert str(p.cached_input) == "0.075"
    only_bundled = merge(model(), live=None, bundled=BUNDLED).pricing
    assert only_bundled is not None and only_bundled.input == Decimal("2")
    assert only_bundled.as_of == "2026-10-15"


def test_api_pricing_wins_whole_never_mixed() -> None:
    price = Pricing(input=Decimal("3"), output=Decimal("12"), source="api", as_of="2026-11-28")
    out = merge(model(pricing=price), live=MODELSDEV, bundled=BUNDLED)
    assert out.pricing is price
    assert out.pricing.cached_input is None, "no catalog field leaks into an API price"


def test_dynamic_api_price_is_kept() -> None:
    dynamic = Pricing(state="dynamic", source="api")
    out = merge(model(id="openrouter/auto", pricing=dynamic), live=MODELSDEV, bundled=BUNDLED)
    assert out.pricing is dynamic
    assert out.pricing.input is None


def test_unknown_api_price_is_filled_from_the_catalog() -> None:
    unknown = Pricing(state="unknown", source="api")
    out = merge(model(pricing=unknown), live=None, bundled=BUNDLED)
    assert out.pricing is not None and out.pricing.state == "known"
    assert out.pricing.source == "catalog"
    assert out.pricing.output == Decimal("8")
    stays = merge(model(pricing=unknown), live=facts("models.dev"), bundled=None)
    assert stays.pricing is unknown


def test_user_pricing_override_beats_api_and_catalog() -> None:
    price = Pricing(input=Decimal("3"), output=Decimal("12"), source="api")
    out = merge(
        model(pricing=price),
        live=MODELSDEV,
        bundled=BUNDLED,
        overrides={"pricing": {"input": "2.5", "output": 10}},
        as_of="2026-11-28",
    )
    assert out.pricing == Pricing(
        input=Decimal("2.5"), output=Decimal("10"), source="user", as_of="2026-11-28"
    )


# -- overrides, lifecycle, name ------------------------------------------------------------


def test_overrides_win_over_all() -> None:
    m = model(context_window=100_000, capabilities=api(vision=False))
    out = merge(
        m,
        live=MODELSDEV,
        bundled=BUNDLED,
        overrides={
            "context_window": 64_000,
            "capabilities": {"vision": True, "web_search": False},
            "lifecycle": "deprecated",
            "shutdown_date": "2027-01-31",
            "replacement": "gpt-y",
        },
    )
    assert out.context_window == 64_000
    assert out.sources["context_window"] == "user"
    assert out.capabilities["vision"] == Capability(supported=True, source="user")
    assert out.capabilities["web_search"] == Capability(supported=False, source="user")
    assert out.lifecycle == "deprecated" and out.sources["lifecycle"] == "user"
    assert out.shutdown_date == datetime(2027, 1, 31, tzinfo=UTC)
    assert out.replacement == "gpt-y"


def test_catalog_lifecycle_applies_when_the_api_said_nothing() -> None:
    retiring = facts(
        "bundled", lifecycle="deprecated", shutdown_date="2026-12-31", replacement="gpt-y"
    )
    out = merge(model(), live=None, bundled=retiring)
    assert out.lifecycle == "deprecated"
    assert out.shutdown_date == datetime(2026, 12, 31, tzinfo=UTC)
    assert out.replacement == "gpt-y"
    assert out.sources["lifecycle"] == out.sources["shutdown_date"] == "catalog"
    # what the API said stands
    stated = merge(model(lifecycle="retired"), live=None, bundled=retiring)
    assert stated.lifecycle == "retired" and "lifecycle" not in stated.sources
    preview = merge(
        model(lifecycle="preview"),
        live=facts("models.dev", lifecycle="deprecated"),
        bundled=None,
    )
    assert preview.lifecycle == "preview"


def test_name_is_replaced_only_when_made_up_and_for_the_exact_id() -> None:
    out = merge(model(), live=None, bundled=BUNDLED)
    assert out.name == "GPT-X" and out.sources["name"] == "catalog"
    api_named = merge(model(name="GPT-X Turbo Deluxe"), live=None, bundled=BUNDLED)
    assert api_named.name == "GPT-X Turbo Deluxe" and "name" not in api_named.sources
    dated = model(id="gpt-x-2025-01-01", name=display_name("gpt-x-2025-01-01"))
    assert merge(dated, live=None, bundled=BUNDLED).name == "GPT-X (2025-01-01)"


def test_merging_again_is_stable() -> None:
    m = model(capabilities={**api(vision=False), **rule(json_mode=True)})
    once = merge(m, live=MODELSDEV, bundled=BUNDLED, as_of="2026-11-28")
    twice = merge(once, live=MODELSDEV, bundled=BUNDLED, as_of="2026-11-28")
    assert twice.to_dict() == once.to_dict()
    # newer facts replace what an earlier merge filled, never what the API said
    newer = facts("models.dev", context_window=400_000, capabilities={"vision": True})
    updated = merge(once, live=newer, bundled=BUNDLED)
    assert updated.context_window == 400_000
    assert updated.capabilities["vision"].source == "api"


# -- many models, real catalog -------------------------------------------------------------


def test_merge_many_with_the_bundled_catalog_and_an_aggregator() -> None:
    bundled = load_bundled()
    models = [
        Model(provider="openai", id="gpt-4o-2024-08-06", name=display_name("gpt-4o-2024-08-06")),
        Model(
            provider="openrouter",
            id="openai/gpt-4o",
            name="OpenAI: GPT-4o",
            pricing=Pricing(input=Decimal("2.5"), output=Decimal("10"), source="api"),
        ),
        Model(provider="openrouter", id="anthropic/claude-opus-4.7", name="Claude Opus 4.7"),
        Model(provider="work", id="gpt-4.1", name="gpt-4.1"),
    ]
    out = merge_many(models, bundled=bundled, as_of="2026-11-28")
    direct, routed, unpriced, instance = out
    assert direct.pricing is not None and direct.pricing.input == Decimal("2.5")
    assert direct.pricing.as_of == bundled.checked
    assert direct.name == "GPT-4o (2024-08-06)"
    assert routed.pricing is not None and routed.pricing.source == "api"
    assert routed.context_window == 128_000 and routed.sources["context_window"] == "catalog"
    assert unpriced.pricing is None, "Anthropic's price is not what OpenRouter charges"
    assert unpriced.capabilities["vision"].supported is True
    assert instance.pricing is None  # "work" is not a provider type: nothing looked up
    typed = merge_many([models[3]], provider_type="openai", bundled=bundled)[0]
    assert typed.pricing is not None and typed.pricing.input == Decimal("2")


def test_vendor_price_never_leaks_through_a_cached_view() -> None:
    index = FactsIndex([facts("bundled", pricing={"input": "1", "output": "2"})])
    own = merge_many([model()], bundled=index)[0]  # builds the priced entry's merge cache first
    assert own.pricing is not None
    routed = model(provider="openrouter", id="openai/gpt-x", name="x")
    assert merge_many([routed], bundled=index)[0].pricing is None


def test_an_exact_bundled_entry_beats_a_loose_modelsdev_match() -> None:
    family = facts("models.dev", id="gpt-4o", pricing={"input": "2.5", "output": "10"})
    snapshot = facts(
        "bundled",
        id="gpt-4o-2024-05-13",
        max_output_tokens=4096,
        pricing={"input": "5", "output": "15"},
    )
    old = model(id="gpt-4o-2024-05-13", name="x")
    out = merge_many([old], live=FactsIndex([family]), bundled=FactsIndex([snapshot]))[0]
    assert out.pricing is not None and out.pricing.input == Decimal("5")
    assert out.max_output_tokens == 4096
    # an exact but unpriced entry (the vendor's, for an aggregator) still stops a sibling's price
    routed_family = facts(
        "models.dev", provider="openrouter", id="openai/gpt-4o", pricing={"input": "2.5"}
    )
    routed = model(provider="openrouter", id="openai/gpt-4o-2024-05-13", name="x")
    out = merge_many([routed], live=FactsIndex([routed_family]), bundled=FactsIndex([snapshot]))[0]
    assert out.pricing is None and out.max_output_tokens == 4096
    # with no exact entry anywhere, the loose models.dev match still applies
    new = model(id="gpt-4o-2024-11-20", name="x")
    out = merge_many([new], live=FactsIndex([family]), bundled=FactsIndex([snapshot]))[0]
    assert out.pricing is not None and out.pricing.input == Decimal("2.5")


def test_merge_many_applies_overrides_by_key() -> None:
    overrides = parse_overrides(
        {override_key("openrouter", "openai/gpt-4o"): {"context_window": 1}}
    )
    out = merge_many(
        [Model(provider="openrouter", id="openai/gpt-4o", name="x")],
        bundled=load_bundled(),
        overrides=overrides,
    )
    assert out[0].context_window == 1 and out[0].sources["context_window"] == "user"


# -- parsing overrides -----------------------------------------------------------------------

CONFIG = """
[overrides."openai/gpt-4o"]
context_window = 128000
capabilities = { vision = true }
pricing = { input = "2.5", output = "10" }

[overrides."openrouter/openai/gpt-4o"]
pricing = { input = 2.75, output = 11 }
shutdown_date = 2027-01-31
knowledge_cutoff = "2023-10"
input_modalities = ["text", "image"]

[overrides."ollama/llama3:8b"]
pricing = { state = "unknown" }
"""


def test_parse_overrides_from_toml() -> None:
    parsed = parse_overrides(tomllib.loads(CONFIG)["overrides"])
    assert set(parsed) == {"openai/gpt-4o", "openrouter/openai/gpt-4o", "ollama/llama3:8b"}
    first = parsed["openai/gpt-4o"]
    assert isinstance(first, OverrideEntry)
    assert first == {
        "context_window": 128000,
        "capabilities": {"vision": True},
        "pricing": {"state": "known", "input": Decimal("2.5"), "output": Decimal("10")},
    }
    second = parsed["openrouter/openai/gpt-4o"]
    assert second["pricing"]["input"] == Decimal("2.75")  # a TOML float, kept exact
    assert second["shutdown_date"] == datetime(2027, 1, 31, tzinfo=UTC)
    assert second["input_modalities"] == ("text", "image")
    assert parsed["ollama/llama3:8b"]["pricing"] == {"state": "unknown"}
    assert parse_overrides(None) == {}


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ({"gpt-4o": {"context_window": 1}}, '"gpt-4o"'),
        ({"openai/": {"context_window": 1}}, '"openai/"'),
        ({"openai/gpt-4o": 5}, "must be a table"),
        ({"openai/gpt-4o": {"contxt_window": 1}}, "contxt_window"),
        ({"openai/gpt-4o": {"context_window": "big"}}, "context_window"),
        ({"openai/gpt-4o": {"context_window": 0}}, "positive integer"),
        ({"openai/gpt-4o": {"context_window": True}}, "positive integer"),
        ({"openai/gpt-4o": {"capabilities": {"telepathy": True}}}, "telepathy"),
        ({"openai/gpt-4o": {"capabilities": {"vision": "yes"}}}, "vision must be true or false"),
        ({"openai/gpt-4o": {"pricing": {"input": "-1"}}}, "non-negative"),
        ({"openai/gpt-4o": {"pricing": {"input": "two"}}}, "input must be a decimal"),
        ({"openai/gpt-4o": {"pricing": {"input": float("nan")}}}, "finite"),
        ({"openai/gpt-4o": {"pricing": {"inputs": "1"}}}, "inputs"),
        ({"openai/gpt-4o": {"pricing": {}}}, "names no price"),
        ({"openai/gpt-4o": {"pricing": {"state": "dynamic", "input": "1"}}}, "carries no numbers"),
        ({"openai/gpt-4o": {"lifecycle": "sunset"}}, "lifecycle"),
        ({"openai/gpt-4o": {"release_date": "May 2025"}}, "release_date"),
        ({"openai/gpt-4o": {"shutdown_date": "soon"}}, "shutdown_date"),
        ([1, 2], "[overrides]"),
    ],
)
def test_parse_overrides_names_the_bad_key(table: Any, needle: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_overrides(table)
    assert needle in str(info.value)


def test_merge_validates_a_raw_override() -> None:
    with pytest.raises(ConfigurationError, match="telepathy"):
        merge(model(), live=None, bundled=None, overrides={"capabilities": {"telepathy": 1}})


def test_bundled_and_modelsdev_layers_can_both_be_indices() -> None:
    """The same lookup serves both layers; a models.dev entry wins over the bundled one."""
    md_index = FactsIndex([MODELSDEV])
    out = merge_many([model()], live=md_index, bundled=FactsIndex([BUNDLED]))
    assert out[0].context_window == 200_000
