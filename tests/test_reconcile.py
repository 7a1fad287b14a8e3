"""Reconciliation rules on small hand-made inputs: agreement, majority, precedence, curated,
disagreements recorded, tolerances, lifecycle (and models.dev's "deprecated" trap), and joining
that never puts two different models together."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from modelsync.facts import Facts
from modelsync.reconcile import choose, join, limits_agree, reconcile
from modelsync.sources import SourceRecord

AS_OF = date(2026, 12, 1)


def rec(
    source: str, model_id: str = "m-1", provider: str = "openai", **fields: Any
) -> SourceRecord:
    extra = {
        k: fields.pop(k) for k in ("listed", "alias_of", "cites", "input_limit") if k in fields
    }
    facts = Facts.model_validate({"provider": provider, "id": model_id, "origin": source, **fields})
    return SourceRecord(source=source, key=f"{source}:{model_id}", facts=facts, **extra)


def one(*records: SourceRecord, aliases: dict[tuple[str, str], str] | None = None) -> Facts:
    result = join(records, aliases=aliases)
    assert len(result.groups) == 1, [g.id for g in result.groups]
    return reconcile(result.groups[0], as_of=AS_OF)


# -- choosing one field ------------------------------------------------------------------------


def test_agreeing_sources_are_all_named() -> None:
    facts = one(
        rec("litellm", context_window=200_000),
        rec("models.dev", context_window=200_000),
        rec("genai-prices", context_window=200_000),
    )
    assert facts.context_window == 200_000
    p = facts.provenance["context_window"]
    assert p.rule == "agree" and p.disagreed == {}
    assert set(p.sources) == {"litellm", "models.dev", "genai-prices"}


def test_a_single_source_is_marked_only() -> None:
    facts = one(rec("litellm", max_output_tokens=8192), rec("models.dev", context_window=8192))
    assert facts.provenance["max_output_tokens"].rule == "only"
    assert facts.provenance["max_output_tokens"].sources == ("litellm",)


def test_the_majority_wins_and_the_minority_is_recorded() -> None:
    facts = one(
        rec("litellm", pricing={"input": "3", "output": "15"}),
        rec("models.dev", pricing={"input": "3", "output": "15"}),
        rec("genai-prices", pricing={"input": "2.5", "output": "15"}),
    )
    assert facts.pricing is not None and facts.pricing.input == Decimal("3")
    p = facts.provenance["pricing.input"]
    assert p.rule == "majority"
    assert p.disagreed == {"genai-prices": "2.5"}
    assert facts.provenance["pricing.output"].rule == "agree"


def test_a_tie_goes_by_the_field_precedence() -> None:
    # prices: genai-prices before LiteLLM; limits: models.dev before LiteLLM
    facts = one(
        rec("litellm", context_window=100_000, pricing={"input": "2"}),
        rec("models.dev", context_window=300_000),
        rec("genai-prices", pricing={"input": "4"}),
    )
    assert facts.context_window == 300_000
    assert facts.provenance["context_window"].rule == "precedence"
    assert facts.provenance["context_window"].disagreed == {"litellm": 100_000}
    assert facts.pricing is not None and facts.pricing.input == Decimal("4")
    assert facts.provenance["pricing.input"].disagreed == {"litellm": "2"}


def test_curated_wins_over_agreeing_sources_and_cites_its_page() -> None:
    cite = "curated: https://example.org/deprecations (read 2026-12-01)"
    facts = one(
        rec("curated", replacement="model-b", cites={"replacement": cite}),
        rec("litellm", replacement="model-c"),
        rec("models.dev", replacement="model-c"),
    )
    assert facts.replacement == "model-b"
    p = facts.provenance["replacement"]
    assert p.sources == ("curated",) and p.rule == cite
    assert p.disagreed == {"litellm": "model-c", "models.dev": "model-c"}


def test_prices_compare_as_exact_decimals() -> None:
    facts = one(
        rec("litellm", pricing={"input": "2.50"}), rec("genai-prices", pricing={"input": "2.5"})
    )
    assert facts.provenance["pricing.input"].rule == "agree"
    split = one(
        rec("litellm", pricing={"input": "0.30000001"}),
        rec("genai-prices", pricing={"input": "0.3"}),
    )
    assert split.provenance["pricing.input"].disagreed == {"litellm": "0.30000001"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (128_000, 131_072, True),  # 128k in decimal and binary units
        (1_000_000, 1_048_576, True),
        (200_000, 204_800, True),
        (1_000_000, 1_047_576, True),  # "1M" for 1,047,576: within 5%
        (1_040_000, 1_048_576, True),
        (8_192, 8_192, True),
        (272_000, 400_000, False),  # a prompt limit is not the window
        (64_000, 131_072, False),
        (4_096, 8_192, False),
        (100_000, 106_000, False),  # 5.7% apart
    ],
)
def test_limits_tolerance(a: int, b: int, same: bool) -> None:
    assert limits_agree(a, b) is same
    assert limits_agree(b, a) is same


def test_tolerated_limits_keep_the_precise_value_of_the_first_source() -> None:
    facts = one(
        rec("models.dev", context_window=1_047_576),
        rec("genai-prices", context_window=1_000_000),
        rec("litellm", context_window=1_047_576),
    )
    assert facts.context_window == 1_047_576
    assert facts.provenance["context_window"].rule == "agree-within-tolerance"
    assert facts.provenance["context_window"].disagreed == {}


def test_dates_of_different_precision_agree_and_keep_the_precise_one() -> None:
    facts = one(
        rec("models.dev", release_date="2025-09", knowledge_cutoff="2025-01"),
        rec("curated", release_date="2025-09-29", cites={"release_date": "curated: x"}),
        rec("litellm", knowledge_cutoff="2025-01-31"),
    )
    assert facts.release_date == "2025-09-29"
    assert facts.knowledge_cutoff == "2025-01-31"
    assert facts.provenance["knowledge_cutoff"].rule == "agree-within-tolerance"
    found = choose("release_date", {"models.dev": "2025-09-29", "litellm": "2025-10-01"})
    assert found is not None and found.provenance.disagreed == {"litellm": "2025-10-01"}


def test_modalities_compare_as_sets_leaving_pdf_to_its_capability() -> None:
    facts = one(
        rec("models.dev", input_modalities=("text", "image", "pdf")),
        rec("litellm", input_modalities=("image", "text")),
    )
    assert facts.input_modalities == ("text", "image", "pdf")
    assert facts.provenance["input_modalities"].rule == "agree-within-tolerance"
    audio = one(
        rec("models.dev", input_modalities=("text",)),
        rec("litellm", input_modalities=("text", "audio")),
    )
    assert audio.provenance["input_modalities"].disagreed == {"litellm": ["text", "audio"]}


def test_names_are_labels_not_disagreements() -> None:
    facts = one(rec("models.dev", name="GPT-X"), rec("genai-prices", name="gpt x"))
    assert facts.name == "GPT-X"
    assert facts.provenance["name"].disagreed == {}


def test_litellm_prompt_limit_is_not_counted_against_the_window() -> None:
    facts = one(
        rec("litellm", context_window=272_000),
        rec("models.dev", context_window=400_000, input_limit=272_000),
        rec("genai-prices", context_window=400_000),
    )
    assert facts.context_window == 400_000
    p = facts.provenance["context_window"]
    assert p.rule == "agree" and "litellm" not in p.disagreed and "litellm" not in p.sources
    # a LiteLLM figure that is neither the window nor the prompt limit still disagrees
    other = one(
        rec("litellm", context_window=128_000),
        rec("models.dev", context_window=400_000, input_limit=272_000),
    )
    assert other.provenance["context_window"].disagreed == {"litellm": 128_000}


def test_every_chosen_value_has_provenance() -> None:
    facts = one(
        rec(
            "litellm",
            context_window=128_000,
            capabilities={"vision": True, "chat": True},
            pricing={"input": "1", "tiers": [{"above_tokens": 200_000, "input": "2"}]},
        ),
        rec("models.dev", name="M", input_modalities=("text",), release_date="2025-01"),
    )
    expected = {
        "context_window",
        "capabilities.vision",
        "capabilities.chat",
        "pricing.input",
        "pricing.tiers",
        "name",
        "input_modalities",
        "release_date",
    }
    assert set(facts.provenance) == expected
    assert facts.pricing is not None and facts.pricing.tiers[0].input == Decimal("2")


# -- lifecycle -----------------------------------------------------------------------------------


def test_a_past_shutdown_date_means_retired_keeping_only_uncontested_descriptions() -> None:
    facts = one(
        rec(
            "litellm",
            shutdown_date=date(2026, 5, 15),
            replacement="m-2",
            context_window=131_072,
            max_output_tokens=8_192,
            pricing={"input": "3"},
            capabilities={"chat": True},
        ),
        rec("models.dev", name="M", release_date="2025-02-17", max_output_tokens=32_768),
    )
    assert facts.lifecycle == "retired"
    assert facts.shutdown_date == date(2026, 5, 15) and facts.replacement == "m-2"
    # Never a price; what no source contradicts stays (other clouds still serve the model)...
    assert facts.pricing is None
    assert facts.context_window == 131_072 and facts.capabilities == {"chat": True}
    # ...and a contested value of a model nobody can call any more is not kept.
    assert facts.max_output_tokens is None
    assert facts.name == "M" and facts.release_date == "2025-02-17"
    assert (facts.provenance["lifecycle"].rule or "").startswith("derived: shutdown 2026-05-15")


def test_a_future_shutdown_date_means_deprecated_and_keeps_the_facts() -> None:
    facts = one(
        rec("litellm", shutdown_date=date(2027, 1, 14), pricing={"input": "2.5"}),
        rec("models.dev", context_window=128_000),
    )
    assert facts.lifecycle == "deprecated"
    assert facts.pricing is not None and facts.context_window == 128_000


def test_modelsdev_deprecated_status_means_shut_down_not_announced() -> None:
    from modelsync.sources.modelsdev_repo import parse_tree

    toml = (
        'name = "Old"\nrelease_date = "2024-03-04"\nlast_updated = "2024-03-04"\n'
        "attachment = true\nreasoning = false\ntool_call = true\nopen_weights = false\n"
        'status = "deprecated"\n[limit]\ncontext = 200_000\noutput = 4_096\n'
        '[modalities]\ninput = ["text"]\noutput = ["text"]\n'
    )
    (record,) = parse_tree({"providers/anthropic/models/old-1.toml": toml}, as_of="2026-07-02")
    assert record.facts.lifecycle == "retired"
    assert "models.dev #1955" in record.notes[0]
    # alone, it is retired (no date); a source with a later shutdown date overrides it
    alone = reconcile(join([record, rec("litellm", "old-1", "anthropic")]).groups[0], as_of=AS_OF)
    assert alone.lifecycle == "retired" and alone.provenance["lifecycle"].sources == ("models.dev",)
    dated = reconcile(
        join([record, rec("litellm", "old-1", "anthropic", shutdown_date=date(2027, 3, 1))]).groups[
            0
        ],
        as_of=AS_OF,
    )
    assert dated.lifecycle == "deprecated"
    assert dated.provenance["lifecycle"].disagreed == {"models.dev": "retired"}


def test_curated_lifecycle_beats_a_derived_one() -> None:
    facts = one(
        rec("curated", lifecycle="retired", cites={"lifecycle": "curated: page (read 2026-12-01)"}),
        rec("litellm", shutdown_date=date(2027, 1, 1)),
    )
    assert facts.lifecycle == "retired"
    assert facts.provenance["lifecycle"].rule == "curated: page (read 2026-12-01)"


# -- joining ---------------------------------------------------------------------------------------


def test_spellings_join_only_by_case_and_models_prefix() -> None:
    result = join(
        [
            rec("models.dev", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "together"),
            rec("litellm", "meta-llama/llama-3.3-70b-instruct-turbo", "together"),
            rec("models.dev", "gemini-2.5-pro", "gemini"),
            rec("litellm", "models/gemini-2.5-pro", "gemini"),
        ]
    )
    ids = sorted((g.provider, g.id, tuple(g.listed_by())) for g in result.groups)
    assert ids == [
        ("gemini", "gemini-2.5-pro", ("litellm", "models.dev")),
        ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", ("litellm", "models.dev")),
    ]  # models.dev's spelling is kept (case matters to some APIs)


def test_snapshots_are_never_joined_by_spelling() -> None:
    result = join(
        [
            rec("models.dev", "claude-x-20250101", "anthropic"),
            rec("litellm", "claude-x-20250601", "anthropic"),
            rec("litellm", "claude-x", "anthropic"),
            rec("models.dev", "gpt-4o", "openai"),
            rec("litellm", "gpt-4o-mini", "openai"),
            rec("litellm", "gpt-4o-2024-08-06", "openai"),
        ]
    )
    assert len(result.groups) == 6


def test_a_stated_alias_joins_and_is_listed() -> None:
    result = join(
        [
            rec("models.dev", "mistral-large-2512", "mistral", pricing={"input": "0.5"}),
            rec("litellm", "mistral-large-latest", "mistral", pricing={"input": "0.5"}),
            rec("litellm", "claude-sonnet-latest", "anthropic", alias_of="claude-sonnet-5-5"),
            rec("litellm", "claude-sonnet-5-5", "anthropic"),
        ],
        aliases={("mistral", "mistral-large-latest"): "mistral-large-2512"},
    )
    groups = {g.id: g for g in result.groups}
    assert set(groups) == {"mistral-large-2512", "claude-sonnet-5-5"}
    assert groups["mistral-large-2512"].aliases == ["mistral-large-latest"]
    assert groups["mistral-large-2512"].listed_by() == ["litellm", "models.dev"]
    assert groups["claude-sonnet-5-5"].aliases == ["claude-sonnet-latest"]
    facts = reconcile(groups["mistral-large-2512"], as_of=AS_OF)
    assert facts.aliases == ("mistral-large-latest",)


def test_an_alias_claimed_for_two_models_is_refused() -> None:
    result = join(
        [
            rec("litellm", "x-latest", "xai", alias_of="x-1"),
            rec("litellm", "x-1", "xai"),
            rec("models.dev", "x-2", "xai"),
        ],
        aliases={("xai", "x-latest"): "x-2"},
    )
    assert result.refused == ["xai/x-latest"]
    assert all("x-latest" not in g.aliases for g in result.groups)
    assert {g.id for g in result.groups} == {"x-1", "x-2", "x-latest"}


def test_a_source_record_for_the_id_itself_beats_one_for_its_alias() -> None:
    result = join(
        [
            rec("litellm", "m-2512", "mistral", pricing={"input": "2"}),
            rec("litellm", "m-latest", "mistral", pricing={"input": "9"}),
        ],
        aliases={("mistral", "m-latest"): "m-2512"},
    )
    facts = reconcile(result.groups[0], as_of=AS_OF)
    assert facts.pricing is not None and facts.pricing.input == Decimal("2")
