"""Curated model facts (the bundled catalog, models.dev) and how a listed model finds its own.

Provider APIs say only part of what users choose models by, so the rest comes from curated data: a
catalog shipped in the package (``data/bundled.json``) and, optionally, models.dev. Both become
:class:`Facts` held by a :class:`FactsIndex`; ``merge.merge`` lays them under what the API said.

Matching is where catalogs go wrong, so :meth:`FactsIndex.lookup` is deliberately narrow. It
tolerates the spellings that name *the same* model (a snapshot date, ``-latest``, the ``models/``
prefix, a vendor prefix such as OpenRouter's ``openai/``, Vertex's ``@`` before a snapshot date,
case, ``4.5`` vs ``4-5``), and nothing else: ``gpt-4o-mini`` never finds ``gpt-4o``, a snapshot
never finds a *differently* dated one (nor the undated name once the catalog lists that family's
snapshots), and a loose spelling that two catalog entries share finds neither
(:meth:`FactsIndex.ambiguous` names them). A wrong fact is worse than none.

An aggregator (OpenRouter, Together, Fireworks, Groq, Ollama, an OpenAI-compatible server,
Azure, Vertex, Bedrock) serves other vendors' models. When its own catalog entry is missing, the
vendor's entry still describes the model (context, capabilities), but never its price or its
lifecycle there (:meth:`Facts.borrowed`): a model served by OpenRouter costs what OpenRouter
charges, and Bedrock retires Claude models on its own schedule, not Anthropic's.

Nothing here reads a file or the network at import; :func:`load_bundled` reads the catalog on
first use and keeps it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from .vocab import CAPABILITIES, PRICE_FIELDS

__all__ = [
    "AGGREGATORS",
    "MODALITIES",
    "Facts",
    "FactsIndex",
    "FactsPricing",
    "PriceTier",
    "Provenance",
    "bedrock_vendor_id",
    "derive_vendor",
    "load_bundled",
    "parse_bundled",
    "split_id",
]

#: Modalities the catalogs speak (models.dev's set); anything else is dropped when parsing.
MODALITIES: tuple[str, ...] = ("text", "image", "audio", "video", "pdf")
#: Providers that serve other vendors' models: their lookups may fall back to the vendor's facts.
AGGREGATORS: frozenset[str] = frozenset(
    {
        "openrouter",
        "together",
        "fireworks",
        "groq",
        "ollama",
        "openai-compatible",
        "azure",
        "vertex",
        "bedrock",
    }
)

Lifecycle: TypeAlias = Literal["active", "preview", "deprecated", "retired"]
_CAPABILITY_SET = frozenset(CAPABILITIES)
_PARTIAL_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")


def _decimal(value: Any) -> Any:
    """Prices must be exact: strings or integers, never binary floats."""
    if isinstance(value, bool | float):
        raise ValueError('write prices as decimal strings ("2.5"), not numbers with a binary float')
    return value


def _check_price(name: str, value: Decimal | None) -> None:
    if value is not None and (not value.is_finite() or value < 0):
        raise ValueError(f"{name} must be a finite, non-negative decimal (got {value})")


class _Prices(BaseModel):
    """USD per 1M tokens, as exact decimals."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: Decimal | None = None
    output: Decimal | None = None
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    reasoning: Decimal | None = None

    @field_validator("input", "output", "cached_input", "cache_write", "reasoning", mode="before")
    @classmethod
    def _exact(cls, value: Any) -> Any:
        return _decimal(value)

    @model_validator(mode="after")
    def _non_negative(self) -> _Prices:
        for name, value in self.__dict__.items():
            if isinstance(value, Decimal):
                _check_price(name, value)
        return self


class PriceTier(_Prices):
    """Prices that apply when the prompt is longer than ``above_tokens`` (context tiers)."""

    above_tokens: int = Field(gt=0)


