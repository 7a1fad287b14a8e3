"""The web page: a table of every served model (search, filters, sorting), a page per model with
every field and its source, provider health, and the recent changes feed.

Server-rendered HTML (Jinja2, autoescaped) works without JavaScript; the packaged
``static/app.js`` adds instant filtering and sorting on the rows already in the page, and turns
timestamps into "3 h ago". No CDN, no build step. The table body is rendered once per store
version; times are rendered as ``<time datetime>`` so the page can be cached too.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..catalog import human_age
from ..export import FORMATS
from ..metadata import explain
from ..vocab import CAPABILITIES, PRICE_FIELDS, TOKEN_PRICE_FIELDS

if TYPE_CHECKING:
    from .snapshot import Snapshot

Row = dict[str, Any]

#: Capability columns of the table (the model page lists all of them).
SHOWN_CAPS = (
    ("chat", "chat"),
    ("function_calling", "tools"),
    ("vision", "vision"),
    ("reasoning", "reason"),
    ("structured_output", "json"),
)
STATE_HELP = {
    "fresh": "synced within the refresh interval",
    "due": "past the refresh interval; still the last good catalog",
    "stale": "past its TTL: the last good catalog, served with a warning",
    "mismatch": "fetched with another key or base URL: not served",
    "empty": "nothing stored",
}
SOURCE_HELP = {
    "api": "the provider's own model list",
    "catalog": "the bundled catalog or models.dev",
    "rule": "a family rule on the model id",
    "user": "your override",
}
PRICE_LABELS = {
    "input": "input",
    "output": "output",
    "cached_input": "cached input",
    "cache_write": "cache write",
    "reasoning": "reasoning",
    "audio_input": "audio input",
    "audio_output": "audio output",
    "batch_input": "batch input",
    "batch_output": "batch output",
    "per_request": "request",
    "per_image": "image",
    "per_web_search": "web search",
}


def model_href(provider: str, model_id: str) -> str:
    return f"/models/{quote(provider, safe='')}/{quote(model_id, safe='/:@')}"


def _tokens(n: Any) -> str:
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        return "?"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f}".rstrip("0").rstrip(".") + "M"
    if n >= 1000:
        return f"{n / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return str(n)


def _price_cell(row: Row, field: str) -> tuple[str, str]:
    """(text, sort value) of a token price; unknown and dynamic never look like a number."""
    pricing = row.get("pricing")
    if not isinstance(pricing, dict):
        return "?", ""
    state = pricing.get("state", "known")
    if state == "dynamic":
        return "dynamic", ""
    if state != "known" or pricing.get(field) is None:
        return "?", ""
    text = str(pricing[field])
    return f"${text}", text


def _cap(row: Row, cap: str) -> str:
    found = (row.get("capabilities") or {}).get(cap)
    supported = found.get("supported") if isinstance(found, dict) else None
    if supported is True:
        return '<span class="cap yes" title="yes">yes</span>'
    if supported is False:
        return '<span class="cap no" title="no">no</span>'
    return '<span class="cap unknown" title="unknown: nobody said">?</span>'


def table_rows(rows: list[Row]) -> str:
    """The ``<tbody>`` of the models table, data attributes for the page's script."""
    out = []
    for row in rows:
        provider, model_id = row["provider"], row["id"]
        name = row.get("name") or model_id
        caps = " ".join(
            k
            for k, v in (row.get("capabilities") or {}).items()
            if isinstance(v, dict) and v.get("supported") is True
        )
        text = " ".join([model_id, name, *(row.get("aliases") or ())]).lower()
        ctx = row.get("context_window")
        in_text, in_val = _price_cell(row, "input")
        out_text, out_val = _price_cell(row, "output")
        missing = ' <span class="badge stale">missing</span>' if row.get("missing_count") else ""
        lifecycle = row.get("lifecycle") or "active"
        life = (
            f' <span class="badge {escape(lifecycle)}">{escape(lifecycle)}</span>'
            if lifecycle != "active"
            else ""
        )
        label = f"<small>{escape(name)}</small>" if name != model_id else ""
        cells = [
            f'<td data-label="Provider" class="prov">{escape(provider)}</td>',
            f'<td data-label="Model" class="model"><a href="{escape(model_href(provider, model_id))}">'
            f"{escape(model_id)}</a>{missing}{life}{label}</td>",
            f'<td data-label="Context" class="num">{_tokens(ctx)}</td>',
            f'<td data-label="In $/1M" class="num">{escape(in_text)}</td>',
            f'<td data-label="Out $/1M" class="num">{escape(out_text)}</td>',
            *(
                f'<td data-label="{lab}" class="cap-col">{_cap(row, c)}</td>'
                for c, lab in SHOWN_CAPS
            ),
        ]
        attrs = (
            f'data-provider="{escape(provider)}" data-id="{escape(model_id.lower())}" '
            f'data-caps="{escape(caps)}" data-text="{escape(text)}" '
            f'data-context="{ctx if isinstance(ctx, int) else ""}" '
            f'data-input="{escape(in_val)}" data-output="{escape(out_val)}"'
        )
        out.append(f"<tr {attrs}>{''.join(cells)}</tr>")
    return "\n".join(out)


