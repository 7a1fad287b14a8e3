"""``docs/catalog-report.md``: what the build chose, what disagreed, what it left out.

Every figure is computed from the build's result (the reconciled facts and their provenance),
so the report and the committed catalog cannot drift apart; the tests recompute the targets
from the catalog itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from modelsync.facts import Facts
from modelsync.reconcile import PRECEDENCE
from modelsync.sources import CURATED, GENAI_PRICES, LITELLM, MODELSDEV

if TYPE_CHECKING:
    from .build import Result

SOURCES = (LITELLM, GENAI_PRICES, MODELSDEV)
CLASSES = ("limits", "prices", "capabilities", "modalities", "lifecycle")
COMMAND = "python -m tools.catalog.build --modelsdev <models.dev clone or bare repo>"


def field_class(name: str) -> str:
    """The class a provenance field belongs to in the agreement figures."""
    if name.startswith("pricing."):
        return "prices"
    if name.startswith("capabilities."):
        return "capabilities"
    if name in ("context_window", "max_output_tokens"):
        return "limits"
    if name in ("input_modalities", "output_modalities"):
        return "modalities"
    if name in ("release_date", "knowledge_cutoff"):
        return "dates"
    if name in ("shutdown_date", "deprecated_date", "replacement", "lifecycle"):
        return "lifecycle"
    return "name"


def agreement(facts: Iterable[Facts]) -> dict[str, dict[str, tuple[int, int]]]:
    """Per source and field class: (values that agree with the chosen one, values given)."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for f in facts:
        for name, p in f.provenance.items():
            cls = field_class(name)
            for s in p.sources:
                counts[s][cls][0] += 1
                counts[s][cls][1] += 1
            for s in p.disagreed:
                counts[s][cls][1] += 1
    return {s: {c: (v[0], v[1]) for c, v in per.items()} for s, per in counts.items()}


def non_date(per: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """Agreement over every class except dates and names (the targets' "non-date fields")."""
    agree = sum(v[0] for c, v in per.items() if c not in ("dates", "name"))
    total = sum(v[1] for c, v in per.items() if c not in ("dates", "name"))
    return agree, total


def _pct(a: int, n: int) -> str:
    return f"{100 * a / n:.1f}% ({a}/{n})" if n else "-"


def _val(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], list):  # price tiers
            return "; ".join(
                ", ".join(f"{k} {v}" for k, v in tier) for tier in value if isinstance(tier, list)
            )
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _chosen(f: Facts, name: str) -> Any:
    from .build import entry

    data = entry(f)
    if name.startswith("capabilities."):
        return data.get("capabilities", {}).get(name.split(".", 1)[1])
    if name.startswith("pricing."):
        value = data.get("pricing", {}).get(name.split(".", 1)[1])
        if name == "pricing.tiers" and isinstance(value, list):
            return [list(t.items()) for t in value]
        return value
    return data.get(name)


def render_report(result: Result) -> str:
    inputs = result.inputs
    facts = result.facts
    out: list[str] = []
    w = out.append
    w("# The bundled catalog: build report")
    w("")
    w(
        "Written by `tools/catalog/build.py`; do not edit. It describes "
        "`src/modelsync/data/bundled.json` as built from the inputs below."
    )
    w("")
    w("## Inputs")
    w("")
    w(f"- Catalog date (`as_of`): {inputs.as_of.isoformat()}")
    w(
        f"- LiteLLM {inputs.litellm['version']}: `{inputs.litellm['path']}` read out of "
        f"`{inputs.litellm['wheel']}` (sha256 `{inputs.litellm['sha256']}`)"
    )
    w(
        f"- genai-prices {inputs.genai['version']}: `{inputs.genai['path']}` read as data out of "
        f"`{inputs.genai['wheel']}` (sha256 `{inputs.genai['sha256']}`)"
    )
    w(
        f"- models.dev: {inputs.modelsdev['repository']} at commit "
        f"`{inputs.modelsdev['commit']}` ({inputs.modelsdev.get('date')})"
    )
    w(f"- Curated facts: `{inputs.curated_path}` (every value cites a page and the day read)")
    w("")
    w(f"Rebuild: `{COMMAND}` (downloads the wheels into `.cache/catalog` and checks their sha256).")
    w("")
    _rules(w)
    _targets(w, result)
    _coverage(w, result)
    _agreement(w, facts)
    _lifecycle(w, facts)
    _contradicted(w, facts)
    _curated(w, facts)
    _disagreements(w, facts)
    _tolerance(w, facts)
    _left_out(w, result)
    _limits(w, result)
    return "\n".join(out).rstrip() + "\n"