class FactsPricing(_Prices):
    """A catalog's list price: the fields of ``model.Pricing`` (``vocab.PRICE_FIELDS``).

    ``per_request``, ``per_image`` and ``per_web_search`` are USD each; ``tiers`` keep
    context-length prices (Gemini 2.5 Pro above 200k tokens, GPT-5.4 above 272k).
    """

    audio_input: Decimal | None = None
    audio_output: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    per_request: Decimal | None = None
    per_image: Decimal | None = None
    per_web_search: Decimal | None = None
    tiers: tuple[PriceTier, ...] = ()

    @field_validator(
        "audio_input",
        "audio_output",
        "batch_input",
        "batch_output",
        "per_request",
        "per_image",
        "per_web_search",
        mode="before",
    )
    @classmethod
    def _exact_each(cls, value: Any) -> Any:
        return _decimal(value)

    @model_validator(mode="after")
    def _something(self) -> FactsPricing:
        if all(getattr(self, n) is None for n in PRICE_FIELDS):
            raise ValueError("pricing names no price; leave it out instead")
        return self


class Provenance(BaseModel):
    """Where one reconciled value came from: the sources that gave it, the rule that chose it,
    and what each disagreeing source said instead (``modelsync show`` prints all three)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: tuple[str, ...] = ()
    rule: str | None = None
    disagreed: dict[str, Any] = Field(default_factory=dict)


class Facts(BaseModel):
    """What a catalog knows about one model of one provider. Absent means *not known*.

    Capabilities are only those the catalog states, either way; an unlisted capability stays
    unknown when merged. ``as_of`` is the date the facts were read (the bundled catalog's check
    date, the day models.dev was fetched); ``origin`` names the catalog (``bundled``,
    ``models.dev``) for display, while the model's provenance says ``catalog`` for both.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str = Field(min_length=1)
    id: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    name: str | None = None
    capabilities: dict[str, bool] = Field(default_factory=dict)
    input_modalities: tuple[str, ...] | None = None
    output_modalities: tuple[str, ...] | None = None
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    knowledge_cutoff: str | None = None
    release_date: str | None = None
    lifecycle: Lifecycle | None = None
    #: When the deprecation was announced, and when the model stops answering.
    deprecated_date: date | None = None
    shutdown_date: date | None = None
    replacement: str | None = None
    pricing: FactsPricing | None = None
    as_of: str | None = None
    origin: str | None = None
    #: Per field (``context_window``, ``pricing.input``...): which sources gave the value and
    #: which disagreed. Written by the catalog build; empty for a single source.
    provenance: dict[str, Provenance] = Field(default_factory=dict)

    # Derived objects merge needs for every model it touches, built once per entry.
    _merge_cache: Any = PrivateAttr(default=None)
    _unpriced: Facts | None = PrivateAttr(default=None)
    _borrowed: Facts | None = PrivateAttr(default=None)

    @field_validator("capabilities")
    @classmethod
    def _known_capabilities(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - _CAPABILITY_SET)
        if unknown:
            raise ValueError(f"unknown capability name(s) {unknown}; see modelsync.vocab")
        return value

    @field_validator("input_modalities", "output_modalities")
    @classmethod
    def _known_modalities(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - set(MODALITIES))
        if unknown:
            raise ValueError(f"unknown modality {unknown}; use {list(MODALITIES)}")
        return value or None

    @field_validator("knowledge_cutoff", "release_date")
    @classmethod
    def _partial_date(cls, value: str | None) -> str | None:
        if value is not None and not _PARTIAL_DATE.match(value):
            raise ValueError(f"{value!r} is not YYYY-MM or YYYY-MM-DD")
        return value

    def without_pricing(self) -> Facts:
        """This entry with its price removed (a vendor's facts applied to another provider)."""
        if self.pricing is None:
            return self
        if self._unpriced is None:
            unpriced = self.model_copy(update={"pricing": None})
            unpriced._merge_cache = None  # model_copy shares private state: never the priced view
            unpriced._unpriced = None
            self._unpriced = unpriced
        return self._unpriced

    def borrowed(self) -> Facts:
        """This entry as another provider may borrow it: what the model *is* (limits,
        modalities, capabilities, names), never what the vendor sells it for or when the vendor
        stops serving it. Bedrock, Vertex, Azure and OpenRouter price and retire models on
        their own schedules: Anthropic retiring Claude Sonnet 4.5 on its API does not retire
        it on Bedrock."""
        if self._borrowed is None:
            lent = self.model_copy(
                update={
                    "pricing": None,
                    "lifecycle": None,
                    "deprecated_date": None,
                    "shutdown_date": None,
                    "replacement": None,
                }
            )
            lent._merge_cache = None  # model_copy shares private state: never the lender's view
            lent._unpriced = None
            lent._borrowed = lent
            self._borrowed = lent
        return self._borrowed

    def matches_id(self, model_id: str) -> bool:
        """Whether ``model_id`` is this entry's id or alias, ignoring case only."""
        wanted = model_id.lower()
        return self.id.lower() == wanted or any(a.lower() == wanted for a in self.aliases)


