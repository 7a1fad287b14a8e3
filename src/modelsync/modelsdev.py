"""models.dev (``https://models.dev/api.json``) as an optional, cached metadata source.

models.dev is community-curated and updated daily, so it knows models the bundled catalog has not
caught up with. It is treated like a provider: fetched with the same HTTP client (retries,
timeouts, HTML/invalid-JSON detection), cached in the store with its own TTL, and a failure is
recorded as ``{prefix}:modelsdev:last_failure`` while the last good copy keeps being served (marked
stale). One setting turns it off entirely; nothing is fetched at import or on a read-only path.

What is kept: only the providers modelsync has adapters for (:data:`PROVIDER_MAP`), mapped to our
provider names. ``ollama-cloud`` (the only Ollama folder) describes the same open-weight models a
local Ollama runs, so its facts are kept for ``ollama`` but its prices are dropped: a local model
costs nothing per token, and cloud subscription prices are not what a local Ollama charges.

How fields map (everything is ``source="catalog"`` once merged):

- ``tool_call`` -> function_calling, ``reasoning`` -> reasoning, ``structured_output`` (when present)
  -> structured_output. Each is a stated fact, true or false.
- ``modalities.input``: ``image`` -> vision and ``audio`` -> audio_input, both ways (the list is a
  required, complete field); ``pdf`` -> pdf_input only when present, because PDF support is recorded
  unevenly there. ``attachment: false`` says no file input at all, so pdf_input false.
  ``modalities.output``: ``image`` -> image_generation both ways; ``audio`` -> speech when present.
- ``limit.context`` / ``limit.output`` -> context window / max output tokens; ``limit.input``
  (the prompt limit, when the provider sets one apart from the window) is kept beside the facts
  in ``FactsIndex.input_limits``, for reconciling LiteLLM's ``max_input_tokens``.
- ``knowledge`` / ``release_date`` as given; ``alpha``/``beta`` -> preview.
- ``status: deprecated`` is a trap: models.dev sets it only once the provider's public API no
  longer serves the model, i.e. after the shutdown date (models.dev issue #1955; its schema:
  "the provider's public API no longer serves the model"), so it can mean *retired*, not
  *announced*. It carries no date, so it becomes lifecycle ``deprecated`` without any date:
  the facts are merged only into models the provider's own list still returns (which then
  evidently still answer), and a date is never invented from it. A shutdown date comes from the
  provider's API or the bundled catalog, never from this flag.
- ``cost`` is already USD per 1M tokens; ``cache_read`` -> cached_input, ``input_audio`` /
  ``output_audio`` -> audio prices. Numbers are turned into exact decimals from their shortest
  JSON spelling (``0.075`` stays ``0.075``). ``tiers`` (or the older ``context_over_200k``)
  become context tiers (input, output and cache prices).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .config import MODELSDEV_URL
from .errors import MalformedResponseError
from .facts import MODALITIES, Facts, FactsIndex
from .live import _IndexSource
from .vocab import TIER_PRICE_FIELDS

if TYPE_CHECKING:
    from .http import HttpClient

__all__ = [
    "DEFAULT_URL",
    "PROVIDER_MAP",
    "ModelsDevSource",
    "fetch_modelsdev",
    "model_facts",
    "parse_modelsdev",
]

log = logging.getLogger("modelsync")

DEFAULT_URL = MODELSDEV_URL
PROVIDER = "models.dev"

#: models.dev provider id (its folder name) -> our provider name.
PROVIDER_MAP: Mapping[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "xai": "xai",
    "mistral": "mistral",
    "groq": "groq",
    "deepseek": "deepseek",
    "openrouter": "openrouter",
    "togetherai": "together",
    "cohere": "cohere",
    "fireworks-ai": "fireworks",
    "ollama-cloud": "ollama",
    "google-vertex": "vertex",  # Vertex's own prices for Gemini and partner models
    "amazon-bedrock": "bedrock",  # Bedrock's own prices for Bedrock ids
}
#: Our providers whose models.dev prices are not the price of what the user runs.
_PRICES_DROPPED = frozenset({"ollama"})
_PRICE_FIELDS = {
    "input": "input",
    "output": "output",
    "cache_read": "cached_input",
    "cache_write": "cache_write",
    "reasoning": "reasoning",
    "input_audio": "audio_input",
    "output_audio": "audio_output",
}
#: What a context tier may carry (``model.PriceTier``).
_TIER_FIELDS = frozenset(TIER_PRICE_FIELDS)


# -- parsing ---------------------------------------------------------------------------------


def _price(value: Any) -> Decimal | None:
    """A JSON number (or a TOML decimal) as an exact decimal of its shortest spelling; ``None``
    if not a price."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() and d >= 0 else None


