"""Anthropic: ``GET {base}/v1/models`` with ``x-api-key`` and ``anthropic-version``.

Pages by ``after_id`` with ``limit=1000``. Since 2026 entries carry ``capabilities`` and token
limits; older answers carry four fields, so everything past ``id`` is optional. A page that says
``has_more`` but gives no ``last_id`` is a broken chain and fails the sync rather than shortening it.
"""

from __future__ import annotations

from ..http import HttpClient
from ..model import Model
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import family
from .base import Adapter, ProviderSpec, Wire, from_iso


class _Flag(Wire):
    supported: bool | None = None


class _Caps(Wire):
    batch: _Flag | None = None
    image_input: _Flag | None = None
    pdf_input: _Flag | None = None
    structured_outputs: _Flag | None = None
    thinking: _Flag | None = None
    citations: _Flag | None = None
    code_execution: _Flag | None = None


class _Entry(Wire):
    id: str
    display_name: str | None = None
    created_at: str | None = None
    max_input_tokens: int | None = None
    max_tokens: int | None = None
    capabilities: _Caps | None = None


class _Page(Wire):
    data: list[_Entry]
    has_more: bool = False
    last_id: str | None = None


RULES = (
    rule(r"^claude", chat=True, streaming=True, function_calling=True),
    rule(r"^claude-(3|opus-4|sonnet-4|haiku-4|4|3-5|3-7)", vision=True),
    rule(r"^claude-(2|instant)", vision=False, function_calling=False),
    rule(r"^claude-(3-7|opus-4|sonnet-4|haiku-4-5)", reasoning=True),
)

FAMILIES = (
    family("claude_opus_models", r"opus"),
    family("claude_sonnet_models", r"sonnet"),
    family("claude_haiku_models", r"haiku"),
)

PAGE_LIMIT = "1000"


def _flag(f: _Flag | None) -> bool | None:
    return None if f is None else f.supported


class AnthropicAdapter(Adapter):
    spec = ProviderSpec(
        name="anthropic",
        title="Anthropic",
        key_envs=("ANTHROPIC_API_KEY",),
        base_url_env="ANTHROPIC_BASE_URL",
        default_base_url="https://api.anthropic.com",
    )
    families = FAMILIES
    capability_rules = RULES
    list_path = "v1/models"
    probe_params = {"limit": "1"}

    def auth_headers(self) -> dict[str, str]:
        headers = {"anthropic-version": "2023-06-01"}
        if self.config.api_key:
            headers["x-api-key"] = self.config.api_key
        return headers

    async def fetch(self, http: HttpClient) -> list[Model]:
        async def page(cursor: str | None) -> tuple[list[_Entry], str | None]:
            params = {"limit": PAGE_LIMIT}
            if cursor:
                params["after_id"] = cursor
            payload = await http.get_json(
                self.url("v1/models"), params=params, headers=self.auth_headers()
            )
            parsed = self.parse(_Page, payload)
            if parsed.has_more and not parsed.last_id:
                raise self.malformed("a page says has_more but gives no last_id to continue from")
            return parsed.data, (parsed.last_id if parsed.has_more else None)

        return [self.normalize(e) for e in await self.paginate(http, page)]

    def normalize(self, e: _Entry) -> Model:
        c = e.capabilities
        stated = (
            api_caps(
                vision=_flag(c.image_input),
                pdf_input=_flag(c.pdf_input),
                structured_output=_flag(c.structured_outputs),
                reasoning=_flag(c.thinking),
                batch=_flag(c.batch),
            )
            if c
            else {}
        )
        return Model(
            provider=self.name,
            id=e.id,
            name=e.display_name or e.id,
            sources={"name": "api"} if e.display_name else {},
            owned_by="anthropic",
            created=from_iso(e.created_at),
            capabilities=merge_capabilities(stated, capabilities_from_rules(e.id, RULES)),
            input_modalities=("text", "image") if c and _flag(c.image_input) else (),
            output_modalities=("text",),
            context_window=e.max_input_tokens or None,
            max_output_tokens=e.max_tokens or None,
        )
