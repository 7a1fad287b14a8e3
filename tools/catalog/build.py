"""Build ``src/modelsync/data/bundled.json`` from the pinned inputs of ``inputs.toml``.

Run from the repository root (a developer machine: it needs PyPI and, unless ``--modelsdev`` is
given, GitHub)::

    python -m tools.catalog.build [--modelsdev PATH] [--cache DIR]

1. The litellm and genai-prices wheels named in ``inputs.toml`` are taken from ``--cache``
   (default ``.cache/catalog``) or downloaded from PyPI, and their sha256 checked. Their data
   files are read out of the zip; neither package is imported or installed.
2. models.dev's TOML is read at the pinned commit with ``git`` from ``--modelsdev`` (a clone or a
   bare repository that has the commit), else from a bare clone made in the cache.
3. The sources are joined and reconciled (``modelsync.reconcile``), the curated file winning.
4. Written, deterministically (same inputs, same bytes): the catalog, ``docs/catalog-report.md``
   and ``tools/catalog/coverage.json`` (the current models LiteLLM and models.dev both list, per
   provider, which the tests check the catalog against).

Tests never run this against the network: they run :func:`build` on committed excerpts and check
the committed outputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tomllib
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from modelsync.facts import Facts, FactsIndex
from modelsync.reconcile import Group, join, reconcile
from modelsync.sources import (
    LITELLM,
    MODELSDEV,
    SourceRecord,
    genai_prices,
    litellm,
    modelsdev_repo,
    plain_decimal,
)
from modelsync.sources import curated as curated_source

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "tools" / "catalog" / "inputs.toml"
CATALOG = ROOT / "src" / "modelsync" / "data" / "bundled.json"
REPORT = ROOT / "docs" / "catalog-report.md"
COVERAGE = ROOT / "tools" / "catalog" / "coverage.json"
#: Our providers, in the order reports list them.
PROVIDERS = (
    "openai",
    "anthropic",
    "gemini",
    "xai",
    "mistral",
    "groq",
    "deepseek",
    "openrouter",
    "together",
    "cohere",
    "fireworks",
    "ollama",
)
SOURCE_LINE = (
    "modelsync bundled catalog, built by tools/catalog/build.py from the pinned inputs below "
    "(LiteLLM's map, genai-prices' data, models.dev's TOML, and curated facts that each cite a "
    "page); never edited by hand. Prices are USD per 1M tokens (per_request, per_image, "
    "per_web_search: USD each). Every value's provenance says which sources gave it and which "
    "disagreed; docs/catalog-report.md has the coverage and every disagreement."
)


# -- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    as_of: date
    litellm: Mapping[str, str]
    genai: Mapping[str, str]
    modelsdev: Mapping[str, Any]
    curated_path: str
    exclude: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = INPUTS) -> Inputs:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            as_of=data["as_of"],
            litellm=data["litellm"],
            genai=data["genai-prices"],
            modelsdev=data["models-dev"],
            curated_path=data["curated"]["path"],
            exclude=data.get("scope", {}).get("exclude", {}),
        )

    def block(self) -> dict[str, Any]:
        """The inputs as the catalog file records them."""
        md = dict(self.modelsdev)
        md["date"] = str(md.get("date", ""))
        return {
            "as_of": self.as_of.isoformat(),
            "litellm": dict(self.litellm),
            "genai-prices": dict(self.genai),
            "models.dev": md,
            "curated": self.curated_path,
        }


@dataclass(frozen=True)
class Texts:
    """The raw source data the build reads (what tests replace with committed excerpts)."""

    litellm_json: str
    genai_py: str
    modelsdev_files: Mapping[str, str]
    curated_toml: str


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_wheel(package: str, pin: Mapping[str, str], cache: Path) -> Path:
    """The pinned wheel from the cache, else downloaded from PyPI; its sha256 checked."""
    target = cache / pin["wheel"]
    if not target.exists():
        index = f"https://pypi.org/pypi/{package}/json"
        with urllib.request.urlopen(index, timeout=60) as resp:
            meta = json.load(resp)
        files = meta.get("releases", {}).get(pin["version"], [])
        found = next((f for f in files if f.get("filename") == pin["wheel"]), None)
        if found is None:
            raise SystemExit(f"{package} {pin['version']} on PyPI has no file {pin['wheel']}")
        url = urllib.parse.urljoin(index, found["url"])
        if not url.startswith("https://"):
            raise SystemExit(f"PyPI gave a non-https URL for {pin['wheel']}: {url}")
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        with urllib.request.urlopen(url, timeout=600) as resp, partial.open("wb") as out:  # noqa: S310
            while chunk := resp.read(1 << 20):
                out.write(chunk)
        partial.replace(target)
    digest = _sha256(target)
    if digest != pin["sha256"]:
        raise SystemExit(
            f"{target} has sha256 {digest}, inputs.toml pins {pin['sha256']}: "
            "delete the file to download it again, or fix the pin"
        )
    return target


def modelsdev_files(pin: Mapping[str, Any], repo: Path | None, cache: Path) -> dict[str, str]:
    """models.dev's TOML at the pinned commit, from ``repo`` or a bare clone in the cache."""
    commit = str(pin["commit"])
    if repo is None:
        repo = cache / "models.dev.git"
        if not repo.exists():
            subprocess.run(
                ["git", "clone", "--bare", "--filter=blob:none", str(pin["repository"]), str(repo)],
                check=True,
            )
        has = subprocess.run(
            ["git", "--git-dir", str(repo), "cat-file", "-e", f"{commit}^{{commit}}"], check=False
        )
        if has.returncode != 0:
            subprocess.run(["git", "--git-dir", str(repo), "fetch", "origin", commit], check=True)
    return modelsdev_repo.read_git_tree(repo, commit)