def _limits(w: Any, result: Result) -> None:
    w("## Known limits of this build")
    w("")
    w(
        f"- models.dev is read at the newest commit reachable when the catalog was built "
        f"({result.inputs.modelsdev.get('date')}); LiteLLM and genai-prices are newer, so models "
        "released since then are listed by those two only, and models.dev's prices of that date "
        "account for most of its disagreements."
    )
    w(
        "- Coverage counts models that LiteLLM and models.dev both list; since the catalog takes "
        "every model two sources list, it is complete by construction unless a join fails. Ollama "
        "has none in common (LiteLLM lists local model names, models.dev only Ollama Cloud)."
    )
    w(
        "- Aliases are only those a source states (LiteLLM's `alias_of`, curated pages). "
        "Undated ids such as `claude-sonnet-4-5` are their own entries, as both LiteLLM and "
        "models.dev list them; no page read stated them as aliases of the dated snapshots."
    )
    w("")


def _rules(w: Any) -> None:
    w("## Rules")
    w("")
    w(
        "Joining: ids are compared lowercased (without `models/`); two ids are one model only "
        "when equal so, or when a source states one is an alias of the other (a curated page, "
        "LiteLLM's `alias_of`). genai-prices prices an id by its own match rules but counts as "
        "listing a model only when it names the id exactly."
    )
    w("")
    w(
        "Inclusion: every model that at least two sources list, plus every curated model; "
        "retired models stay, with their lifecycle, so users see what to move to."
    )
    w("")
    w(
        "Choosing each value: (1) curated wins; (2) sources that agree form groups: one group is "
        "`only`/`agree`/`agree-within-tolerance`; (3) else the strictly largest group wins "
        "(`majority`); (4) a tie goes to the group holding the first source in the field's "
        "precedence (`precedence`). Every source outside the chosen group is recorded with its "
        "value (`disagreed`). Names are labels: taken by precedence, not voted."
    )
    w("")
    w("| fields | precedence after curated |")
    w("| --- | --- |")
    for fields, order in PRECEDENCE.items():
        w(f"| {fields} | {', '.join(order)} |")
    w("")
    w(
        "Agreement: token limits agree when equal, the same figure in decimal and binary units "
        '(128000/131072), or within 5% of the larger ("1M" for 1,047,576); prices when '
        "numerically equal; dates when equal or a month contains the day; modalities as sets; "
        "anything else only when equal."
    )
    w("")
    w(
        "Lifecycle: `lifecycle` is curated when stated; else derived from the chosen shutdown "
        "date (on or before the catalog date: `retired`, later: `deprecated`); else taken from "
        'what sources state. models.dev\'s `status = "deprecated"` means *already shut down* '
        "(models.dev issue #1955), so it counts as `retired`, never as an announcement. "
        "LiteLLM's `deprecation_date` is its retirement date (`shutdown_date`). A model retired "
        "on a known date keeps its name, dates, lifecycle and replacement, never its prices (its "
        "vendor no longer sells it), and of its limits, modalities and capabilities only the "
        "values no source contradicts: the sources often describe it at different points of its "
        "life, while Bedrock, Vertex and Azure go on serving models their vendor retired and "
        "borrow these facts (never the vendor's lifecycle or price)."
    )
    w("")
    w(
        "LiteLLM's `max_input_tokens` is for some models the prompt limit (gpt-5: 272000 of a "
        "400000 window); where it equals models.dev's `limit.input` it takes no part in choosing "
        "the context window. genai-prices' price is the one in force on the catalog date; where a "
        "time-of-day schedule applies (DeepSeek), its highest (peak) rate, since off-peak is a "
        "discount."
    )
    w("")


