"""The bundled catalog's schema, and how a listed model finds its facts (and never another's)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

import pytest
from pydantic import ValidationError

from modelsync.facts import (
    AGGREGATORS,
    Facts,
    FactsIndex,
    derive_vendor,
    load_bundled,
    parse_bundled,
    split_id,
)
from modelsync.vocab import CAPABILITIES

PRICE_KEYS = (
    "input",
    "output",
    "cached_input",
    "cache_write",
    "reasoning",
    "per_request",
    "per_image",
)
EXACT_DECIMAL = re.compile(r"^(0|[1-9]\d*)(\.\d+)?$")
PARTIAL_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")


def _raw() -> dict[str, Any]:
    text = (files("modelsync") / "data" / "bundled.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# -- the bundled catalog ---------------------------------------------------------------------


def test_bundled_catalog_validates_against_the_schema() -> None:
    index = parse_bundled(_raw())
    assert len(index) >= 80
    assert index.conflicts == [], "two entries claim the same id or alias"
    assert index.origin == "bundled"
    for facts in index:
        assert facts.as_of == index.checked
        assert facts.origin == "bundled"


def test_bundled_checked_is_a_past_date_and_source_is_named() -> None:
    raw = _raw()
    checked = date.fromisoformat(raw["checked"])
    assert checked <= datetime.now(UTC).date()
    assert checked >= date(2026, 1, 1)
    assert isinstance(raw["source"], str) and raw["source"].strip()
    assert set(raw) == {"checked", "source", "inputs", "models"}


def test_every_capability_name_is_in_the_vocabulary() -> None:
    for entry in _raw()["models"]:
        caps = entry.get("capabilities", {})
        assert set(caps) <= set(CAPABILITIES), (entry["id"], set(caps) - set(CAPABILITIES))
        assert all(isinstance(v, bool) for v in caps.values()), entry["id"]


def _prices(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    pricing = entry.get("pricing") or {}
    found = [(k, pricing[k]) for k in PRICE_KEYS if k in pricing]
    for tier in pricing.get("tiers", []):
        found += [(f"tier.{k}", tier[k]) for k in PRICE_KEYS if k in tier]
    return found


def test_every_price_is_a_non_negative_exact_decimal_string() -> None:
    seen = 0
    for entry in _raw()["models"]:
        for key, value in _prices(entry):
            seen += 1
            assert isinstance(value, str), f"{entry['id']}.{key} must be a string, not {value!r}"
            assert EXACT_DECIMAL.match(value), f"{entry['id']}.{key} = {value!r}"
            assert Decimal(value) >= 0
        tiers = (entry.get("pricing") or {}).get("tiers", [])
        sizes = [t["above_tokens"] for t in tiers]
        assert sizes == sorted(set(sizes)), entry["id"]
    assert seen > 150


def test_dates_limits_and_modalities_are_well_formed() -> None:
    for entry in _raw()["models"]:
        for key in ("knowledge_cutoff", "release_date"):
            if key in entry:
                assert PARTIAL_DATE.match(entry[key]), (entry["id"], key)
        for key in ("context_window", "max_output_tokens"):
            if key in entry:
                assert isinstance(entry[key], int) and entry[key] > 0, (entry["id"], key)
        # (No "output <= context" rule: speech models bill more output tokens than they read,
        # e.g. Groq's Orpheus TTS, 4000 in and 50000 out, as all three catalogs say.)
        for key in ("input_modalities", "output_modalities"):
            assert set(entry.get(key, [])) <= {"text", "image", "audio", "video", "pdf"}


def test_bundled_covers_the_major_providers() -> None:
    index = load_bundled()
    counts = {p: len(index.for_provider(p)) for p in index.providers()}
    for provider in (
        "openai", "anthropic", "gemini", "xai", "mistral", "deepseek",
        "cohere", "groq", "together", "fireworks",
    ):  # fmt: skip
        assert counts.get(provider, 0) >= 4, counts
    for provider, model_id in [
        # the current flagships the hand-typed catalog lacked
        ("openai", "gpt-5.5"),
        ("anthropic", "claude-opus-4-7"),
        ("anthropic", "claude-sonnet-5"),
        ("gemini", "gemini-3.5-flash"),
        ("xai", "grok-4.3"),
        ("xai", "grok-4.20"),
        ("mistral", "mistral-medium-2604"),
        # every kind of model, and the providers that had no entries
        ("openai", "text-embedding-3-small"),
        ("openai", "whisper-1"),
        ("gemini", "gemini-embedding-001"),
        ("cohere", "command-a-03-2025"),
        ("cohere", "embed-v4.0"),
        ("groq", "llama-3.3-70b-versatile"),
        ("groq", "whisper-large-v3"),
        ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        ("fireworks", "accounts/fireworks/models/gpt-oss-120b"),
        ("deepseek", "deepseek-v4-pro"),
        # retired models stay, so users see what replaced them
        ("xai", "grok-3"),
        ("xai", "grok-code-fast-1"),
        ("deepseek", "deepseek-chat"),
    ]:
        assert index.lookup(provider, model_id) is not None, (provider, model_id)


def test_bundled_values_are_exact() -> None:
    index = load_bundled()
    gpt4o = index.lookup("openai", "gpt-4o")
    assert gpt4o is not None and gpt4o.pricing is not None
    assert gpt4o.pricing.input == Decimal("2.5")
    assert gpt4o.pricing.output == Decimal("10")
    assert gpt4o.pricing.cached_input == Decimal("1.25")
    assert gpt4o.context_window == 128_000
    assert gpt4o.capabilities["vision"] is True
    gpt55 = index.lookup("openai", "gpt-5.5")
    assert gpt55 is not None and gpt55.pricing is not None
    assert gpt55.pricing.batch_input == Decimal("2.5")
    assert gpt55.pricing.per_web_search == Decimal("0.01")
    assert gpt55.pricing.tiers[0].above_tokens == 272_000
    assert gpt55.pricing.tiers[0].input == Decimal("10")
    # lifecycle with dates and a replacement (the xAI retirement of 2026-05-15)
    grok3 = index.lookup("xai", "grok-3")
    assert grok3 is not None and grok3.lifecycle == "retired"
    assert grok3.shutdown_date == date(2026, 5, 15) and grok3.replacement == "grok-4.3"
    assert grok3.pricing is None, "a retired model keeps its lifecycle, not its old prices"


def test_load_bundled_is_cached_and_not_run_at_import() -> None:
    assert load_bundled() is load_bundled()
    code = (
        "import sys, modelsync\n"
        "assert not {'modelsync.facts', 'modelsync.merge', 'modelsync.modelsdev'} & set(sys.modules)\n"
        "import modelsync.facts as f\n"
        "assert f.load_bundled.cache_info().currsize == 0\n"
        "import modelsync.modelsdev, modelsync.merge\n"
        "assert 'httpx' not in sys.modules, 'models.dev must not load the HTTP stack at import'\n"
        "assert f.load_bundled.cache_info().currsize == 0\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# -- the schema refuses what it should --------------------------------------------------------


def _one(**entry: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"provider": "openai", "id": "m"}
    base.update(entry)
    return {"checked": "2026-11-01", "source": "test", "models": [base]}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"capabilities": {"telepathy": True}}, "unknown capability"),
        ({"pricing": {"input": 2.5}}, "decimal strings"),
        ({"pricing": {"input": "-1"}}, "non-negative"),
        ({"pricing": {"input": "NaN"}}, "finite"),
        ({"pricing": {}}, "names no price"),
        ({"pricing": {"input": "1", "tiers": [{"above_tokens": 0, "input": "2"}]}}, "greater than"),
        ({"context_window": 0}, "greater than"),
        ({"knowledge_cutoff": "late 2024"}, "YYYY-MM"),
        ({"input_modalities": ["smell"]}, "unknown modality"),
        ({"lifecycle": "sunset"}, "lifecycle"),
        ({"contex_window": 5}, "contex_window"),
    ],
)
def test_schema_rejects_bad_entries(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_bundled(_one(**entry))
    assert message in str(info.value)


def test_schema_rejects_a_bad_check_date_and_unknown_top_level_keys() -> None:
    with pytest.raises(ValidationError):
        parse_bundled({"checked": "yesterday", "source": "x", "models": []})
    with pytest.raises(ValidationError):
        parse_bundled({"checked": "2026-11-01", "source": "x", "models": [], "extra": 1})


def test_duplicate_ids_are_reported_as_conflicts() -> None:
    index = FactsIndex(
        [
            Facts(provider="openai", id="gpt-x"),
            Facts(provider="openai", id="gpt-y", aliases=("gpt-x",)),
        ]
    )
    assert index.conflicts == ["openai/gpt-x"]
    found = index.lookup("openai", "gpt-x")
    assert found is not None and found.id == "gpt-x"


# -- lookups ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "query", "expected"),
    [
        ("openai", "gpt-4o", "gpt-4o"),
        ("openai", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),  # its own entry
        ("openai", "GPT-4o", "gpt-4o"),
        ("openai", "gpt-4o-mini", "gpt-4o-mini"),
        ("openai", "gpt-4.1", "gpt-4.1"),
        ("openai", "gpt-4.1-mini", "gpt-4.1-mini"),
        ("openai", "gpt-5.5", "gpt-5.5"),
        ("openai", "gpt-5.5-2026-04-23", "gpt-5.5-2026-04-23"),
        ("openai", "gpt-mini-latest", "gpt-5.4-mini"),  # an alias LiteLLM states
        ("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5"),  # both catalogs list it
        ("anthropic", "claude-sonnet-latest", "claude-sonnet-5-5"),  # LiteLLM's alias_of
        ("anthropic", "claude-opus-4-7", "claude-opus-4-7"),
        ("gemini", "models/gemini-3.5-flash", "gemini-3.5-flash"),
        ("gemini", "models/gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
        ("gemini", "gemini-flash-latest", "gemini-flash-latest"),
        ("xai", "grok-4.3", "grok-4.3"),
        ("xai", "grok-latest", "grok-4.7"),  # LiteLLM's alias_of
        ("mistral", "mistral-large-latest", "mistral-large-latest"),
        ("mistral", "MISTRAL-MEDIUM-2604", "mistral-medium-2604"),
        (
            "together",
            "meta-llama/llama-3.3-70b-instruct-turbo",
            "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        ),
        ("cohere", "command-a-03-2025", "command-a-03-2025"),
    ],
)
def test_lookup_tolerates_spellings_of_the_same_model(
    provider: str, query: str, expected: str
) -> None:
    found = load_bundled().lookup(provider, query)
    assert found is not None, query
    assert found.id == expected


@pytest.mark.parametrize(
    ("provider", "query"),
    [
        ("openai", "gpt-4o-mini-audio-preview"),
        ("openai", "gpt-4o-realtime-preview"),
        ("openai", "chatgpt-4o-latest"),
        ("openai", "gpt-4-turbo-preview"),
        ("openai", "gpt-5.3"),
        ("openai", "gpt-41"),
        ("openai", "gpt-4o-2099-11-20"),  # the catalog knows gpt-4o's snapshots: not this one
        ("openai", "gpt-5.5-2099-01-01"),
        ("anthropic", "claude-sonnet-4-5-20990101"),  # a different snapshot, not this one
        ("anthropic", "claude-opus-4-5-20990101"),  # its snapshot -20251101 is known
        ("gemini", "gemini-2.5-flash-preview-05-20"),
        ("mistral", "mistral-large-2407"),  # never the newest large through a moving alias
        ("mistral", "mistral-large"),  # two dated larges: ambiguous
        ("mistral", "devstral-small"),  # two dated Devstral Smalls: ambiguous
        ("xai", "grok-4-fast"),  # reasoning and non-reasoning variants share the name
        ("openai", "claude-sonnet-4-5"),  # no crossing from a vendor's own list
        ("anthropic", "openai/gpt-4o"),
        ("nobody", "gpt-4o"),
    ],
)
def test_lookup_never_matches_a_different_model(provider: str, query: str) -> None:
    found = load_bundled().lookup(provider, query)
    assert found is None, f"{query} wrongly matched {found.id if found else ''}"


def test_gpt_4o_mini_and_gpt_4_never_resolve_to_gpt_4o() -> None:
    only_4o = FactsIndex([Facts(provider="openai", id="gpt-4o")])
    for query in ("gpt-4o-mini", "gpt-4", "gpt-4o-mini-2024-07-18", "gpt-4-0613", "gpt-4o1"):
        assert only_4o.lookup("openai", query) is None, query
    # no snapshot of gpt-4o known: the undated entry stands for all of them
    assert only_4o.lookup("openai", "gpt-4o-2024-11-20") is not None


def test_an_unknown_snapshot_of_a_family_with_known_snapshots_finds_nothing() -> None:
    index = FactsIndex([Facts(provider="openai", id="gpt-4o", aliases=("gpt-4o-2024-08-06",))])
    found = index.lookup("openai", "gpt-4o-2024-08-06")
    assert found is not None and found.id == "gpt-4o"
    assert index.lookup("openai", "gpt-4o-2024-11-20") is None  # another snapshot: unknown


def test_loose_spelling_shared_by_two_entries_matches_neither() -> None:
    index = FactsIndex(
        [
            Facts(provider="anthropic", id="claude-x-20240101"),
            Facts(provider="anthropic", id="claude-x-20250101"),
        ]
    )
    assert index.lookup("anthropic", "claude-x") is None
    assert index.lookup("anthropic", "claude-x-latest") is None
    found = index.lookup("anthropic", "claude-x-20250101")
    assert found is not None and found.id == "claude-x-20250101"


def test_a_moving_latest_alias_is_never_pinned_to_a_snapshot() -> None:
    index = FactsIndex(
        [Facts(provider="mistral", id="ministral-8b-2410"), Facts(provider="x", id="y-latest")]
    )
    # Mistral lists the newer snapshot with its moving alias: neither is the 2410 entry
    assert index.lookup("mistral", "ministral-8b-2512", aliases=("ministral-8b-latest",)) is None
    assert index.lookup("mistral", "ministral-8b-latest") is None
    found = index.lookup("mistral", "ministral-8b")  # the plain name: the one snapshot known
    assert found is not None and found.id == "ministral-8b-2410"


def test_match_says_whether_the_spelling_was_exact() -> None:
    index = load_bundled()
    assert index.match("openai", "GPT-4o") == (index.lookup("openai", "gpt-4o"), True)
    loose = index.match("gemini", "models/gemini-3.5-flash")
    assert loose is not None and loose[0].id == "gemini-3.5-flash" and loose[1] is False
    routed = index.match("openrouter", "openai/gpt-4o")
    assert routed is not None and routed[1] is True and routed[0].pricing is None


def test_an_ambiguous_bare_name_names_the_entries_it_could_mean() -> None:
    index = load_bundled()
    assert index.lookup("mistral", "devstral-small") is None
    assert index.ambiguous("mistral", "devstral-small") == [
        "devstral-small-2505",
        "devstral-small-2507",
    ]
    assert index.ambiguous("mistral", "mistral-large-2512") == []  # found: not ambiguous
    assert index.ambiguous("mistral", "no-such-model") == []


def test_aliases_are_tried_exactly_before_loose_forms() -> None:
    index = load_bundled()
    found = index.lookup("mistral", "my-canonical-name", aliases=("mistral-medium-2508",))
    assert found is not None and found.id == "mistral-medium-2508"


def test_the_provider_own_entry_beats_the_vendor_fallback() -> None:
    index = load_bundled()
    own = index.lookup("groq", "openai/gpt-oss-120b")  # Groq's own entry, with Groq's price
    assert own is not None and own.provider == "groq" and own.pricing is not None


@pytest.mark.parametrize(
    ("provider", "query", "vendor_id"),
    [
        ("openrouter", "openai/gpt-4o", "gpt-4o"),
        ("openrouter", "openai/gpt-4o:extended", "gpt-4o"),
        ("openrouter", "anthropic/claude-opus-4.7", "claude-opus-4-7"),
        ("openrouter", "x-ai/grok-4.3", "grok-4.3"),
        ("openrouter", "google/gemini-3.5-flash", "gemini-3.5-flash"),
        ("openrouter", "mistralai/mistral-medium-2604", "mistral-medium-2604"),
        ("openrouter", "deepseek/deepseek-v4-pro", "deepseek-v4-pro"),
        ("together", "openai/gpt-5.5", "gpt-5.5"),
        ("groq", "openai/gpt-5.4-mini", "gpt-5.4-mini"),
        ("ollama", "gemini-3.5-flash", "gemini-3.5-flash"),
        ("openai-compatible", "gpt-5.5", "gpt-5.5"),
    ],
)
def test_aggregators_get_the_vendors_facts_without_prices(
    provider: str, query: str, vendor_id: str
) -> None:
    assert provider in AGGREGATORS
    index = load_bundled()
    found = index.lookup(provider, query)
    assert found is not None, query
    assert found.id == vendor_id
    assert found.pricing is None, "another provider's price must never be applied"
    own = next(f for f in index if f.id == vendor_id)
    assert found.context_window == own.context_window
    assert found.capabilities == own.capabilities
    assert own.pricing is not None


def test_aggregator_own_entry_keeps_its_own_price() -> None:
    own = Facts.model_validate(
        {
            "provider": "openrouter",
            "id": "openai/gpt-4o",
            "pricing": {"input": "2.6", "output": "11"},
        }
    )
    vendor = Facts.model_validate(
        {"provider": "openai", "id": "gpt-4o", "pricing": {"input": "2.5", "output": "10"}}
    )
    mini = Facts.model_validate(
        {"provider": "openai", "id": "gpt-4o-mini", "pricing": {"input": "0.15", "output": "0.6"}}
    )
    index = FactsIndex([own, vendor, mini])
    found = index.lookup("openrouter", "openai/gpt-4o")
    assert found is own
    assert found.pricing is not None and found.pricing.input == Decimal("2.6")
    # the same provider's entry also covers its snapshots
    dated = index.lookup("openrouter", "openai/gpt-4o-2024-08-06")
    assert dated is own
    # a route OpenRouter's own data does not list falls back to the vendor, unpriced
    other = index.lookup("openrouter", "openai/gpt-4o-mini")
    assert other is not None and other.id == "gpt-4o-mini" and other.pricing is None
    assert mini.pricing is not None, "the vendor's own entry keeps its price"


def test_aggregator_vendor_prefixes_must_agree() -> None:
    index = FactsIndex([Facts(provider="openrouter", id="meta-llama/llama-3-8b")])
    assert index.lookup("openrouter", "meta-llama/llama-3-8b") is not None
    assert index.lookup("openrouter", "someone/llama-3-8b") is None
    assert index.lookup("openrouter", "meta-llama/llama-3-8b:free") is None  # a different offer


def test_split_id_and_vendor_derivation() -> None:
    assert split_id("gpt-4o-2024-08-06") == (None, "gpt-4o", "dated")
    assert split_id("claude-sonnet-4-5-20250929") == (None, "claude-sonnet-4-5", "dated")
    assert split_id("anthropic/claude-sonnet-4.5") == ("anthropic", "claude-sonnet-4-5", "plain")
    assert split_id("models/gemini-2.5-pro") == (None, "gemini-2-5-pro", "plain")
    assert split_id("mistral-large-latest") == (None, "mistral-large", "latest")
    assert split_id("gpt-oss:20b") == (None, "gpt-oss-20b", "plain")
    assert split_id("llama3.2:latest") == (None, "llama3-2", "latest")
    assert derive_vendor("x-ai/grok-4") == "xai"
    assert derive_vendor("meta-llama/llama-4-scout") is None
    assert derive_vendor("accounts/fireworks/models/deepseek-v3") == "deepseek"
    assert derive_vendor("o4-mini") == "openai"
    assert derive_vendor("llama-3.3-70b-versatile") is None


def test_index_round_trips_through_json() -> None:
    index = load_bundled()
    again = FactsIndex.from_json(json.loads(json.dumps(index.to_json())))
    assert [f.model_dump() for f in again] == [f.model_dump() for f in index]
    assert again.checked == index.checked


def test_bundled_provenance_is_read_on_demand_and_complete() -> None:
    index = load_bundled()
    gpt5 = index.lookup("openai", "gpt-5")
    assert gpt5 is not None
    provenance = index.provenance(gpt5)
    assert provenance["replacement"].sources == ("curated",)
    assert provenance["replacement"].disagreed == {"litellm": "gpt-5.6-sol"}
    assert provenance["pricing.input"].rule == "agree"
