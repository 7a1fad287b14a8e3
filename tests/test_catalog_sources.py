"""The catalog sources' parsers on real excerpts (tests/data/catalog, see SOURCES.md there):
LiteLLM's map, genai-prices' data module, models.dev's TOML at a commit, and the curated file."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from modelsync.sources import SourceRecord, curated, genai_prices, litellm, modelsdev_repo

DATA = Path(__file__).parent / "data" / "catalog"
ROOT = Path(__file__).resolve().parents[1]


def _litellm() -> dict[str, SourceRecord]:
    text = (DATA / "litellm_excerpt.json").read_text(encoding="utf-8")
    return {r.key: r for r in litellm.parse_litellm(litellm.decode(text))}


def _genai() -> genai_prices.GenaiPrices:
    return genai_prices.GenaiPrices.from_source(
        (DATA / "genai_prices_data_excerpt.py.txt").read_text(encoding="utf-8")
    )


def _modelsdev_files() -> dict[str, str]:
    base = DATA / "modelsdev"
    return {
        p.relative_to(base).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(base.rglob("*.toml"))
    }


# -- LiteLLM ---------------------------------------------------------------------------------


def test_litellm_prices_are_exact_per_million() -> None:
    records = _litellm()
    gpt55 = records["gpt-5.5"].facts
    assert gpt55.provider == "openai" and gpt55.id == "gpt-5.5"
    p = gpt55.pricing
    assert p is not None
    assert (p.input, p.output, p.cached_input) == (Decimal("5"), Decimal("30"), Decimal("0.5"))
    assert (p.batch_input, p.batch_output) == (Decimal("2.5"), Decimal("15"))
    assert p.per_web_search == Decimal("0.01")
    (tier,) = p.tiers
    assert (tier.above_tokens, tier.input, tier.output) == (272_000, Decimal("10"), Decimal("45"))
    sonnet = records["claude-sonnet-4-5-20250929"].facts.pricing
    assert sonnet is not None and sonnet.input == Decimal("3")  # 3e-06 * 10**6, no float
    assert sonnet.cache_write == Decimal("3.75")
    assert str(sonnet.cached_input) == "0.3"


def test_litellm_numbers_never_pass_through_float() -> None:
    decoded = litellm.decode('{"m": {"input_cost_per_token": 1.1e-07, "max_input_tokens": 8}}')
    assert decoded["m"]["input_cost_per_token"] == Decimal("1.1e-07")
    assert not any(isinstance(v, float) for v in decoded["m"].values())


def test_litellm_providers_ids_and_kinds() -> None:
    records = _litellm()
    assert records["gemini/gemini-2.5-pro"].facts.id == "gemini-2.5-pro"
    assert records["command-a-03-2025"].facts.provider == "cohere"  # cohere_chat
    llama = records["together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"].facts
    assert (llama.provider, llama.id) == ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo")
    assert records["groq/openai/gpt-oss-120b"].facts.id == "openai/gpt-oss-120b"
    fw = records["fireworks_ai/accounts/fireworks/models/gpt-oss-120b"].facts
    assert (fw.provider, fw.id) == ("fireworks", "accounts/fireworks/models/gpt-oss-120b")
    assert records["text-embedding-3-small"].facts.capabilities["embeddings"] is True
    assert records["whisper-1"].facts.capabilities["transcription"] is True
    assert records["rerank-v3.5"].facts.capabilities["rerank"] is True
    # both spellings of a DeepSeek key are the same id
    assert records["deepseek-chat"].facts.id == records["deepseek/deepseek-chat"].facts.id


def test_litellm_rows_that_are_not_models_are_skipped() -> None:
    keys = set(_litellm())
    for not_a_model in (
        "together-ai-21.1b-41b",
        "low/1024-x-1024/gpt-image-1.5",
        "ft:gpt-4o-mini-2024-07-18",
    ):
        assert not_a_model not in keys
    assert litellm.skipped("together", "together-ai-21.1b-41b") is not None
    assert litellm.skipped("openai", "low/1024-x-1024/gpt-image-1.5") is not None
    assert litellm.skipped("groq", "groq/openai/gpt-oss-120b") is None


def test_litellm_lifecycle_limits_and_aliases() -> None:
    records = _litellm()
    gpt4 = records["gpt-4"].facts
    assert gpt4.shutdown_date == date(2026, 10, 23)  # its deprecation_date: the retirement
    assert gpt4.replacement == "gpt-5.6-sol"
    gpt5 = records["gpt-5"].facts
    assert gpt5.context_window == 272_000  # max_input_tokens, here the prompt limit
    alias = records["claude-sonnet-latest"]
    assert alias.alias_of == "claude-sonnet-5-5"
    assert alias.facts.provider == "anthropic"  # taken from the target row
    grok = records["xai/grok-4.3"].facts
    assert grok.capabilities["reasoning"] is True and grok.max_output_tokens == 1_000_000
    assert records["gpt-5.5"].facts.input_modalities == ("text", "image")


def test_litellm_map_is_read_out_of_a_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "litellm-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(litellm.MAP_PATH, (DATA / "litellm_excerpt.json").read_text())
    assert litellm.read_from_wheel(wheel) == (DATA / "litellm_excerpt.json").read_text()


# -- genai-prices ----------------------------------------------------------------------------


def test_genai_data_is_read_without_importing_the_package() -> None:
    code = (
        "import sys; from pathlib import Path\n"
        "from modelsync.sources.genai_prices import GenaiPrices\n"
        f"g = GenaiPrices.from_source(Path({str(DATA / 'genai_prices_data_excerpt.py.txt')!r}).read_text())\n"
        "assert 'genai_prices' not in sys.modules\n"
        "print(sum(len(v) for v in g.models.values()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == 10


def test_genai_refuses_anything_but_data() -> None:
    with pytest.raises(ValueError, match="not plain data"):
        genai_prices.parse_data_module("providers = [__import__('os').system('true')]")
    with pytest.raises(ValueError, match="not plain data"):
        genai_prices.parse_data_module("providers = [Provider(id=open('x').read())]")


def test_genai_matching_follows_its_rules_and_says_when_it_only_matched() -> None:
    g = _genai()
    exact = g.find("anthropic", "claude-sonnet-4-5")
    assert exact is not None and exact[0].id == "claude-sonnet-4-5" and exact[1] is True
    by_rule = g.find("anthropic", "claude-sonnet-4-5-20250929")
    assert by_rule is not None and by_rule[0].id == "claude-sonnet-4-5" and by_rule[1] is False
    record = g.record("anthropic", "claude-sonnet-4-5-20250929", date(2026, 12, 1))
    assert record is not None and record.listed is False
    assert record.facts.pricing is not None and record.facts.pricing.input == Decimal("3")
    assert g.find("anthropic", "gpt-5") is None
    assert g.find("openai", "claude-sonnet-4-5") is None  # no fallback to another provider


def test_genai_prices_history_peak_hours_batch_and_tiers() -> None:
    g = _genai()
    now = g.record("gemini", "gemini-3.8-flash", date(2026, 12, 1))
    then = g.record("gemini", "gemini-3.8-flash", date(2027, 1, 2))
    assert now is not None and now.facts.pricing is not None
    assert then is not None and then.facts.pricing is not None
    assert now.facts.pricing.input == Decimal("0.75")  # the introductory price
    assert then.facts.pricing.input == Decimal("1.5")  # from 2027-01-01
    assert now.facts.pricing.batch_input == Decimal("0.375")
    assert then.facts.pricing.batch_input == Decimal("0.75")
    assert now.facts.pricing.per_web_search == Decimal("0.014")  # 14 per thousand
    peak = g.record("deepseek", "deepseek-v4-pro", date(2026, 12, 1))
    assert peak is not None and peak.facts.pricing is not None
    assert peak.facts.pricing.input == Decimal("1.32")  # the peak rate, not the off-peak 0.66
    assert peak.facts.pricing.cached_input == Decimal("0.044")
    pro = g.record("gemini", "gemini-2.5-pro", date(2026, 12, 1))
    assert pro is not None and pro.facts.pricing is not None
    (tier,) = pro.facts.pricing.tiers
    assert tier.above_tokens == 200_000 and tier.input == Decimal("2.5")
    gpt5 = g.record("openai", "gpt-5", date(2026, 12, 1))
    assert gpt5 is not None and gpt5.facts.pricing is not None
    assert gpt5.facts.pricing.batch_input == Decimal("0.625")


# -- models.dev --------------------------------------------------------------------------------


def test_modelsdev_toml_becomes_facts() -> None:
    records = {r.key: r for r in modelsdev_repo.parse_tree(_modelsdev_files(), as_of="2026-07-02")}
    grok = records["providers/xai/models/grok-4.3.toml"].facts
    assert grok.provider == "xai" and grok.id == "grok-4.3"
    assert grok.pricing is not None and grok.pricing.input == Decimal("1.25")
    assert grok.pricing.tiers[0].above_tokens == 200_000
    assert grok.origin == "models.dev" and grok.as_of == "2026-07-02"
    sonnet = records["providers/anthropic/models/claude-sonnet-4-5.toml"].facts
    assert sonnet.pricing is not None and str(sonnet.pricing.input) == "3.00"
    assert sonnet.pricing.input == Decimal("3")
    llama = records["providers/togetherai/models/meta-llama/Llama-3.3-70B-Instruct-Turbo.toml"]
    assert (llama.facts.provider, llama.facts.id) == (
        "together",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    )


def test_modelsdev_base_model_is_merged_underneath() -> None:
    records = {r.key: r for r in modelsdev_repo.parse_tree(_modelsdev_files(), as_of="2026-07-02")}
    gpt5 = records["providers/openai/models/gpt-5.toml"]
    # limits and modalities come from models/openai/gpt-5.toml, the price from the provider file
    assert gpt5.facts.context_window == 400_000 and gpt5.input_limit == 272_000
    assert gpt5.facts.pricing is not None and gpt5.facts.pricing.input == Decimal("1.25")
    oss = records["providers/groq/models/openai/gpt-oss-120b.toml"].facts
    assert oss.provider == "groq" and oss.context_window is not None


def test_modelsdev_deprecated_is_read_as_retired() -> None:
    records = {r.key: r for r in modelsdev_repo.parse_tree(_modelsdev_files(), as_of="2026-07-02")}
    opus3 = records["providers/anthropic/models/claude-3-opus-20240229.toml"]
    assert opus3.facts.lifecycle == "retired" and opus3.notes


def _git(*args: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_modelsdev_is_read_at_a_pinned_commit_of_a_bare_repository(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "providers/xai/models").mkdir(parents=True)
    (work / "providers/groq/models").mkdir(parents=True)
    (work / "models/openai").mkdir(parents=True)
    grok = (DATA / "modelsdev/providers/xai/models/grok-4.3.toml").read_text()
    (work / "providers/xai/models/grok-4.3.toml").write_text(grok)
    (work / "models/openai/gpt-oss-120b.toml").write_text(
        (DATA / "modelsdev/models/openai/gpt-oss-120b.toml").read_text()
    )
    (work / "providers/groq/models/shared.toml").write_text(
        (DATA / "modelsdev/providers/groq/models/openai/gpt-oss-120b.toml").read_text()
    )
    os.symlink("shared.toml", work / "providers/groq/models/linked.toml")
    _git("init", "-q", cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-qm", "one", cwd=work)
    pinned = _git("rev-parse", "HEAD", cwd=work)
    (work / "providers/xai/models/grok-4.3.toml").write_text(grok.replace("1.25", "9.99"))
    _git("commit", "-qam", "two", cwd=work)
    bare = tmp_path / "bare.git"
    _git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp_path)

    files = modelsdev_repo.read_git_tree(bare, pinned)
    records = {r.key: r for r in modelsdev_repo.parse_tree(files, as_of="2026-07-02")}
    price = records["providers/xai/models/grok-4.3.toml"].facts.pricing
    assert price is not None and price.input == Decimal("1.25")  # the pinned commit, not HEAD
    linked = records["providers/groq/models/linked.toml"].facts
    assert linked.id == "linked" and linked.context_window is not None  # symlink followed
    with pytest.raises(RuntimeError, match="failed"):
        modelsdev_repo.read_git_tree(bare, "0" * 40)


# -- curated ------------------------------------------------------------------------------------


def test_the_curated_file_cites_a_page_and_a_date_for_every_value() -> None:
    text = (ROOT / "tools" / "catalog" / "curated.toml").read_text(encoding="utf-8")
    parsed = curated.parse_curated(text)
    assert parsed.records
    for record in parsed.records:
        given = {k for k, v in record.facts if v not in (None, (), {}) and k not in
                 ("provider", "id", "origin")}  # fmt: skip
        assert given <= set(record.cites), record.key
        for cite in record.cites.values():
            assert cite.startswith("curated: https://") and "(read 20" in cite


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[models]]\nprovider = "x"\nid = "y"\nreplacement = "z"\n', "names no"),
        (
            '[sources.a]\nurl = "https://e.org"\nread = 2026-12-01\n'
            '[[models]]\nprovider = "x"\nid = "y"\ncite = "a"\ncontext = 5\n',
            "unknown field",
        ),
        ('[sources.a]\nurl = "http://e.org"\nread = 2026-12-01\n', "https://"),
        ('[sources.a]\nurl = "https://e.org"\nread = "yesterday"\n', "TOML date"),
        (
            '[sources.a]\nurl = "https://e.org"\nread = 2026-12-01\n'
            '[[models]]\nprovider = "x"\nid = "y"\ncite = "a"\nreplacement = "z"\n'
            '[[models]]\nprovider = "x"\nid = "y"\ncite = "a"\nreplacement = "w"\n',
            "already given",
        ),
        (
            '[sources.a]\nurl = "https://e.org"\nread = 2026-12-01\n'
            '[[models]]\nprovider = "x"\nid = "y"\ncite = "a"\npricing = { input = 2.5 }\n',
            "decimal strings",
        ),
    ],
)
def test_the_curated_file_refuses_uncited_or_unknown_values(text: str, message: str) -> None:
    with pytest.raises(curated.CuratedError, match=message):
        curated.parse_curated(text)
