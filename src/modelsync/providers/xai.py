"""xAI: ``GET {base}/models`` merged with ``GET {base}/language-models``.

``/models`` says which ids the key can call; ``/language-models`` adds modalities, aliases and prices
(integer USD cents per 100M tokens, so 30000 is $3.00 per 1M). Both are fetched concurrently; a
proxy without ``/language-models`` (404) still yields the plain list, logged as such.

What the numbers mean:

- One unit of every xAI price is 1/100 of a cent per 1M tokens, i.e. USD 1e-10 per token.
  Token prices become USD per 1M (``/ 10_000``). ``image_price`` (per generated image) and
  ``search_price`` (per live-search source) are in the same unit but per item, so they become
  USD each (``/ 10_000_000_000``): 250000000 is $0.025 per source, xAI's published $25 per 1K.
- ``cached_prompt_text_token_price: 0`` appears on models without prompt caching (real
  ``grok-2-1212`` / ``grok-beta`` entries): it means "no cached price", not free cache reads, so
  it is stored as unknown. A zero input or output price stays a (free) zero.
- ``context_length`` (on ``/models`` entries in xAI's 2026 docs, and accepted on
  ``/language-models`` too) is the context window. Older answers lack it: then it is unknown.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from ..errors import EndpointNotFoundError
from ..http import HttpClient
from ..model import Model, ModelPreview, Pricing
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import family
from .base import Adapter, ProviderSpec, Wire, from_unix, gather_or_fail
from .naming import display_name

log = logging.getLogger("modelsync")


class _Plain(Wire):
    id: str
    created: int | None = None
    owned_by: str | None = None
    context_length: int | None = None
    image_price: int | None = None


class _PlainList(Wire):
    data: list[_Plain]


class _Lang(Wire):
    id: str
    created: int | None = None
    owned_by: str | None = None
    version: str | None = None
    input_modalities: list[str] = []
    output_modalities: list[str] = []
    prompt_text_token_price: int | None = None
    cached_prompt_text_token_price: int | None = None
    prompt_image_token_price: int | None = None
    completion_text_token_price: int | None = None
    search_price: int | None = None
    image_price: int | None = None
    context_length: int | None = None
    aliases: list[str] = []


class _LangList(Wire):
    models: list[_Lang]


RULES = (
    rule(r"^grok", chat=True, streaming=True, function_calling=True, json_mode=True),
    rule(r"^grok-(4|3-mini|code)|reasoning", reasoning=True),
    rule(r"non-reasoning", reasoning=False),
    rule(r"vision", vision=True),
    rule(
        r"^grok-(2-image|imagine)|image-gen",
        image_generation=True,
        chat=False,
        function_calling=False,
        json_mode=False,
        streaming=False,
    ),
)

FAMILIES = (family("grok_models", r"grok"),)

_CENTS_PER_100M_TO_USD_PER_1M = Decimal(10000)
_UNITS_PER_USD = Decimal(10_000_000_000)


def usd_per_million(cents_per_100m: int | None) -> Decimal | None:
    """xAI's integer cents per 100M tokens to USD per 1M tokens, exactly."""
    if cents_per_100m is None or cents_per_100m < 0:
        return None
    return Decimal(cents_per_100m) / _CENTS_PER_100M_TO_USD_PER_1M


def usd_each(units: int | None) -> Decimal | None:
    """A per-item price in xAI's unit (USD 1e-10) as USD; zero or absent is no price."""
    if units is None or units <= 0:
        return None
    return (Decimal(units) / _UNITS_PER_USD).normalize()


def _cached(units: int | None) -> Decimal | None:
    """A cached-input price; 0 is how xAI says a model has none (not free cache reads)."""
    return None if not units else usd_per_million(units)


def _positive(value: int | None) -> int | None:
    return value if value is not None and value > 0 else None


class XAIAdapter(Adapter):
    spec = ProviderSpec(
        name="xai",
        title="xAI",
        key_envs=("XAI_API_KEY",),
        base_url_env="XAI_BASE_URL",
        default_base_url="https://api.x.ai/v1",
    )
    families = FAMILIES
    capability_rules = RULES

    async def _plain(self, http: HttpClient) -> list[_Plain]:
        payload = await self.get_page(http)
        return self.parse(_PlainList, payload).data

    async def _detailed(self, http: HttpClient) -> list[_Lang] | None:
        try:
            payload = await http.get_json(self.url("language-models"), headers=self.auth_headers())
        except EndpointNotFoundError:
            log.warning(
                "xai: %s has no /language-models; prices and modalities unknown",
                self.config.base_url,
            )
            return None
        http.counters.pages += 1
        return self.parse(_LangList, payload, "language-model list").models

    async def fetch(self, http: HttpClient) -> list[Model]:
        plain, detailed = await gather_or_fail(self._plain(http), self._detailed(http))
        details = {d.id: d for d in detailed or ()}
        return [self.normalize(p, details.get(p.id)) for p in plain]

    async def preview(self, http: HttpClient) -> list[ModelPreview]:
        return [
            ModelPreview(
                id=p.id, name=display_name(p.id), owned_by=p.owned_by or "xai", created=p.created
            )
            for p in await self._plain(http)
        ]

    def normalize(self, p: _Plain, d: _Lang | None) -> Model:
        stated = {}
        pricing = None
        if d is not None:
            stated = api_caps(
                vision="image" in d.input_modalities,
                image_generation="image" in d.output_modalities or None,
            )
            pricing = Pricing(
                input=usd_per_million(d.prompt_text_token_price),
                output=usd_per_million(d.completion_text_token_price),
                cached_input=_cached(d.cached_prompt_text_token_price),
                per_image=usd_each(d.image_price if d.image_price is not None else p.image_price),
                per_web_search=usd_each(d.search_price),
                source="api",
            )
        elif p.image_price:
            pricing = Pricing(per_image=usd_each(p.image_price), source="api")
        return Model(
            provider=self.name,
            id=p.id,
            name=display_name(p.id),
            owned_by=p.owned_by or "xai",
            created=from_unix(p.created),
            version=d.version if d else None,
            capabilities=merge_capabilities(stated, capabilities_from_rules(p.id, RULES)),
            input_modalities=tuple(d.input_modalities) if d else (),
            output_modalities=tuple(d.output_modalities) if d else (),
            pricing=pricing,
            context_window=_positive(p.context_length)
            or _positive(d.context_length if d else None),
            aliases=tuple(d.aliases) if d else (),
        )