# -- id normalization ------------------------------------------------------------------------

Kind: TypeAlias = Literal["plain", "latest", "dated"]

_ACCOUNT_PATH = re.compile(r"^accounts/[^/]+/models/")
_LATEST = re.compile(r"(?:[-:@]latest|@default)$")
# Snapshot suffixes: -2024-08-06, -20250929, @20250929, -05-20, -09-2025, -0613/-2411, -001.
_DATED = re.compile(r"[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{2}-\d{2}|\d{2}-\d{4}|\d{3,4})$")
_DOT_BETWEEN_DIGITS = re.compile(r"(?<=\d)\.(?=\d)")
#: OpenRouter's route variants: the same model, sold differently (never used for own-provider keys).
_VARIANT = re.compile(r":(?:free|beta|extended|nitro|floor|thinking|online|exacto)$")

#: Vendor prefixes as aggregators write them -> our provider names.
VENDOR_PREFIXES: Mapping[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "gemini": "gemini",
    "x-ai": "xai",
    "xai": "xai",
    "mistralai": "mistral",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "deepseek-ai": "deepseek",
    "cohere": "cohere",
}
#: Vendors recognisable from a bare model name (Fireworks and Ollama ids carry no vendor).
_NAME_VENDORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(gpt-|chatgpt-|o[1-9](?:-|$)|text-embedding-|whisper-|tts-|dall-e-)"), "openai"),
    (re.compile(r"^claude-"), "anthropic"),
    (re.compile(r"^gemini-"), "gemini"),
    (re.compile(r"^grok-"), "xai"),
    (
        re.compile(r"^(mistral-|codestral|pixtral|magistral|devstral|ministral|voxtral|open-mi)"),
        "mistral",
    ),
    (re.compile(r"^deepseek-"), "deepseek"),
    (re.compile(r"^(command-|c4ai-)"), "cohere"),
)


def _strip_paths(model_id: str) -> tuple[str | None, str]:
    """``(vendor prefix or None, bare name)``, lowercased, with path prefixes removed."""
    s = model_id.strip().lower()
    if s.startswith("models/"):
        s = s[7:]
    s = _ACCOUNT_PATH.sub("", s)
    if "/" in s:
        head, _, s = s.rpartition("/")
        return head.rsplit("/", 1)[-1] or None, s
    return None, s


@lru_cache(maxsize=65536)
def split_id(model_id: str) -> tuple[str | None, str, Kind]:
    """``(vendor, base, kind)``: the loose form of an id used after exact matching fails.

    ``kind`` says which suffix was removed: ``dated`` (a snapshot), ``latest`` (a moving alias) or
    ``plain`` (none). Dots between digits become dashes and Ollama's ``:tag`` becomes ``-tag``,
    so ``claude-sonnet-4.5``, ``claude-sonnet-4-5`` and ``gpt-oss:20b``/``gpt-oss-20b`` meet.
    """
    vendor, s = _strip_paths(model_id)
    kind: Kind = "plain"
    latest = _LATEST.search(s)
    if latest and latest.start() > 0:
        s, kind = s[: latest.start()], "latest"
    else:
        dated = _DATED.search(s)
        if dated and dated.start() > 0:
            s, kind = s[: dated.start()], "dated"
    s = _DOT_BETWEEN_DIGITS.sub("-", s.replace(":", "-"))
    return vendor, s, kind


