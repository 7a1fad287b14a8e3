"""Join several catalogs' facts for the same model and choose each value by a written rule.

Sources (``modelsync.sources``): ``curated`` (hand-verified, every value citing a public page),
``litellm``, ``genai-prices`` and ``models.dev``. The catalog build runs :func:`join` then
:func:`reconcile` per model; the result is one :class:`Facts` whose ``provenance`` says, per field,
which sources gave the chosen value, by which rule, and what every disagreeing source said.

Joining (:func:`join`), per provider:

- Ids are compared lowercased, without a ``models/`` prefix; nothing looser. Two ids join only
  when they are equal so compared, or when a source *states* one is an alias of the other
  (a curated ``aliases`` list citing the provider's page, LiteLLM's ``alias_of``). A dated
  snapshot is never joined with another snapshot or with its undated name on the strength of
  the spelling alone; an alias that two different models claim is refused and reported.
- genai-prices prices an id by its own match rules; it counts as *listing* the model only when it
  names the id exactly (see ``sources.genai_prices``).

Choosing a value (:func:`choose`), per field:

1. ``curated`` wins when it has the field (rule ``curated``).
2. Otherwise the sources' values are grouped by equivalence (below). One group: ``only`` (a
   single source), ``agree`` (identical values) or ``agree-within-tolerance``.
3. Several groups: the largest wins when it is strictly larger (``majority``).
4. A tie goes to the group holding the first source of the field's precedence
   (:data:`PRECEDENCE`; rule ``precedence``).

Within the chosen group the value of the highest-precedence source is kept (for dates, the most
precise spelling). Every source outside the chosen group is recorded in ``disagreed`` with its
value, so ``show`` and the build report can say who said what.

Equivalence (what counts as agreeing):

- Token limits agree when equal, when they are the same figure in decimal and binary units
  (``n * 1000`` vs ``n * 1024``, ``n * 10**6`` vs ``n * 2**20``: 128000/131072,
  1000000/1048576), or when they differ by at most 5% of the larger (sources round: "1M" for
  1,047,576). The precise value of the highest-precedence source is kept, and the rule says
  ``agree-within-tolerance``. A larger difference (272000 vs 400000) is a disagreement.
- Prices agree when numerically equal as exact decimals (``2.50`` = ``2.5``); tiers when every
  tier agrees so.
- Dates agree when equal, or when a month (``2025-09``) contains a day (``2025-09-29``).
- Modalities agree as sets (order does not matter), leaving ``pdf`` aside: LiteLLM states PDF
  input only as a capability (``pdf_input``, compared on its own) and models.dev records it
  unevenly as a modality. The kept value is the highest-precedence source's list.
- Everything else (capabilities, replacement, lifecycle) only when equal.

Names are labels, not facts: they are taken by precedence, not voted on, and a differently
written name is not recorded as a disagreement.

A model retired on a known date (its chosen shutdown date is on or before the catalog date) keeps
its identity, name, dates and lifecycle (``retired``, when, and what to use instead), but no
prices (its vendor no longer sells it; retired slugs may even answer as another model at another
price, as xAI's do), and of its limits, modalities and capabilities only the values no source
contradicts: the sources often describe such a model at different points of its life, and a
contested value cannot be verified any more. What is kept matters because the vendor's schedule
is not everyone's: Bedrock, Vertex and Azure go on serving models their vendor has retired, and
borrow these facts (never the lifecycle, see ``facts.Facts.borrowed``).

LiteLLM's ``max_input_tokens`` is for some models the prompt limit (gpt-5: 272000) rather than
the window (400000). When it equals models.dev's ``limit.input`` and not its ``limit.context``, it
is left out of the context-window choice instead of counted as a disagreement.

Lifecycle: ``shutdown_date``, ``deprecated_date`` and ``replacement`` are chosen as above; then
``lifecycle`` is curated if stated, else *derived* from the chosen shutdown date (on or before the
catalog date: ``retired``, later: ``deprecated``), else chosen from what the sources state
(models.dev's ``status = "deprecated"`` arrives as ``retired``: models.dev sets it only once the
model is shut down, models.dev issue #1955; genai-prices' ``deprecated`` flag as ``deprecated``;
models.dev ``alpha``/``beta`` as ``preview``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from .facts import Facts, Provenance
from .sources import CURATED, GENAI_PRICES, LITELLM, MODELSDEV, SourceRecord
from .vocab import CAPABILITIES, PRICE_FIELDS

__all__ = [
    "DATE_FIELDS",
    "LIMIT_TOLERANCE",
    "PRECEDENCE",
    "Choice",
    "Group",
    "JoinResult",
    "choose",
    "field_values",
    "join",
    "limits_agree",
    "reconcile",
]

#: Fields whose values are dates (the agreement targets leave them out).
DATE_FIELDS: Final = frozenset(
    {"release_date", "knowledge_cutoff", "deprecated_date", "shutdown_date"}
)
_LIMITS = ("context_window", "max_output_tokens")
_DESCRIPTIVE = (MODELSDEV, LITELLM, GENAI_PRICES)


def _precedence(name: str) -> tuple[str, ...]:
    if name.startswith("pricing."):
        return (GENAI_PRICES, LITELLM, MODELSDEV)
    if name in ("shutdown_date", "deprecated_date", "replacement"):
        return (LITELLM, MODELSDEV, GENAI_PRICES)
    if name == "lifecycle":
        return (MODELSDEV, GENAI_PRICES, LITELLM)
    return _DESCRIPTIVE


#: Precedence by field family, after ``curated`` (which always comes first).
PRECEDENCE: Final[Mapping[str, tuple[str, ...]]] = {
    "pricing.*": _precedence("pricing.input"),
    "context_window, max_output_tokens": _DESCRIPTIVE,
    "modalities, capabilities.*, name": _DESCRIPTIVE,
    "release_date, knowledge_cutoff": _DESCRIPTIVE,
    "shutdown_date, deprecated_date, replacement": _precedence("shutdown_date"),
    "lifecycle (when not derived from a date)": _precedence("lifecycle"),
}

_SCALARS = (
    "name",
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "knowledge_cutoff",
    "release_date",
    "deprecated_date",
    "shutdown_date",
    "replacement",
)


# -- equivalence -----------------------------------------------------------------------------


#: Token limits within this fraction of the larger one are the same limit, rounded.
LIMIT_TOLERANCE: Final = Decimal("0.05")


def limits_agree(a: int, b: int) -> bool:
    """Equal; the same figure in decimal and binary units (128000 vs 131072); or within
    :data:`LIMIT_TOLERANCE` of the larger (a source writing "1M" for 1,047,576)."""
    if a == b:
        return True
    lo, hi = sorted((a, b))
    for dec, binary in ((1000, 1024), (1_000_000, 1_048_576)):
        if lo % dec == 0 and hi % binary == 0 and lo // dec == hi // binary:
            return True
    return Decimal(hi - lo) <= LIMIT_TOLERANCE * hi


def _dates_agree(a: Any, b: Any) -> bool:
    x, y = str(a), str(b)
    return x == y or (len(x) != len(y) and (x.startswith(y) or y.startswith(x)))


def _same(a: Any, b: Any) -> bool:
    return bool(a == b)


def _modalities(a: Any, b: Any) -> bool:
    return set(a) - {"pdf"} == set(b) - {"pdf"}


def _equivalence(name: str) -> Callable[[Any, Any], bool]:
    if name in _LIMITS:
        return limits_agree
    if name in ("release_date", "knowledge_cutoff"):
        return _dates_agree
    if name in ("input_modalities", "output_modalities"):
        return _modalities
    return _same


# -- one field -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The value chosen for one field, and its provenance."""

    value: Any
    provenance: Provenance

    @property
    def contradicted_by(self) -> int:
        return len(self.provenance.disagreed)


