"""xAI: ``GET {base}/models`` merged with ``GET {base}/language-models``.

``/models`` says which ids the key can call; ``/language-models`` adds modalities, aliases and prices
(integer USD cents per 100M tokens, so 30000 is $3.00 per 1M). Both are fetched concurrently; a
proxy without ``/language-models`` (404) still yields the plain list, logged as such.
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


def usd_per_million(cents_per_100m: int | None) -> Decimal | None:
    """xAI's integer cents per 100M tokens to USD per 1M tokens, exactly."""
    if cents_per_100m is None or cents_per_100m < 0:
        return None
    return Decimal(cents_per_100m) / _CENTS_PER_100M_TO_USD_PER_1M


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
                cached_input=usd_per_million(d.cached_prompt_text_token_price),
                source="api",
            )
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
            aliases=tuple(d.aliases) if d else (),
        )
