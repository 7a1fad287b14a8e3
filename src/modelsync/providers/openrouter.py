"""OpenRouter: ``GET {base}/models?output_modalities=all`` (base ``https://openrouter.ai/api/v1``).

What is special, and what the adapter does about it:

- **The list is public.** A key is optional (``key_required=False``); when one is set it is sent,
  and a wrong one is refused (401 "User not found."). ``auto_sync`` stays ``"key"``: a plain sync
  should include OpenRouter only when its key is set or it is named.
- **The default list is text-output models only.** Without ``output_modalities=all`` image
  generators and embedding models are silently missing, so the adapter always asks for ``all``.
- **Prices are strings in USD per token**; each is converted to USD per 1M tokens exactly with
  ``Decimal`` (``"0.0000025"`` -> ``2.5``). ``"-1"`` (any negative) means the price depends on
  where the request is routed (``openrouter/auto``): ``Pricing(state="dynamic")`` with no numbers,
  never a negative price. ``"0"`` is free, a known zero. A price that is not a finite decimal
  number makes the answer malformed rather than quietly wrong. The keys follow OpenRouter's
  documented ``Pricing`` object (openrouter.ai/docs/client-sdks/python/components/pricing):
  ``prompt``/``completion``/``input_cache_read``/``input_cache_write``/``internal_reasoning``/
  ``audio``/``audio_output`` are per token (kept per 1M); ``request`` (per request), ``image``
  (per input image) and ``web_search`` (per search) are per unit and kept as they are.
  ``overrides`` (conditional prices, seen as ``{"min_prompt_tokens": 200000, "prompt": ...}`` on
  Claude Sonnet 4 in a real list) become context tiers (``PriceTier.above_tokens`` =
  ``min_prompt_tokens``). Keys without a place in ``Pricing`` (``input_cache_write_1h``,
  ``image_output``, ``image_token``, ``input_audio_cache``, ``discount``) are not stored.
- ``supported_parameters`` lists what the model accepts, so it is an API fact both ways: ``tools``
  -> function calling, ``response_format`` -> JSON mode, ``structured_outputs`` -> structured
  output, ``reasoning``/``include_reasoning`` -> reasoning, ``web_search_options`` -> web search.
  ``architecture`` modalities give vision, audio and PDF input, image and audio output, and
  embeddings. ``top_provider.is_moderated`` says whether OpenRouter filters the model's input.
- ``context_length`` (else ``top_provider.context_length``) and
  ``top_provider.max_completion_tokens`` give the limits. ``expiration_date`` ("The date after
  which the model may be removed. ISO 8601 date string (YYYY-MM-DD) or null if no expiration",
  openrouter.ai/docs/client-sdks/go/api-reference/models/model) is the shutdown date, read as
  the start of that day UTC (a day early rather than late), and makes the model ``deprecated``.
  ``canonical_slug`` (the dated, permanent id) is recorded as an alias when it differs from
  ``id``. ``knowledge_cutoff`` is kept as the model's cutoff.
- ``owned_by`` is the vendor prefix of the id (``x-ai/grok-4`` -> ``x-ai``); statistics break
  the catalog down ``by_vendor`` the same way. A leading ``~`` marks OpenRouter's moving aliases
  (``~anthropic/claude-sonnet-latest``); it is not part of the vendor.
- The classic endpoint answers everything at once. Newer SDK types show ``links.next`` with
  ``offset``/``limit``; if an answer ever carries one, the pages are followed (with the same
  filter) rather than cut short.
"""

from __future__ import annotations

from decimal import Decimal, DecimalException
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..http import HttpClient
from ..model import Model, Pricing
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import breakdown
from .base import Adapter, ProviderSpec, Wire, from_iso, from_unix


class _Arch(Wire):
    modality: str | None = None
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None


class _Override(Wire):
    min_prompt_tokens: int | None = None
    prompt: str | None = None
    completion: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None


class _Prices(Wire):
    prompt: str | None = None
    completion: str | None = None
    request: str | None = None
    image: str | None = None
    web_search: str | None = None
    internal_reasoning: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    audio: str | None = None
    audio_output: str | None = None
    overrides: list[_Override] | None = None


