"""The ``modelsync`` command: a thin face over ``Catalog``.

Exit codes are part of the contract (cron and CI read them): ``sync`` exits 0 when every selected
provider succeeded or was skipped, 2 when some failed and some did not, 1 when none succeeded or no
provider has credentials. Human output goes to the terminal, ``--json`` to machines; neither ever
shows a key or, without ``-v``, a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from .catalog import Catalog
    from .model import SyncResult

F = TypeVar("F", bound=Callable[..., Any])

#: The capabilities a table of models shows, in few letters (``show`` lists them all).
_SHORT = {
    "chat": "chat",
    "completion": "text",
    "embeddings": "embed",
    "function_calling": "tools",
    "vision": "vision",
    "reasoning": "reason",
    "image_generation": "image",
    "speech": "speech",
    "transcription": "stt",
    "rerank": "rerank",
    "moderation": "moderate",
    "web_search": "search",
}
#: ``models --sort`` keys (mirrors ``query.SORT_KEYS``; kept here so --help imports nothing).
SORT_CHOICES = ("provider", "id", "name", "context", "price")
_MARKS = {"success": "✓", "skipped": "•", "dry_run": "○", "error": "✗"}
#: Above this many rows even a terminal gets the plain table: rich lays out every cell of a
#: table before printing its first line, seconds for a 10,000-model catalog.
_RICH_MAX_ROWS = 500
_COLOURS = {"success": "green", "skipped": "cyan", "dry_run": "yellow", "error": "red"}


def _range(setting: str) -> click.IntRange | click.FloatRange:
    """The ``click`` type of a flag that sets ``setting``: the same bounds as its
    ``MODELSYNC_*`` variable and config key (``config.BOUNDS``), stated once."""
    from .config import BOUNDS, Settings

    bound = BOUNDS[setting]
    if isinstance(getattr(Settings(), setting), int):
        return click.IntRange(
            min=None if bound.low is None else int(bound.low),
            max=None if bound.high is None else int(bound.high),
            min_open=bound.low_open,
        )
    return click.FloatRange(min=bound.low, max=bound.high, min_open=bound.low_open)


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("modelsync")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _open_catalog(**overrides: Any) -> Catalog:
    from .catalog import Catalog

    return Catalog(**overrides)


def _fail(message: str, *, as_json: bool = False, code: int = 1, **extra: Any) -> None:
    if as_json:
        click.echo(json.dumps({"error": message, **extra}))
    else:
        click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def _guard(fn: F) -> F:
    """Turn modelsync errors into one red line and an exit code; tracebacks only with -v."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import ModelSyncError

        try:
            return fn(*args, **kwargs)
        except click.ClickException:
            raise  # usage errors keep click's own message and exit code 2
        except BrokenPipeError:  # `modelsync models | head`: the reader left; so do we
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except ModelSyncError as exc:
            if kwargs.get("verbose"):
                traceback.print_exc()
            _fail(str(exc), as_json=bool(kwargs.get("as_json")), error_type=exc.error_type)
        except OSError as exc:  # a file or directory we could not use: say which
            if kwargs.get("verbose"):
                traceback.print_exc()
            where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
            _fail(
                f"{exc.strerror or type(exc).__name__}: {where or 'no path given'}; "
                "check that path and its permissions",
                as_json=bool(kwargs.get("as_json")),
                error_type="os_error",
            )
        except Exception as exc:  # a bug: say so plainly, show the traceback only on request
            if kwargs.get("verbose"):
                traceback.print_exc()
            _fail(
                f"unexpected {type(exc).__name__}; run again with -v for details",
                as_json=bool(kwargs.get("as_json")),
                error_type="internal_error",
            )

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="modelsync")
def main() -> None:
    """Keep an accurate, current catalog of the AI models your keys can use."""