def _prices(cost: Mapping[str, Any], *, tier: bool = False) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for theirs, ours in _PRICE_FIELDS.items():
        if tier and ours not in _TIER_FIELDS:
            continue
        d = _price(cost.get(theirs))
        if d is not None:
            out[ours] = d
    return out


def _tier_size(tier: Mapping[str, Any]) -> int | None:
    """``tier: {type: "context", size: N}`` in api.json; ``context: {min: N}`` in the TOML."""
    spec = tier.get("tier")
    size = spec.get("size") if isinstance(spec, Mapping) else None
    if size is None:
        context = tier.get("context")
        size = context.get("min") if isinstance(context, Mapping) else None
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        return size
    return None


def _pricing(cost: Any) -> dict[str, Any] | None:
    if not isinstance(cost, Mapping):
        return None
    base: dict[str, Any] = dict(_prices(cost))
    if not base:
        return None
    tiers: list[dict[str, Any]] = []
    raw_tiers = cost.get("tiers")
    if isinstance(raw_tiers, list):
        for tier in raw_tiers:
            if not isinstance(tier, Mapping):
                continue
            size = _tier_size(tier)
            prices = _prices(tier, tier=True)
            if size is not None and prices:
                tiers.append({"above_tokens": size, **prices})
    elif isinstance(cost.get("context_over_200k"), Mapping):
        prices = _prices(cost["context_over_200k"], tier=True)
        if prices:
            tiers.append({"above_tokens": 200_000, **prices})
    if tiers:
        base["tiers"] = sorted(tiers, key=lambda t: int(t["above_tokens"]))
    return base


def _bool(entry: Mapping[str, Any], key: str) -> bool | None:
    value = entry.get(key)
    return value if isinstance(value, bool) else None


