"""Bearer tokens for Vertex AI: a token from the environment, or Application Default Credentials.

Vertex AI takes no API key, only an OAuth 2.0 access token. Two ways to get one:

- **A token from the environment** (``VERTEX_ACCESS_TOKEN``, or ``GOOGLE_OAUTH_ACCESS_TOKEN`` as
  Terraform's Google provider calls it), e.g. ``gcloud auth print-access-token`` in CI. Nothing
  extra is needed; the token is sent as it is and never refreshed (they last about an hour).
- **Application Default Credentials** through ``google-auth``, the optional extra
  ``modelsync[vertex]``: a key file named by ``GOOGLE_APPLICATION_CREDENTIALS`` (a service
  account, or any type google-auth reads), gcloud's ``application_default_credentials.json``
  (``gcloud auth application-default login``), or the metadata server on Google Cloud.
  ``google.auth`` is imported here, on the first sync that needs it, never at import time of
  modelsync, so the core commands work without the extra and a missing extra is one clear line.

Finding out *whether* ADC is configured (for ``providers``, ``status`` and a plain ``sync``) is
done without google-auth: :func:`adc_source` only looks at the environment and one file path.

google-auth refreshes with blocking I/O, so a refresh runs in a worker thread, bounded by the
request timeout. Every secret google-auth handles (the access token, a refresh token, a client
secret, a private key) is scrubbed from what its errors say before they become ours.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import (
    ConfigurationError,
    InvalidCredentialsError,
    ProviderUnavailableError,
)
from ..redact import redact

#: The scope Vertex AI's list call accepts (the discovery document lists this and read-only).
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
EXTRA_HINT = "pip install 'modelsync[vertex]', or set VERTEX_ACCESS_TOKEN to an access token"
#: Fields of a credentials file that are secrets, scrubbed from any error that might echo them.
_SECRET_FIELDS = ("private_key", "private_key_id", "refresh_token", "client_secret")


def gcloud_adc_path(env: Mapping[str, str]) -> Path:
    """Where ``gcloud auth application-default login`` writes its credentials (as google-auth
    looks for them: ``CLOUDSDK_CONFIG``, else ``~/.config/gcloud``, ``%APPDATA%\\gcloud`` on
    Windows), read from ``env`` so a catalog built with its own environment stays self-contained.
    """
    config = env.get("CLOUDSDK_CONFIG", "").strip()
    if config:
        root = Path(config)
    elif os.name == "nt" and env.get("APPDATA"):
        root = Path(env["APPDATA"]) / "gcloud"
    else:
        home = env.get("HOME", "").strip()
        root = (Path(home) if home else Path.home()) / ".config" / "gcloud"
    return root / "application_default_credentials.json"


def adc_source(env: Mapping[str, str]) -> tuple[str, str | None] | None:
    """``(label, credentials file or None)`` for the ADC source a sync would use, or ``None``.

    ``GOOGLE_APPLICATION_CREDENTIALS`` first, then gcloud's file, then ``GCE_METADATA_HOST`` (the
    metadata server on Google Cloud, which cannot be detected without a request). Cheap: no
    import of google-auth, no network.
    """
    named = env.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip()
    if named:
        return "GOOGLE_APPLICATION_CREDENTIALS", named
    gcloud = gcloud_adc_path(env)
    if gcloud.is_file():
        return "gcloud ADC file", str(gcloud)
    if env.get("GCE_METADATA_HOST", "").strip():
        return "GCE_METADATA_HOST", None
    return None


class VertexAuth:
    """Headers that authenticate one Vertex request; one instance per configured adapter.

    ``token``: a static bearer token (never refreshed). Otherwise ADC from ``adc_file`` (or
    google-auth's own search when ``None``), loaded and refreshed on demand and kept while valid.
    ``project`` and ``quota_project`` choose the ``x-goog-user-project`` header: the list path
    names no project, so this header is what bills and quotas the call to one (required for end-
    user credentials without a quota project of their own).
    """

    def __init__(
        self,
        *,
        provider: str,
        token: str | None,
        adc_file: str | None,
        adc_label: str | None,
        project: str | None,
        quota_project: str | None,
        timeout: float,
    ) -> None:
        self.provider = provider
        self.token = token
        self.adc_file = adc_file
        self.adc_label = adc_label
        self.project = project
        self.quota_project = quota_project
        self.timeout = timeout
        self._credentials: Any = None
        self._adc_project: str | None = None
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()
        #: How many times ADC signed in; a 401 names the generation whose token was refused.
        self.generation = 0

    def __repr__(self) -> str:
        source = "token" if self.token else (self.adc_label or "adc")
        return f"VertexAuth(provider={self.provider!r}, source={source!r})"

    @property
    def refreshable(self) -> bool:
        """Whether a rejected token can be replaced by asking again (ADC can, a static one not)."""
        return not self.token

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret seen so far, for redaction (the static token, ADC tokens and keys)."""
        current = getattr(self._credentials, "token", None)
        extra = (current,) if isinstance(current, str) and current else ()
        return tuple(s for s in (self.token, *self._secrets, *extra) if s)

    async def headers(self, *, refused: int | None = None) -> dict[str, str]:
        """``authorization`` (and ``x-goog-user-project`` when a project is known).

        ``refused``: the :attr:`generation` of an ADC token Vertex just refused (401) while
        google-auth still thought it valid; it is replaced once, however many requests were
        refused at the same time.
        """
        cached = self._credentials
        renew = refused is not None
        if self.token:
            token = self.token
        elif not renew and cached is not None and cached.valid:
            token = cached.token  # no I/O: google-auth checks the expiry it recorded
        else:
            try:
                async with asyncio.timeout(self.timeout + 1):
                    token = await asyncio.to_thread(self._adc_token, refused)
            except TimeoutError:
                raise ProviderUnavailableError(
                    f"no access token from the token endpoint within {self.timeout:g}s",
                    provider=self.provider,
                    hint="the last good catalog is kept; check the network path to Google's "
                    "token endpoint",
                ) from None
        headers = {"authorization": f"Bearer {token}"}
        billed = self.quota_project or self._adc_quota_project() or self.project
        billed = billed or self._adc_project
        if billed:
            headers["x-goog-user-project"] = billed
        return headers

    def _adc_quota_project(self) -> str | None:
        value = getattr(self._credentials, "quota_project_id", None)
        return value if isinstance(value, str) and value else None

    # -- ADC, in a worker thread ----------------------------------------------------------

    def _adc_token(self, refused: int | None) -> str:
        with self._lock:
            google = _import_google_auth(self.provider)
            if self._credentials is None:
                self._credentials, self._adc_project = self._load(google)
            creds = self._credentials
            # A token another request already replaced is not renewed again.
            if refused == self.generation or not creds.valid:
                self._refresh(google, creds)
                self.generation += 1
            token = creds.token
            if not isinstance(token, str) or not token:
                raise InvalidCredentialsError(
                    "Application Default Credentials gave no access token",
                    provider=self.provider,
                    hint=self.hint(),
                )
            return token

    def _load(self, google: _GoogleAuth) -> tuple[Any, str | None]:
        self._secrets = _file_secrets(self.adc_file)
        try:
            if self.adc_file:
                with warnings.catch_warnings():
                    # The generic loader warns that it trusts the file's contents; this is the
                    # file the user named as their ADC, which google.auth.default() loads the
                    # same way (silencing the same warning). Reading it ourselves keeps a
                    # catalog built with its own environment from reading the process's.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    creds, project = google.auth.load_credentials_from_file(
                        self.adc_file, scopes=[SCOPE]
                    )
            else:
                creds, project = google.auth.default(scopes=[SCOPE])
        except google.exceptions.DefaultCredentialsError as exc:
            raise InvalidCredentialsError(
                f"no usable Application Default Credentials ({self._safe(exc)})",
                provider=self.provider,
                hint=self.hint(),
            ) from None
        except (ValueError, google.exceptions.GoogleAuthError) as exc:
            raise InvalidCredentialsError(
                f"cannot read the Application Default Credentials ({self._safe(exc)})",
                provider=self.provider,
                hint=self.hint(),
            ) from None
        return creds, project if isinstance(project, str) and project else None

    def _refresh(self, google: _GoogleAuth, creds: Any) -> None:
        request = _bounded(google.transport_request(), self.timeout)
        try:
            creds.refresh(request)
        except google.exceptions.RefreshError as exc:
            if getattr(exc, "retryable", False):
                raise ProviderUnavailableError(
                    f"the token endpoint failed ({self._safe(exc)})",
                    provider=self.provider,
                    hint="the last good catalog is kept; try again later",
                ) from None
            raise InvalidCredentialsError(
                f"the token endpoint refused the credentials ({self._safe(exc)})",
                provider=self.provider,
                hint=self.hint(),
            ) from None
        except google.exceptions.TransportError as exc:
            raise ProviderUnavailableError(
                f"cannot reach the token endpoint ({self._safe(exc)})",
                provider=self.provider,
                hint="the last good catalog is kept; check the network path to Google's token "
                "endpoint",
            ) from None
        except (ValueError, google.exceptions.GoogleAuthError) as exc:
            raise InvalidCredentialsError(
                f"cannot sign in with the Application Default Credentials ({self._safe(exc)})",
                provider=self.provider,
                hint=self.hint(),
            ) from None

    def _safe(self, exc: BaseException) -> str:
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        return redact(text, self.secrets)

    def hint(self) -> str:
        """What to do about credentials that did not work, for this way of signing in."""
        if self.token:
            return (
                "the access token was rejected; tokens last about an hour: mint a new one "
                "(gcloud auth print-access-token) or use Application Default Credentials"
            )
        if self.adc_label == "GOOGLE_APPLICATION_CREDENTIALS":
            return f"check the credentials file in GOOGLE_APPLICATION_CREDENTIALS ({self.adc_file})"
        if self.adc_label == "gcloud ADC file":
            return "run `gcloud auth application-default login` again"
        return (
            "run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS to a "
            "key file, or set VERTEX_ACCESS_TOKEN"
        )


