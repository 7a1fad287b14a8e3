"""The service's own settings, from ``MODELSYNC_SERVE_*`` (the command's options set them too).

They travel by environment because ``--workers N`` starts N processes that each build the app
from scratch. ``repr`` never shows the token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ConfigurationError

TOKEN_ENV = "MODELSYNC_SERVE_TOKEN"
CORS_ENV = "MODELSYNC_SERVE_CORS_ORIGINS"
SYNC_EVERY_ENV = "MODELSYNC_SERVE_SYNC_EVERY"

_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``90``, ``45s``, ``30m``, ``1h``, ``1h30m``, ``2d`` -> seconds (> 0)."""
    raw = text.strip().lower()
    try:
        seconds = float(raw)
    except ValueError:
        parts = _PART.findall(raw)
        if not parts or "".join(n + u for n, u in parts) != raw:
            raise ConfigurationError(
                f"cannot read the duration {text!r}", hint="write e.g. 30s, 15m, 1h, 1h30m or 1d"
            ) from None
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if not seconds > 0:
        raise ConfigurationError(f"the duration {text!r} must be positive", hint="e.g. 1h")
    return seconds


@dataclass(frozen=True)
class ServeSettings:
    #: Bearer token every route but ``/healthz`` requires; ``None``: no authentication.
    token: str | None = field(default=None, repr=False)
    #: Origins allowed by CORS; empty: no CORS headers at all.
    cors_origins: tuple[str, ...] = ()
    #: Run the normal sync in the background this often (seconds); ``None``: never.
    sync_every: float | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServeSettings:
        origins = tuple(o.strip() for o in env.get(CORS_ENV, "").split(",") if o.strip())
        every = env.get(SYNC_EVERY_ENV, "").strip()
        return cls(
            token=env.get(TOKEN_ENV) or None,
            cors_origins=origins,
            sync_every=parse_duration(every) if every else None,
        )
