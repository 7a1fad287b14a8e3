"""The adapter contract: one provider's wire format in, normalized ``Model`` objects out.

An adapter knows its endpoints, auth headers, pagination and payload shape, and nothing about
storage or the refresh rule. It raises only modelsync errors: a payload of the wrong shape becomes
``MalformedResponseError`` (never a ``KeyError`` or a short list), and pagination is followed to the
end or refused loudly.
"""

from __future__ import annotations

import asyncio
import os
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..config import Settings
from ..errormap import hint_for
from ..errors import ConfigurationError, InvalidCredentialsError, MalformedResponseError
from ..http import HttpClient
from ..model import Model, ModelPreview
from ..redact import fingerprint
from ..rules import CapabilityRule
from ..stats import Breakdown, FamilyRule

W = TypeVar("W", bound=BaseModel)
T = TypeVar("T")


class Wire(BaseModel):
    """Base for wire-format schemas: unknown fields are ignored, so new API fields never break us."""

    model_config = ConfigDict(extra="ignore", frozen=True)


@dataclass(frozen=True)
class ProviderSpec:
    """Static facts about a provider: env vars, default endpoint, whether a key is required."""

    name: str
    title: str
    key_envs: tuple[str, ...]
    base_url_env: str
    default_base_url: str
    key_required: bool = True
    #: When a plain ``sync`` (no names) includes this provider: ``"key"`` once its key is set;
    #: ``"probe"`` only if one cheap request answers (local servers such as Ollama).
    auto_sync: Literal["key", "probe"] = "key"
    #: Where to get a key, for messages that say what to do.
    docs_url: str = ""


@dataclass(frozen=True)
class ProviderConfig:
    """A configured instance of a provider. ``repr`` never shows the key."""

    name: str
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    key_env: str = ""
    #: Every variable that would supply the key (``GEMINI_API_KEY`` or ``GOOGLE_API_KEY``), or
    #: just the one an ``api_key_env`` named.
    key_envs: tuple[str, ...] = ()
    #: A key is needed: the provider requires one, or the user named a variable for it
    #: (``api_key_env``), which makes an unset variable a mistake, not "no key".
    key_required: bool = False
    #: Who chose ``key_env`` when it is not the provider's own variable (for messages).
    key_env_origin: str = ""
    #: Who chose ``base_url``: its variable (``OLLAMA_HOST``), ``[providers.NAME] in FILE``,
    #: ``add_provider(base_url=...)``, or ``the default``. Errors name it.
    base_url_origin: str = "the default"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.base_url.rstrip("/"), self.api_key)

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)

    @property
    def credentials_fingerprint(self) -> str:
        """What ``has_valid_credentials`` remembers its answer for: the catalog's fingerprint,
        unless a provider's credentials can change without changing whose catalog it is."""
        return self.fingerprint

    def missing_key_error(self) -> InvalidCredentialsError:
        """The error for a needed key that is not set (``Adapter.credentials_missing``): it
        names the variable to set and who named it."""
        wanted = " or ".join(self.key_envs or (self.key_env,))
        where = f" (named by {self.key_env_origin})" if self.key_env_origin else ""
        return InvalidCredentialsError(
            f"no API key: {wanted} is not set{where}",
            provider=self.name,
            hint=f"set {wanted}; no request was sent",
        )


