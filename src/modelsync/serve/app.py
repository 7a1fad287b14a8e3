"""The HTTP service: routes, the gate every request passes (token, metrics, errors), the background
sync, and the ASGI app uvicorn runs.

Read-only by construction: every route is ``GET``/``HEAD`` and reads through ``Catalog``; other
methods get 405. ``/healthz`` answers without the token; everything else requires it when
``MODELSYNC_SERVE_TOKEN`` is set (``Authorization: Bearer``, or HTTP Basic with the token as the
password so a browser can open the page). The token is compared in constant time and never
logged. CORS headers are sent only for origins listed in ``MODELSYNC_SERVE_CORS_ORIGINS``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..catalog import Catalog
from ..errors import ModelSyncError
from ..export import ProviderInfo, provider_infos
from . import api
from .metrics import CONTENT_TYPE, Metrics
from .page import Pages, changes_feed
from .settings import ServeSettings
from .snapshot import Body, Reader, etag_of
from .syncloop import SyncLoop

if TYPE_CHECKING:
    from ..live import LiveLayer

log = logging.getLogger("modelsync.serve")

Handler = Callable[[Request, "Service"], Awaitable[Response]]
_UNAUTHORIZED = api.dumps(
    {
        "error": "authentication required",
        "hint": "send Authorization: Bearer <MODELSYNC_SERVE_TOKEN>",
    }
)


class Service:
    """What every route shares: the catalog, its cached reader, settings, metrics, the page."""

    def __init__(self, catalog: Catalog, settings: ServeSettings) -> None:
        self.catalog = catalog
        self.settings = settings
        self.reader = Reader(catalog)
        # Every request asks the store's version: let Redis push it rather than answer each time.
        try:
            catalog.store.watch_version()
        except ModelSyncError as exc:  # a store down at start-up: /readyz says so, reads retry
            log.warning("serve: store not reachable at start-up (%s)", exc)
        self.metrics = Metrics(self.reader)
        self.pages = Pages(asset_version=_asset_version())
        self.history_window = 100
        self.loop: SyncLoop | None = None
        if settings.sync_every is not None:
            self.loop = SyncLoop(catalog, settings.sync_every, self.metrics)
        self._infos: dict[str, ProviderInfo] | None = None
        self._known: set[str] | None = None

    async def live_layer(self) -> LiveLayer | None:
        """The live sources' layer from their stored copies (None when none is on), for the
        provenance of live values; built off the event loop, reused for a minute."""
        if not self.catalog.metadata.enabled():
            return None
        return await asyncio.to_thread(self.catalog.metadata.cached_layer)

    def provider_infos(self) -> dict[str, ProviderInfo]:
        """Per provider, what exports may say (env var names, public base URLs); from the
        environment, which does not change while the process runs."""
        if self._infos is None:
            self._infos = provider_infos(self.catalog)
        return self._infos

    def known_providers(self) -> set[str]:
        if self._known is None:
            self._known = set(self.catalog.provider_names())
        return self._known


def _asset_version() -> str:
    """Changes when the packaged assets change, so browsers never keep a stale script."""
    folder = resources.files("modelsync.serve") / "static"
    return etag_of(*(f.read_bytes() for f in sorted(folder.iterdir(), key=str) if f.is_file()))[:10]


# -- pages ----------------------------------------------------------------------------------------


async def index(request: Request, service: Service) -> Response:
    snapshot = service.reader.snapshot()
    base = snapshot.cached("providers", lambda: api.provider_rows(service))
    fresh = snapshot.freshness()
    health = []
    for row in base:
        f = fresh.get(row["provider"])
        if f is None and row["state"] == "empty" and not row["configured"]:
            continue  # a provider nobody configured and nothing stored: not news
        item = dict(row)
        if f is not None:
            item.update(
                state=f.state,
                last_sync=f.last_sync.isoformat() if f.last_sync else None,
                age_seconds=f.age_seconds,
                models=0
                if f.state == "mismatch"
                else len(snapshot.stored[row["provider"]].present),
            )
        health.append(item)
    changes = snapshot.cached(
        "changes", lambda: changes_feed(service.catalog.history(limit=service.history_window))
    )
    html = service.pages.index(snapshot, health, changes).encode()
    body = Body(html, "text/html; charset=utf-8")
    return api.send(request, body, weak=True)


async def model_page(request: Request, service: Service) -> Response:
    provider = request.path_params["provider"]
    model_id = request.path_params["model_id"]
    snapshot = service.reader.snapshot()
    try:
        row = api.find_model(snapshot, provider, model_id)
    except api.BadRequest as exc:
        return HTMLResponse(_error_page(str(exc)), status_code=exc.status)
    fresh = snapshot.freshness().get(provider)
    html = service.pages.model(row, fresh.to_dict() if fresh else None).encode()
    return api.send(request, Body(html, "text/html; charset=utf-8"), weak=True)


def _error_page(message: str) -> str:
    from html import escape

    return (
        '<!doctype html><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>not found · modelsync</title>'
        '<link rel="stylesheet" href="/static/app.css"><main><section class="panel">'
        f'<h1>Not here</h1><p>{escape(message)}</p><p><a href="/">All models</a></p>'
        "</section></main>"
    )


# -- health, metrics ------------------------------------------------------------------------------


async def healthz(request: Request, service: Service) -> Response:
    return Response(b'{"status":"ok"}', media_type=api.JSON_TYPE)


async def readyz(request: Request, service: Service) -> Response:
    """Ready when the store answers and at least one provider has a served catalog."""
    try:
        snapshot = service.reader.snapshot()
    except ModelSyncError as exc:
        return api.error(f"store unavailable: {exc}", 503, ready=False)
    if not snapshot.served:
        return api.error(
            "no provider has a catalog yet; run `modelsync sync` or serve with --sync-every",
            503,
            ready=False,
        )
    return Response(
        api.dumps({"ready": True, "providers": len(snapshot.served), "models": len(snapshot.rows)}),
        media_type=api.JSON_TYPE,
    )


async def metrics(request: Request, service: Service) -> Response:
    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


# -- the gate -------------------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class Gate:
    """Authentication, the HTTP metrics and the error contract, in one cheap ASGI wrapper."""

    OPEN = frozenset({"/healthz"})

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service
        token = service.settings.token
        self._token = token.encode() if token else None

    def _authorized(self, scope: Scope) -> bool:
        assert self._token is not None
        header = _header(scope, b"authorization") or b""
        scheme, _, credentials = header.partition(b" ")
        scheme = scheme.lower()
        if scheme == b"bearer":
            return hmac.compare_digest(credentials.strip(), self._token)
        if scheme == b"basic":  # a browser: any user name, the token as the password
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True)
            except (binascii.Error, ValueError):
                return False
            return hmac.compare_digest(decoded.partition(b":")[2], self._token)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        route = "(unmatched)"

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if (
                self._token is not None
                and scope["path"] not in self.OPEN
                and scope["method"] != "OPTIONS"
                and not self._authorized(scope)
            ):
                route = "(unauthorized)"
                await _deny(send)
                status = 401
                return
            await self.app(scope, receive, observe)
            found = scope.get("route")
            route = getattr(found, "path", route)
        finally:
            self.service.metrics.observe_http(
                route, scope["method"], status, time.perf_counter() - started
            )


async def _deny(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(_UNAUTHORIZED)).encode()),
                (b"www-authenticate", b'Bearer realm="modelsync"'),
                (b"www-authenticate", b'Basic realm="modelsync", charset="UTF-8"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _UNAUTHORIZED})


def _route(path: str, handler: Handler, service: Service, name: str) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, service)
        except api.BadRequest as exc:
            return api.error(str(exc), exc.status, **exc.extra)
        except ModelSyncError as exc:  # the store is down or refused: say so, never a traceback
            log.error("%s: %s", path, exc)
            return api.error(str(exc), 503, error_type=exc.error_type)

    return Route(path, endpoint, methods=["GET", "HEAD"], name=name)


def build_app(service: Service) -> Starlette:
    routes = [
        _route("/healthz", healthz, service, "healthz"),
        _route("/readyz", readyz, service, "readyz"),
        _route("/metrics", metrics, service, "metrics"),
        _route("/v1/models", api.openai_models, service, "openai"),
        _route("/api/models", api.list_models, service, "models"),
        _route("/api/models/{provider}/{model_id:path}", api.show_model, service, "model"),
        _route("/api/providers", api.providers, service, "providers"),
        _route("/api/history", api.history, service, "history"),
        _route("/api/diff", api.diff, service, "diff"),
        _route("/api/check", api.check, service, "check"),
        _route("/export/{format}", api.export, service, "export"),
        _route("/api.json", api.models_dev_api, service, "models_dev"),
        _route("/", index, service, "index"),
        _route("/models/{provider}/{model_id:path}", model_page, service, "model_page"),
        Mount(
            "/static",
            app=StaticFiles(packages=[("modelsync.serve", "static")]),
            name="static",
        ),
    ]
    middleware = []
    if service.settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(service.settings.cors_origins),
                allow_methods=["GET", "HEAD"],
                allow_headers=["Authorization", "If-None-Match"],
                expose_headers=["ETag"],
            )
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if service.loop is not None:
            service.loop.start()
        try:
            yield
        finally:
            if service.loop is not None:
                await service.loop.stop()
            service.catalog.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    return app


def create_app(env: Mapping[str, str] | None = None) -> ASGIApp:
    """The ASGI app for ``uvicorn modelsync.serve.app:create_app --factory``: settings from
    ``MODELSYNC_*`` and ``MODELSYNC_SERVE_*``."""
    environ = os.environ if env is None else env
    settings = ServeSettings.from_env(environ)
    overrides: dict[str, Any] = {}
    if settings.sync_every is not None:
        # A catalog turns due after one period: the loop's next tick fetches it (see syncloop).
        overrides["refresh_hours"] = settings.sync_every / 3600
    catalog = Catalog(env=environ, **overrides)
    service = Service(catalog, settings)
    return Gate(build_app(service), service)
