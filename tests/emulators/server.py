"""Loopback HTTP server framework shared by all provider emulators.

One :class:`ProviderEmulator` is one ``ThreadingHTTPServer`` on ``127.0.0.1:<ephemeral>`` in a
daemon thread. It records every request, applies scripted :class:`Fault` objects in FIFO order,
adds artificial latency and delegates everything provider-specific (auth, routing, pagination,
error bodies) to a :class:`ProviderSpec` from :mod:`tests.emulators.providers`.

All mutable state lives on the instance behind one lock, so several emulators (and many
concurrent client requests) can coexist in one test process.
"""

from __future__ import annotations

import contextlib
import copy
import socket
import sys
import threading
import traceback
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final, Literal, Protocol, cast, get_args
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "Call",
    "CursorFault",
    "Fault",
    "JsonDict",
    "ListingView",
    "ProviderEmulator",
    "ProviderSpec",
    "RecordedRequest",
    "Reply",
]

JsonDict = dict[str, Any]
CursorFault = Literal["repeat", "null"]
FaultKind = Literal["status", "malformed", "html", "hang", "raw", "wrong_shape", "redirect"]

_LOOPBACK: Final = "127.0.0.1"


@dataclass(frozen=True)
class RecordedRequest:
    """What the emulator saw, so tests can assert on the client's exact wire behaviour."""

    method: str
    path: str
    """URL path without the query string, exactly as sent (percent-escapes kept)."""
    query: dict[str, list[str]]
    """``parse_qs`` of the query string, blank values kept (``?a=`` gives ``{"a": [""]}``)."""
    headers: dict[str, str]
    """Header names lower-cased; repeated headers joined with ``", "``."""
    raw_url: str
    """Path plus query string as received on the request line."""
    raw_headers: tuple[tuple[str, str], ...] = ()
    """Every header line as received, in order, names as sent (for signature checks)."""
    body: bytes = b""
    """The request body (``POST /api/show``'s JSON), empty for a GET."""


@dataclass
class Reply:
    """A fully rendered HTTP answer; ``Content-Length`` is added when it is written."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListingView:
    """Per-request snapshot of the emulator's settings, so a reply is internally consistent
    even if a test calls ``set_models`` while requests are in flight. Treat as read-only."""

    models: list[JsonDict]
    extra_plain_models: list[str]
    page_size: int | None
    cursor_fault: CursorFault | None
    api_key: str


@dataclass(frozen=True)
class Call:
    """Everything a provider needs to answer one request."""

    request: RecordedRequest
    route: str
    """Request path with the emulator's ``path_prefix`` removed (e.g. ``/v1/models``)."""
    view: ListingView
    request_id: str
    """Fresh id for this answer; providers echo it in headers and error bodies."""


class ProviderSpec(Protocol):
    """Provider-specific behaviour; implementations live in :mod:`tests.emulators.providers`."""

    name: str
    api_root: str
    """Path appended to the prefix to form ``base_url`` (``/v1`` for OpenAI-style SDKs)."""

    def new_request_id(self) -> str: ...

    def check_auth(self, call: Call) -> Reply | None:
        """Return the provider's rejection, or ``None`` when the credentials are accepted."""
        ...

    def serve(self, call: Call) -> Reply:
        """Answer an authenticated GET (list pages, or the provider's 404)."""
        ...

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        """The provider's real error body for ``status``."""
        ...

    def not_found(self, call: Call) -> Reply: ...

    def method_not_allowed(self, call: Call) -> Reply: ...

    def wrong_shape(self, call: Call) -> Reply: ...

    def malformed(self, call: Call) -> Reply: ...