def derive_vendor(model_id: str) -> str | None:
    """The provider whose own facts describe ``model_id`` as an aggregator writes it, if clear.

    A known vendor prefix decides (``x-ai/grok-4`` -> ``xai``); an unknown one (``meta-llama/``)
    means *not one of ours*. Without a prefix the name itself may say (``gpt-oss-120b``).
    """
    vendor, name = _strip_paths(model_id)
    if vendor is not None:
        return VENDOR_PREFIXES.get(vendor)
    for pattern, provider in _NAME_VENDORS:
        if pattern.match(name):
            return provider
    return None


#: Bedrock's ids: ``[geography.]vendor.name[-vN][:M]``, e.g. ``us.anthropic.claude-sonnet-4-5-20250929-v1:0``.
_BEDROCK_GEOGRAPHIES = frozenset({"us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"})
#: Bedrock's own version suffix (``-v1:0``, ``-v1``, ``-v2:0``; gpt-oss writes ``-1:0``).
_BEDROCK_VERSION = re.compile(r"(?:-v\d+(?::\d+)?|-\d+:\d+)$")


def bedrock_vendor_id(model_id: str) -> str | None:
    """The vendor's own spelling of a Bedrock id, as ``vendor/name``, or ``None``.

    ``us.anthropic.claude-sonnet-4-5-20250929-v1:0`` -> ``anthropic/claude-sonnet-4-5-20250929``:
    the cross-region prefix, then the vendor, then Bedrock's ``-v1:0`` version go. An id with a
    provisioned-throughput variant after the version (``...-v1:0:200k``, ``:mm``) is a different
    context window, so it finds no vendor facts at all.
    """
    parts = model_id.strip().lower().split(".")
    if len(parts) > 2 and parts[0] in _BEDROCK_GEOGRAPHIES:
        parts = parts[1:]
    if len(parts) < 2:
        return None
    vendor, name = parts[0], ".".join(parts[1:])
    if name.count(":") > 1 or re.search(r":[a-z]", name):
        return None  # a variant such as ":0:200k" or ":mm"
    stripped = _BEDROCK_VERSION.sub("", name)
    if ":" in stripped or not stripped:
        return None
    return f"{vendor}/{stripped}"


#: How an aggregator that does not write ``vendor/name`` spells a vendor's model.
_VENDOR_FORMS = {"bedrock": bedrock_vendor_id}


def _vendor_of(prefix: str | None) -> str | None:
    return None if prefix is None else VENDOR_PREFIXES.get(prefix, prefix)


class _Ambiguous:
    """Marks a loose key that two different entries share: it matches neither (both are kept
    so that the refusal can name them)."""

    __slots__ = ("entries",)

    def __init__(self, *entries: Facts) -> None:
        self.entries: list[Facts] = list(entries)

    def with_entry(self, facts: Facts) -> _Ambiguous:
        if all(e is not facts for e in self.entries):
            self.entries.append(facts)
        return self


#: A loose key's holder: the entry, the vendor prefix it was written with, and whether the entry
#: stands for the model across snapshots.
_Slot: TypeAlias = "tuple[Facts, str | None, bool] | _Ambiguous"


