"""Settings from ``MODELSYNC_*`` environment variables and an optional TOML file.

Precedence: explicit keyword arguments, then environment, then the config file, then defaults. Every
field below is a documented knob (README, "Settings"); each is actually read somewhere.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigurationError

HOUR = 3600.0


@dataclass(frozen=True)
class ProviderOverride:
    """Per-provider settings from the config file's ``[providers.NAME]`` table.

    ``type`` makes NAME a named instance of another provider (``type = "ollama"`` for a second
    Ollama host, ``type = "openai-compatible"`` for a vLLM server); it keeps its own catalog.
    """

    type: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Settings:
    """Everything tunable. Durations are hours unless the name says seconds."""

    store: str | None = None  # None: SQLite file in the user cache dir
    prefix: str = "modelsync"
    refresh_hours: float = 12.0
    models_ttl_hours: float = 24.0
    last_sync_ttl_hours: float = 24.0 * 7
    stats_ttl_hours: float = 24.0 * 7
    failure_ttl_hours: float = 24.0
    stale_retention_hours: float = 24.0 * 30
    timeout: float = 60.0  # whole-provider deadline, seconds
    request_timeout: float = 20.0  # one HTTP request, seconds
    max_retries: int = 3
    retry_base_seconds: float = 0.5
    retry_max_seconds: float = 30.0
    max_pages: int = 100
    max_shrink: float = 0.5  # share of a catalog that may vanish in one sync (1 disables)
    remove_after: int = 2  # consecutive good fetches without a model before it is removed
    ledger_max_entries: int = 500  # sync attempts kept per provider
    credentials_cache_seconds: float = 300.0
    lock_lease_seconds: float = 120.0
    lock_wait_seconds: float = 30.0
    bundled_enabled: bool = True  # merge the bundled catalog's facts into synced models
    modelsdev_enabled: bool = False  # models.dev is a third party: contacted only if asked
    modelsdev_url: str = "https://models.dev/api.json"
    modelsdev_ttl_hours: float = 24.0
    details_concurrency: int = 4  # per-model detail requests at once (Ollama /api/show)
    config_file: str | None = None
    providers: Mapping[str, ProviderOverride] = field(default_factory=dict)
    #: ``[overrides."provider/model"]`` tables from the config file, parsed by merge.py.
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, the TOML file, ``MODELSYNC_*`` variables and overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        path = overrides.get("config_file") or env.get("MODELSYNC_CONFIG") or _default_config()
        file_data = _read_toml(path)
        if file_data is not None:
            values["config_file"] = str(path)
            values.update(_coerce_all(file_data, origin=str(path)))
            values["providers"] = _provider_overrides(file_data.get("providers", {}), str(path))
            if "overrides" in file_data:
                from .merge import parse_overrides

                values["overrides"] = parse_overrides(file_data["overrides"])
        for f in _tunable_fields():
            raw = env.get(f"MODELSYNC_{f.name.upper()}")
            if raw not in (None, ""):
                values[f.name] = _coerce(f.name, raw, origin=f"MODELSYNC_{f.name.upper()}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    def ttl(self, name: str) -> float:
        """TTL in seconds for one of ``models``, ``last_sync``, ``stats``, ``failure``."""
        return float(getattr(self, f"{name}_ttl_hours")) * HOUR

    @property
    def refresh_seconds(self) -> float:
        return self.refresh_hours * HOUR


def _tunable_fields() -> list[Any]:
    return [f for f in fields(Settings) if f.name not in ("providers", "config_file", "overrides")]


_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, raw: Any, *, origin: str) -> Any:
    kind = _TYPES[name]
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError("use true/false, yes/no, on/off or 1/0")
        if kind in ("float",):
            value: Any = float(raw)
            if value < 0:
                raise ValueError("must not be negative")
            return value
        if kind in ("int",):
            value = int(raw)
            if value < 0:
                raise ValueError("must not be negative")
            return value
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"setting {name} from {origin} is invalid ({raw!r}: {exc})",
            hint=f"give {name} a {kind.split()[0]} value",
        ) from None


def _coerce_all(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    known = {f.name for f in _tunable_fields()}
    out = {}
    for key, raw in data.items():
        if key in ("providers", "overrides"):
            continue
        if key not in known:
            raise ConfigurationError(
                f"unknown setting {key!r} in {origin}",
                hint="see the README's Settings table for valid keys",
            )
        out[key] = _coerce(key, raw, origin=origin)
    return out


def _provider_overrides(data: Any, origin: str) -> dict[str, ProviderOverride]:
    if not isinstance(data, dict):
        raise ConfigurationError(f"[providers] in {origin} must be a table")
    out = {}
    for name, table in data.items():
        check_instance_name(name)
        if not isinstance(table, dict):
            raise ConfigurationError(f"[providers.{name}] in {origin} must be a table")
        allowed = {"type", "base_url", "api_key_env", "enabled"}
        unknown = set(table) - allowed
        if unknown:
            raise ConfigurationError(
                f"unknown key(s) {sorted(unknown)} in [providers.{name}] of {origin}",
                hint="API keys belong in environment variables; name one with api_key_env",
            )
        out[name] = ProviderOverride(
            type=table.get("type"),
            base_url=table.get("base_url"),
            api_key_env=table.get("api_key_env"),
            enabled=bool(table.get("enabled", True)),
        )
    return out


_INSTANCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_instance_name(name: str) -> None:
    """Names become store keys (``{prefix}:{name}:models``), so they stay plain."""
    if not _INSTANCE_NAME.match(name):
        raise ConfigurationError(
            f"provider name {name!r} is not allowed",
            hint="use letters, digits, '-', '_' or '.', starting with a letter or digit",
        )


def _default_config() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("modelsync")) / "config.toml"


def _read_toml(path: str | Path) -> dict[str, Any] | None:
    p = Path(path)
    if not p.is_file():
        return None
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(
            f"cannot read config file {p}: {exc}", hint="fix or remove the file"
        ) from None


def default_store_url() -> str:
    """SQLite in the user cache dir, so a plain ``modelsync sync`` needs no setup."""
    from platformdirs import user_cache_dir

    return "sqlite:///" + str(Path(user_cache_dir("modelsync")) / "catalog.db")