def read_texts(inputs: Inputs, *, modelsdev: Path | None, cache: Path) -> Texts:
    ll = fetch_wheel("litellm", inputs.litellm, cache)
    gp = fetch_wheel("genai-prices", inputs.genai, cache)
    return Texts(
        litellm_json=litellm.read_from_wheel(ll),
        genai_py=genai_prices.read_from_wheel(gp),
        modelsdev_files=modelsdev_files(inputs.modelsdev, modelsdev, cache),
        curated_toml=(ROOT / inputs.curated_path).read_text(encoding="utf-8"),
    )


# -- the build -------------------------------------------------------------------------------


@dataclass
class Result:
    """Everything the outputs are written from."""

    inputs: Inputs
    facts: list[Facts]
    groups: dict[tuple[str, str], Group]
    left_out: list[tuple[str, str, str]]
    genai_only: dict[str, list[str]]
    refused_aliases: list[str]
    skipped: list[str] = field(default_factory=list)

    def current_both(self) -> dict[str, list[str]]:
        """Per provider: current models that LiteLLM and models.dev both list."""
        lifecycles = {(f.provider, f.id): f.lifecycle for f in self.facts}
        out: dict[str, list[str]] = {p: [] for p in PROVIDERS}
        for (provider, _), group in self.groups.items():
            both = {LITELLM, MODELSDEV} <= set(group.listed_by())
            if both and lifecycles.get((provider, group.id), self._lifecycle(group)) != "retired":
                out[provider].append(group.id)
        return {p: sorted(ids, key=str.lower) for p, ids in out.items()}

    def _lifecycle(self, group: Group) -> str | None:
        return reconcile(group, as_of=self.inputs.as_of).lifecycle