class _ProviderIndex:
    """Dict indices over one provider's entries, one per matching level."""

    __slots__ = ("dated", "exact", "latest", "lower", "plain")

    def __init__(self) -> None:
        self.exact: dict[str, Facts] = {}
        self.lower: dict[str, Facts | _Ambiguous] = {}
        self.plain: dict[str, _Slot] = {}
        self.latest: dict[str, _Slot] = {}
        self.dated: dict[str, _Slot] = {}

    def add(self, facts: Facts) -> list[str]:
        """Index ``facts`` under its id and aliases; return keys already taken by another entry."""
        clashes: list[str] = []
        # An entry whose own id is undated stands for the model across snapshots (``gpt-4o``);
        # one whose id is a snapshot (``claude-sonnet-4-5-20250929``) is that snapshot only, even
        # under an undated alias, so another snapshot's date must not land on it.
        family = split_id(facts.id)[2] != "dated"
        for key in (facts.id, *facts.aliases):
            held = self.exact.get(key)
            if held is not None and held is not facts:
                clashes.append(key)
                continue
            self.exact[key] = facts
            _put(self.lower, key.lower(), facts)
            vendor, base, kind = split_id(key)
            table = (
                self.plain if kind == "plain" else self.latest if kind == "latest" else self.dated
            )
            slot = table.get(base)
            if slot is None:
                table[base] = (facts, _vendor_of(vendor), family)
            elif isinstance(slot, _Ambiguous):
                slot.with_entry(facts)
            elif slot[0] is not facts:
                table[base] = _Ambiguous(slot[0], facts)
        return clashes

    def find(self, candidates: Sequence[str]) -> tuple[Facts, bool] | None:
        """The entry for the first candidate that matches, and whether it matched exactly."""
        candidates = _snapshot_spellings(candidates)
        for c in candidates:
            hit = self.exact.get(c)
            if hit is not None:
                return hit, True
        for c in candidates:
            lowered = self.lower.get(c.lower())
            if isinstance(lowered, Facts):
                return lowered, True
        for c in candidates:
            vendor, base, kind = split_id(c)
            wanted = _vendor_of(vendor)
            # A snapshot matches only an undated family entry, and only while the catalog knows
            # no snapshot of that family (then an unknown date is an unknown snapshot); never a
            # differently dated snapshot nor a moving "-latest" alias (which may point to a newer
            # model by now). A moving
            # alias is never pinned to a snapshot either: Mistral's ``ministral-8b-latest`` is
            # not ``ministral-8b-2410`` once a newer Ministral exists.
            # A bare name never finds a moving "-latest" entry either: ``gemini-pro`` (Gemini
            # 1.0) is not ``gemini-pro-latest`` (whatever Pro is newest now).
            tables = self._tables(kind)
            if kind == "plain" and base not in self.plain and self.ambiguous_dated(base):
                continue  # a bare name several snapshots share: no moving alias decides for it
            if kind == "dated" and base in self.dated:
                continue  # the catalog knows this family's snapshots, and this is not one
            for table in tables:
                slot = table.get(base)
                if slot is None:
                    continue
                if isinstance(slot, _Ambiguous):
                    break  # the loose spelling is shared: refuse rather than guess
                facts, held_vendor, family = slot
                if wanted is not None and held_vendor is not None and wanted != held_vendor:
                    break
                if kind == "dated" and not family:
                    break
                return facts, False
        return None

    def _tables(self, kind: Kind) -> tuple[dict[str, _Slot], ...]:
        """Where a loose spelling of this kind may be found, in order: a snapshot only among
        undated names, a ``-latest`` among moving aliases then undated names, an undated name
        among undated names then snapshots."""
        if kind == "dated":
            return (self.plain,)
        if kind == "latest":
            return (self.latest, self.plain)
        return (self.plain, self.dated)

    def ambiguous_dated(self, base: str) -> bool:
        return isinstance(self.dated.get(base), _Ambiguous)

    def candidates(self, candidates: Sequence[str]) -> list[Facts]:
        """The entries a loose spelling is shared by, when :meth:`find` refuses it."""
        for c in candidates:
            held = self.lower.get(c.lower())
            if isinstance(held, _Ambiguous):
                return held.entries
            _, base, kind = split_id(c)
            tables = self._tables(kind)
            for table in tables:
                slot = table.get(base)
                if isinstance(slot, _Ambiguous):
                    return slot.entries
                if slot is not None:
                    break
        return []


def _snapshot_spellings(candidates: Sequence[str]) -> Sequence[str]:
    """The candidates, then each with Vertex's ``@`` version separator written as a dash:
    ``claude-sonnet-4-5@20250929`` on Vertex is Anthropic's ``claude-sonnet-4-5-20250929``, the
    same snapshot, so it matches that entry exactly rather than not at all."""
    if not any("@" in c for c in candidates):
        return candidates
    return [*candidates, *(c.replace("@", "-") for c in candidates if "@" in c)]