def choose(name: str, values: Mapping[str, Any], *, vote: bool = True) -> Choice | None:
    """Choose ``name``'s value from ``{source: value}`` (``None`` values ignored) by the rules
    of the module docstring; ``vote=False`` takes the first by precedence and records no
    disagreement (names: labels, written differently by each catalog)."""
    given = {s: v for s, v in values.items() if v is not None}
    if not given:
        return None
    order = (CURATED, *_precedence(name))
    ranked = sorted(given, key=lambda s: (order.index(s) if s in order else len(order), s))
    same = _equivalence(name)
    classes: list[list[str]] = []
    for source in ranked:
        for group in classes:
            if same(given[group[0]], given[source]):
                group.append(source)
                break
        else:
            classes.append([source])
    if CURATED in given:
        chosen, rule = next(g for g in classes if CURATED in g), "curated"
    elif len(classes) == 1:
        chosen = classes[0]
        identical = all(given[s] == given[chosen[0]] for s in chosen)
        rule = "only" if len(chosen) == 1 else "agree" if identical else "agree-within-tolerance"
    elif not vote:
        chosen, rule = classes[0], "precedence"
    else:
        biggest = max(len(g) for g in classes)
        top = [g for g in classes if len(g) == biggest]
        chosen, rule = (top[0], "majority") if len(top) == 1 else (top[0], "precedence")
    value = given[chosen[0]]
    if CURATED not in chosen and name in ("release_date", "knowledge_cutoff"):
        value = max((given[s] for s in chosen), key=lambda v: len(str(v)))
    # Unvoted fields (names) are labels: a differently written one is not a disagreement.
    disagreed = (
        {s: _jsonable(given[s]) for g in classes if g is not chosen for s in g} if vote else {}
    )
    return Choice(
        value=value,
        provenance=Provenance(sources=tuple(chosen), rule=rule, disagreed=disagreed),
    )