def _human_line(result: SyncResult, verbose: int) -> str:
    from .catalog import human_age

    name = result.provider
    if result.status == "success":
        text = (
            f"{name}: {result.models_synced} models synced "
            f"({result.requests} request{'s' if result.requests != 1 else ''}, "
            f"{result.duration_ms / 1000:.2f}s"
            + (f", {result.retries} retries" if result.retries else "")
            + ")"
            + _diff_brief(result)
        )
    elif result.status == "skipped":
        reason = (result.reason or "").replace("_", " ")
        age = ""
        if result.last_sync:
            age = f", last sync {human_age((datetime.now(UTC) - result.last_sync).total_seconds())}"
            age += " ago"
        text = f"{name}: skipped ({reason}{age})"
    elif result.status == "dry_run":
        last = result.last_sync.isoformat(timespec="seconds") if result.last_sync else "never"
        text = f"{name}: would sync {result.models_synced} models (last synced: {last})"
        text += _diff_brief(result, would=True)
        if verbose:
            ids = [p.id for p in result.preview[:5]]
            more = len(result.preview) - len(ids)
            text += "".join(f"\n      {i}" for i in ids)  # listed, not removed: no "-"
            if more > 0:
                text += f"\n    ... and {more} more"
    else:
        text = f"{name}: failed [{result.error_type}] {result.error}"
    return f"{_MARKS[result.status]} {text}"


def _diff_brief(result: SyncResult, would: bool = False) -> str:
    diff = result.diff
    if diff is None:
        return ""
    if diff.first_sync:
        return "; first sync" if not would else ""
    parts = []
    verb = "would " if would else ""
    if diff.added:
        parts.append(f"{verb}add {len(diff.added)}")
    if diff.removed:
        parts.append(f"{verb}remove {len(diff.removed)}")
    if diff.changed:
        parts.append(f"{verb}change {len(diff.changed)}" + _kinds_brief(diff))
    if diff.missing:
        parts.append(f"{len(diff.missing)} missing")
    return "; " + ", ".join(parts) if parts else "; no changes"


def _kinds_brief(diff: Any) -> str:
    """`` (1 deprecation announced, 2 price changed)``: the lifecycle and price kinds."""
    from .diff import LABELS

    counts: dict[str, int] = {}
    for change in diff.changed:
        for kind in change.kinds:
            if kind != "details_changed":
                counts[kind] = counts.get(kind, 0) + 1
    listed = ", ".join(f"{n} {LABELS[k]}" for k, n in counts.items())
    return f" ({listed})" if listed else ""


@main.command()
@click.argument("providers", nargs=-1)
@click.option("--force", is_flag=True, help="Sync even if the cache is still fresh.")
@click.option(
    "--dry-run", is_flag=True, help="Fetch as a sync would and show the diff; write nothing."
)
@click.option(
    "--timeout",
    type=_range("timeout"),
    help="Per-provider deadline, seconds (greater than 0).",
)
@click.option("-v", "--verbose", count=True, help="More detail; -vv for debug logs.")
@click.option("-q", "--quiet", is_flag=True, help="Print only failures.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end.")
@click.option("--on-change", metavar="COMMAND", help="Run COMMAND with the diff as JSON on stdin.")
@click.option("--webhook", metavar="URL", help="POST the diff as JSON to URL.")
@_guard
def sync(
    providers: tuple[str, ...],
    force: bool,
    dry_run: bool,
    timeout: float | None,
    verbose: int,
    quiet: bool,
    as_json: bool,
    on_change: str | None,
    webhook: str | None,
) -> None:
    """Sync PROVIDERS (default: every provider that has credentials)."""
    from .errors import ConfigurationError

    _setup_logging(verbose, quiet or as_json)
    catalog = _open_catalog(timeout=timeout)

    def show(result: SyncResult) -> None:
        if as_json or (quiet and result.ok):
            return
        click.secho(_human_line(result, verbose), fg=_COLOURS[result.status])

    try:
        report = catalog.sync(list(providers) or None, force=force, dry_run=dry_run, on_result=show)
    except ConfigurationError as exc:
        if as_json:
            click.echo(
                json.dumps({"providers": {}, "error": str(exc), "error_type": exc.error_type})
            )
        else:
            click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
    finally:
        catalog.close()
    if (on_change or webhook) and not dry_run:
        from .notify import change_payload, post_webhook, run_command

        payload = change_payload(list(report))
        if payload is not None:
            if on_change:
                run_command(on_change, payload)
            if webhook:
                post_webhook(webhook, payload)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    elif not quiet:
        counts = {s: sum(1 for r in report if r.status == s) for s in _MARKS}
        stored = sum(r.models_synced for r in report if r.status == "success")
        verb = "checked" if dry_run else "synced"
        click.echo(
            f"\n{len(report)} provider{'s' if len(report) != 1 else ''} {verb}: "
            f"{counts['success']} succeeded, {counts['skipped']} skipped, "
            f"{counts['dry_run']} previewed, {counts['error']} failed"
            + (f"; {stored} models stored" if stored else "")
            + "."
        )
    sys.exit(report.exit_code)


