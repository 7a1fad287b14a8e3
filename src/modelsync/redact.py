"""Scrub secrets out of text before it can reach a log, an exception or the store.

Providers echo keys back in error bodies, sometimes masked (``sk-VKMIs****wjh3``), which still leaks
a prefix and a suffix. Everything that crosses out of the HTTP layer passes through ``redact``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[redacted]"
URL_MASK = "***"

# A run of three or more asterisks glued to other characters is a masked key echoed by a provider.
_MASKED_KEY = re.compile(r"\S*\*{2,}\S*")
# Query-string credentials that a proxy or provider might echo (Gemini's ?key=).
_QUERY_KEY = re.compile(r"(?i)([?&](?:key|api_key|apikey|token)=)[^&\s\"']+")
# Authorization-style values.
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]{6,}")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with every given secret, masked key and credential-looking value removed."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _QUERY_KEY.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    # A URL whose password is already masked (redis://:***@host) stays readable.
    return _MASKED_KEY.sub(lambda m: m.group(0) if "://" in m.group(0) else REDACTED, text)


def fingerprint(*parts: str | None) -> str:
    """A short, one-way digest of the base URL and key, so a catalog can tell whose it is.

    The key itself is never stored; a change of host or key changes the digest and forces a refresh.
    """
    digest = hashlib.sha256("\x00".join(p or "" for p in parts).encode("utf-8"))
    return digest.hexdigest()[:16]


def mask_url(url: str) -> str:
    """``url`` with any password (in the user info or a ``password=`` query) shown as ``***``.

    User info with no ``:`` is masked whole: ``redis://secret@host`` is a common slip.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        scheme = url.split("://", 1)[0] if "://" in url else "redis"
        return f"{scheme}://{URL_MASK}"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:{URL_MASK}@{hostport}" if colon else f"{URL_MASK}@{hostport}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(name == "password" for name, _ in pairs):
        query = urlencode(
            [(name, URL_MASK if name == "password" else value) for name, value in pairs], safe="*"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_without_query(url: str) -> str:
    """``scheme://host:port/path``, the port always shown, query, fragment and userinfo dropped."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path or '/'}"