def _jsonable(value: Any) -> Any:
    from .sources import plain_decimal

    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


# -- facts as fields -------------------------------------------------------------------------


def _tiers(facts: Facts) -> tuple[tuple[tuple[str, Any], ...], ...] | None:
    if facts.pricing is None or not facts.pricing.tiers:
        return None
    return tuple(
        tuple(
            (k, v.normalize() if isinstance(v, Decimal) else v)
            for k, v in sorted(t.model_dump(exclude_none=True).items())
        )
        for t in facts.pricing.tiers
    )


def field_values(facts: Facts) -> dict[str, Any]:
    """``facts`` flattened to ``field -> value`` (``capabilities.vision``, ``pricing.input``...),
    absent values left out."""
    out: dict[str, Any] = {}
    for name in _SCALARS:
        value = getattr(facts, name)
        if value is not None:
            out[name] = value
    if facts.lifecycle is not None:
        out["lifecycle"] = facts.lifecycle
    for cap, flag in facts.capabilities.items():
        out[f"capabilities.{cap}"] = flag
    if facts.pricing is not None:
        for price in PRICE_FIELDS:
            value = getattr(facts.pricing, price)
            if value is not None:
                out[f"pricing.{price}"] = value.normalize()
        tiers = _tiers(facts)
        if tiers:
            out["pricing.tiers"] = tiers
    return out


# -- joining ---------------------------------------------------------------------------------


def _key(model_id: str) -> str:
    key = model_id.strip().lower()
    return key[7:] if key.startswith("models/") else key


@dataclass
class Group:
    """The records of one model of one provider, across sources."""

    provider: str
    id: str
    aliases: list[str] = field(default_factory=list)
    records: list[SourceRecord] = field(default_factory=list)

    def listed_by(self) -> list[str]:
        """Sources that list this model themselves (a rule match does not count)."""
        return sorted({r.source for r in self.records if r.listed})

    def record(self, source: str) -> SourceRecord | None:
        """This source's record: the one for the model's own id first, else an alias's."""
        mine = [r for r in self.records if r.source == source]
        if not mine:
            return None
        canonical = _key(self.id)
        mine.sort(key=lambda r: (_key(r.facts.id) != canonical, r.alias_of is not None, r.key))
        return mine[0]


@dataclass
class JoinResult:
    groups: list[Group]
    #: ``provider/alias`` claimed for two different models: not joined (reported).
    refused: list[str]