def _put(table: dict[str, Facts | _Ambiguous], key: str, facts: Facts) -> None:
    held = table.get(key)
    if held is None:
        table[key] = facts
    elif isinstance(held, _Ambiguous):
        held.with_entry(facts)
    elif held is not facts:
        table[key] = _Ambiguous(held, facts)


class FactsIndex:
    """Many :class:`Facts`, indexed for lookups by provider and (loosely spelled) model id.

    ``origin`` names the catalog, ``checked`` the date its data was checked or fetched, and
    ``stale`` marks a cached copy served after a failed refresh.
    """

    def __init__(
        self,
        facts: Iterable[Facts],
        *,
        origin: str = "",
        checked: str | None = None,
        fetched_at: str | None = None,
        stale: bool = False,
    ) -> None:
        self.facts: tuple[Facts, ...] = tuple(facts)
        self.origin = origin
        self.checked = checked
        self.fetched_at = fetched_at
        self.stale = stale
        #: ``provider/key`` pairs that two entries both claimed (the first one keeps them).
        self.conflicts: list[str] = []
        self._by_provider: dict[str, _ProviderIndex] = {}
        for f in self.facts:
            index = self._by_provider.setdefault(f.provider.lower(), _ProviderIndex())
            self.conflicts.extend(f"{f.provider}/{k}" for k in index.add(f))
        self._memo: dict[tuple[str, str, tuple[str, ...]], tuple[Facts, bool] | None] = {}
        #: ``(provider, id) -> {field: provenance as stored}`` (see :meth:`provenance`).
        self._raw_provenance: dict[tuple[str, str], dict[str, Any]] = {}
        #: ``(provider, id) -> prompt limit`` where a catalog gives one apart from the context
        #: window (models.dev's ``limit.input``): reconciling needs it to read LiteLLM's
        #: ``max_input_tokens`` right (``modelsync.reconcile``).
        self.input_limits: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        return len(self.facts)

    def __iter__(self) -> Iterator[Facts]:
        return iter(self.facts)

    def __repr__(self) -> str:
        stale = ", stale" if self.stale else ""
        return f"FactsIndex({self.origin or 'facts'}: {len(self.facts)} models{stale})"

    def providers(self) -> list[str]:
        return sorted(self._by_provider)

    def for_provider(self, provider: str) -> list[Facts]:
        wanted = provider.lower()
        return [f for f in self.facts if f.provider.lower() == wanted]

    def ambiguous(self, provider: str, model_id: str) -> list[str]:
        """The ids a spelling could mean when :meth:`lookup` refuses it as ambiguous (a bare
        family name that several snapshots share, such as Mistral's ``devstral-small``), sorted;
        empty when it is not ambiguous (found, or unknown)."""
        if self.match(provider, model_id) is not None:
            return []
        own = self._by_provider.get(provider.lower())
        if own is None:
            return []
        return sorted(f.id for f in own.candidates((model_id,)))

    def provenance(self, facts: Facts) -> dict[str, Provenance]:
        """Per-field provenance of an entry. The bundled catalog keeps it as read from the file
        and validates it only when asked (``show``): it would double the catalog's load time."""
        if facts.provenance:
            return facts.provenance
        raw = self._raw_provenance.get((facts.provider, facts.id))
        if not raw:
            return {}
        return {name: Provenance.model_validate(value) for name, value in raw.items()}

    def lookup(self, provider: str, model_id: str, aliases: Sequence[str] = ()) -> Facts | None:
        """The facts for ``model_id`` as ``provider`` lists it, or ``None``.

        ``provider`` is the provider *type* (``openai``, ``openrouter``...), not an instance name.
        Exact id or alias first, then case-insensitive, then the loose forms of :func:`split_id`.
        For an aggregator without its own entry, the vendor's entry is returned borrowed (no
        pricing, no lifecycle).
        """
        found = self.match(provider, model_id, aliases)
        return None if found is None else found[0]

    def match(
        self, provider: str, model_id: str, aliases: Sequence[str] = ()
    ) -> tuple[Facts, bool] | None:
        """Like :meth:`lookup`, plus whether an id or alias matched *exactly* (ignoring case).

        A loose match (``gpt-4o-2024-05-13`` found as ``gpt-4o``) may describe a sibling snapshot
        with another price, so a caller holding an exact match from another catalog prefers it.
        """
        key = (provider, model_id, tuple(aliases))
        try:
            return self._memo[key]
        except KeyError:
            pass
        found = self._match(provider.lower(), (model_id, *aliases))
        if len(self._memo) >= 100_000:
            self._memo.clear()
        self._memo[key] = found
        return found

    def _match(self, provider: str, candidates: tuple[str, ...]) -> tuple[Facts, bool] | None:
        own = self._by_provider.get(provider)
        if own is not None:
            hit = own.find(candidates)
            if hit is not None:
                return hit
        if provider not in AGGREGATORS:
            return None
        vendor_form = _VENDOR_FORMS.get(provider)
        for raw in candidates:
            c = vendor_form(raw) if vendor_form else raw
            if c is None:
                continue
            vendor = derive_vendor(c)
            if vendor is None or vendor == provider:
                continue
            index = self._by_provider.get(vendor)
            if index is None:
                continue
            _, name = _strip_paths(c)
            hit = index.find((_VARIANT.sub("", name),))
            if hit is not None:
                return hit[0].borrowed(), hit[1]
        return None

    # -- persistence (the models.dev cache stores the parsed form) ---------------------------

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "origin": self.origin,
            "checked": self.checked,
            "fetched_at": self.fetched_at,
            "models": [
                f.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                for f in self.facts
            ],
        }
        if self.input_limits:
            out["input_limits"] = [[p, i, n] for (p, i), n in self.input_limits.items()]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, stale: bool = False) -> FactsIndex:
        """Rebuild an index written by :meth:`to_json`; raises ``ValueError`` on a bad shape."""
        models = data.get("models")
        if not isinstance(models, list):
            raise ValueError("facts data has no 'models' list")
        index = cls(
            (Facts.model_validate(m) for m in models),
            origin=str(data.get("origin") or ""),
            checked=data.get("checked"),
            fetched_at=data.get("fetched_at"),
            stale=stale,
        )
        for provider, model_id, limit in data.get("input_limits") or ():
            index.input_limits[(str(provider), str(model_id))] = int(limit)
        return index