class Adapter(ABC):
    """Subclass per provider; set ``spec`` and implement ``fetch``."""

    spec: ClassVar[ProviderSpec]
    #: Family counts for this provider's statistics.
    families: ClassVar[tuple[FamilyRule, ...]] = ()
    #: Per-value counts for this provider's statistics (``by_owner``, ``by_vendor``...).
    breakdowns: ClassVar[tuple[Breakdown, ...]] = ()
    #: The list endpoint, relative to the base URL (which may carry a proxy's path prefix).
    list_path: ClassVar[str] = "models"
    #: Query that makes a list call as small as possible, for the credential probe.
    probe_params: ClassVar[Mapping[str, str]] = {}
    #: Capability rules used where the API is silent.
    capability_rules: ClassVar[tuple[CapabilityRule, ...]] = ()
    #: Provider-specific keys this adapter reads from its ``[providers.NAME]`` table.
    option_keys: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: ProviderConfig, settings: Settings) -> None:
        self.config = config
        self.settings = settings

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.config.name!r}, base_url={self.config.base_url!r})"
        )

    @property
    def name(self) -> str:
        return self.config.name

    @classmethod
    def from_env(
        cls,
        settings: Settings,
        env: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
    ) -> Adapter:
        """Resolve key and base URL from explicit values, the config file, then the environment."""
        env = os.environ if env is None else env
        name = name or cls.spec.name
        override = settings.providers.get(name)
        table = f"[providers.{name}] in {settings.config_file or 'the config file'}"
        unknown = sorted(set(override.options) - cls.option_keys) if override else []
        if unknown:
            raise ConfigurationError(
                f"unknown key(s) {unknown} in {table}",
                provider=name,
                hint="valid keys: "
                + ", ".join(
                    sorted({"type", "base_url", "api_key_env", "enabled", *cls.option_keys})
                )
                + "; API keys belong in environment variables (name one with api_key_env)",
            )
        key_envs = cls.spec.key_envs
        key_env_origin = ""
        if api_key_env:
            key_envs, key_env_origin = (api_key_env,), "add_provider(api_key_env=...)"
        elif override and override.api_key_env:
            key_envs, key_env_origin = (override.api_key_env,), f"api_key_env of {table}"
        key_env = next((e for e in key_envs if env.get(e)), key_envs[0] if key_envs else "")
        key = api_key if api_key is not None else (env.get(key_env) if key_env else None)
        origin = "the default"
        chosen = ""
        if base_url:
            chosen, origin = base_url, "add_provider(base_url=...)"
        elif override and override.base_url:
            chosen, origin = override.base_url, f"base_url of {table}"
        elif env.get(cls.spec.base_url_env, "").strip():
            chosen, origin = env[cls.spec.base_url_env].strip(), cls.spec.base_url_env
        url = cls.resolve_base_url(chosen or None, name)
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"base URL {url!r} is not an http(s) URL",
                provider=name,
                hint=f"fix {origin if chosen else cls.spec.base_url_env}",
            )
        return cls(
            ProviderConfig(
                name=name,
                base_url=url,
                api_key=key or None,
                key_env=key_env,
                key_envs=tuple(key_envs),
                key_required=cls.spec.key_required or bool(key_env_origin),
                key_env_origin=key_env_origin,
                base_url_origin=origin,
            ),
            settings,
        )

    @classmethod
    def resolve_base_url(cls, chosen: str | None, name: str) -> str:
        """The base URL to use, given the one a user chose (argument, config file or env var).

        The hook for providers whose users write hosts their own way (``OLLAMA_HOST=0.0.0.0``)
        or that have no default at all (an OpenAI-compatible server).
        """
        return chosen or cls.spec.default_base_url

    # -- helpers for subclasses ------------------------------------------------------------

    def url(self, path: str) -> str:
        """Join the base URL (which may carry a proxy path prefix) and an endpoint path."""
        return self.config.base_url.rstrip("/") + "/" + path.lstrip("/")

    @property
    def has_credentials(self) -> bool:
        """A key is set, or the adapter holds another credential (an Entra ID token source)."""
        return self.config.has_key

    @property
    def credentials_missing(self) -> bool:
        """Credentials are needed (see ``ProviderConfig.key_required``) and there are none: a
        sync must fail before any request (``config.missing_key_error()``)."""
        return self.config.key_required and not self.has_credentials

    def secrets(self) -> tuple[str, ...]:
        """Every secret this adapter may send, for redaction (the key, tokens it obtained)."""
        return (self.config.api_key,) if self.config.api_key else ()

    def http(
        self, *, max_retries: int | None = None, fail_fast_unreachable: bool = False
    ) -> HttpClient:
        return HttpClient(
            provider=self.name,
            settings=self.settings,
            secrets=self.secrets(),
            key_env=self.config.key_env or (self.spec.key_envs[0] if self.spec.key_envs else ""),
            base_url=self.config.base_url,
            base_url_env=self.base_url_setting(),
            base_url_origin=self.config.base_url_origin,
            max_retries=max_retries,
            fail_fast_unreachable=fail_fast_unreachable,
        )

    def base_url_setting(self) -> str:
        """The setting to change to point this instance elsewhere, for messages that say so:
        the one that set its base URL, else (a default) the variable or table that would."""
        origin = self.config.base_url_origin
        if origin != "the default":
            return origin
        if self.name != self.spec.name:
            return f"base_url of [providers.{self.name}]"
        return self.spec.base_url_env

    def malformed(self, what: str) -> MalformedResponseError:
        return MalformedResponseError(
            what,
            provider=self.name,
            hint=hint_for(MalformedResponseError, key_env="", base_url=self.config.base_url),
        )

    def parse(self, schema: type[W], payload: Any, what: str = "model list") -> W:
        """Validate a payload against its wire schema; any mismatch is a malformed response."""
        try:
            return schema.model_validate(payload)
        except ValidationError as exc:
            errors = exc.errors()
            where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
            detail = errors[0]["msg"] if errors else "invalid"
            raise self.malformed(
                f"{what} has an unexpected shape at {where or 'body'}: {detail}"
            ) from None

    async def paginate(
        self,
        http: HttpClient,
        fetch_page: Callable[[str | None], Awaitable[tuple[list[T], str | None]]],
    ) -> list[T]:
        """Follow cursors to the end; refuse loops, endless chains and partial lists."""
        cursor: str | None = None
        seen: set[str] = set()
        items: list[T] = []
        for _ in range(self.settings.max_pages):
            batch, next_cursor = await fetch_page(cursor)
            http.counters.pages += 1
            items.extend(batch)
            if next_cursor is None:
                return items
            if next_cursor in seen:
                raise self.malformed(f"page cursor {next_cursor!r} repeated: the page chain loops")
            seen.add(next_cursor)
            cursor = next_cursor
        raise self.malformed(
            f"more than {self.settings.max_pages} pages; refusing a partial list "
            "(raise MODELSYNC_MAX_PAGES if this provider really has that many)"
        )

    def missing_extra(self) -> str | None:
        """The pip extra (``modelsync[NAME]``) this provider needs and lacks, if any."""
        return None

    # -- the contract ----------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request; the default is a Bearer token."""
        return {"authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}

    def probe_request(self) -> tuple[str, dict[str, str]]:
        """URL and query of the cheapest authenticated list call (one page, smallest size)."""
        return self.url(self.list_path), dict(self.probe_params)

    async def get_page(
        self, http: HttpClient, path: str | None = None, params: dict[str, str] | None = None
    ) -> Any:
        """One authenticated GET of a list page (``list_path`` unless told), counted as a page."""
        payload = await http.get_json(
            self.url(path or self.list_path), params=params, headers=self.auth_headers()
        )
        http.counters.pages += 1
        return payload

    async def probe(self, http: HttpClient) -> None:
        """One list request that succeeds only with working credentials; spends no tokens."""
        url, params = self.probe_request()
        await http.get_json(url, params=params or None, headers=self.auth_headers())

    @abstractmethod
    async def fetch(self, http: HttpClient) -> list[Model]:
        """Every model this key can list, all pages, normalized."""

    #: True for adapters that ask the provider about each model after listing them (Ollama's
    #: ``/api/show``); the sync engine then calls :meth:`details` with the last good catalog.
    has_details: ClassVar[bool] = False

    async def details(
        self, http: HttpClient, models: list[Model], previous: Mapping[str, dict[str, Any]]
    ) -> list[Model]:
        """Fill in what the list left out with per-model requests, within the sync's deadline.

        ``previous`` is the last good catalog of this same source by id, so unchanged models
        can reuse what was learnt before instead of asking again. A model whose details cannot
        be read should be kept as listed, with a line in ``http.counters.warnings``.
        """
        return models

    async def preview(self, http: HttpClient) -> list[ModelPreview]:
        """The seed's lightweight preview; adapters with a cheaper list call override it."""
        return [m.preview() for m in await self.fetch(http)]


async def gather_or_fail(*aws: Awaitable[Any]) -> list[Any]:
    """Run requests concurrently; the first failure cancels the rest and is raised as itself.

    ``asyncio.gather`` would leave siblings running against a client that is being closed;
    a ``TaskGroup`` cancels them, and unwrapping its group keeps our typed errors typed.
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_as_coroutine(a)) for a in aws]
    except BaseExceptionGroup as group_error:
        first = group_error.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return [t.result() for t in tasks]


async def _as_coroutine(aw: Awaitable[T]) -> T:
    return await aw


def from_unix(value: int | float | None) -> datetime | None:
    if value is None or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def from_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)  # one zone everywhere; far-future offsets can overflow
    except OverflowError:
        return None
    return None if parsed.timestamp() <= 0 else parsed