def join(
    records: Iterable[SourceRecord],
    *,
    aliases: Mapping[tuple[str, str], str] | None = None,
    genai: Any = None,
    day: date | None = None,
) -> JoinResult:
    """Group ``records`` by model, per provider, joining ids only as the module docstring says.

    ``aliases`` maps ``(provider, alias)`` to the id it stands for (curated). ``genai`` is a
    ``GenaiPrices``: it adds, per group, the record its match rules price the model with (trying
    the id, then the aliases), dated at ``day``.
    """
    by_provider: dict[str, list[SourceRecord]] = {}
    for r in records:
        by_provider.setdefault(r.facts.provider, []).append(r)
    stated: dict[tuple[str, str], str] = {}
    refused: list[str] = []
    statements: list[tuple[str, str, str]] = [(p, a, t) for (p, a), t in (aliases or {}).items()]
    for provider, recs in by_provider.items():
        statements.extend(
            (provider, r.facts.id, r.alias_of) for r in recs if r.alias_of is not None
        )
    for provider, alias, target in statements:
        key = (provider, _key(alias))
        if _key(alias) == _key(target):
            continue
        held = stated.get(key)
        if held is not None and held != _key(target):
            refused.append(f"{provider}/{alias}")
            continue
        stated[key] = _key(target)
    for bad in refused:
        provider, _, alias = bad.partition("/")
        stated.pop((provider, _key(alias)), None)

    def resolve(provider: str, key: str) -> str:
        seen = {key}
        while (provider, key) in stated:
            key = stated[(provider, key)]
            if key in seen:
                break
            seen.add(key)
        return key

    groups: dict[tuple[str, str], Group] = {}
    spelled: dict[tuple[str, str], dict[str, str]] = {}
    for provider in sorted(by_provider):
        for r in by_provider[provider]:
            target = resolve(provider, _key(r.facts.id))
            group = groups.setdefault((provider, target), Group(provider=provider, id=target))
            group.records.append(r)
            spelled.setdefault((provider, target), {})[r.source + "\0" + r.key] = r.facts.id
    for (provider, alias), target in stated.items():
        final = resolve(provider, target)
        if (provider, final) in groups:
            groups[(provider, final)].aliases.append(alias)
    for (provider, target), group in groups.items():
        group.id = _spelling(target, group.records)
        names = {_key(r.facts.id): r.facts.id for r in sorted(group.records, key=_spelling_rank)}
        for alias in group.aliases:
            names.setdefault(alias, alias)
        group.aliases = sorted(
            {names[a] for a in [*names] if a != _key(group.id) and _is_alias(provider, a, stated)}
        )
        if genai is not None and day is not None:
            for candidate in (group.id, *group.aliases):
                found = genai.record(provider, candidate, day)
                if found is not None:
                    group.records.append(found)
                    break
    return JoinResult(groups=[groups[k] for k in sorted(groups)], refused=sorted(set(refused)))


def _is_alias(provider: str, key: str, stated: Mapping[tuple[str, str], str]) -> bool:
    return (provider, key) in stated


_SPELLING_ORDER = (CURATED, MODELSDEV, LITELLM, GENAI_PRICES)


def _spelling_rank(r: SourceRecord) -> tuple[int, str]:
    order = _SPELLING_ORDER.index(r.source) if r.source in _SPELLING_ORDER else 9
    return (-order, r.key)  # sorted ascending: the preferred spelling is written last


def _spelling(target: str, records: Sequence[SourceRecord]) -> str:
    """The id as the most careful source spells it (case matters to some APIs)."""
    for r in sorted(records, key=_spelling_rank, reverse=True):
        if _key(r.facts.id) == target:
            return r.facts.id
    return target


# -- one model -------------------------------------------------------------------------------


def reconcile(group: Group, *, as_of: date) -> Facts:
    """One :class:`Facts` for ``group`` with per-field provenance (rules: module docstring)."""
    per_source: dict[str, dict[str, Any]] = {}
    for source in (CURATED, LITELLM, GENAI_PRICES, MODELSDEV):
        record = group.record(source)
        if record is not None:
            per_source[source] = field_values(record.facts)
    _prompt_limit(group, per_source)
    names = sorted({n for values in per_source.values() for n in values} - {"lifecycle"})
    chosen: dict[str, Choice] = {}
    for name in names:
        found = choose(name, {s: v.get(name) for s, v in per_source.items()}, vote=name != "name")
        if found is not None:
            chosen[name] = found
    lifecycle = _lifecycle(per_source, chosen, as_of)
    if lifecycle is not None:
        chosen["lifecycle"] = lifecycle
    if _retired_on_a_date(chosen, as_of):
        chosen = {
            n: c
            for n, c in chosen.items()
            if not n.startswith("pricing.")
            and not (n.startswith(_DESCRIPTIVE_FIELDS) and c.contradicted_by)
        }
    curated = group.record(CURATED)
    if curated is not None:
        chosen = {name: _cited(name, c, curated.cites) for name, c in chosen.items()}
    return _build(group, chosen, as_of)


