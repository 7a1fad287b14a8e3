"""The JSON routes: every answer is built from a ``Snapshot`` (or a ``Catalog`` read) and cached
in it when it does not depend on the clock.

Handlers are plain ``async def`` functions of the request and the ``Service``; nothing here
writes to the store.
"""

from __future__ import annotations

import difflib
import json
import time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from ..export import FILE_NAMES, FORMATS, MEDIA_TYPES, ExportInput, ProviderInfo, render
from ..metadata import explain
from ..query import SORT_KEYS, filter_models, sort_models
from ..vocab import CAPABILITIES
from .snapshot import Body, Snapshot, etag_of

if TYPE_CHECKING:
    from .app import Service

JSON_TYPE = "application/json"
MAX_LIMIT = 100_000


class BadRequest(Exception):
    """A request the client must change: answered 400 (or ``status``) with a JSON error."""

    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def error(message: str, status: int, **extra: Any) -> Response:
    return Response(dumps({"error": message, **extra}), status, media_type=JSON_TYPE)


def _etag_matches(header: str, etag: str) -> bool:
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag.strip('"') == etag:
            return True
    return False


def send(
    request: Request, body: Body, *, weak: bool = False, headers: dict[str, str] | None = None
) -> Response:
    """``body`` with its ETag, 304 when the client has it, gzip when asked and worth it."""
    tag = f'W/"{body.etag}"' if weak else f'"{body.etag}"'
    common = {
        "etag": tag,
        "cache-control": "no-cache",
        "vary": "Accept-Encoding",
        **(headers or {}),
    }
    match = request.headers.get("if-none-match")
    if match and _etag_matches(match, body.etag):
        return Response(status_code=304, headers=common)
    data = body.data
    if len(data) >= 1024 and "gzip" in request.headers.get("accept-encoding", ""):
        data = body.gzipped()
        common["content-encoding"] = "gzip"
    return Response(data, 200, headers=common, media_type=body.media_type)


# -- parameters -----------------------------------------------------------------------------------

_MODEL_PARAMS = (
    "provider",
    "capability",
    "min_context",
    "max_price",
    "search",
    "sort",
    "include_missing",
    "limit",
    "offset",
)


def _only(request: Request, allowed: tuple[str, ...]) -> None:
    for name in request.query_params:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise BadRequest(f"unknown parameter {name!r}{hint}", parameters=list(allowed))


