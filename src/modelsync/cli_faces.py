"""The commands that put the catalog in front of other programs: ``export`` (core install),
``serve`` (the ``serve`` extra) and ``mcp`` (the ``mcp`` extra).

Registered on the ``modelsync`` group by ``cli.py``. Importing this module imports click only;
each command loads what it needs when it runs, and a missing extra is one line naming the
``pip install`` that brings it.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

#: Mirrors ``export.FORMATS`` (kept here so ``--help`` imports nothing).
EXPORT_FORMATS = ("openai", "models.dev", "litellm", "litellm-config", "csv", "jsonl")


def _need(modules: tuple[str, ...], extra: str) -> None:
    """Exit 1 with one line when a module of an extra is missing."""
    import importlib

    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            click.secho(
                f"error: {module} is not installed; run: pip install 'modelsync[{extra}]'",
                fg="red",
                err=True,
            )
            sys.exit(1)


def _guarded(fn: Any) -> Any:
    from .cli import _guard

    return _guard(fn)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    required=True,
    help="openai, models.dev, litellm, litellm-config, csv or jsonl.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE (atomically) instead of standard output.",
)
@click.option("-v", "--verbose", count=True, hidden=True)
def export(fmt: str, output: Path | None, verbose: int) -> None:
    """The live catalog in a format other tools read (no network: from the store)."""
    _guarded(_export)(fmt=fmt, output=output, verbose=verbose)


def _export(fmt: str, output: Path | None, verbose: int) -> None:
    from .catalog import Catalog
    from .cli import _setup_logging
    from .export import export as render

    _setup_logging(verbose, False)
    catalog = Catalog()
    try:
        text = render(catalog, fmt)
    finally:
        catalog.close()
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    click.echo(f"wrote {output} ({fmt}, {len(text.encode()):,} bytes)", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--sync-every",
    metavar="DURATION",
    help="Run the normal sync in the background: 30m, 1h, 1h30m, 1d.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each runs the sync loop; leases keep one fetch per provider).",
)
@click.option("-v", "--verbose", count=True, help="Log requests and syncs (-vv: debug).")
def serve(host: str, port: int, sync_every: str | None, workers: int, verbose: int) -> None:
    """Serve the catalog over HTTP: JSON API, web page, /metrics, exports (read-only)."""
    _need(("starlette", "uvicorn", "prometheus_client", "jinja2"), "serve")
    _guarded(_serve)(host=host, port=port, sync_every=sync_every, workers=workers, verbose=verbose)


def _serve(host: str, port: int, sync_every: str | None, workers: int, verbose: int) -> None:
    import uvicorn

    from .catalog import Catalog
    from .cli import _setup_logging
    from .serve.settings import SYNC_EVERY_ENV, TOKEN_ENV, parse_duration

    _setup_logging(verbose, False)
    if sync_every:
        parse_duration(sync_every)  # a bad duration fails here, not in every worker
        os.environ[SYNC_EVERY_ENV] = sync_every
    catalog = Catalog()
    try:
        catalog.store.version()  # an unreachable store is one clear line now
        store = catalog.store_url
    finally:
        catalog.close()
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # the workers' counters meet in files here, so any worker's /metrics sums them all
        metrics_dir = tempfile.mkdtemp(prefix="modelsync-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    auth = "token required" if os.environ.get(TOKEN_ENV) else "no token"
    every = f", syncing every {sync_every}" if sync_every else ""
    click.echo(
        f"modelsync serving http://{host}:{port} ({auth}{every}); store {store}; "
        f"{workers} worker{'s' if workers > 1 else ''}",
        err=True,
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, restores the handlers it found and then
    # raises the signal again. A stop that was asked for is a clean exit: find handlers that
    # do nothing, so the process returns from run() and exits 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stopped)
    uvicorn.run(
        "modelsync.serve.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info" if verbose else "warning",
        access_log=verbose >= 1,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    if metrics_dir is not None:
        import shutil

        shutil.rmtree(metrics_dir, ignore_errors=True)


def _stopped(signum: int, frame: object) -> None:
    """The signal uvicorn raises again after its graceful shutdown: nothing left to do."""


@click.command()
@click.option("-v", "--verbose", count=True, help="Log to standard error (-vv: debug).")
def mcp(verbose: int) -> None:
    """Serve the catalog to an AI client over MCP (stdio): list, show, check, sync status."""
    _need(("mcp",), "mcp")
    _guarded(_mcp)(verbose=verbose)


def _mcp(verbose: int) -> None:
    from .cli import _setup_logging
    from .serve.mcp_server import run

    _setup_logging(verbose, False)  # standard error only: standard output is the protocol
    run()


def register(group: click.Group) -> None:
    for command in (export, serve, mcp):
        group.add_command(command)
