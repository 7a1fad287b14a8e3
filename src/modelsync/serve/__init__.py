"""``modelsync serve``: the catalog as a read-only HTTP service, a web page, metrics and exports,
plus ``modelsync mcp``, the same reads over the Model Context Protocol.

Every face here reads through ``Catalog`` (never a store or an adapter directly). The modules
import Starlette, uvicorn, prometheus-client, Jinja2 or the MCP SDK, which come with the ``serve``
and ``mcp`` extras; ``import modelsync`` and the core commands never load this package.
"""

from __future__ import annotations

SERVE_EXTRA = "pip install 'modelsync[serve]'"
MCP_EXTRA = "pip install 'modelsync[mcp]'"


def missing(module: str, extra: str) -> str:
    """The one-line error for a face whose extra is not installed."""
    return f"{module} is not installed; run: {extra}"
