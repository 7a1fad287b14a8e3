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
from datetime import UTC, datetime, timedelta
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
_COLOURS = {"success": "green", "skipped": "cyan", "dry_run": "yellow", "error": "red"}


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
            text += "".join(f"\n    - {i}" for i in ids)
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
        parts.append(f"{verb}change {len(diff.changed)}")
    if diff.missing:
        parts.append(f"{len(diff.missing)} missing")
    return "; " + ", ".join(parts) if parts else "; no changes"


@main.command()
@click.argument("providers", nargs=-1)
@click.option("--force", is_flag=True, help="Sync even if the cache is still fresh.")
@click.option(
    "--dry-run", is_flag=True, help="Fetch as a sync would and show the diff; write nothing."
)
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Per-provider deadline, seconds.")
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

    from .query import sort_models

    _setup_logging(verbose, False)
    try:
        price_cap = Decimal(max_price) if max_price is not None else None
    except InvalidOperation:
        raise click.BadParameter("give a number, e.g. 2.5", param_hint="--max-price") from None
    if offline:
        from .metadata import offline_rows
        from .query import filter_models

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
    from rich.console import Console
    from rich.table import Table

    from .query import input_price, supported

    table = Table(box=None, header_style="bold")
    table.add_column("provider", no_wrap=True)
    table.add_column("id", no_wrap=True)
    table.add_column("context", justify="right", no_wrap=True)
    table.add_column("$/1M in", justify="right", no_wrap=True)
    table.add_column("can", overflow="fold")
    for row in rows:
        ctx = row.get("context_window")
        price = input_price(row)
        state = (row.get("pricing") or {}).get("state")
        table.add_row(
            row["provider"],
            row["id"] + (" [missing]" if row.get("missing_count") else ""),
            f"{ctx:,}" if ctx else "?",
            str(price) if price is not None else (state if state == "dynamic" else "?"),
            " ".join(_SHORT[c] for c in supported(row) if c in _SHORT),
        )
    Console().print(table)
    click.echo(f"{len(rows)} models")


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
        for key, value in (values or {}).items():
            if value or key in ("total_models",):
                click.echo(f"  {key}: {value}")


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
        store_url = catalog.store_url
    finally:
        catalog.close()
    if as_json:
        click.echo(json.dumps({"store": store_url, "providers": rows}, indent=2))
        return
    click.echo(f"store: {store_url}")
    for row in rows:
        age = human_age(row["age_seconds"]) + " ago" if row["last_sync"] else "never synced"
        key = "key set" if row["configured"] else "no key"
        line = (
            f"  {row['provider']:<12} {key:<8} {row['state']:<6} {row['models']:>5} models  {age}"
        )
        failure = row["last_failure"]
        if failure:
            line += f"\n{'':15}last failure {failure['failed_at']}: [{failure['error_type']}] "
            line += str(failure["error"])
        click.echo(line)