def _targets(w: Any, result: Result) -> None:
    facts = result.facts
    contradicted = sum(1 for f in facts for p in f.provenance.values() if len(p.disagreed) >= 2)
    agree = agreement(facts)
    both = result.current_both()
    in_catalog = {(f.provider, f.id) for f in facts}
    total = sum(len(v) for v in both.values())
    covered = sum(1 for p, ids in both.items() for i in ids if (p, i) in in_catalog)
    w("## Targets")
    w("")
    w("| target | goal | this build |")
    w("| --- | --- | --- |")
    w(f"| values contradicted by two or more sources | at most 3 | {contradicted} |")
    for s in SOURCES:
        a, n = non_date(agree.get(s, {}))
        w(f"| agreement with {s} on non-date fields | at least 97% | {_pct(a, n)} |")
    w(
        f"| coverage of current LiteLLM ∩ models.dev models | at least 90% | {_pct(covered, total)} |"
    )
    worst = [
        (p, sum(1 for i in ids if (p, i) in in_catalog), len(ids)) for p, ids in both.items() if ids
    ]
    low = min(worst, key=lambda t: t[1] / t[2]) if worst else None
    if low is not None:
        w(
            f"| coverage per provider | at least 80% each | lowest: {low[0]} {_pct(low[1], low[2])} |"
        )
    w("")


def _coverage(w: Any, result: Result) -> None:
    both = result.current_both()
    in_catalog = Counter(f.provider for f in result.facts)
    have = {(f.provider, f.id) for f in result.facts}
    w("## Coverage per provider")
    w("")
    w("| provider | catalog entries | current in LiteLLM ∩ models.dev | covered |")
    w("| --- | ---: | ---: | --- |")
    for p, ids in both.items():
        covered = sum(1 for i in ids if (p, i) in have)
        w(f"| {p} | {in_catalog.get(p, 0)} | {len(ids)} | {_pct(covered, len(ids))} |")
    w(f"| all | {len(result.facts)} | {sum(len(v) for v in both.values())} | |")
    w("")


def _agreement(w: Any, facts: list[Facts]) -> None:
    agree = agreement(facts)
    w("## Agreement per source and field class")
    w("")
    w("A source agrees when its value is in the chosen group (tolerances above).")
    w("")
    w("| source | " + " | ".join(CLASSES) + " | non-date | dates |")
    w("| --- |" + " --- |" * (len(CLASSES) + 2))
    for s in (*SOURCES, CURATED):
        per = agree.get(s, {})
        cells = [_pct(*per.get(c, (0, 0))) for c in CLASSES]
        w(
            f"| {s} | "
            + " | ".join(cells)
            + f" | {_pct(*non_date(per))} | {_pct(*per.get('dates', (0, 0)))} |"
        )
    w("")


def _lifecycle(w: Any, facts: list[Facts]) -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for f in facts:
        counts[f.provider][f.lifecycle or "active (none stated)"] += 1
    w("## Lifecycle")
    w("")
    w("| provider | retired | deprecated | preview | active (none stated) |")
    w("| --- | ---: | ---: | ---: | ---: |")
    for p, c in counts.items():
        w(
            f"| {p} | {c['retired']} | {c['deprecated']} | {c['preview']} | "
            f"{c['active (none stated)']} |"
        )
    w("")
    dated = [f for f in facts if f.shutdown_date is not None]
    w(
        f"{len(dated)} entries carry a shutdown date, "
        f"{sum(1 for f in facts if f.deprecated_date is not None)} a deprecation date, "
        f"{sum(1 for f in facts if f.replacement is not None)} a replacement."
    )
    w("")


