"""Store backends and the URL that picks one (``MODELSYNC_STORE``)."""

from __future__ import annotations

from ..errors import StoreError
from .base import Entry, Store
from .memory import MemoryStore


def open_store(
    url: str,
    *,
    stale_retention_seconds: float = 30 * 86400.0,
    version_key: str | None = None,
) -> Store:
    """``memory://``, ``sqlite:///relative.db``, ``sqlite:////absolute/path.db``,
    ``redis://[:password@]host:port/db`` or ``rediss://`` (TLS).

    ``stale_retention_seconds`` is how long an expired entry stays readable (as stale) in stores
    whose own expiry would otherwise delete it (Redis). ``version_key`` names the key a shared
    store (Redis) keeps ``Store.version()`` under, in the caller's namespace.
    """
    if url.startswith("memory://"):
        return MemoryStore()
    if url.startswith("sqlite:"):
        from .sqlite import SQLiteStore, path_from_url

        return SQLiteStore(path_from_url(url))
    if url.startswith(("redis://", "rediss://")):
        from .redis import RedisStore  # redis-py is imported only when a Redis store is opened

        return RedisStore(
            url, stale_retention_seconds=stale_retention_seconds, version_key=version_key
        )
    scheme = url.split(":", 1)[0] if ":" in url else url
    raise StoreError(
        f"unsupported store URL scheme {scheme!r}",
        hint="set MODELSYNC_STORE to memory://, sqlite:///path/to/catalog.db or "
        "redis://host:6379/0",
    )


__all__ = ["Entry", "MemoryStore", "Store", "open_store"]
