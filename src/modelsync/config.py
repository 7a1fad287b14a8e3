"""Settings from ``MODELSYNC_*`` environment variables and an optional TOML file.

Precedence: explicit keyword arguments, then environment, then the config file, then defaults. Every
field below is a documented knob (README, "Settings"); each is actually read somewhere.
"""

from __future__ import annotations

import math
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
class Bound:
    """The valid range of one numeric setting, stated once for the environment, the config
    file, ``Catalog(...)`` arguments and the CLI flags that set it (``cli.py`` builds its
    ``click`` ranges from these)."""

    low: float | None = None
    high: float | None = None
    #: ``low`` itself is not allowed (a timeout of 0 would fail every request).
    low_open: bool = False

    def violation(self, value: float) -> str | None:
        """Why ``value`` is out of range, or None when it is fine."""
        if math.isnan(value) or math.isinf(value):
            return "must be a finite number"
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return f"must be {self.describe()}"
        if self.high is not None and value > self.high:
            return f"must be {self.describe()}"
        return None

    def describe(self) -> str:
        low = f"{self.low:g}" if self.low is not None else ""
        if self.low is not None and self.high is not None:
            return f"between {low} and {self.high:g}"
        if self.low is not None:
            return f"greater than {low}" if self.low_open else f"at least {low}"
        return f"at most {self.high:g}" if self.high is not None else "a number"


POSITIVE = Bound(0, low_open=True)
NON_NEGATIVE = Bound(0)
AT_LEAST_ONE = Bound(1)

#: The range of every numeric setting. A setting missing here would be unchecked, so a test
#: asserts that every numeric field of ``Settings`` has an entry.
BOUNDS: dict[str, Bound] = {
    "refresh_hours": NON_NEGATIVE,  # 0: never skip as fresh
    "models_ttl_hours": POSITIVE,
    "last_sync_ttl_hours": POSITIVE,
    "stats_ttl_hours": POSITIVE,
    "failure_ttl_hours": POSITIVE,
    "stale_retention_hours": NON_NEGATIVE,
    "timeout": POSITIVE,
    "request_timeout": POSITIVE,
    "max_retries": NON_NEGATIVE,
    "retry_base_seconds": NON_NEGATIVE,
    "retry_max_seconds": NON_NEGATIVE,
    "max_pages": AT_LEAST_ONE,
    "max_shrink": Bound(0, 1),
    "remove_after": AT_LEAST_ONE,
    "ledger_max_entries": AT_LEAST_ONE,
    "credentials_cache_seconds": NON_NEGATIVE,
    "lock_lease_seconds": POSITIVE,
    "lock_wait_seconds": NON_NEGATIVE,
    "modelsdev_ttl_hours": POSITIVE,
    "litellm_map_ttl_hours": POSITIVE,
    "genai_prices_ttl_hours": POSITIVE,
    "details_concurrency": AT_LEAST_ONE,
}


#: Where models.dev publishes the catalog its site is built from.
MODELSDEV_URL = "https://models.dev/api.json"
#: Where LiteLLM itself downloads its model map (its ``LITELLM_MODEL_COST_MAP_URL`` default).
LITELLM_MAP_URL = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
#: Where genai-prices' own ``UpdatePrices`` downloads its data (v2; the v1 file is frozen).
GENAI_PRICES_URL = (
    "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/"
    "data.json"
)
#: Settings that name where a live metadata source is fetched from.
_URL_SETTINGS = frozenset({"modelsdev_url", "litellm_map_url", "genai_prices_url"})


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
    #: Provider-specific keys of the table (Azure's ``deployments``, ``api_version``...); the
    #: adapter declares which it reads (``Adapter.option_keys``) and refuses the rest.
    options: Mapping[str, Any] = field(default_factory=dict)


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
    modelsdev_url: str = MODELSDEV_URL
    modelsdev_ttl_hours: float = 24.0
    # LiteLLM's model map and genai-prices' data, live; third parties too: off unless asked.
    litellm_map_enabled: bool = False
    litellm_map_url: str = LITELLM_MAP_URL
    litellm_map_ttl_hours: float = 24.0
    genai_prices_enabled: bool = False
    genai_prices_url: str = GENAI_PRICES_URL
    genai_prices_ttl_hours: float = 24.0
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
        explicit = overrides.get("config_file") or env.get("MODELSYNC_CONFIG")
        if explicit:
            origin = "config_file=" if overrides.get("config_file") else "MODELSYNC_CONFIG"
            _require_file(Path(explicit), origin)
        path = explicit or _default_config()
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
        tunable = {f.name for f in _tunable_fields()}
        for key, value in overrides.items():
            if value is None:
                continue
            values[key] = _coerce(key, value, origin="an argument") if key in tunable else value
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
        if kind in ("float", "int"):
            if isinstance(raw, bool):
                raise ValueError("a number, not a boolean")
            value: Any = float(raw) if kind == "float" else _integer(raw)
            problem = BOUNDS[name].violation(value)
            if problem:
                raise ValueError(problem)
            return value
        text = str(raw)
        if name == "prefix" and not text.strip():
            raise ValueError("must not be empty")
        if name in _URL_SETTINGS and not text.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return text
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"setting {name} from {origin} is invalid ({raw!r}: {exc})",
            hint=f"give {name} "
            + (
                f"a value {BOUNDS[name].describe()}"
                if name in BOUNDS
                else f"a {kind.split()[0]} value"
            ),
        ) from None