def _row(f: Facts, name: str) -> str:
    p = f.provenance[name]
    said = ", ".join(f"{s} {_val(v)}" for s, v in sorted(p.disagreed.items()))
    return (
        f"| {f.provider}/{f.id} | {name} | {_val(_chosen(f, name))} "
        f"({p.rule}; {', '.join(p.sources)}) | {said} |"
    )


def _contradicted(w: Any, facts: list[Facts]) -> None:
    rows = [(f, n) for f in facts for n, p in f.provenance.items() if len(p.disagreed) >= 2]
    w("## Values contradicted by two or more sources")
    w("")
    if not rows:
        w("None.")
    else:
        w("| model | field | chosen (rule; sources) | disagreeing |")
        w("| --- | --- | --- | --- |")
        for f, n in rows:
            w(_row(f, n))
    w("")


def _curated(w: Any, facts: list[Facts]) -> None:
    rows = [
        (f, n)
        for f in facts
        for n, p in f.provenance.items()
        if CURATED in p.sources and p.disagreed
    ]
    w("## Curated values the sources contradict")
    w("")
    if not rows:
        w("None.")
    else:
        w("| model | field | curated (page) | sources said |")
        w("| --- | --- | --- | --- |")
        for f, n in rows:
            w(_row(f, n))
    w("")


def _disagreements(w: Any, facts: list[Facts]) -> None:
    rows = [(f, n) for f in facts for n, p in f.provenance.items() if p.disagreed]
    w(f"## Every disagreement ({len(rows)} values)")
    w("")
    w("| model | field | chosen (rule; sources) | disagreeing |")
    w("| --- | --- | --- | --- |")
    for f, n in rows:
        w(_row(f, n))
    w("")


def _tolerance(w: Any, facts: list[Facts]) -> None:
    rows = [
        (f, n) for f in facts for n, p in f.provenance.items() if p.rule == "agree-within-tolerance"
    ]
    w(f"## Agreed within tolerance ({len(rows)} values)")
    w("")
    w("Limits that differ only by k/Ki units or by at most 5%, and dates of different precision;")
    w("the value shown is the one kept.")
    w("")
    for f, n in rows:
        p = f.provenance[n]
        w(f"- {f.provider}/{f.id} {n}: {_val(_chosen(f, n))} ({', '.join(p.sources)})")
    w("")


def _left_out(w: Any, result: Result) -> None:
    w("## Left out, and why")
    w("")
    by_reason: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for provider, model_id, reason in result.left_out:
        by_reason[reason][provider].append(model_id)
    for reason, per in sorted(by_reason.items()):
        n = sum(len(v) for v in per.values())
        w(f"### {reason} ({n})")
        w("")
        for provider, ids in per.items():
            w(f"- {provider} ({len(ids)}): " + ", ".join(f"`{i}`" for i in ids))
        w("")
    if result.genai_only:
        n = sum(len(v) for v in result.genai_only.values())
        w(f"### ids only genai-prices names ({n})")
        w("")
        for provider, ids in result.genai_only.items():
            w(f"- {provider} ({len(ids)}): " + ", ".join(f"`{i}`" for i in ids))
        w("")
    w("### Not models, or not ours")
    w("")
    w(
        "LiteLLM rows of other providers (Vertex AI, Bedrock, Azure and every other route) and of "
        "modes the catalog does not describe (video generation, OCR, search, evaluation), "
        "price buckets (`together-ai-21.1b-41b`), fine-tune templates (`ft:...`) and image "
        "quality/size rows (`low/1024-x-1024/gpt-image-1.5`) are not model ids. genai-prices' "
        "`fallback_model_providers` (another provider's price) and time-of-day prices are not "
        "used. models.dev providers we do not serve are not read."
    )
    w("")
    if result.skipped:
        w("models.dev files skipped: " + "; ".join(result.skipped))
        w("")
    if result.refused_aliases:
        w(
            "Aliases refused (claimed for two different models): "
            + ", ".join(result.refused_aliases)
        )
        w("")
