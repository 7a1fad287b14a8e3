"""One HTTP client for every adapter: timeouts, retries, error mapping, secret redaction.

Adapters ask for JSON and get JSON or a typed error. Retries follow the official SDKs: 408, 409,
429, 5xx, 529, network errors and timeouts, with exponential backoff and jitter, honouring
``retry-after-ms``, ``Retry-After`` and Gemini's ``RetryInfo``, capped; never 400/401/403/404 or an
exhausted quota. Secrets never leave this layer: every message is redacted before it is raised.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Settings
from .errormap import error_from_response, hint_for
from .errors import (
    MalformedResponseError,
    ModelSyncError,
    ProviderUnavailableError,
    ProviderUnreachableError,
    RedirectRefusedError,
)
from .redact import redact, url_without_query
from .redirects import (
    MAX_REDIRECTS,
    REDIRECT_STATUSES,
    Origin,
    has_userinfo,
    origin_of,
    redirect_target,
)
from .results import Counters

if TYPE_CHECKING:  # loaded on first request: reading the catalog never pays for the HTTP stack
    import httpx
    from tenacity import AsyncRetrying, RetryCallState

log = logging.getLogger("modelsync")


class HttpClient:
    """An ``httpx.AsyncClient`` that speaks in modelsync errors. Use as an async context manager."""

    def __init__(
        self,
        *,
        provider: str,
        settings: Settings,
        secrets: tuple[str, ...] = (),
        key_env: str = "",
        base_url: str = "",
        base_url_env: str = "",
        max_retries: int | None = None,
        fail_fast_unreachable: bool = False,
        base_url_origin: str = "",
    ) -> None:
        self.provider = provider
        self.settings = settings
        self.secrets = tuple(s for s in secrets if s)
        self.key_env = key_env
        self.base_url = base_url
        #: The variable that sets the base URL, named when a redirect to another origin is refused.
        self.base_url_env = base_url_env
        #: Who set the base URL (``OLLAMA_HOST``, ``[providers.NAME] in FILE``, ...), so a
        #: connection error says which setting to fix.
        self.base_url_origin = base_url_origin
        self.max_retries = settings.max_retries if max_retries is None else max_retries
        self.counters = Counters()
        #: An optional local server that refuses the connection is simply not running:
        #: say so at once instead of retrying.
        self.fail_fast_unreachable = fail_fast_unreachable
        self._client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"HttpClient(provider={self.provider!r}, base_url={self._safe(self.base_url)!r})"

    async def __aenter__(self) -> HttpClient:
        import httpx

        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.settings.request_timeout),
            verify=_tls_context(),
            headers={"user-agent": f"modelsync/{__version__}", "accept": "application/json"},
            # Redirects are followed by ``_get_once``, which never sends a credential to another
            # origin; httpx would forward every header but ``Authorization``.
            follow_redirects=False,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _safe(self, text: str) -> str:
        return redact(text, self.secrets)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = getattr(exc, "retry_after", None)
        if hinted is not None:
            return float(min(max(hinted, 0.0), self.settings.retry_max_seconds))
        base = self.settings.retry_base_seconds
        exponential = base * float(2 ** (state.attempt_number - 1))
        jitter = random.uniform(0, base)
        return min(exponential + jitter, self.settings.retry_max_seconds)

    def _before_sleep(self, state: RetryCallState) -> None:
        self.counters.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.info(
            "retrying %s model list in %.2fs after %s (attempt %d of %d)",
            self.provider,
            delay,
            getattr(exc, "error_type", type(exc).__name__),
            state.attempt_number + 1,
            self.max_retries + 1,
        )

    async def get_json(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """GET ``url`` and return its JSON body, retrying what is worth retrying."""
        async for attempt in self._retrying():
            with attempt:
                return await self._get_once(url, params=params, headers=headers)
        raise AssertionError("unreachable: tenacity re-raises")  # pragma: no cover

    def _retrying(self) -> AsyncRetrying:
        """The retry policy every request shares: retryable modelsync errors only, our waits."""
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

        return AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, ModelSyncError) and e.retryable),
            before_sleep=self._before_sleep,
            reraise=True,
        )

    def _where(self, url: str) -> str:
        """``scheme://host:port/path`` of a request: no query (keys travel there), no userinfo."""
        return self._safe(url_without_query(url))

    def _set_by(self) -> str:
        """``; base URL from OLLAMA_HOST``: which setting chose the host an error names."""
        return "; base URL from " + self.base_url_origin if self.base_url_origin else ""

    async def post_json(self, url: str, body: Any, *, headers: dict[str, str] | None = None) -> Any:
        """POST ``body`` as JSON and return the JSON answer, retried like :meth:`get_json`.

        For read-only lookups that take a body (Ollama's ``/api/show``). A redirect is not
        followed: a POST has no business being sent elsewhere.
        """
        async for attempt in self._retrying():
            with attempt:
                response = await self._send(url, params=None, headers=headers, json_body=body)
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    target = redirect_target(str(response.request.url), location)
                    raise self._refused(
                        self._origin(target, refused=True), reason="a POST is not redirected"
                    )
                return self._answer(response)
        raise AssertionError("unreachable: tenacity re-raises")  # pragma: no cover

    def _hint(self, cls: type[ModelSyncError]) -> str:
        return hint_for(cls, key_env=self.key_env, base_url=self._safe(self.base_url))

    async def _get_once(
        self, url: str, *, params: dict[str, str] | None, headers: dict[str, str] | None
    ) -> Any:
        """One attempt: the request and any redirects it is allowed to follow."""
        if self._client is None:
            raise RuntimeError("HttpClient used outside 'async with'")
        origin = self._origin(url)
        credentialed = self._credentialed(url, headers)
        current, query = url, params
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send(current, params=query, headers=headers)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return self._answer(response)
            target = redirect_target(str(response.request.url), location)
            hop = self._origin(target, refused=True)
            if hop.scheme not in ("http", "https"):
                raise self._refused(hop, reason="it is not an http(s) URL")
            if credentialed and hop != origin:
                raise self._refused(hop, reason="the API key is not sent to another origin")
            current, query, origin = target, None, hop
        raise RedirectRefusedError(
            f"more than {MAX_REDIRECTS} redirects from {self._safe(str(self._origin(url)))}",
            provider=self.provider,
            hint=f"The redirects loop; check the base URL ({self._safe(self.base_url)})",
        )

    def _credentialed(self, url: str, headers: dict[str, str] | None) -> bool:
        """Whether the request may carry anything that authenticates it.

        Adapters authenticate through their headers (or a key in the query, which is then one
        of ``secrets``); a request with no caller headers, no known secret and no user info
        (models.dev, a keyless local server) has nothing to leak and may follow a redirect
        to another origin.
        """
        return bool(self.secrets or headers or has_userinfo(url))

    def _origin(self, url: str, *, refused: bool = False) -> Origin:
        try:
            return origin_of(url)
        except ValueError:
            what = "redirected to" if refused else "was asked for"
            raise MalformedResponseError(
                f"{what} a URL with no usable host or port (scheme {url.split(':', 1)[0][:20]!r})",
                provider=self.provider,
                hint=self._hint(MalformedResponseError),
            ) from None

    def _refused(self, target: Origin, *, reason: str) -> RedirectRefusedError:
        where = self.base_url_env or "the base URL setting"
        return RedirectRefusedError(
            f"redirected to {self._safe(str(target))}; not followed: {reason}",
            provider=self.provider,
            hint=f"If the provider has really moved there, set {where} to the new address",
        )

    async def _send(
        self,
        url: str,
        *,
        params: dict[str, str] | None,
        headers: dict[str, str] | None,
        json_body: Any = None,
    ) -> httpx.Response:
        """One HTTP GET (a POST when there is a ``json_body``); transport failures become
        typed, redacted errors."""
        import httpx

        assert self._client is not None
        self.counters.requests += 1
        try:
            if json_body is not None:
                return await self._client.post(url, json=json_body, headers=headers)
            return await self._client.get(url, params=params, headers=headers)
        except httpx.ConnectTimeout:
            raise ProviderUnavailableError(
                f"cannot connect to {self._where(url)}: no answer within "
                f"{self.settings.request_timeout:g}s{self._set_by()}",
                provider=self.provider,
                hint=self._hint(ProviderUnavailableError),
            ) from None
        except httpx.TimeoutException:
            raise ProviderUnavailableError(
                f"no answer from {self._where(url)} within {self.settings.request_timeout:g}s",
                provider=self.provider,
                hint=self._hint(ProviderUnavailableError),
            ) from None
        except httpx.ConnectError as exc:
            raise ProviderUnreachableError(
                f"cannot connect to {self._where(url)} "
                f"({self._safe(str(exc)) or 'connection refused'}){self._set_by()}",
                provider=self.provider,
                hint=self._hint(ProviderUnavailableError),
                retryable=not self.fail_fast_unreachable,
            ) from None
        except httpx.HTTPError as exc:
            raise ProviderUnavailableError(
                f"network error talking to {self._where(url)} "
                f"({type(exc).__name__}: {self._safe(str(exc)) or 'no detail'}){self._set_by()}",
                provider=self.provider,
                hint=self._hint(ProviderUnavailableError),
            ) from None

    def _answer(self, response: httpx.Response) -> Any:
        text = response.text
        if response.status_code >= 400:
            raise error_from_response(
                provider=self.provider,
                status=response.status_code,
                headers=response.headers,
                text=text,
                secrets=self.secrets,
                key_env=self.key_env,
                base_url=self.base_url,
            )
        return self._decode(response, text)

    def _decode(self, response: httpx.Response, text: str) -> Any:
        content_type = response.headers.get("content-type", "")
        stripped = text.lstrip()
        if "html" in content_type or stripped[:1] == "<":
            raise MalformedResponseError(
                "answered with an HTML page instead of JSON",
                provider=self.provider,
                status_code=response.status_code,
                hint=self._hint(MalformedResponseError),
            )
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except ValueError:
            raise MalformedResponseError(
                f"answered with invalid JSON ({len(text)} bytes, truncated or corrupt)",
                provider=self.provider,
                status_code=response.status_code,
                hint=self._hint(MalformedResponseError),
            ) from None


def _reject_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON; a body that uses them is malformed."""
    raise ValueError(f"non-standard JSON constant {name}")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle costs ~20 ms, and a fan-out
    creating one per provider would spend that serially on the event loop."""
    import httpx

    return httpx.create_ssl_context(trust_env=False)