class _Top(Wire):
    context_length: int | None = None
    max_completion_tokens: int | None = None
    is_moderated: bool | None = None


class _Entry(Wire):
    id: str
    canonical_slug: str | None = None
    name: str | None = None
    created: int | None = None
    description: str | None = None
    context_length: int | None = None
    architecture: _Arch | None = None
    pricing: _Prices | None = None
    top_provider: _Top | None = None
    supported_parameters: list[str] | None = None
    expiration_date: str | None = None
    knowledge_cutoff: str | None = None


class _Links(Wire):
    next: str | None = None


class _List(Wire):
    data: list[_Entry]
    links: _Links | None = None


RULES = (
    rule(r"embed", embeddings=True, chat=False, function_calling=False),
    rule(r"^openrouter/auto", chat=True),
)

# ``~anthropic/claude-sonnet-latest`` is OpenRouter's moving alias of an Anthropic model: the
# vendor is what follows the tilde.
BREAKDOWNS = (breakdown("by_vendor", "id", r"^~?([^/]+)/"),)

_PER_MILLION = 6  # decimal places between USD per token and USD per 1M tokens
_ONE = Decimal(1)


class OpenRouterAdapter(Adapter):
    spec = ProviderSpec(
        name="openrouter",
        title="OpenRouter",
        key_envs=("OPENROUTER_API_KEY",),
        base_url_env="OPENROUTER_BASE_URL",
        default_base_url="https://openrouter.ai/api/v1",
        key_required=False,
        auto_sync="key",
        docs_url="https://openrouter.ai/settings/keys",
    )
    breakdowns = BREAKDOWNS
    capability_rules = RULES

    def probe_request(self) -> tuple[str, dict[str, str]]:
        # The model list is public, so it proves nothing about a key; ``/key`` describes the
        # calling key (tiny, authenticated). Without a key, the tiny public count endpoint.
        if self.config.api_key:
            return self.url("key"), {}
        return self.url("models/count"), {}

    async def fetch(self, http: HttpClient) -> list[Model]:
        async def page(cursor: str | None) -> tuple[list[_Entry], str | None]:
            params = {"output_modalities": "all"}
            if cursor:
                params.update(self._cursor_params(cursor))
            payload = await http.get_json(
                self.url("models"), params=params, headers=self.auth_headers()
            )
            parsed = self.parse(_List, payload)
            following = parsed.links.next if parsed.links else None
            return parsed.data, (following or None)

        return [self.normalize(e) for e in await self.paginate(http, page)]

    def _cursor_params(self, link: str) -> dict[str, str]:
        """``offset``/``limit`` from a ``links.next`` URL, re-applied to our own list URL."""
        query = parse_qs(urlsplit(link).query)
        params = {k: query[k][-1] for k in ("offset", "limit") if query.get(k)}
        if "offset" not in params:
            raise self.malformed(f"links.next {link!r} carries no offset to continue from")
        return params

    def _usd(self, model_id: str, field: str, raw: str | None) -> Decimal | None:
        """A USD string as a finite Decimal; a malformed answer if it is not a number."""
        if raw is None or raw.strip() == "":
            return None
        try:
            value = Decimal(raw.strip())
        except DecimalException:
            value = Decimal("NaN")
        if not value.is_finite():
            raise self.malformed(f"model {model_id!r}: price {field}={raw!r} is not a number")
        return value

    def _per_million(self, model_id: str, field: str, raw: str | None) -> Decimal | None:
        value = self._usd(model_id, field, raw)
        if value is None:
            return None
        try:
            scaled = value.scaleb(_PER_MILLION)
            whole = scaled == scaled.to_integral_value()
            return scaled.quantize(_ONE) if whole else scaled.normalize()
        except DecimalException:
            raise self.malformed(
                f"model {model_id!r}: price {field}={raw!r} is out of range"
            ) from None

    def _prices(
        self, model_id: str, fields: dict[str, tuple[str, str | None, bool]]
    ) -> dict[str, Decimal | None]:
        """Our price field -> its value, from (their key, raw string, whether per token)."""
        values: dict[str, Decimal | None] = {}
        for ours, (theirs, raw, per_token) in fields.items():
            if per_token:
                values[ours] = self._per_million(model_id, theirs, raw)
            else:
                values[ours] = self._usd(model_id, theirs, raw)
        return values

    def pricing(self, e: _Entry) -> Pricing | None:
        p = e.pricing
        if p is None:
            return None
        values = self._prices(
            e.id,
            {
                "input": ("prompt", p.prompt, True),
                "output": ("completion", p.completion, True),
                "cached_input": ("input_cache_read", p.input_cache_read, True),
                "cache_write": ("input_cache_write", p.input_cache_write, True),
                "reasoning": ("internal_reasoning", p.internal_reasoning, True),
                "audio_input": ("audio", p.audio, True),
                "audio_output": ("audio_output", p.audio_output, True),
                "per_request": ("request", p.request, False),
                "per_image": ("image", p.image, False),
                "per_web_search": ("web_search", p.web_search, False),
            },
        )
        tiers: list[dict[str, Any]] = []
        for o in p.overrides or ():
            if not o.min_prompt_tokens or o.min_prompt_tokens <= 0:
                continue  # an override keyed on something else: not a context tier
            tier = self._prices(
                e.id,
                {
                    "input": ("overrides.prompt", o.prompt, True),
                    "output": ("overrides.completion", o.completion, True),
                    "cached_input": ("overrides.input_cache_read", o.input_cache_read, True),
                    "cache_write": ("overrides.input_cache_write", o.input_cache_write, True),
                },
            )
            if any(v is not None for v in tier.values()):
                tiers.append({"above_tokens": o.min_prompt_tokens, **tier})
        every = [*values.values(), *(v for t in tiers for k, v in t.items() if k != "above_tokens")]
        if any(isinstance(v, Decimal) and v < 0 for v in every):
            return Pricing(state="dynamic", source="api")
        if all(v is None for v in values.values()) and not tiers:
            return Pricing(state="unknown", source="api")
        tiers.sort(key=lambda t: int(t["above_tokens"]))
        return Pricing.model_validate({"state": "known", "source": "api", **values, "tiers": tiers})

    def normalize(self, e: _Entry) -> Model:
        arch = e.architecture
        inputs = tuple(arch.input_modalities or ()) if arch else ()
        outputs = tuple(arch.output_modalities or ()) if arch else ()
        params = set(e.supported_parameters) if e.supported_parameters is not None else None
        top = e.top_provider

        def param(*names: str) -> bool | None:
            return None if params is None else bool(params.intersection(names))

        embeds = "embeddings" in outputs
        stated = api_caps(
            chat=("text" in outputs) if outputs else None,
            embeddings=embeds if outputs else None,
            image_generation=("image" in outputs) if outputs else None,
            speech=True if "audio" in outputs else None,
            vision=("image" in inputs) if inputs else None,
            audio_input=("audio" in inputs) if inputs else None,
            pdf_input=True if "file" in inputs else None,
            function_calling=param("tools"),
            json_mode=param("response_format"),
            structured_output=param("structured_outputs"),
            reasoning=param("reasoning", "include_reasoning"),
            web_search=True if params and "web_search_options" in params else None,
            safety_filtering=top.is_moderated if top else None,
        )
        expires = from_iso(e.expiration_date)
        slug = e.canonical_slug
        vendor, sep, _ = e.id.partition("/")
        vendor = vendor.lstrip("~")  # a moving alias (``~anthropic/...``) belongs to its vendor
        return Model(
            provider=self.name,
            id=e.id,
            name=e.name or e.id,
            sources={"name": "api"} if e.name else {},
            owned_by=vendor if sep and vendor else None,
            created=from_unix(e.created),
            description=e.description or None,
            capabilities=merge_capabilities(
                stated, capabilities_from_rules(e.id, self.capability_rules)
            ),
            input_modalities=inputs,
            output_modalities=outputs,
            context_window=e.context_length or (top.context_length if top else None) or None,
            max_output_tokens=(top.max_completion_tokens if top else None) or None,
            pricing=self.pricing(e),
            aliases=(slug,) if slug and slug != e.id else (),
            knowledge_cutoff=e.knowledge_cutoff or None,
            lifecycle="deprecated" if expires else "active",
            shutdown_date=expires,
        )
