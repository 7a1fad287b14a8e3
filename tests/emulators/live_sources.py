"""A loopback stand-in for raw.githubusercontent.com, where LiteLLM's map and genai-prices'
data are published.

It serves each file at its real path, as that host does: ``text/plain; charset=utf-8`` (not
JSON), ``404: Not Found`` as plain text for any other path, and, when a test asks, an error
status with a ``Retry-After`` header or a body that is not the file (an HTML error page, a
truncated copy). Requests are counted per path so tests can prove what was, and was not, asked.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.emulators.loopback import Loopback

DATA = Path(__file__).resolve().parent.parent / "data"

#: Where each source is published (the path part of its default URL).
PATHS = {
    "litellm": "/BerriAI/litellm/main/model_prices_and_context_window.json",
    "genai-prices": "/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/data.json",
}


def published(name: str) -> Any:
    """The decoded file the emulator serves for ``name`` by default (a fresh copy each call)."""
    path = {
        "litellm": DATA / "catalog" / "litellm_excerpt.json",
        "genai-prices": DATA / "live" / "genai_prices_v2_excerpt.json",
    }[name]
    return json.loads(path.read_text(encoding="utf-8"))


class PublishedFiles:
    """Serves the live sources' files; ``body``, ``status`` and ``retry_after`` per source."""

    def __init__(self) -> None:
        self.body: dict[str, bytes] = {name: json.dumps(published(name)).encode() for name in PATHS}
        self.status: dict[str, int] = dict.fromkeys(PATHS, 200)
        self.content_type: dict[str, str] = dict.fromkeys(PATHS, "text/plain; charset=utf-8")
        self.retry_after: dict[str, str | None] = dict.fromkeys(PATHS)
        self.requests: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        owner = self
        by_path = {path: name for name, path in PATHS.items()}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = by_path.get(self.path.partition("?")[0])  # a mirror's token aside
                with owner._lock:
                    owner.requests[name or self.path] += 1
                    owner.headers.append({k.lower(): v for k, v in self.headers.items()})
                    if name is None:
                        status, body, kind, retry = (
                            404,
                            b"404: Not Found",
                            "text/plain; charset=utf-8",
                            None,
                        )
                    elif owner.status[name] >= 400:  # the host's own plain-text error page
                        status, retry = owner.status[name], owner.retry_after[name]
                        body = f"{status}: Service Unavailable".encode()
                        kind = "text/plain; charset=utf-8"
                    else:
                        status, body = owner.status[name], owner.body[name]
                        kind, retry = owner.content_type[name], owner.retry_after[name]
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                if retry is not None:
                    self.send_header("retry-after", retry)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.loopback = Loopback(Handler)

    def serve(self, name: str, payload: Any) -> None:
        """Publish ``payload`` (JSON-encoded) as the file of ``name`` from now on."""
        with self._lock:
            self.body[name] = json.dumps(payload).encode()

    def url(self, name: str) -> str:
        return self.loopback.base + PATHS[name]

    def stop(self) -> None:
        self.loopback.stop()