#: What a model retired on a known date keeps only when no source contradicts it (its prices it
#: never keeps; see the module docstring).
_DESCRIPTIVE_FIELDS = (
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "capabilities.",
)


def _retired_on_a_date(chosen: Mapping[str, Choice], as_of: date) -> bool:
    shutdown = chosen.get("shutdown_date")
    lifecycle = chosen.get("lifecycle")
    return (
        shutdown is not None
        and shutdown.value <= as_of
        and lifecycle is not None
        and lifecycle.value == "retired"
    )


def _cited(name: str, choice: Choice, cites: Mapping[str, str]) -> Choice:
    """A curated choice's rule names the page it was read on."""
    field = name.split(".", 1)[0] if name.startswith(("capabilities.", "pricing.")) else name
    cite = cites.get(field)
    if choice.provenance.rule != "curated" or cite is None:
        return choice
    return Choice(choice.value, choice.provenance.model_copy(update={"rule": cite}))


def _prompt_limit(group: Group, per_source: dict[str, dict[str, Any]]) -> None:
    """LiteLLM's ``max_input_tokens`` is sometimes the prompt limit, not the window: when it
    equals models.dev's ``limit.input`` (and not its context), it describes another quantity
    and takes no part in choosing the context window."""
    md = group.record(MODELSDEV)
    ll = per_source.get(LITELLM)
    if md is None or md.input_limit is None or ll is None:
        return
    if ll.get("context_window") == md.input_limit != md.facts.context_window:
        del ll["context_window"]


def _lifecycle(
    per_source: Mapping[str, Mapping[str, Any]], chosen: Mapping[str, Choice], as_of: date
) -> Choice | None:
    stated = {s: v.get("lifecycle") for s, v in per_source.items()}
    if stated.get(CURATED) is not None:
        return choose("lifecycle", stated)
    shutdown = chosen.get("shutdown_date")
    if shutdown is not None:
        value = "retired" if shutdown.value <= as_of else "deprecated"
        others = {s: v for s, v in stated.items() if v is not None and v != value}
        return Choice(
            value=value,
            provenance=Provenance(
                sources=shutdown.provenance.sources,
                rule=f"derived: shutdown {shutdown.value.isoformat()} vs catalog date "
                f"{as_of.isoformat()}",
                disagreed=others,
            ),
        )
    return choose("lifecycle", stated)


def _build(group: Group, chosen: Mapping[str, Choice], as_of: date) -> Facts:
    data: dict[str, Any] = {
        "provider": group.provider,
        "id": group.id,
        "aliases": tuple(group.aliases),
        "capabilities": {},
        "as_of": as_of.isoformat(),
        "origin": "bundled",
    }
    pricing: dict[str, Any] = {}
    provenance: dict[str, Provenance] = {}
    for name, choice in chosen.items():
        provenance[name] = choice.provenance
        if name.startswith("capabilities."):
            data["capabilities"][name.split(".", 1)[1]] = choice.value
        elif name == "pricing.tiers":
            pricing["tiers"] = [dict(t) for t in choice.value]
        elif name.startswith("pricing."):
            pricing[name.split(".", 1)[1]] = choice.value
        else:
            data[name] = choice.value
    if pricing and any(k != "tiers" for k in pricing):
        data["pricing"] = pricing
    else:
        provenance.pop("pricing.tiers", None)
    data["capabilities"] = {
        c: data["capabilities"][c] for c in CAPABILITIES if c in data["capabilities"]
    }
    data["provenance"] = provenance
    return Facts.model_validate(data)