def build(texts: Texts, inputs: Inputs) -> Result:
    """Join and reconcile the sources; raises ``SystemExit`` if two entries claim one id."""
    records: list[SourceRecord] = []
    records.extend(litellm.parse_litellm(litellm.decode(texts.litellm_json)))
    skipped: list[str] = []
    records.extend(
        modelsdev_repo.parse_tree(
            texts.modelsdev_files, as_of=str(inputs.modelsdev.get("date", "")), skipped=skipped
        )
    )
    curated = curated_source.parse_curated(texts.curated_toml)
    records.extend(curated.records)
    genai = genai_prices.GenaiPrices.from_source(texts.genai_py)
    joined = join(records, aliases=curated.aliases, genai=genai, day=inputs.as_of)

    groups = {(g.provider, g.id): g for g in joined.groups}
    facts: list[Facts] = []
    left_out: list[tuple[str, str, str]] = []
    for (provider, model_id), group in sorted(groups.items(), key=lambda kv: _order(kv[0])):
        listed = group.listed_by()
        if provider in inputs.exclude:
            left_out.append((provider, model_id, f"provider left out: {inputs.exclude[provider]}"))
            continue
        if "curated" not in listed and len(listed) < 2:
            only = listed[0] if listed else "no source (matched by a rule only)"
            left_out.append((provider, model_id, f"listed only by {only}"))
            continue
        facts.append(reconcile(group, as_of=inputs.as_of))

    known = {(g.provider, name.lower()) for g in joined.groups for name in (g.id, *g.aliases)}
    genai_only: dict[str, list[str]] = {}
    for provider in sorted(genai.models):
        ids = sorted({ref for ref, _ in genai.listed(provider) if (provider, ref) not in known})
        if ids:
            genai_only[provider] = ids
    index = FactsIndex(facts, origin="bundled")
    if index.conflicts:
        raise SystemExit(f"two catalog entries claim the same id or alias: {index.conflicts}")
    return Result(
        inputs=inputs,
        facts=facts,
        groups=groups,
        left_out=left_out,
        genai_only=genai_only,
        refused_aliases=joined.refused,
        skipped=skipped,
    )


def _order(key: tuple[str, str]) -> tuple[int, str, str]:
    provider, model_id = key
    rank = PROVIDERS.index(provider) if provider in PROVIDERS else len(PROVIDERS)
    return rank, model_id.lower(), model_id


# -- outputs ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def entry(facts: Facts) -> dict[str, Any]:
    """One catalog entry as the file stores it (the loader adds ``as_of`` and ``origin``)."""
    data = facts.model_dump(
        mode="python", exclude_none=True, exclude_defaults=True, exclude={"as_of", "origin"}
    )
    data.pop("provenance", None)
    out: dict[str, Any] = _plain(data)
    out["provenance"] = {
        name: {
            "sources": list(p.sources),
            "rule": p.rule,
            **({"disagreed": _plain(p.disagreed)} if p.disagreed else {}),
        }
        for name, p in sorted(facts.provenance.items())
    }
    return out


def render_catalog(result: Result) -> str:
    head = {
        "checked": result.inputs.as_of.isoformat(),
        "source": SOURCE_LINE,
        "inputs": result.inputs.block(),
    }
    return render_json(head, [entry(f) for f in result.facts])


def render_json(head: Mapping[str, Any], models: Sequence[Mapping[str, Any]]) -> str:
    """The catalog file's one layout: the header, then one model per line (diffs stay small,
    and the same content always gives the same bytes)."""
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('  "models": [')
    rows = [json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in models]
    lines.extend(f"    {row}," for row in rows[:-1])
    lines.extend(f"    {row}" for row in rows[-1:])
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_coverage(result: Result) -> str:
    both = result.current_both()
    in_catalog = {(f.provider, f.id) for f in result.facts}
    data = {
        "about": "Current models that LiteLLM and models.dev both list, per provider, and whether "
        "the catalog has them (written by tools/catalog/build.py; tests check the targets).",
        "as_of": result.inputs.as_of.isoformat(),
        "providers": {
            p: {
                "both": ids,
                "missing": [i for i in ids if (p, i) not in in_catalog],
            }
            for p, ids in both.items()
        },
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def write(result: Result, *, catalog: Path, report: Path, coverage: Path) -> None:
    from .report import render_report

    catalog.write_text(render_catalog(result), encoding="utf-8")
    report.write_text(render_report(result), encoding="utf-8")
    coverage.write_text(render_coverage(result), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.catalog.build", description=__doc__)
    parser.add_argument("--modelsdev", type=Path, help="a models.dev clone or bare repository")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "catalog")
    args = parser.parse_args(argv)
    inputs = Inputs.load()
    texts = read_texts(inputs, modelsdev=args.modelsdev, cache=args.cache)
    result = build(texts, inputs)
    write(result, catalog=CATALOG, report=REPORT, coverage=COVERAGE)
    print(
        f"{len(result.facts)} models written to {CATALOG.relative_to(ROOT)}; "
        f"report: {REPORT.relative_to(ROOT)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