def _parse_since(text: str) -> datetime:
    """``2026-11-27``, ``2026-11-27T10:00``, or a span back from now: ``90m``, ``36h``, ``7d``."""
    units = {"m": 60, "h": 3600, "d": 86400}
    if text[-1:] in units and text[:-1].replace(".", "", 1).isdigit():
        return datetime.now(UTC) - timedelta(seconds=float(text[:-1]) * units[text[-1]])
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("use a date (2026-11-27), a time, or 36h / 7d") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


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
        click.echo(json.dumps({"providers": {n: d.to_dict() for n, d in diffs.items()}}, indent=2))
        return
    if not diffs:
        click.echo("No successful syncs recorded in that span.")
        return
    for name, d in diffs.items():
        click.secho(name, bold=True)
        if d.first_sync:
            click.echo(f"  first sync: {len(d.added)} models")
            continue
        if d.empty and not d.missing:
            click.echo("  no changes")
        for model_id in d.added:
            click.secho(f"  + {model_id}", fg="green")
        for model_id in d.removed:
            click.secho(f"  - {model_id}", fg="red")
        for change in d.changed:
            click.secho(f"  ~ {change.id}", fg="yellow")
            for field_name, fc in change.fields.items():
                click.echo(f"      {field_name}: {_fmt(fc.old)} -> {_fmt(fc.new)}")
        for model_id in d.missing:
            click.secho(f"  ? {model_id} (not listed by the last fetch; kept for now)", fg="cyan")


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
    rates: dict[str, dict[str, Any]] = {}
    for record in records:
        entry = rates.setdefault(record["provider"], {"attempts": 0, "failures": 0})
        entry["attempts"] += 1
        entry["failures"] += record.get("status") == "error"
    for entry in rates.values():
        entry["failure_rate"] = round(entry["failures"] / entry["attempts"], 3)
    if as_json:
        click.echo(json.dumps({"entries": records, "failure_rates": rates}, indent=2))
        return
    if not records:
        click.echo("No sync attempts recorded yet.")
        return
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
        click.secho(
            f"{'✓' if ok else '✗'} {r.get('started_at', '')[:19]}  {r['provider']:<12} "
            f"{r.get('duration_ms', 0):>6} ms  {r.get('requests', 0)} req  {what}",
            fg="green" if ok else "red",
        )
    click.echo("")
    for name, entry in rates.items():
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
    help="A model (id, alias or provider/id) that must be listed. Repeatable.",
)
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    metavar="HOURS",
    help="Fail if any stored catalog is older than this.",
)
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def check(require: tuple[str, ...], max_age: float | None, as_json: bool, verbose: int) -> None:
    """Exit 1 if a required model is missing or the catalog is too old (for CI and cron)."""
    catalog = _open_catalog()
    try:
        problems = catalog.check(require, max_age_hours=max_age)
    finally:
        catalog.close()
    if as_json:
        click.echo(json.dumps({"ok": not problems, "problems": problems}, indent=2))
    elif problems:
        for problem in problems:
            click.secho(f"✗ {problem}", fg="red", err=True)
    else:
        click.echo("✓ all required models present" + (" and fresh" if max_age else ""))
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("model")
@click.option("--provider", "-p", help="Only this provider.")
@click.option("--offline", is_flag=True, help="Look only in the bundled catalog.")
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def show(model: str, provider: str | None, offline: bool, as_json: bool, verbose: int) -> None:
    """Every field of MODEL (id, alias or provider/id) with its value and its source."""
    from .catalog import _satisfies
    from .metadata import explain, offline_rows
    from .vocab import PRICE_FIELDS

    rows: list[dict[str, Any]] = []
    if not offline:
        catalog = _open_catalog()
        try:
            rows, _ = catalog.raw_models(provider, include_missing=True)
        finally:
            catalog.close()
        rows = [r for r in rows if _satisfies(r, model)]
    if not rows:
        rows, _ = offline_rows(provider, model)
    if not rows:
        _fail(
            f"model {model} is in neither the store nor the bundled catalog; "
            "run `modelsync sync` or check the id (`modelsync models --search ...`)",
            as_json=as_json,
        )
    explained = [explain(r) for r in rows]
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
            source = f"  [{field['source']}]" if field["source"] else ""
            click.echo(f"  {name:<18} {value}{source}")
        pricing = item["pricing"]
        prices = ", ".join(f"{k} {pricing[k]}" for k in PRICE_FIELDS if pricing.get(k) is not None)
        as_of = f" as of {pricing['as_of']}" if pricing.get("as_of") else ""
        click.echo(
            f"  {'pricing':<18} {pricing.get('state', 'unknown')}"
            + (f": {prices} (USD per 1M tokens)" if prices else "")
            + (f"  [{pricing.get('source')}{as_of}]" if pricing.get("source") else "")
        )
        yes = [c for c, v in item["capabilities"].items() if v["supported"] is True]
        no = [c for c, v in item["capabilities"].items() if v["supported"] is False]
        unknown = [c for c, v in item["capabilities"].items() if v["supported"] is None]
        for label, names in (("yes", yes), ("no", no)):
            listed = ", ".join(f"{c} [{item['capabilities'][c]['source']}]" for c in names)
            click.echo(f"  {'capabilities ' + label:<18} {listed or '-'}")
        click.echo(f"  {'capabilities ?':<18} {', '.join(unknown) or '-'}")


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
    for row in rows:
        if "error" in row:
            click.echo(f"  {row['provider']:<18} not configured: {row['error']}")
            continue
        state = (
            "key set"
            if row["key_set"]
            else ("no key needed" if not row["key_required"] else "no key")
        )
        mark = "✓" if row["configured"] else " "
        keys = " or ".join(row["key_env"]) or "-"
        kind = "" if row["type"] == row["provider"] else f" ({row['type']})"
        click.echo(f"{mark} {row['provider']:<18}{kind} {state:<14} {keys:<36} {row['base_url']}")


@main.command()
@click.argument("provider", required=False)
@click.option("-v", "--verbose", count=True, hidden=True)
@_guard
def clear(provider: str | None, verbose: int) -> None:
    """Remove a provider's entries (or every entry), and purge long-expired ones."""
    catalog = _open_catalog()
    try:
        removed = catalog.clear(provider)
    finally:
        catalog.close()
    click.echo(
        f"removed {removed} entr{'y' if removed == 1 else 'ies'}"
        + (f" for {provider}" if provider else "")
    )


from .cli_faces import register as _register_faces  # noqa: E402 - export, serve, mcp

_register_faces(main)


if __name__ == "__main__":  # pragma: no cover
    main()
