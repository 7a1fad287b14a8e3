"""Which redirects a request may follow without handing its credentials to someone else.

httpx, told to follow redirects, drops only ``Authorization`` when the origin changes, so
Anthropic's ``x-api-key``, Gemini's ``x-goog-api-key``, a plugin's own key header or a key in the
query string would reach whatever host the provider (or an attacker in its place) redirects to.
The HTTP client therefore follows redirects itself and asks this module about each one: a
same-origin hop keeps everything; a request carrying a credential never crosses origins.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

#: Statuses that redirect a GET (304 is "not modified", not a redirect).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Hops followed before the chain is called a loop; real APIs use at most one or two.
MAX_REDIRECTS = 10
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port: what the web's same-origin rule compares (RFC 6454)."""

    scheme: str
    host: str
    port: int | None

    def __str__(self) -> str:
        """``https://host`` or ``http://host:port``: never user info, path or query."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = _DEFAULT_PORTS.get(self.scheme)
        port = "" if self.port is None or self.port == default else f":{self.port}"
        return f"{self.scheme}://{host}{port}"


def origin_of(url: str) -> Origin:
    """The origin of ``url``; raises ``ValueError`` when it has no usable host or port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        raise ValueError(f"no scheme or host in {url!r}")
    port = parts.port  # raises ValueError for a port that is not a number in range
    return Origin(scheme, host, port if port is not None else _DEFAULT_PORTS.get(scheme))


def redirect_target(request_url: str, location: str) -> str:
    """The absolute URL a ``Location`` header points at (it may be relative to the request)."""
    return urljoin(request_url, location.strip())


def has_userinfo(url: str) -> bool:
    """``http://user:pass@host/``: the URL itself carries a credential (sent as Basic auth)."""
    return "@" in urlsplit(url).netloc