# -- the bundled catalog ---------------------------------------------------------------------


class _BundledFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked: date
    source: str = Field(min_length=1)
    #: The pinned inputs the catalog was built from (``tools/catalog/inputs.toml``).
    inputs: dict[str, Any] | None = None
    models: list[dict[str, Any]]


def parse_bundled(data: Any) -> FactsIndex:
    """Validate the bundled catalog's JSON (already decoded) and index it.

    Raises ``pydantic.ValidationError`` naming the entry and field that is wrong, so the schema
    test points at the line to fix. Each entry's ``provenance`` is kept as stored and validated
    on demand by :meth:`FactsIndex.provenance` (``show``), not on every load.
    """
    top = _BundledFile.model_validate(data)
    checked = top.checked.isoformat()
    facts: list[Facts] = []
    provenance: dict[tuple[str, str], dict[str, Any]] = {}
    for stored in top.models:
        raw = stored.get("provenance")
        entry = {k: v for k, v in stored.items() if k != "provenance"} if raw else stored
        f = Facts.model_validate({"as_of": checked, "origin": "bundled", **entry})
        if isinstance(raw, dict):
            provenance[(f.provider, f.id)] = raw
        facts.append(f)
    index = FactsIndex(facts, origin="bundled", checked=checked)
    index._raw_provenance = provenance
    return index


@lru_cache(maxsize=1)
def load_bundled() -> FactsIndex:
    """The catalog shipped in the package, read on first use and then kept."""
    from importlib.resources import files

    text = (files("modelsync") / "data" / "bundled.json").read_text(encoding="utf-8")
    return parse_bundled(json.loads(text))