class _GoogleAuth:
    """The parts of google-auth in use, imported together (and only when ADC is needed)."""

    def __init__(self) -> None:
        import google.auth
        import google.auth.exceptions
        import google.auth.transport.requests

        self.auth = google.auth
        self.exceptions = google.auth.exceptions
        self._transport = google.auth.transport.requests

    def transport_request(self) -> Callable[..., Any]:
        return self._transport.Request()


def _import_google_auth(provider: str) -> _GoogleAuth:
    try:
        return _GoogleAuth()
    except ImportError:
        raise ConfigurationError(
            "Application Default Credentials need the google-auth package, which is not installed",
            provider=provider,
            hint=EXTRA_HINT,
        ) from None


def _bounded(request: Callable[..., Any], limit: float) -> Callable[..., Any]:
    """google-auth's transport with every request's timeout capped (its default is 120 s)."""

    def call(
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        wait = limit if timeout is None else min(timeout, limit)
        return request(url, method=method, body=body, headers=headers, timeout=wait, **kwargs)

    return call


def _file_secrets(path: str | None) -> tuple[str, ...]:
    """The secret values in a credentials file, so no error can echo them; best effort."""
    if not path:
        return ()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    if not isinstance(data, dict):
        return ()
    found = [data.get(k) for k in _SECRET_FIELDS]
    return tuple(v for v in found if isinstance(v, str) and len(v) >= 8)


__all__ = [
    "EXTRA_HINT",
    "SCOPE",
    "VertexAuth",
    "adc_source",
    "gcloud_adc_path",
]