@main.command()
@click.option("--provider", "-p", help="Only this provider.")
@click.option("--capability", "-c", help="Only models known to support this capability.")
@click.option("--search", "-s", help="Substring of id, alias, name, description or owner.")
@click.option(
    "--min-context",
    type=click.IntRange(min=1),
    metavar="TOKENS",
    help="Only models with at least this context window (unknown never matches).",
)
@click.option(
    "--max-price",
    type=str,
    metavar="USD",
    help="Only models whose input price per 1M tokens is at most this (known only).",
)
@click.option("--sort", "sort_key", type=click.Choice(SORT_CHOICES), help="Sort the list.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of model objects.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per model).")
@click.option(
    "--include-missing", is_flag=True, help="Also models the last fetch did not list (kept)."
)
@click.option(
    "--offline", is_flag=True, help="From the bundled catalog only: no store, keys or network."
)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def models(
    provider: str | None,
    capability: str | None,
    search: str | None,
    min_context: int | None,
    max_price: str | None,
    sort_key: str | None,
    as_json: bool,
    as_csv: bool,
    include_missing: bool,
    offline: bool,
    verbose: int,
) -> None:
    """List models from the store (no network), or from the bundled catalog with --offline."""
    from decimal import Decimal, InvalidOperation

    from .names import check_query
    from .query import sort_models

    _setup_logging(verbose, False)
    try:
        price_cap = Decimal(max_price) if max_price is not None else None
    except InvalidOperation:
        raise click.BadParameter("give a number, e.g. 2.5", param_hint="--max-price") from None
    if price_cap is not None and (not price_cap.is_finite() or price_cap < 0):
        raise click.BadParameter(
            f"{max_price} is not a price; give a number of at least 0, e.g. 2.5",
            param_hint="--max-price",
        )
    check_query(capability=capability, min_context=min_context, max_price=price_cap)
    if offline:
        from .metadata import offline_rows
        from .names import check_name
        from .providers import known_providers
        from .query import filter_models

        if provider:
            check_name(provider, known_providers(), kind="provider")
        bundled, checked = offline_rows(provider)
        rows = filter_models(
            bundled,
            capability=capability,
            search=search,
            min_context=min_context,
            max_price=price_cap,
        )
        freshness: dict[str, Any] = {"bundled": True}
        click.secho(
            f"offline: the bundled catalog (checked {checked}), not the live list of your keys",
            fg="yellow",
            err=True,
        )
    else:
        catalog = _open_catalog()
        try:
            rows, freshness = catalog.raw_models(
                provider,
                capability=capability,
                search=search,
                include_missing=include_missing,
                min_context=min_context,
                max_price=price_cap,
            )
        finally:
            catalog.close()
    if sort_key:
        rows = sort_models(rows, sort_key)
    _print_models(rows, as_json=as_json, as_csv=as_csv, empty_hint=_empty_hint(provider, freshness))


def _empty_hint(provider: str | None, freshness: dict[str, Any]) -> str:
    if freshness:
        return "No models match."
    return (
        "No models stored"
        + (f" for {provider}" if provider else "")
        + (". Run `modelsync sync` first.")
    )


def _print_models(
    rows: list[dict[str, Any]], *, as_json: bool, as_csv: bool, empty_hint: str
) -> None:
    """One way to print a model list: JSON, CSV, or a table for people."""
    from .query import plain_prices

    rows = plain_prices(rows)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    if as_csv:
        import csv

        from .query import CSV_COLUMNS, csv_row

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_row(r) for r in rows)
        return
    if not rows:
        click.echo(empty_hint)
        return
    from .query import input_price, plain_number, supported

    headers = ("provider", "id", "context", "$/1M in", "can")
    cells = []
    for row in rows:
        ctx = row.get("context_window")
        price = input_price(row)
        state = (row.get("pricing") or {}).get("state")
        cells.append(
            (
                row["provider"],
                row["id"] + _marks(row),
                f"{ctx:,}" if ctx else "?",
                plain_number(price)
                if price is not None
                else (state if state == "dynamic" else "?"),
                " ".join(_SHORT[c] for c in supported(row) if c in _SHORT),
            )
        )
    if sys.stdout.isatty() and len(cells) <= _RICH_MAX_ROWS:
        # A person at a terminal, a list short enough to lay out nicely: rich folds the
        # last column to the terminal's width.
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, header_style="bold")
        for name in headers:
            table.add_column(
                name,
                justify="right" if name in ("context", "$/1M in") else "left",
                no_wrap=name != "can",
                overflow="fold",
            )
        for cell in cells:
            table.add_row(*(Text(c) for c in cell))  # plain text: "[retired]" is not markup
        Console().print(table)
    else:
        # A pipe, a file, or a big catalog: widths computed once, never wrapped.
        from .table import render

        sys.stdout.write("\n".join(render(headers, cells, right=(2, 3))) + "\n")
    click.echo(f"{len(rows)} models")


