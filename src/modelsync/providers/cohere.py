"""Cohere: ``GET {base}/v1/models`` paged by ``page_token``/``next_page_token``, Bearer auth.

What is special:

- The key may be in ``COHERE_API_KEY`` or ``CO_API_KEY`` (the official SDKs read the latter); the
  first one set wins, and errors name that one.
- Pages: the adapter asks for ``page_size=1000`` (the maximum) and follows ``next_page_token``
  until it is absent or empty. A token handed out twice is a loop and fails the sync rather than
  shortening the list (``Adapter.paginate``). Cohere has no ``has_more`` flag, so a page chain that
  ends early cannot be told apart from the end; the sync engine's shrink guard catches that case.
- Ids are ``name`` (there is no ``id``). Every field is optional in Cohere's schema, but an entry
  without a name cannot be catalogued, so it makes the answer malformed.
- ``endpoints`` is the complete list of endpoints the model serves: ``chat`` -> chat,
  ``generate`` -> completion, ``embed`` -> embeddings, ``rerank`` -> rerank; one that is missing is a
  stated *no*. ``features`` likewise: ``tools``/``strict_tools`` -> function calling, ``json_mode``,
  ``json_schema`` -> structured output, ``vision``. ``supports_vision`` is stated separately.
- ``is_deprecated`` -> lifecycle ``deprecated`` without dates: Cohere's deprecations page defines
  deprecated as "no longer available to new customers but remain available to existing users
  until retirement ... A shutdown date will be assigned at that time" (docs.cohere.com/docs/
  deprecations), and the list carries no date or replacement (those come from the bundled
  catalog when known). ``context_length`` -> context window. The list has no creation dates
  and no prices.
"""

from __future__ import annotations

from ..http import HttpClient
from ..model import Capability, Model
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import family
from .base import Adapter, ProviderSpec, Wire
from .naming import display_name


class _Entry(Wire):
    name: str
    is_deprecated: bool | None = None
    endpoints: list[str] | None = None
    finetuned: bool | None = None
    context_length: float | None = None
    tokenizer_url: str | None = None
    default_endpoints: list[str] | None = None
    features: list[str] | None = None
    supports_vision: bool | None = None


class _Page(Wire):
    models: list[_Entry]
    next_page_token: str | None = None


PAGE_SIZE = "1000"

# Endpoint name -> capability. The endpoint list is complete, so absence is a stated no.
ENDPOINT_CAPS = {
    "chat": "chat",
    "generate": "completion",
    "embed": "embeddings",
    "rerank": "rerank",
}
# Feature name -> capability. Stated yes when listed, stated no when a list is given without it.
FEATURE_CAPS = {
    "tools": "function_calling",
    "strict_tools": "function_calling",
    "json_mode": "json_mode",
    "json_schema": "structured_output",
    "vision": "vision",
}

# The list says nothing about reasoning; Cohere names its reasoning models so.
RULES = (rule(r"reasoning", reasoning=True),)

FAMILIES = (
    family("command_models", r"^command"),
    family("command_a_models", r"^command-a(-|$)"),
    family("command_r_models", r"^command-r"),
    family("embed_models", r"^embed"),
    family("rerank_models", r"^rerank"),
    family("aya_models", r"(^|-)aya"),
)


def _stated(table: dict[str, str], listed: list[str] | None) -> dict[str, Capability]:
    """Capabilities a complete list states: yes when named, no when not; nothing without a list."""
    if listed is None:
        return {}
    names = set(listed)
    out: dict[str, Capability] = {}
    for key, cap in table.items():
        supported = key in names or (out[cap].supported if cap in out else False)
        out[cap] = Capability(supported=supported, source="api")
    return out


class CohereAdapter(Adapter):
    spec = ProviderSpec(
        name="cohere",
        title="Cohere",
        key_envs=("COHERE_API_KEY", "CO_API_KEY"),
        base_url_env="COHERE_BASE_URL",
        default_base_url="https://api.cohere.com",
        docs_url="https://dashboard.cohere.com/api-keys",
    )
    families = FAMILIES
    capability_rules = RULES
    list_path = "v1/models"
    probe_params = {"page_size": "1"}

    async def fetch(self, http: HttpClient) -> list[Model]:
        async def page(cursor: str | None) -> tuple[list[_Entry], str | None]:
            params = {"page_size": PAGE_SIZE}
            if cursor:
                params["page_token"] = cursor
            payload = await http.get_json(
                self.url("v1/models"), params=params, headers=self.auth_headers()
            )
            parsed = self.parse(_Page, payload)
            return parsed.models, (parsed.next_page_token or None)

        return [self.normalize(e) for e in await self.paginate(http, page)]

    def normalize(self, e: _Entry) -> Model:
        stated = merge_capabilities(
            api_caps(vision=e.supports_vision),
            _stated(ENDPOINT_CAPS, e.endpoints),
            _stated(FEATURE_CAPS, e.features),
        )
        inputs: tuple[str, ...] = ()
        outputs: tuple[str, ...] = ()
        if e.endpoints is not None:
            sees = stated.get("vision")
            inputs = ("text", "image") if sees and sees.supported else ("text",)
            writes = any(c in stated and stated[c].supported for c in ("chat", "completion"))
            outputs = ("text",) if writes else ()
        window = e.context_length
        return Model(
            provider=self.name,
            id=e.name,
            name=display_name(e.name),
            owned_by="cohere",
            capabilities=merge_capabilities(
                stated, capabilities_from_rules(e.name, self.capability_rules)
            ),
            input_modalities=inputs,
            output_modalities=outputs,
            context_window=int(window) if window and 0 < window < 2**63 else None,
            lifecycle="deprecated" if e.is_deprecated else "active",
        )