def _modalities(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    kept = tuple(m for m in value if isinstance(m, str) and m in MODALITIES)
    return kept or None


def _positive(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _capabilities(entry: Mapping[str, Any], inputs: Any, outputs: Any) -> dict[str, bool]:
    caps: dict[str, bool] = {}
    for theirs, ours in (
        ("tool_call", "function_calling"),
        ("reasoning", "reasoning"),
        ("structured_output", "structured_output"),
    ):
        flag = _bool(entry, theirs)
        if flag is not None:
            caps[ours] = flag
    if isinstance(inputs, list):
        caps["vision"] = "image" in inputs
        caps["audio_input"] = "audio" in inputs
        if "pdf" in inputs:
            caps["pdf_input"] = True
    if _bool(entry, "attachment") is False:
        caps["pdf_input"] = False
    if isinstance(outputs, list):
        caps["image_generation"] = "image" in outputs
        if "audio" in outputs:
            caps["speech"] = True
    return caps


def _date(value: Any) -> str | None:
    if isinstance(value, str) and len(value) in (7, 10) and value[:4].isdigit():
        return value
    return None


def _facts(provider: str, model_id: str, entry: Mapping[str, Any], as_of: str) -> Facts:
    modalities = entry.get("modalities")
    inputs = modalities.get("input") if isinstance(modalities, Mapping) else None
    outputs = modalities.get("output") if isinstance(modalities, Mapping) else None
    limit = entry.get("limit")
    name = entry.get("name")
    if not isinstance(limit, Mapping) or not isinstance(name, str) or not name:
        raise ValueError("a model needs a name and a limit table")  # both required upstream
    status = entry.get("status")
    lifecycle = (
        "deprecated"
        if status == "deprecated"
        else "preview"
        if status in ("alpha", "beta")
        else None
    )
    data: dict[str, Any] = {
        "provider": provider,
        "id": model_id,
        "name": name,
        "capabilities": _capabilities(entry, inputs, outputs),
        "input_modalities": _modalities(inputs),
        "output_modalities": _modalities(outputs),
        "context_window": _positive(limit.get("context")),
        "max_output_tokens": _positive(limit.get("output")),
        "knowledge_cutoff": _date(entry.get("knowledge")),
        "release_date": _date(entry.get("release_date")),
        "lifecycle": lifecycle,
        "pricing": None if provider in _PRICES_DROPPED else _pricing(entry.get("cost")),
        "as_of": as_of,
        "origin": "models.dev",
    }
    return Facts.model_validate(data)


def model_facts(provider: str, model_id: str, entry: Mapping[str, Any], as_of: str) -> Facts:
    """One model entry (api.json's object, or the TOML table it is generated from) as facts of
    our ``provider``; raises ``ValueError`` when the entry lacks its required name or limits."""
    return _facts(provider, model_id, entry, as_of)


def parse_modelsdev(payload: Any, *, as_of: str | None = None) -> FactsIndex:
    """Turn a decoded ``api.json`` into facts for the providers we know.

    A model entry that does not fit is skipped (and logged), because one odd row in a 5,000-row
    community file must not cost the rest. A payload that is not a provider map, or has no usable
    model for any provider we know, is malformed: keeping the last good copy beats an empty one.
    """
    if not isinstance(payload, Mapping):
        raise MalformedResponseError(
            f"api.json is a JSON {type(payload).__name__}, not a map of providers",
            provider=PROVIDER,
        )
    day = as_of or datetime.now(UTC).date().isoformat()
    facts: list[Facts] = []
    input_limits: dict[tuple[str, str], int] = {}
    skipped = 0
    for theirs, ours in PROVIDER_MAP.items():
        block = payload.get(theirs)
        if not isinstance(block, Mapping):
            continue
        models = block.get("models")
        if not isinstance(models, Mapping):
            continue
        for model_id, entry in models.items():
            if not isinstance(model_id, str) or not model_id or not isinstance(entry, Mapping):
                skipped += 1
                continue
            try:
                facts.append(_facts(ours, model_id, entry, day))
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                skipped += 1
                log.debug("models.dev: skipped %s/%s (%s)", theirs, model_id, exc)
                continue
            prompt = _positive(entry["limit"].get("input"))
            if prompt is not None:
                input_limits[(ours, model_id)] = prompt
    if skipped:
        log.info("models.dev: skipped %d malformed model entries", skipped)
    if not facts:
        raise MalformedResponseError(
            "api.json has no usable model for any known provider", provider=PROVIDER
        )
    index = FactsIndex(facts, origin="models.dev", checked=day)
    index.input_limits = input_limits
    return index


async def fetch_modelsdev(http: HttpClient, url: str = DEFAULT_URL) -> FactsIndex:
    """GET ``url`` with an open :class:`~modelsync.http.HttpClient` and parse it."""
    payload = await http.get_json(url)
    http.counters.pages += 1
    index = parse_modelsdev(payload)
    index.fetched_at = datetime.now(UTC).isoformat()
    return index


# -- the cached source -----------------------------------------------------------------------


class ModelsDevSource(_IndexSource):
    """models.dev fetched at most once per TTL, cached in the store, failure recorded.

    Settings read (each may be overridden by the keyword of the same meaning, which tests use):
    ``modelsdev_enabled`` (default false), ``modelsdev_url`` (default :data:`DEFAULT_URL`),
    ``modelsdev_ttl_hours`` (default 24), plus ``timeout``, ``failure_ttl_hours`` and the HTTP
    knobs every provider uses. The machinery is :class:`~modelsync.live.LiveSource`'s.
    """

    name = PROVIDER
    setting = "modelsdev"
    default_url = DEFAULT_URL
    document = "api.json"

    @property
    def namespace(self) -> str:
        return f"{self.prefix}:modelsdev:"  # the keys it had before the other live sources

    def parse(self, payload: Any) -> tuple[dict[str, Any], FactsIndex]:
        index = parse_modelsdev(payload)
        return index.to_json(), index
