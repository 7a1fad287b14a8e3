"""``modelsync mcp``: the catalog as tools for an AI client, over MCP's stdio transport.

Four read-only tools over the same ``Catalog`` (and so the same store) as the CLI and the HTTP
service: ``list_models`` (the CLI's filters), ``show_model`` (every field with its source),
``check_models`` (are these models listed, is the catalog fresh enough) and ``sync_status`` (per
provider freshness, model count, last failure). None of them syncs, clears or writes.
Standard output carries the protocol, so every log line goes to standard error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from ..catalog import Catalog, _satisfies
from ..errors import ModelSyncError
from ..metadata import explain
from ..query import SORT_KEYS, sort_models
from ..vocab import CAPABILITIES

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)
INSTRUCTIONS = (
    "modelsync keeps the live catalog of AI models the configured API keys can call. Use "
    "list_models to find models (filters: provider, capability, min_context, max_price in USD "
    "per 1M input tokens, search), show_model for every fact about one model and where it came "
    "from, check_models before relying on a model id, sync_status to see how fresh the catalog "
    "is. Capabilities are true, false or absent (unknown: nobody said)."
)


@contextmanager
def _told() -> Iterator[None]:
    """A modelsync error (the store is down, say) reaches the client as the tool's error text;
    its messages are written for people and never carry a key."""
    try:
        yield
    except ModelSyncError as exc:
        raise ToolError(str(exc)) from None


def build(catalog: Catalog) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("modelsync", instructions=INSTRUCTIONS)

    @server.tool(annotations=READ_ONLY)
    def list_models(
        provider: str | None = None,
        capability: str | None = None,
        search: str | None = None,
        min_context: int | None = None,
        max_price: str | None = None,
        sort: str | None = None,
        include_missing: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Models from the live catalog, as `modelsync models --json` prints them.

        capability: one of chat, function_calling, vision, reasoning, embeddings, ...;
        max_price: USD per 1M input tokens (unknown prices never match);
        sort: provider, id, name, context or price. Returns the total before limit/offset and
        each provider's freshness."""
        if capability is not None and capability not in CAPABILITIES:
            raise ToolError(
                f"unknown capability {capability!r}; use one of {', '.join(CAPABILITIES)}"
            )
        if sort is not None and sort not in SORT_KEYS:
            raise ToolError(f"unknown sort {sort!r}; use one of {', '.join(SORT_KEYS)}")
        price: Decimal | None = None
        if max_price is not None:
            try:
                price = Decimal(str(max_price))
            except InvalidOperation:
                raise ToolError(f"max_price must be a number, got {max_price!r}") from None
        with _told():
            rows, freshness = catalog.raw_models(
                provider,
                capability=capability,
                search=search,
                include_missing=include_missing,
                min_context=min_context,
                max_price=price,
            )
        if sort:
            rows = sort_models(rows, sort)
        limit = max(1, min(limit, 1000))
        return {
            "total": len(rows),
            "offset": offset,
            "limit": limit,
            "models": rows[offset : offset + limit],
            "freshness": {n: f.to_dict() for n, f in freshness.items()},
        }

    @server.tool(annotations=READ_ONLY)
    def show_model(model: str, provider: str | None = None) -> dict[str, Any]:
        """Every field of one model with its value and its source (api, catalog, rule, user),
        as `modelsync show --json`. `model` is an id, an alias or provider/id."""
        with _told():
            rows, _ = catalog.raw_models(provider, include_missing=True)
        found = [r for r in rows if _satisfies(r, model)]
        if not found:
            raise ToolError(
                f"model {model} is not in the catalog; try list_models with search={model!r}"
            )
        live = catalog.metadata.cached_layer()
        return {"matches": [explain(r, live) for r in found]}

    @server.tool(annotations=READ_ONLY)
    def check_models(require: list[str], max_age_hours: float | None = None) -> dict[str, Any]:
        """Whether every required model (id, alias or provider/id) is listed now, and, with
        max_age_hours, whether every catalog is younger than that. `ok` false lists problems."""
        with _told():
            problems = catalog.check(require, max_age_hours=max_age_hours)
        return {"ok": not problems, "problems": problems}

    @server.tool(annotations=READ_ONLY)
    def sync_status() -> dict[str, Any]:
        """Per provider: freshness state (fresh, due, stale, mismatch, empty), last sync, age,
        model count and last failure, as `modelsync status --json`."""
        with _told():
            return {
                "store": catalog.store_url,
                "providers": catalog.status(),
                "sources": catalog.source_status(),
            }

    return server


def run() -> None:
    catalog = Catalog()
    try:
        build(catalog).run("stdio")
    finally:
        catalog.close()
