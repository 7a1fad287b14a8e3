"""The catalog build and the committed catalog it produced, checked without the network.

The build runs here on the committed source excerpts (tests/data/catalog); the committed
``bundled.json`` is checked for what the issue asks of it: schema, deterministic layout,
provenance on every value, curated values citing a page and a date, the agreement and coverage
targets, aliases shown and resolved, ambiguous names refused.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tools.catalog import build
from tools.catalog.report import agreement, non_date, render_report

from modelsync.facts import load_bundled, parse_bundled
from modelsync.reconcile import field_values
from tests.fixtures import Env

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "catalog"
CATALOG = ROOT / "src" / "modelsync" / "data" / "bundled.json"
CITATION = re.compile(r"^curated: https://\S+ \(read \d{4}-\d{2}-\d{2}\)$")


def _excerpt_texts() -> build.Texts:
    base = DATA / "modelsdev"
    return build.Texts(
        litellm_json=(DATA / "litellm_excerpt.json").read_text(encoding="utf-8"),
        genai_py=(DATA / "genai_prices_data_excerpt.py.txt").read_text(encoding="utf-8"),
        modelsdev_files={
            p.relative_to(base).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(base.rglob("*.toml"))
        },
        curated_toml=(ROOT / "tools" / "catalog" / "curated.toml").read_text(encoding="utf-8"),
    )


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOG.read_text(encoding="utf-8"))
    return data


# -- the build, on excerpts ------------------------------------------------------------------


def test_the_build_is_deterministic_and_its_output_loads() -> None:
    inputs = build.Inputs.load()
    first = build.build(_excerpt_texts(), inputs)
    second = build.build(_excerpt_texts(), inputs)
    text = build.render_catalog(first)
    assert text == build.render_catalog(second)
    assert build.render_coverage(first) == build.render_coverage(second)
    index = parse_bundled(json.loads(text))
    assert index.conflicts == []
    gpt5 = index.lookup("openai", "gpt-5")
    assert gpt5 is not None and gpt5.context_window == 400_000
    assert "litellm" not in index.provenance(gpt5)["context_window"].disagreed  # prompt limit
    assert gpt5.replacement == "gpt-6.1-sol"  # curated, against LiteLLM's gpt-5.6-sol
    grok3 = index.lookup("xai", "grok-3")  # only the curated page lists it in the excerpt
    assert grok3 is not None and grok3.lifecycle == "retired"


def test_the_build_leaves_out_single_source_models_and_says_why() -> None:
    result = build.build(_excerpt_texts(), build.Inputs.load())
    reasons = {(p, i): why for p, i, why in result.left_out}
    assert reasons[("openai", "whisper-1")] == "listed only by litellm"
    ids = {(f.provider, f.id) for f in result.facts}
    assert ("openai", "gpt-5.5") in ids and ("openai", "whisper-1") not in ids
    report = render_report(result)
    assert "## Left out, and why" in report and "`whisper-1`" in report


def test_the_inputs_are_pinned_with_hashes_and_a_commit() -> None:
    inputs = build.Inputs.load()
    assert re.fullmatch(r"[0-9a-f]{64}", inputs.litellm["sha256"])
    assert re.fullmatch(r"[0-9a-f]{64}", inputs.genai["sha256"])
    assert re.fullmatch(r"[0-9a-f]{40}", str(inputs.modelsdev["commit"]))
    assert inputs.litellm["wheel"].startswith(f"litellm-{inputs.litellm['version']}-")
    assert _raw()["inputs"] == inputs.block()


# -- the committed catalog -------------------------------------------------------------------


def test_the_committed_catalog_is_in_its_one_deterministic_layout() -> None:
    raw = _raw()
    head = {k: v for k, v in raw.items() if k != "models"}
    assert build.render_json(head, raw["models"]) == CATALOG.read_text(encoding="utf-8")
    keys = [(m["provider"], m["id"]) for m in raw["models"]]
    assert len(keys) == len(set(keys))
    ranks = [build._order(k) for k in keys]
    assert ranks == sorted(ranks), "entries are sorted by provider, then id"


def test_every_value_has_provenance_and_nothing_else_does() -> None:
    index = load_bundled()
    assert len(index) >= 300
    for facts in index:
        values = set(field_values(facts))
        provenance = index.provenance(facts)
        assert values == set(provenance), (facts.provider, facts.id, values ^ set(provenance))
        for name, p in provenance.items():
            assert p.sources and p.rule, (facts.id, name)
            assert not set(p.sources) & set(p.disagreed), (facts.id, name)


def test_every_curated_value_cites_a_page_and_the_day_it_was_read() -> None:
    index = load_bundled()
    curated = 0
    for facts in index:
        provenance = index.provenance(facts)
        for name, p in provenance.items():
            if "curated" not in p.sources:
                continue
            curated += 1
            if p.rule and p.rule.startswith("derived:"):  # a lifecycle from a curated date
                assert CITATION.match(provenance["shutdown_date"].rule or ""), facts.id
            else:
                assert CITATION.match(p.rule or ""), (facts.id, name, p.rule)
    assert curated >= 40


def _targets() -> tuple[int, dict[str, tuple[int, int]]]:
    index = load_bundled()
    facts = list(index)
    with_provenance = [f.model_copy(update={"provenance": index.provenance(f)}) for f in facts]
    contradicted = sum(
        1 for f in with_provenance for p in f.provenance.values() if len(p.disagreed) >= 2
    )
    per_source = {s: non_date(v) for s, v in agreement(with_provenance).items()}
    return contradicted, per_source


def test_values_contradicted_by_two_sources_are_at_most_three() -> None:
    contradicted, _ = _targets()
    assert contradicted <= 3


@pytest.mark.parametrize("source", ["litellm", "genai-prices", "models.dev"])
def test_agreement_with_each_source_is_at_least_97_percent(source: str) -> None:
    _, per_source = _targets()
    agree, total = per_source[source]
    assert total >= 1000
    assert agree / total >= 0.97, f"{source}: {agree}/{total}"


def test_coverage_of_models_litellm_and_modelsdev_both_list() -> None:
    coverage = json.loads((ROOT / "tools" / "catalog" / "coverage.json").read_text())
    index = load_bundled()
    found: dict[str, list[bool]] = defaultdict(list)
    for provider, data in coverage["providers"].items():
        for model_id in data["both"]:
            hit = index.match(provider, model_id)
            found[provider].append(hit is not None and hit[1] and hit[0].provider == provider)
    total = sum(len(v) for v in found.values())
    assert total >= 80
    assert sum(sum(v) for v in found.values()) / total >= 0.90
    for provider, hits in found.items():
        if hits:
            assert sum(hits) / len(hits) >= 0.80, provider
    for provider in ("cohere", "groq", "together", "fireworks"):
        assert found[provider], f"{provider} has no model that both catalogs list"


def test_the_report_states_the_figures_of_the_committed_catalog() -> None:
    report = (ROOT / "docs" / "catalog-report.md").read_text(encoding="utf-8")
    contradicted, per_source = _targets()
    assert f"| values contradicted by two or more sources | at most 3 | {contradicted} |" in report
    for source, (agree, total) in per_source.items():
        if source == "curated":
            continue
        assert f"({agree}/{total})" in report, source
    assert build.Inputs.load().modelsdev["commit"] in report


def test_lifecycle_dates_and_replacements_come_from_the_sources() -> None:
    index = load_bundled()
    for model_id in ("grok-3", "grok-4-0709", "grok-code-fast-1", "grok-4-fast-reasoning"):
        facts = index.lookup("xai", model_id)
        assert facts is not None and facts.lifecycle == "retired", model_id
        assert facts.shutdown_date == date(2026, 5, 15)
    gpt5 = index.lookup("openai", "gpt-5")
    assert gpt5 is not None and gpt5.lifecycle == "deprecated"
    assert (gpt5.deprecated_date, gpt5.shutdown_date) == (date(2026, 6, 11), date(2026, 12, 11))
    for provider, model_id in [
        ("openai", "gpt-4"),
        ("openai", "gpt-3.5-turbo"),
        ("openai", "o1"),
        ("openai", "o3-mini"),
        ("openai", "o4-mini"),
        ("deepseek", "deepseek-chat"),
        ("deepseek", "deepseek-reasoner"),
        ("anthropic", "claude-3-opus-20240229"),
        ("gemini", "gemini-2.0-flash"),
    ]:
        facts = index.lookup(provider, model_id)
        assert facts is not None and facts.lifecycle == "retired", (provider, model_id)
    dated = sum(1 for f in index if f.shutdown_date is not None)
    assert dated >= 100


def test_prices_are_plain_decimal_strings_in_the_file() -> None:
    for entry in _raw()["models"]:
        for key, value in (entry.get("pricing") or {}).items():
            if key != "tiers":
                assert re.fullmatch(r"(0|[1-9]\d*)(\.\d*[1-9])?", value), (entry["id"], key, value)
                assert Decimal(value) >= 0


# -- aliases and ambiguity, through the CLI ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "provider", "model_id"),
    [
        ("mistral-large-latest", "mistral", "mistral-large-latest"),
        ("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        ("gemini-flash-latest", "gemini", "gemini-flash-latest"),
        ("gpt-luna-latest", "openai", "gpt-6-luna"),  # an alias LiteLLM states
    ],
)
def test_aliases_and_latest_ids_resolve_offline(
    env: Env, query: str, provider: str, model_id: str
) -> None:
    found = load_bundled().lookup(provider, query)
    assert found is not None and found.id == model_id
    out = env.run_cli("show", query, "--offline", "--json")
    assert out.returncode == 0, out.stderr
    (row,) = json.loads(out.stdout)
    assert (row["provider"], row["id"]) == (provider, model_id)


def test_an_ambiguous_bare_name_is_reported_not_guessed(env: Env) -> None:
    assert load_bundled().lookup("mistral", "devstral-small") is None
    out = env.run_cli("show", "devstral-small", "--offline")
    assert out.returncode == 2  # show's code for "names several models" (as for Mistral's ids)
    assert "ambiguous: devstral-small names 2 models" in out.stdout
    assert (
        "mistral/devstral-small-2505" in out.stdout and "mistral/devstral-small-2507" in out.stdout
    )
    out = env.run_cli("show", "devstral-small", "--offline", "--json")
    answer = json.loads(out.stdout)
    assert answer["ambiguous"] is True
    assert {c["id"] for c in answer["candidates"]} == {"devstral-small-2505", "devstral-small-2507"}


def test_offline_models_print_their_aliases(env: Env) -> None:
    out = env.run_cli("models", "--offline", "--json", "--provider", "openai")
    assert out.returncode == 0, out.stderr
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert rows["gpt-6-luna"]["aliases"] == ["gpt-luna-latest"]
    catalog = {f.id: f.aliases for f in load_bundled().for_provider("openai")}
    assert all(rows[i].get("aliases", []) == list(a) for i, a in catalog.items())


def test_show_names_the_sources_of_each_value_and_who_disagreed(env: Env) -> None:
    out = env.run_cli("show", "openai/gpt-5", "--offline", "--json")
    (row,) = json.loads(out.stdout)
    replacement = row["fields"]["replacement"]
    assert replacement["value"] == "gpt-6.1-sol"
    assert replacement["provenance"]["sources"] == ["curated"]
    assert replacement["provenance"]["disagreed"] == {"litellm": "gpt-5.6-sol"}
    assert CITATION.match(replacement["provenance"]["rule"])
    assert row["pricing"]["provenance"]["input"]["rule"] == "agree"
    text = env.run_cli("show", "openai/gpt-5", "--offline").stdout
    assert "litellm said gpt-5.6-sol" in text
    assert "input            1.25  [catalog: genai-prices, litellm, models.dev (agree)]" in text