def _header_value(value: float | str) -> str:
    """Render a retry header exactly as the test passed it (``0.2`` stays ``"0.2"``)."""
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour; each incoming request consumes at most one (FIFO).

    Faults take precedence over auth and routing so a test can script sequences such as
    ``push(Fault.status(429), Fault.status(200))`` regardless of what the client sends.
    Build them with the class methods, not the constructor.
    """

    kind: FaultKind
    code: int = 200
    error_kind: str | None = None
    retry_after: str | None = None
    retry_after_ms: str | None = None
    retry_delay: str | None = None
    seconds: float = 0.0
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"
    location: str = ""

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: float | str | None = None,
        retry_after_ms: float | str | None = None,
        retry_delay: str | None = None,
        kind: str | None = None,
    ) -> Fault:
        """Answer ``code`` with this provider's real error body.

        A 2xx ``code`` means "answer normally" (auth and routing apply), which keeps scripts
        like ``[429, 200]`` readable. ``retry_after``/``retry_after_ms`` become the
        ``retry-after``/``retry-after-ms`` headers verbatim; ``retry_delay`` (e.g. ``"2s"``)
        becomes Gemini's ``google.rpc.RetryInfo`` and is ignored by other providers;
        ``kind="quota"`` selects the non-retryable quota/spend-limit variant of a 429.
        """
        if not 100 <= code <= 599:
            raise ValueError(f"HTTP status out of range: {code}")
        return cls(
            kind="status",
            code=code,
            error_kind=kind,
            retry_after=None if retry_after is None else _header_value(retry_after),
            retry_after_ms=None if retry_after_ms is None else _header_value(retry_after_ms),
            retry_delay=retry_delay,
        )

    @classmethod
    def malformed(cls) -> Fault:
        """200 ``application/json`` whose body is a truncated prefix of the real listing."""
        return cls(kind="malformed")

    @classmethod
    def html(cls) -> Fault:
        """200 ``text/html`` login page, as served by captive portals and misrouted proxies."""
        return cls(kind="html")

    @classmethod
    def hang(cls, seconds: float) -> Fault:
        """Stall ``seconds`` before answering normally, to trip client timeouts."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        return cls(kind="hang", seconds=float(seconds))

    @classmethod
    def raw(
        cls,
        status: int,
        body: str | bytes,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> Fault:
        """Answer exactly this; no provider headers are added (a ``content-type`` entry in
        ``headers`` overrides ``content_type``)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        return cls(
            kind="raw",
            code=status,
            body=data,
            headers=tuple((headers or {}).items()),
            content_type=content_type,
        )

    @classmethod
    def wrong_shape(cls) -> Fault:
        """200 with valid JSON that is not this provider's list shape."""
        return cls(kind="wrong_shape")

    @classmethod
    def redirect(cls, origin: str, code: int = 307) -> Fault:
        """Answer ``code`` with ``Location: <origin><the request's own path and query>``: the
        provider (or a hijacked DNS name) sending the client to another host, as a moved API
        does. ``origin`` is ``http://127.0.0.1:PORT`` (another emulator's ``origin``)."""
        if code not in (301, 302, 303, 307, 308):
            raise ValueError(f"not a redirect status: {code}")
        return cls(kind="redirect", code=code, location=origin.rstrip("/"))

    @property
    def passes_through(self) -> bool:
        """True when the request should still get the normal answer."""
        return self.kind == "hang" or (self.kind == "status" and 200 <= self.code < 300)


_HTML_PAGE: Final = b"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Network sign-in required</title></head>
<body>
<h1>Sign in to continue</h1>
<p>Your connection is being routed through a network access gateway.
Please <a href="/login">sign in</a> to access the Internet.</p>
</body>
</html>
"""


def _lower_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names; join repeats the way RFC 9110 allows combining field lines."""
    out: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _normalise_prefix(prefix: str) -> str:
    """Accept ``"proxy/x"``, ``"/proxy/x/"`` etc. and store ``"/proxy/x"`` (or ``""``)."""
    stripped = prefix.strip("/")
    return f"/{stripped}" if stripped else ""


class _Server(ThreadingHTTPServer):
    """Threaded server that knows its emulator and tolerates clients hanging up."""

    daemon_threads = True
    # Clients fan out; the default backlog of 5 makes Linux drop SYNs (1 s retransmit stalls).
    request_queue_size = 128

    def __init__(self, emulator: ProviderEmulator) -> None:
        self.emulator = emulator
        super().__init__((_LOOPBACK, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Disconnects are normal (client timeouts, stop()); anything else is printed."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Thin adapter from ``http.server`` to :meth:`ProviderEmulator._answer`."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs
    # Headers and body go out in separate writes; with Nagle + delayed ACK that costs ~40 ms.
    disable_nagle_algorithm = True
    server_version = "emulator"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self._emulator()._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._emulator()._untrack(self.connection)

    def _emulator(self) -> ProviderEmulator:
        return cast(_Server, self.server).emulator

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr line."""

    def _dispatch(self) -> None:
        body = b""
        length = self.headers.get("content-length", "")
        if length.isdigit():
            body = self.rfile.read(int(length))
        elif self.command != "GET":
            # A body of unknown length (chunked): close rather than risk a desync on the
            # kept-alive connection.
            self.close_connection = True
        try:
            reply = self._emulator()._answer(self.command, self.path, self.headers, body)
        except Exception:  # an emulator bug must surface in the test, not hang the client
            traceback.print_exc()
            reply = Reply(500, traceback.format_exc().encode(), "text/plain; charset=utf-8")
        self._write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

    def _write(self, reply: Reply) -> None:
        headers = dict(reply.headers)
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = reply.content_type
        try:
            self.send_response(reply.status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:  # client gave up (timeout) or stop() closed the socket
            self.close_connection = True


class ProviderEmulator:
    """A running emulator of one provider's model-list API. Create with :meth:`start`."""

    def __init__(
        self,
        spec: ProviderSpec,
        *,
        api_key: str,
        models: list[JsonDict],
        extra_plain_models: list[str],
        page_size: int | None,
        latency: float,
        path_prefix: str,
    ) -> None:
        self._spec = spec
        self._api_key = api_key
        self._prefix = _normalise_prefix(path_prefix)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._models: list[JsonDict] = copy.deepcopy(models)
        self._extra_plain: list[str] = list(extra_plain_models)
        self._page_size: int | None = None
        self._latency = 0.0
        self._cursor_fault: CursorFault | None = None
        self.page_size = page_size
        self.latency = latency
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{spec.name}-emulator",
            daemon=True,
        )
        self._thread.start()

    @classmethod
    def start(
        cls,
        provider: str,
        api_key: str = "sk-test-123",
        models: list[JsonDict] | None = None,
        page_size: int | None = None,
        latency: float = 0.0,
        path_prefix: str = "",
    ) -> ProviderEmulator:
        """Start an emulator for ``provider`` ("openai", "anthropic", "gemini" or "xai").

        ``models=None`` serves :func:`~tests.emulators.fixtures.default_models`.
        """
        # Imported here because providers.py builds on this module's types.
        from tests.emulators import fixtures, providers

        spec = providers.make_provider(provider)
        return cls(
            spec,
            api_key=api_key,
            models=fixtures.default_models(provider) if models is None else models,
            extra_plain_models=fixtures.default_extra_plain_models(provider),
            page_size=page_size,
            latency=latency,
            path_prefix=path_prefix,
        )

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> ProviderEmulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections, like a real server dying.

        Idempotent. Sleeping handlers (latency, ``Fault.hang``) are woken so no thread lingers.
        """
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def _track(self, conn: socket.socket) -> None:
        """Remember an open client connection so :meth:`stop` can sever it."""
        with self._lock:
            self._connections.add(conn)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def __repr__(self) -> str:
        return f"<ProviderEmulator {self.provider} {self.base_url}>"

    # ------------------------------------------------------------ public surface

    @property
    def provider(self) -> str:
        return self._spec.name

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def spec(self) -> ProviderSpec:
        """The provider object answering requests (tests tune provider-specific state on it)."""
        return self._spec

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` with no prefix or API root."""
        return f"http://{_LOOPBACK}:{self.port}"

    @property
    def base_url(self) -> str:
        """What a client puts in ``<PROVIDER>_BASE_URL`` (shaped like the real default)."""
        return f"{self.origin}{self._prefix}{self._spec.api_root}"

    @property
    def path_prefix(self) -> str:
        return self._prefix

    @property
    def requests(self) -> list[RecordedRequest]:
        """Snapshot of recorded requests, in arrival order."""
        with self._lock:
            return list(self._requests)

    def count(self, path_suffix: str | None = None) -> int:
        """Number of recorded requests, optionally only those whose path ends with the suffix."""
        with self._lock:
            if path_suffix is None:
                return len(self._requests)
            return sum(1 for r in self._requests if r.path.endswith(path_suffix))

    def reset_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    @property
    def models(self) -> list[JsonDict]:
        """Deep copy of the listed models (wire-format entries)."""
        with self._lock:
            return copy.deepcopy(self._models)

    def set_models(self, models: list[JsonDict]) -> None:
        """Replace the listed models; entries are copied so later mutation cannot leak in.

        Entries are not validated: a test may deliberately list a broken entry.
        """
        snapshot = copy.deepcopy(list(models))
        with self._lock:
            self._models = snapshot

    @property
    def extra_plain_models(self) -> list[str]:
        """xAI only: ids listed by ``/v1/models`` but not ``/v1/language-models``."""
        with self._lock:
            return list(self._extra_plain)

    @extra_plain_models.setter
    def extra_plain_models(self, ids: list[str]) -> None:
        snapshot = [str(i) for i in ids]
        with self._lock:
            self._extra_plain = snapshot

    @property
    def page_size(self) -> int | None:
        """Server-side cap on entries per page (Anthropic and Gemini); ``None`` = no cap."""
        with self._lock:
            return self._page_size

    @page_size.setter
    def page_size(self, value: int | None) -> None:
        if value is not None and value < 1:
            raise ValueError("page_size must be >= 1 or None")
        with self._lock:
            self._page_size = value

    @property
    def latency(self) -> float:
        """Seconds slept before answering every request."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        if value < 0:
            raise ValueError("latency must be >= 0")
        with self._lock:
            self._latency = float(value)

    @property
    def cursor_fault(self) -> CursorFault | None:
        """``"repeat"``: page 2+ hands back the cursor it was given (a loop);
        ``"null"``: pages claim more remain but give no usable cursor."""
        with self._lock:
            return self._cursor_fault

    @cursor_fault.setter
    def cursor_fault(self, value: CursorFault | None) -> None:
        if value is not None and value not in get_args(CursorFault):
            raise ValueError(f"cursor_fault must be None, 'repeat' or 'null', not {value!r}")
        with self._lock:
            self._cursor_fault = value

    def push(self, *faults: Fault) -> None:
        """Queue faults; each later request consumes one, in order."""
        for fault in faults:
            if not isinstance(fault, Fault):
                raise TypeError(f"expected Fault, got {fault!r}")
        with self._lock:
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        """Faults not yet consumed (lets a test assert its script was fully used)."""
        with self._lock:
            return len(self._faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # --------------------------------------------------------------- request path

    def _answer(self, method: str, raw_url: str, headers: Message, body: bytes = b"") -> Reply:
        """Record the request, then produce the reply (fault, auth error or listing)."""
        parts = urlsplit(raw_url)
        request = RecordedRequest(
            method=method,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=_lower_headers(headers.items()),
            raw_url=raw_url,
            raw_headers=tuple(headers.items()),
            body=body,
        )
        with self._lock:
            self._requests.append(request)
            fault = self._faults.popleft() if self._faults else None
            latency = self._latency
        if latency:
            self._stopping.wait(latency)
        if fault is not None and fault.kind == "hang":
            self._stopping.wait(fault.seconds)

        route = self._strip_prefix(request.path)
        call = Call(
            request=request,
            route=request.path if route is None else route,
            view=self._view(),
            request_id=self._spec.new_request_id(),
        )
        if fault is not None and not fault.passes_through:
            return self._fault_reply(call, fault)
        if route is None:
            return self._spec.not_found(call)
        if method != "GET" and call.route not in getattr(self._spec, "post_routes", ()):
            return self._spec.method_not_allowed(call)
        denied = self._spec.check_auth(call)
        if denied is not None:
            return denied
        return self._spec.serve(call)

    def _view(self) -> ListingView:
        with self._lock:
            return ListingView(
                models=list(self._models),
                extra_plain_models=list(self._extra_plain),
                page_size=self._page_size,
                cursor_fault=self._cursor_fault,
                api_key=self._api_key,
            )

    def _strip_prefix(self, path: str) -> str | None:
        """Route inside the mount point, or ``None`` when the request missed the prefix."""
        if not self._prefix:
            return path
        if path == self._prefix or path.startswith(self._prefix + "/"):
            return path[len(self._prefix) :] or "/"
        return None

    def _fault_reply(self, call: Call, fault: Fault) -> Reply:
        if fault.kind == "status":
            reply = self._spec.error(
                call, fault.code, kind=fault.error_kind, retry_delay=fault.retry_delay
            )
            if fault.retry_after is not None:
                reply.headers["retry-after"] = fault.retry_after
            if fault.retry_after_ms is not None:
                reply.headers["retry-after-ms"] = fault.retry_after_ms
            return reply
        if fault.kind == "malformed":
            return self._spec.malformed(call)
        if fault.kind == "html":
            return Reply(200, _HTML_PAGE, "text/html; charset=utf-8")
        if fault.kind == "wrong_shape":
            return self._spec.wrong_shape(call)
        if fault.kind == "raw":
            return Reply(fault.code, fault.body, fault.content_type, dict(fault.headers))
        if fault.kind == "redirect":
            target = fault.location + call.request.raw_url
            return Reply(fault.code, b"", "text/plain; charset=utf-8", {"Location": target})
        raise AssertionError(f"unhandled fault kind {fault.kind}")