def _int(request: Request, name: str, *, minimum: int, maximum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _bool(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "").lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise BadRequest(f"{name} must be true or false, got {raw!r}")


def _provider(snapshot: Snapshot, service: Service, name: str | None) -> str | None:
    if name is None or name == "":
        return None
    if name in snapshot.stored or name in service.known_providers():
        return name
    known = sorted(set(snapshot.stored) | set(service.known_providers()))
    close = difflib.get_close_matches(name, known, n=3)
    raise BadRequest(
        f"unknown provider {name!r}" + (f"; did you mean {', '.join(close)}?" if close else ""),
        status=404,
        providers=known,
    )


# -- /v1/models and /api/models -------------------------------------------------------------------


async def openai_models(request: Request, service: Service) -> Response:
    snapshot = service.reader.snapshot()
    body = snapshot.cached(
        "openai",
        lambda: Body(render("openai", export_input(snapshot, service)).encode(), JSON_TYPE),
    )
    return send(request, body)


def _freshness_json(snapshot: Snapshot, names: list[str] | None = None) -> tuple[bytes, str]:
    fresh = snapshot.freshness(time.time())
    if names is not None:
        fresh = {n: f for n, f in fresh.items() if n in names}
    states = ",".join(f"{n}={f.state}" for n, f in fresh.items())
    return dumps({n: f.to_dict() for n, f in fresh.items()}), states


async def list_models(request: Request, service: Service) -> Response:
    """``GET /api/models``: the CLI's filters plus ``limit``/``offset``; models exactly as
    ``modelsync models --json`` prints them; each provider's freshness."""
    _only(request, _MODEL_PARAMS)
    q = request.query_params
    snapshot = service.reader.snapshot()
    provider = _provider(snapshot, service, q.get("provider"))
    capability = q.get("capability") or None
    if capability is not None and capability not in CAPABILITIES:
        raise BadRequest(f"unknown capability {capability!r}", capabilities=list(CAPABILITIES))
    min_context = _int(request, "min_context", minimum=1, maximum=10**12)
    max_price: Decimal | None = None
    if q.get("max_price"):
        try:
            max_price = Decimal(q["max_price"])
        except InvalidOperation:
            raise BadRequest(f"max_price must be a number, got {q['max_price']!r}") from None
        if not max_price.is_finite() or max_price < 0:
            raise BadRequest("max_price must be a number >= 0")
    sort = q.get("sort") or None
    if sort is not None and sort not in SORT_KEYS:
        raise BadRequest(f"unknown sort {sort!r}", sorts=list(SORT_KEYS))
    include_missing = _bool(request, "include_missing")
    limit = _int(request, "limit", minimum=1, maximum=MAX_LIMIT)
    offset = _int(request, "offset", minimum=0, maximum=10**9) or 0
    search = q.get("search") or None
    key = (
        "models",
        provider,
        capability,
        min_context,
        str(max_price) if max_price is not None else None,
        search,
        sort,
        include_missing,
        limit,
        offset,
    )

    def build() -> tuple[bytes, int, str]:
        rows = snapshot.all_rows if include_missing else snapshot.rows
        if provider is not None:
            rows = [r for r in rows if r["provider"] == provider]
        if capability or search or min_context or max_price is not None:
            rows = filter_models(
                rows,
                capability=capability,
                search=search,
                min_context=min_context,
                max_price=max_price,
            )
        if sort:
            rows = sort_models(rows, sort)
        total = len(rows)
        page = rows[offset : offset + limit if limit is not None else None]
        part = b"[" + b",".join(snapshot.row_json(r) for r in page) + b"]"
        return part, total, etag_of(part)

    part, total, part_tag = snapshot.cached(key, build)
    fresh, states = _freshness_json(snapshot, [provider] if provider else None)
    head = dumps({"total": total, "offset": offset, "limit": limit})[:-1]
    data = head + b',"freshness":' + fresh + b',"models":' + part + b"}"
    return send(request, Body(data, JSON_TYPE, etag_of(part_tag, states)), weak=True)


async def show_model(request: Request, service: Service) -> Response:
    """``GET /api/models/{provider}/{id}``: every field with its source, as ``show --json``."""
    provider = request.path_params["provider"]
    model_id = request.path_params["model_id"]
    snapshot = service.reader.snapshot()
    _provider(snapshot, service, provider)
    found = find_model(snapshot, provider, model_id)
    fresh = snapshot.freshness().get(provider)
    item = explain(found, await service.live_layer())
    item["freshness"] = fresh.to_dict() if fresh else None
    body = Body(dumps(item), JSON_TYPE)
    return send(request, body, weak=True)


def find_model(snapshot: Snapshot, provider: str, model_id: str) -> dict[str, Any]:
    """The stored row of ``provider``'s ``model_id`` (or of the one model with that alias).

    Raises ``BadRequest``: 404 when absent or not served, 300 when an alias names several.
    """
    stored = snapshot.stored.get(provider)
    if stored is None:
        raise BadRequest(f"{provider} has no stored catalog; run `modelsync sync {provider}`", 404)
    if stored.mismatch:
        raise BadRequest(
            f"{provider}'s stored catalog was fetched with another key or base URL and is not "
            f"served; run `modelsync sync {provider}`",
            404,
        )
    rows = stored.decided(time.time()).rows  # lifecycles as of now
    for row in rows:
        if row["id"] == model_id:
            return row
    by_alias = [r for r in rows if model_id in (r.get("aliases") or ())]
    if len(by_alias) == 1:
        return by_alias[0]
    if len(by_alias) > 1:
        raise BadRequest(
            f"{model_id!r} is an alias of {len(by_alias)} {provider} models; name one",
            300,
            candidates=[f"{provider}/{r['id']}" for r in by_alias],
        )
    close = difflib.get_close_matches(model_id, [r["id"] for r in rows], n=3)
    raise BadRequest(
        f"model {model_id!r} is not in {provider}'s catalog",
        404,
        suggestions=[f"{provider}/{c}" for c in close],
    )


# -- /api/providers, history, diff, check ---------------------------------------------------------


async def providers(request: Request, service: Service) -> Response:
    """Per provider: state, last sync, model count, last failure, sync statistics."""
    _only(request, ())
    snapshot = service.reader.snapshot()
    base = snapshot.cached("providers", lambda: provider_rows(service))
    fresh = snapshot.freshness()
    out = []
    for row in base:
        item = dict(row)
        f = fresh.get(row["provider"])
        stored = snapshot.stored.get(row["provider"])
        if f is not None and stored is not None:
            item.update(
                state=f.state,
                last_sync=f.last_sync.isoformat() if f.last_sync else None,
                age_seconds=None if f.age_seconds is None else round(f.age_seconds, 1),
                models=0 if stored.mismatch else len(stored.present),
                missing=len(stored.rows) - len(stored.present),
            )
        out.append(item)
    states = ",".join(f"{n}={f.state}" for n, f in fresh.items())
    data = dumps({"providers": out})
    return send(
        request,
        Body(data, JSON_TYPE, etag_of(snapshot.view.version or "", states, data)),
        weak=True,
    )


def provider_rows(service: Service) -> list[dict[str, Any]]:
    """The clock-free part of ``/api/providers`` (built once per store version)."""
    from ..payloads import failure_rates

    catalog = service.catalog
    out = []
    for status in catalog.status():
        name = status["provider"]
        records = catalog.history(name, limit=service.history_window)
        rates = failure_rates(records).get(name, {"attempts": 0, "failures": 0, "failure_rate": 0})
        last = records[0] if records else None
        success = next((r for r in records if r.get("status") == "success"), None)
        failure = status.get("last_failure")
        out.append(
            {
                "provider": name,
                "configured": status["configured"],
                "state": status["state"],
                "last_sync": status["last_sync"],
                "age_seconds": status["age_seconds"],
                "models": status["models"],
                "missing": 0,
                "last_failure": None
                if not isinstance(failure, dict)
                else {
                    "type": failure.get("error_type"),
                    "message": failure.get("error"),
                    "time": failure.get("failed_at"),
                    "status_code": failure.get("status_code"),
                },
                "statistics": catalog.stats(name),
                "syncs": {
                    **rates,
                    "window": len(records),
                    "last_attempt_at": last.get("started_at") if last else None,
                    "last_status": last.get("status") if last else None,
                    "last_duration_ms": last.get("duration_ms") if last else None,
                    "last_success_at": success.get("finished_at") if success else None,
                },
            }
        )
    return out


async def history(request: Request, service: Service) -> Response:
    from ..payloads import history as payload

    _only(request, ("provider", "limit"))
    snapshot = service.reader.snapshot()
    provider = _provider(snapshot, service, request.query_params.get("provider"))
    limit = _int(request, "limit", minimum=1, maximum=10_000) or 20
    body = snapshot.cached(
        ("history", provider, limit),
        lambda: Body(dumps(payload(service.catalog, provider, limit)), JSON_TYPE),
    )
    return send(request, body)


async def diff(request: Request, service: Service) -> Response:
    from ..payloads import diff as payload
    from ..payloads import parse_since

    _only(request, ("provider", "since", "last"))
    snapshot = service.reader.snapshot()
    provider = _provider(snapshot, service, request.query_params.get("provider"))
    raw_since = request.query_params.get("since")
    try:
        since = parse_since(raw_since) if raw_since else None
    except ValueError as exc:
        raise BadRequest(f"since: {exc}") from None
    last = _int(request, "last", minimum=1, maximum=10_000)

    # ``since`` spans relative to now are not cacheable; the rest are, per version.
    def build() -> Body:
        return Body(dumps(payload(service.catalog, provider, since=since, last=last)), JSON_TYPE)

    body = build() if since is not None else snapshot.cached(("diff", provider, last), build)
    return send(request, body)


async def check(request: Request, service: Service) -> Response:
    """200 when every required model is present (and fresh enough), 409 otherwise."""
    from ..payloads import check as payload

    _only(request, ("require", "max_age", "deprecations_within"))
    require = [
        part.strip()
        for value in request.query_params.getlist("require")
        for part in value.split(",")
        if part.strip()
    ]
    raw_age = request.query_params.get("max_age")
    max_age: float | None = None
    if raw_age:
        try:
            max_age = float(raw_age)
        except ValueError:
            raise BadRequest(f"max_age must be a number of hours, got {raw_age!r}") from None
    raw_within = request.query_params.get("deprecations_within")
    within: float | None = None
    if raw_within:
        try:
            within = float(raw_within)
        except ValueError:
            raise BadRequest(
                f"deprecations_within must be a number of days, got {raw_within!r}"
            ) from None
    snapshot = service.reader.snapshot()  # the store answers, or this is a 503
    if max_age is None and within is None:  # no clock but lifecycles', which snapshots follow
        key = ("check", tuple(require))
        result = snapshot.cached(key, lambda: payload(service.catalog, require))
    else:
        result = payload(service.catalog, require, max_age, within)
    data = dumps(result)
    return Response(data, 200 if result["ok"] else 409, media_type=JSON_TYPE)


# -- exports --------------------------------------------------------------------------------------


def export_input(snapshot: Snapshot, service: Service) -> ExportInput:
    infos: dict[str, ProviderInfo] = service.provider_infos()
    synced = {n: s.synced for n, s in snapshot.served.items()}
    return ExportInput(list(snapshot.rows), infos, synced)


async def export(request: Request, service: Service) -> Response:
    fmt = request.path_params["format"]
    if fmt not in FORMATS:
        raise BadRequest(f"unknown export format {fmt!r}", 404, formats=list(FORMATS))
    return _export(request, service, fmt)


async def models_dev_api(request: Request, service: Service) -> Response:
    """``/api.json``: where opencode (``OPENCODE_MODELS_URL``) reads models.dev's shape."""
    return _export(request, service, "models.dev")


def _export(request: Request, service: Service, fmt: str) -> Response:
    snapshot = service.reader.snapshot()
    body = snapshot.cached(
        ("export", fmt),
        lambda: Body(render(fmt, export_input(snapshot, service)).encode(), MEDIA_TYPES[fmt]),
    )
    disposition = f'inline; filename="{FILE_NAMES[fmt]}"'
    return send(request, body, headers={"content-disposition": disposition})