def _integer(raw: Any) -> int:
    """An integer setting: ``3`` or ``"3"``, never ``"3.5"`` silently cut to 3."""
    number = raw if isinstance(raw, float) else None
    if number is None:
        text = str(raw).strip()
        try:
            return int(text)
        except ValueError:
            number = float(text)  # "2.5" is a number, just not a whole one; "abc" is neither
    if not number.is_integer():
        raise ValueError("must be a whole number")
    return int(number)


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
        if {"api_key", "key", "token"} & set(table):
            raise ConfigurationError(
                f"a secret in [providers.{name}] of {origin}",
                hint="API keys belong in environment variables; name one with api_key_env",
            )
        where = f"[providers.{name}] in {origin}"
        for key in ("type", "base_url", "api_key_env"):
            if key in table and not (isinstance(table[key], str) and table[key].strip()):
                raise ConfigurationError(
                    f"{key} in {where} must be a non-empty string, not {table[key]!r}"
                )
        if not isinstance(table.get("enabled", True), bool):
            raise ConfigurationError(f"enabled in {where} must be true or false")
        _check_type(name, table.get("type"), where)
        out[name] = ProviderOverride(
            type=table.get("type"),
            base_url=table.get("base_url"),
            api_key_env=table.get("api_key_env"),
            enabled=bool(table.get("enabled", True)),
            options={k: v for k, v in table.items() if k not in allowed},
        )
    return out


def _check_type(name: str, kind: str | None, where: str) -> None:
    """A table configures a known provider by its name, or a named instance of a known ``type``.

    Built-in names are checked without importing anything; plugin names cost one entry-point
    scan, paid only when a table names something that is not built in.
    """
    from .names import suggestion
    from .providers import BUILTIN, known_providers

    if kind is None:
        if name in BUILTIN or name in known_providers():
            return
        raise ConfigurationError(
            f"{where} has no type, and {name!r} is not a known provider",
            hint=f'add type = "<provider>" (one of: {", ".join(known_providers())})'
            + suggestion(name, known_providers(), prefix="; or did you mean ", suffix="?"),
        )
    if kind in BUILTIN or kind in known_providers():
        return
    raise ConfigurationError(
        f"{where} has an unknown type {kind!r}",
        hint=suggestion(kind, known_providers(), prefix="did you mean ", suffix="? ")
        + "known types: "
        + ", ".join(known_providers()),
    )


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


def _require_file(path: Path, origin: str) -> None:
    """A config file someone named must be there: a typo must not silently mean "defaults"."""
    try:
        if path.is_dir():
            problem = "is a directory"
        elif path.exists():
            return
        else:
            problem = "does not exist"
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read config file {path} (from {origin}): {exc.strerror or exc}",
            hint="check the permissions of the file and of the directories above it",
        ) from None
    raise ConfigurationError(
        f"config file {path} (from {origin}) {problem}",
        hint=f"create it, fix the path, or unset {origin.rstrip('=')} to use the default "
        f"({_default_config()})",
    )


def _read_toml(path: str | Path) -> dict[str, Any] | None:
    p = Path(path)
    try:
        if not p.exists():
            return None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read config file {p}: {exc.strerror or exc}",
            hint="check the permissions of the file and of the directories above it",
        ) from None
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