def _show(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


class Pages:
    def __init__(self, asset_version: str) -> None:
        self.env = Environment(
            loader=PackageLoader("modelsync.serve", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            asset_version=asset_version,
            formats=FORMATS,
            state_help=STATE_HELP,
            source_help=SOURCE_HELP,
            show=_show,
        )

    def index(
        self, snapshot: Snapshot, health: list[dict[str, Any]], changes: list[dict[str, Any]]
    ) -> str:
        # table_rows escapes every value it writes, so its output is markup as it stands
        rows_html = snapshot.cached(
            "page-rows",
            lambda: Markup(table_rows(snapshot.rows)),  # noqa: S704
        )
        for item in health:
            item["age"] = human_age(item.get("age_seconds"))
        return self.env.get_template("index.html").render(
            total=len(snapshot.rows),
            served=len(snapshot.served),
            health=health,
            provider_names=list(snapshot.served),
            capabilities=CAPABILITIES,
            shown_caps=SHOWN_CAPS,
            rows_html=rows_html,
            changes=changes,
        )

    def model(self, row: Row, freshness: dict[str, Any] | None) -> str:
        item = explain(row)  # the page shows each value's source, not the catalogs' provenance
        order = {True: 0, False: 1, None: 2}  # yes, then no, then unknown
        item["capabilities"] = dict(
            sorted(item["capabilities"].items(), key=lambda kv: order[kv[1]["supported"]])
        )
        pricing = item["pricing"]
        prices = []
        for field in PRICE_FIELDS:
            value = pricing.get(field)
            if value is not None:
                per = "1M tokens" if field in TOKEN_PRICE_FIELDS else "each"
                prices.append((PRICE_LABELS.get(field, field), str(value), per))
        return self.env.get_template("model.html").render(
            item=item,
            name=row.get("name") or row["id"],
            lifecycle=row.get("lifecycle") or "active",
            freshness=freshness,
            pricing=pricing,
            prices=prices,
            tiers=pricing.get("tiers") or [],
        )


def changes_feed(history: list[dict[str, Any]], limit: int = 15) -> list[dict[str, Any]]:
    """Successful syncs that changed something, newest first (first syncs are baselines)."""
    out = []
    for record in history:
        diff = record.get("diff")
        if record.get("status") != "success" or not isinstance(diff, dict):
            continue
        if diff.get("first_sync"):
            continue
        added, removed = diff.get("added") or [], diff.get("removed") or []
        changed = [
            {"id": c.get("id"), "fields": sorted((c.get("fields") or {}).keys())}
            for c in diff.get("changed") or []
            if isinstance(c, dict)
        ]
        if not (added or removed or changed):
            continue
        out.append(
            {
                "provider": record.get("provider"),
                "when": record.get("finished_at") or record.get("started_at"),
                "added": added,
                "removed": removed,
                "changed": changed,
            }
        )
        if len(out) >= limit:
            break
    return out