def _marks(row: dict[str, Any]) -> str:
    """`` [retired]``, `` [deprecated]``, `` [missing]``: what a table row must not hide."""
    state = row.get("lifecycle")
    marks = f" [{state}]" if state in ("deprecated", "retired") else ""
    return marks + (" [missing]" if row.get("missing_count") else "")


@main.command()
@click.argument("provider", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def stats(provider: str | None, as_json: bool, verbose: int) -> None:
    """Statistics of the last sync (one provider, or all stored)."""
    catalog = _open_catalog()
    try:
        names = [provider] if provider else catalog._stored_providers()
        data = {n: catalog.stats(n) for n in names}
    finally:
        catalog.close()
    if provider and data[provider] is None:
        _fail(
            f"no statistics stored for {provider}; run `modelsync sync {provider}`", as_json=as_json
        )
    if as_json:
        click.echo(json.dumps(data[provider] if provider else data, indent=2))
        return
    for name, values in data.items():
        click.secho(name, bold=True)
        for line in _stat_lines(values or {}, "  "):
            click.echo(line)


def _stat_lines(values: dict[str, Any], indent: str) -> list[str]:
    """``key: value`` lines; a nested table (``by_owner``...) as an indented block, largest
    count first, never as a Python dict. Zero counts are left out, except the total."""
    lines = []
    for key, value in values.items():
        if isinstance(value, dict):
            if not value:
                continue
            lines.append(f"{indent}{key}:")
            items = sorted(value.items(), key=lambda kv: (-_count(kv[1]), str(kv[0])))
            width = max(len(str(k)) for k, _ in items)
            for sub, count in items:
                shown = _fmt(count) if isinstance(count, dict | list) else str(count)
                lines.append(f"{indent}  {str(sub) + ':':<{width + 1}} {shown}")
        elif isinstance(value, list):
            if value:
                lines.append(f"{indent}{key}: {', '.join(str(v) for v in value)}")
        elif value or key == "total_models":
            lines.append(f"{indent}{key}: {value}")
    return lines


def _count(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def status(as_json: bool, verbose: int) -> None:
    """Per provider: credentials, last sync and age, freshness, model count, last failure."""
    from .catalog import human_age

    catalog = _open_catalog()
    try:
        rows = catalog.status()
        sources = catalog.source_status()
        store_url = catalog.store_url
    finally:
        catalog.close()
    if as_json:
        payload = {"store": store_url, "providers": rows, "sources": sources}
        click.echo(json.dumps(payload, indent=2))
        return
    from .table import render

    click.echo(f"store: {store_url}")
    cells = []
    for row in rows:
        age = human_age(row["age_seconds"]) + " ago" if row["last_sync"] else "never synced"
        cells.append(
            (row["provider"], _key_words(row), row["state"], f"{row['models']:,}", "models", age)
        )
    lines = render(("provider", "key", "state", "", "", "last sync"), cells, right=(3,))
    click.echo("  " + lines[0])
    for row, line in zip(rows, lines[1:], strict=True):
        click.echo("  " + line + _extra_note(row))
        _echo_failure(row["last_failure"])
    _echo_sources(sources)


def _echo_failure(failure: dict[str, Any] | None) -> None:
    if failure:
        click.echo(
            f"      last failure {failure['failed_at']}: [{failure['error_type']}] "
            f"{failure['error']}"
        )


def _echo_sources(sources: list[dict[str, Any]]) -> None:
    """The live metadata sources that are on, or that failed (off ones are not news)."""
    shown = [s for s in sources if s["enabled"] or s["last_failure"]]
    if not shown:
        return
    click.echo("metadata sources:")
    for source in shown:
        fetched = f", fetched {source['fetched_at']}" if source["fetched_at"] else ""
        click.echo(f"  {source['source']}: {source['state']}{fetched} ({source['url']})")
        _echo_failure(source["last_failure"])


def _extra_note(row: dict[str, Any]) -> str:
    """What a provider row adds when the provider needs an extra that is not installed."""
    extra = row.get("missing_extra")
    return f"  (needs pip install 'modelsync[{extra}]')" if extra else ""


def _key_words(row: dict[str, Any]) -> str:
    """``key set``, ``no key needed``, ``key optional``, or ``no key (VAR or VAR)``."""
    key = row.get("key")
    envs = " or ".join(row.get("key_env") or [])
    if key == "set":
        return "key set"
    if key == "not needed":
        return "no key needed"
    if key == "optional":
        return "no key needed"
    if key == "unknown":
        return "not configured here"
    if key == "unconfigured":
        return "not configured"
    return f"no key ({envs})" if envs else "no key"


def _parse_since(text: str) -> datetime:
    """``2026-11-27``, ``2026-11-27T10:00``, or a span back from now: ``90m``, ``36h``, ``7d``."""
    from .payloads import parse_since

    try:
        return parse_since(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


def _fmt(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


@main.command()
@click.argument("provider", required=False)
@click.option("--since", metavar="DATE", help="Syncs since DATE (ISO date/time, or 36h, 7d).")
@click.option("--last", type=click.IntRange(min=1), help="The last N successful syncs.")
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def diff(
    provider: str | None, since: str | None, last: int | None, as_json: bool, verbose: int
) -> None:
    """What was added, removed or changed (default: by the last successful sync)."""
    catalog = _open_catalog()
    try:
        diffs = catalog.diff(provider, since=_parse_since(since) if since else None, last=last)
    finally:
        catalog.close()
    if as_json:
        from .payloads import diff_of

        click.echo(json.dumps(diff_of(diffs), indent=2))
        return
    if not diffs:
        click.echo("No successful syncs recorded in that span.")
        return
    for name, d in diffs.items():
        click.secho(name, bold=True)
        if d.first_sync:
            click.echo(f"  first sync: {len(d.added)} models")
            continue
        if d.baseline is not None:
            click.echo(f"  first sync: {len(d.baseline)} models (the baseline); since then:")
        if d.empty and not d.missing:
            click.echo("  no changes")
        for model_id in d.added:
            click.secho(f"  + {model_id}", fg="green")
        for model_id in d.removed:
            click.secho(f"  - {model_id}", fg="red")
        for change in d.changed:
            _print_change(change)
        for model_id in d.missing:
            click.secho(f"  ? {model_id} (not listed by the last fetch; kept for now)", fg="cyan")


def _print_change(change: Any) -> None:
    """``~ id  [deprecation announced, price changed]`` and one line per changed value; prices
    field by field (``price input: 2.5 -> 3``)."""
    from .diff import LABELS, price_changes
    from .query import plain_prices

    labels = ", ".join(LABELS[k] for k in change.kinds)
    click.secho(f"  ~ {change.id}" + (f"  [{labels}]" if labels else ""), fg="yellow")
    for field_name, fc in change.fields.items():
        if field_name == "pricing":
            old, new = (
                plain_prices({"pricing": fc.old})["pricing"],
                plain_prices({"pricing": fc.new})["pricing"],
            )
            for price, pc in price_changes(old, new).items():
                click.echo(f"      price {price}: {_fmt(pc.old)} -> {_fmt(pc.new)}")
            continue
        click.echo(f"      {field_name}: {_fmt(fc.old)} -> {_fmt(fc.new)}")


@main.command()
@click.argument("provider", required=False)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def history(provider: str | None, limit: int, as_json: bool, verbose: int) -> None:
    """Every sync attempt, newest first, with each provider's failure rate over the span."""
    catalog = _open_catalog()
    try:
        records = catalog.history(provider, limit=limit)
    finally:
        catalog.close()
    if as_json:
        from .payloads import history_of

        click.echo(json.dumps(history_of(records), indent=2))
        return
    if not records:
        click.echo("No sync attempts recorded yet.")
        return
    from .table import render

    cells = []
    colours = []
    for r in records:
        ok = r.get("status") == "success"
        d = r.get("diff") or {}
        what = (
            f"{r.get('models_after')} models"
            + (
                f", +{len(d.get('added', []))} -{len(d.get('removed', []))} "
                f"~{len(d.get('changed', []))}"
                if ok and not d.get("first_sync")
                else (", first sync" if ok else "")
            )
            if ok
            else f"[{r.get('error_type')}] {r.get('error')}"
        )
        cells.append(
            (
                "✓" if ok else "✗",
                str(r.get("started_at", ""))[:19],
                str(r["provider"]),
                f"{r.get('duration_ms', 0)} ms",
                f"{r.get('requests', 0)} req",
                what,
            )
        )
        colours.append("green" if ok else "red")
    for line, colour in zip(render((), cells, right=(3, 4)), colours, strict=True):
        click.secho(line, fg=colour)
    click.echo("")
    from .payloads import failure_rates

    for name, entry in failure_rates(records).items():
        click.echo(
            f"{name}: {entry['failures']} of {entry['attempts']} attempts failed "
            f"({entry['failure_rate']:.0%})"
        )


@main.command()
@click.option(
    "--require",
    "require",
    multiple=True,
    metavar="MODEL",
    help="A model (id, alias or provider/id) that must be listed and not retired. Repeatable.",
)
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    metavar="HOURS",
    help="Fail if any stored catalog is older than this.",
)
@click.option(
    "--deprecations-within",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Fail if a required model shuts down within DAYS (naming its date and replacement).",
)
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def check(
    require: tuple[str, ...],
    max_age: float | None,
    deprecations_within: float | None,
    as_json: bool,
    verbose: int,
) -> None:
    """Check the stored catalog for CI and cron.

    \b
    Exit codes:
      0  every required model is listed and not retired (and every catalog is
         younger than --max-age); a deprecated required model is a warning only
      1  a required model is not in the catalog, was not listed by the last
         fetch, is retired (its shutdown date has passed), or shuts down within
         --deprecations-within DAYS; a catalog is older than --max-age or empty;
         or the store cannot be read
      2  usage error (an unknown option, a bad value)

    Problems and warnings go to stderr; --json prints {"ok", "problems", "warnings"}.
    """
    catalog = _open_catalog()
    try:
        result = catalog.check(
            require, max_age_hours=max_age, deprecations_within=deprecations_within
        )
    finally:
        catalog.close()
    warnings = result.warnings
    if as_json:
        from .payloads import check_of

        click.echo(json.dumps(check_of(result), indent=2))
    else:
        for problem in result:
            click.secho(f"✗ {problem}", fg="red", err=True)
        for warning in warnings:
            click.secho(f"! {warning}", fg="yellow", err=True)
        if not result:
            click.echo("✓ all required models present" + (" and fresh" if max_age else ""))
    sys.exit(1 if result else 0)


@main.command()
@click.option("--provider", "-p", help="Only this provider.")
@click.option(
    "--within",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Only models shutting down within DAYS (already retired included).",
)
@click.option("--exclude-retired", is_flag=True, help="Leave out models already retired.")
@click.option(
    "--offline", is_flag=True, help="From the bundled catalog only: no store, keys or network."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def deprecations(
    provider: str | None,
    within: float | None,
    exclude_retired: bool,
    offline: bool,
    as_json: bool,
    verbose: int,
) -> None:
    """Models with a shutdown date, soonest first, with their state and replacement.

    States are decided now from the dates (a passed shutdown date is "retired", without a new
    sync). Models deprecated or retired without a date come last; --within leaves them out.
    """
    from .lifecycle import deprecations as find

    now = datetime.now(UTC)
    if offline:
        from .metadata import offline_rows

        rows, checked = offline_rows(provider)
        click.secho(
            f"offline: the bundled catalog (checked {checked}), not the live list of your keys",
            fg="yellow",
            err=True,
        )
    else:
        catalog = _open_catalog()
        try:
            rows, _ = catalog.raw_models(provider, include_missing=True)
        finally:
            catalog.close()
    found = find(rows, now=now, within_days=within, include_retired=not exclude_retired)
    if as_json:
        out = {
            "as_of": now.isoformat(timespec="seconds"),
            "offline": offline,
            "models": [d.to_dict() for d in found],
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("No deprecated or retired models" + (" in that span." if within else "."))
        return
    width = max(len(f"{d.provider}/{d.id}") for d in found)
    click.echo(f"{'shutdown':<11} {'when':<12} {'state':<11} {'model':<{width}}  replacement")
    for d in found:
        day = d.shutdown_date.date().isoformat() if d.shutdown_date else "-"
        if d.days_left is None:
            when = "-"
        elif d.days_left < 0:
            when = f"{-d.days_left}d ago"
        else:
            when = "today" if d.days_left == 0 else f"in {d.days_left}d"
        name = f"{d.provider}/{d.id}"
        line = f"{day:<11} {when:<12} {d.state:<11} {name:<{width}}  {d.replacement or '-'}"
        line += "  [missing]" if d.missing else ""
        click.secho(line, fg="red" if d.state == "retired" else "yellow")
    click.echo(f"{len(found)} models")


@main.command()
@click.argument("model")
@click.option("--provider", "-p", help="Only this provider.")
@click.option("--offline", is_flag=True, help="Look only in the bundled catalog.")
@click.option("--exact", is_flag=True, help="Match models' own ids only, not their aliases.")
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def show(
    model: str, provider: str | None, offline: bool, exact: bool, as_json: bool, verbose: int
) -> None:
    """Every field of MODEL (id, alias or provider/id) with its value and its source.

    When MODEL names two or more models of one provider (Mistral lists one id under two
    models; a bare family name such as devstral-small fits several dated versions), it prints
    the candidates instead and exits with status 2; name one by its own id (with --exact when
    another model lists that id as an alias).
    """
    from .catalog import _satisfies
    from .metadata import explain, offline_rows

    rows: list[dict[str, Any]] = []
    live = None
    if not offline:
        catalog = _open_catalog()
        try:
            rows, _ = catalog.raw_models(provider, include_missing=True)
            live = catalog.metadata.cached_layer()  # None unless a live source is on
        finally:
            catalog.close()
        rows = [r for r in rows if _satisfies(r, model)]
        if exact:
            rows = [r for r in rows if model in (r["id"], f"{r.get('provider')}/{r['id']}")]
    if not rows:
        rows, _ = offline_rows(provider, model)
    if not rows:
        from .metadata import offline_ambiguity

        could_be = [
            row
            for name in offline_ambiguity(provider, model)
            for row in offline_rows(None, name)[0]
        ]
        if could_be:  # a bare family name several snapshots share: never guessed
            _show_ambiguous(model, could_be, as_json=as_json)
        _fail(
            f"model {model} is in neither the store nor the bundled catalog; "
            "run `modelsync sync` or check the id (`modelsync models --search ...`)",
            as_json=as_json,
        )
    from .query import ambiguous, plain_prices

    clash = ambiguous(rows)
    if clash:
        _show_ambiguous(model, clash, as_json=as_json)
    explained = plain_prices([explain(r, live) for r in rows])
    if as_json:
        click.echo(json.dumps(explained, indent=2, ensure_ascii=False))
        return
    for item in explained:
        where = " (offline: bundled catalog)" if item["offline"] else ""
        click.secho(f"{item['provider']}/{item['id']}{where}", bold=True)
        if item["missing_since"]:
            click.secho(f"  not listed by the provider since {item['missing_since']}", fg="cyan")
        for name, field in item["fields"].items():
            value = "unknown" if field["value"] is None else _fmt(field["value"])
            source = f"  [{_traced(field)}]" if field["source"] else ""
            click.echo(f"  {name:<18} {value}{source}")
        for line in _pricing_lines(item["pricing"]):
            click.echo(line)
        pricing = item["pricing"]
        for price, trace in (pricing.get("provenance") or {}).items():
            click.echo(f"    {price:<16} {pricing.get(price)}  [{_traced({'provenance': trace})}]")
        yes = [c for c, v in item["capabilities"].items() if v["supported"] is True]
        no = [c for c, v in item["capabilities"].items() if v["supported"] is False]
        unknown = [c for c, v in item["capabilities"].items() if v["supported"] is None]
        for label, names in (("yes", yes), ("no", no)):
            listed = ", ".join(f"{c} [{item['capabilities'][c]['source']}]" for c in names)
            click.echo(f"  {'capabilities ' + label:<18} {listed or '-'}")
        click.echo(f"  {'capabilities ?':<18} {', '.join(unknown) or '-'}")


def _show_ambiguous(model: str, clash: list[dict[str, Any]], *, as_json: bool) -> None:
    """``show`` of an id that names several models of one provider: the candidates, exit 2."""
    from .query import candidate

    if as_json:
        out = {"ambiguous": True, "model": model, "candidates": [candidate(r) for r in clash]}
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        click.echo(f"ambiguous: {model} names {len(clash)} models:")
        for r in clash:
            c = candidate(r)
            aliases = f"  aliases: {', '.join(c['aliases'])}" if c["aliases"] else ""
            can = ", ".join(c["capabilities"]) or "-"
            click.echo(f"  {c['provider']}/{c['id']}  {c['name']}  can: {can}{aliases}")
        click.echo("name one by its own id: `modelsync show --exact PROVIDER/ID`")
    sys.exit(2)


def _pricing_lines(pricing: dict[str, Any]) -> list[str]:
    """``show``'s pricing: token prices per 1M, unit prices each, then any context tiers."""
    from .vocab import TOKEN_PRICE_FIELDS, UNIT_PRICE_FIELDS

    per_token = ", ".join(
        f"{k} {pricing[k]}" for k in TOKEN_PRICE_FIELDS if pricing.get(k) is not None
    )
    per_unit = ", ".join(
        f"{k} {pricing[k]}" for k in UNIT_PRICE_FIELDS if pricing.get(k) is not None
    )
    parts = [
        f"{per_token} (USD per 1M tokens)" if per_token else "",
        f"{per_unit} (USD each)" if per_unit else "",
    ]
    prices = "; ".join(p for p in parts if p)
    as_of = f" as of {pricing['as_of']}" if pricing.get("as_of") else ""
    lines = [
        f"  {'pricing':<18} {pricing.get('state', 'unknown')}"
        + (f": {prices}" if prices else "")
        + (f"  [{pricing.get('source')}{as_of}]" if pricing.get("source") else "")
    ]
    for tier in pricing.get("tiers") or ():
        rates = ", ".join(f"{k} {v}" for k, v in tier.items() if k != "above_tokens")
        lines.append(f"  {'':<18} above {tier.get('above_tokens'):,} tokens: {rates}")
    return lines


def _traced(field: dict[str, Any]) -> str:
    """``catalog: litellm, models.dev (agree); genai-prices said 1000000`` for ``show``; where
    the live layer chose the value, each source read live is marked: ``litellm (live)``."""
    trace = field.get("provenance")
    if not trace:
        return str(field.get("source"))
    live = set(trace.get("live") or ())

    def named(source: str) -> str:
        return f"{source} (live)" if source in live else source

    text = f"catalog: {', '.join(named(s) for s in trace.get('sources', ()))} ({trace.get('rule')})"
    said = trace.get("disagreed") or {}
    if said:
        text += "; " + ", ".join(f"{named(s)} said {_fmt(v)}" for s, v in said.items())
    return text


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def providers(as_json: bool, verbose: int) -> None:
    """Every known provider: its env vars, whether it is configured, where it points."""
    catalog = _open_catalog()
    rows = catalog.describe_providers()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from .table import render

    cells = []
    for row in rows:
        if "error" in row:
            cells.append(("  " + row["provider"], "", "not configured:", "", row["error"]))
            continue
        state = (
            "key set"
            if row["key_set"]
            else ("no key needed" if not row["key_required"] else "no key")
        )
        mark = "✓" if row["configured"] else " "
        keys = " or ".join(row["key_env"]) or "-"
        kind = "" if row["type"] == row["provider"] else row["type"]
        cells.append((f"{mark} {row['provider']}", kind, state, keys, row["base_url"]))
    for row, line in zip(rows, render((), cells), strict=True):
        click.echo(line + _extra_note(row))


@main.command()
@click.argument("provider", required=False)
@click.option("--all", "everything", is_flag=True, help="Every provider's stored entries.")
@click.option(
    "--history", is_flag=True, help="Also delete the sync history (ledger); kept by default."
)
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def clear(
    provider: str | None,
    everything: bool,
    history: bool,
    dry_run: bool,
    as_json: bool,
    verbose: int,
) -> None:
    """Remove PROVIDER's stored entries (or every provider's with --all).

    The sync history is kept unless --history is given. Entries expired longer than
    stale_retention_hours are purged too.
    """
    catalog = _open_catalog()
    try:
        summary = catalog.clear(provider, all=everything, history=history, dry_run=dry_run)
    finally:
        catalog.close()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    verb = "would remove" if dry_run else "removed"
    for name, count in summary.entries.items():
        line = f"{verb} {count} entr{'y' if count == 1 else 'ies'} for {name}"
        if not summary.history_kept:
            records = summary.history.get(name, 0)
            line += f" and {records} history record{'' if records == 1 else 's'}"
        click.echo(line)
    if not summary.entries:
        click.echo(f"nothing stored; {verb} nothing")
    if summary.purged:
        click.echo(f"{verb} {summary.purged} other long-expired entries")
    if summary.history_kept:
        click.echo("sync history kept (pass --history to delete it too)")
    if dry_run:
        click.echo("dry run: nothing was removed")


from .cli_faces import register as _register_faces  # noqa: E402 - export, serve, mcp

_register_faces(main)


if __name__ == "__main__":  # pragma: no cover
    main()
