"""Google Vertex AI: the Model Garden models of each publisher you use, at one location.

``GET {base}/v1beta1/publishers/{publisher}/models?pageSize=100&view=PUBLISHER_MODEL_VIEW_FULL``
(``ModelGardenService.ListPublisherModels``), every page by ``pageToken``/``nextPageToken``, for
every publisher at once. What is special, and what the adapter does about it:

- **Where.** The base URL follows ``GOOGLE_CLOUD_LOCATION`` (default ``us-central1``, where the
  whole Model Garden list is served): ``https://{location}-aiplatform.googleapis.com``;
  ``global`` is ``https://aiplatform.googleapis.com`` and the multi-regions ``us``/``eu`` are
  ``https://aiplatform.{us,eu}.rep.googleapis.com`` (the discovery document's endpoints).
  ``VERTEX_BASE_URL`` overrides it (a Private Service Connect endpoint, a proxy, the tests).
- **Who.** No API key: an OAuth access token from ``VERTEX_ACCESS_TOKEN`` or Application Default
  Credentials (``modelsync[vertex]``), see :mod:`.vertex_auth`. The path names no project, so
  the project (``GOOGLE_CLOUD_PROJECT``, else the credentials' quota project) goes in
  ``x-goog-user-project`` for billing and quota.
- **Which publishers.** ``VERTEX_PUBLISHERS`` (comma-separated Model Garden publisher ids),
  default ``google,anthropic,meta,mistralai``. All are fetched concurrently, each to its last
  page. **All or nothing:** a publisher that fails (403, 404 for an unknown id, a broken page
  chain, garbage) or lists no models at all fails the whole sync, naming the publisher; the
  last good catalog stays. A sync never returns some publishers' models as if they were all.
- **Ids as users call them.** Google's and the rawPredict partners' (Anthropic, Mistral, AI21)
  models by their Model Garden name (``gemini-2.5-pro``, ``mistral-medium-3``), with Vertex's
  ``@`` version when the version is a snapshot date (``claude-sonnet-4-5@20250929``); other
  publishers' models as the OpenAI-compatible endpoint takes them, ``publisher/model``
  (``meta/llama-4-maverick-17b-128e-instruct-maas``). ``owned_by`` is the publisher.
- **Launch stage -> lifecycle:** ``GA`` active; ``EXPERIMENTAL``, ``PRIVATE_PREVIEW``,
  ``PUBLIC_PREVIEW`` (and the older ``DOGFOOD``) preview; ``DEPRECATED`` deprecated, should
  Google add it; unspecified or unknown says nothing (active). The stage is also written into
  the description, which the ``by_launch_stage`` statistic counts.
- **Supported actions -> capabilities,** only where they say something about the model: a
  fine-tuning pipeline (``openFineTuningPipeline(s)``) means fine-tuning is supported. Deploy,
  notebook and playground actions describe the console, not the model, and are not mapped.
- **An aggregator.** Vertex serves other vendors' models, so a partner model borrows its vendor's
  facts (context, capabilities) from the catalogs but never the vendor's price (``facts.py``);
  Gemini's family rules apply to Google's models.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from ..config import Settings
from ..errors import (
    ConfigurationError,
    EndpointNotFoundError,
    InvalidCredentialsError,
    ModelSyncError,
    PermissionDeniedError,
    SuspiciousFetchError,
)
from ..http import HttpClient
from ..model import Model
from ..redact import fingerprint
from ..rules import api_caps, capabilities_from_rules, merge_capabilities
from ..stats import breakdown, family
from .base import Adapter, ProviderConfig, ProviderSpec, Wire, gather_or_fail
from .gemini import RULES as GEMINI_RULES
from .vertex_auth import VertexAuth, adc_source

DEFAULT_LOCATION = "us-central1"
DEFAULT_PUBLISHERS = ("google", "anthropic", "meta", "mistralai")
TOKEN_ENVS = ("VERTEX_ACCESS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN")
PUBLISHERS_ENV = "VERTEX_PUBLISHERS"
LOCATION_ENV = "GOOGLE_CLOUD_LOCATION"
PROJECT_ENVS = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")  # google-auth reads the same two
QUOTA_PROJECT_ENV = "GOOGLE_CLOUD_QUOTA_PROJECT"
PAGE_SIZE = "100"
VIEW = "PUBLISHER_MODEL_VIEW_FULL"  # BASIC may leave out supportedActions

#: Publishers whose models are called by name in the URL path (``publishers/anthropic/models/
#: claude-...:rawPredict``); the rest are called through the OpenAI-compatible endpoint as
#: ``publisher/model``. Cross-checked with models.dev's ``google-vertex`` ids.
BY_NAME_PUBLISHERS = frozenset({"google", "anthropic", "mistralai", "ai21"})
_LIFECYCLE: dict[str, Literal["active", "preview", "deprecated"]] = {
    "GA": "active",
    "EXPERIMENTAL": "preview",
    "PRIVATE_PREVIEW": "preview",
    "PUBLIC_PREVIEW": "preview",
    "DOGFOOD": "preview",
    "DEPRECATED": "deprecated",
}
_LOCATION = re.compile(r"^[a-z]+(?:-[a-z]+[0-9]+)?$")
_PUBLISHER = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_NAME = re.compile(r"(?:^|/)publishers/([^/]+)/models/([^/]+)$")
_SNAPSHOT_VERSION = re.compile(r"^\d{8}$")


class _Actions(Wire):
    """``PublisherModel.CallToAction``: only presence matters here."""

    openFineTuningPipeline: dict[str, Any] | None = None
    openFineTuningPipelines: dict[str, Any] | None = None


class _Entry(Wire):
    name: str
    versionId: str | None = None
    launchStage: str | None = None
    openSourceCategory: str | None = None
    versionState: str | None = None
    supportedActions: _Actions | None = None


class _Page(Wire):
    publisherModels: list[_Entry] = []
    nextPageToken: str | None = None


FAMILIES = (
    family("gemini_models", r"^gemini-"),
    family("gemma_models", r"^gemma"),
    family("imagen_models", r"^imagen"),
    family("veo_models", r"^veo-"),
    family("claude_models", r"^claude-"),
    family("llama_models", r"llama"),
    family("mistral_models", r"^(mistral|codestral|ministral|pixtral|magistral|devstral)"),
)
BREAKDOWNS = (
    breakdown("by_publisher", "owned_by"),
    breakdown("by_launch_stage", "description", r"launch stage ([A-Z_]+)"),
)


def location_url(location: str) -> str:
    """The regional (or global, or multi-regional) service endpoint for ``location``."""
    if location == "global":
        return "https://aiplatform.googleapis.com"
    if location in ("us", "eu"):
        return f"https://aiplatform.{location}.rep.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"


def parse_publishers(raw: str | None) -> tuple[str, ...]:
    """``VERTEX_PUBLISHERS`` as a tuple; the default when unset; a clear error when malformed."""
    if raw is None or not raw.strip():
        return DEFAULT_PUBLISHERS
    names = tuple(dict.fromkeys(p.strip().lower() for p in raw.split(",") if p.strip()))
    bad = [p for p in names if not _PUBLISHER.match(p)]
    if bad or not names:
        raise ConfigurationError(
            f"{PUBLISHERS_ENV}={raw!r} is not a list of Model Garden publisher ids",
            provider="vertex",
            hint=f"write e.g. {PUBLISHERS_ENV}={','.join(DEFAULT_PUBLISHERS)}",
        )
    return names


def model_id(publisher: str, name: str, version: str | None) -> str:
    """The id a user calls the model by on Vertex (see the module docstring)."""
    ident = name
    if "@" not in ident and version and _SNAPSHOT_VERSION.match(version):
        ident = f"{ident}@{version}"
    return ident if publisher in BY_NAME_PUBLISHERS else f"{publisher}/{ident}"


@dataclass(frozen=True)
class VertexConfig(ProviderConfig):
    """A Vertex instance: where, for which project and publishers, and how it signs in.

    The fingerprint is the endpoint, project and publishers, not the token: ADC tokens change
    every hour and would otherwise make every catalog look like another account's.
    """

    location: str = DEFAULT_LOCATION
    project: str | None = None
    quota_project: str | None = None
    publishers: tuple[str, ...] = DEFAULT_PUBLISHERS
    adc_label: str | None = None
    adc_file: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.base_url.rstrip("/"), self.project, ",".join(self.publishers))

    @property
    def credentials_fingerprint(self) -> str:
        """The catalog's fingerprint plus the credentials: a new token is checked anew."""
        who = self.api_key or self.adc_file or self.adc_label
        return fingerprint(self.fingerprint, who)

    @property
    def has_key(self) -> bool:
        """A token is set, or an Application Default Credentials source was found."""
        return bool(self.api_key) or self.adc_label is not None


class VertexAdapter(Adapter):
    spec = ProviderSpec(
        name="vertex",
        title="Google Vertex AI",
        key_envs=TOKEN_ENVS,
        base_url_env="VERTEX_BASE_URL",
        default_base_url=location_url(DEFAULT_LOCATION),
        docs_url="https://cloud.google.com/docs/authentication/provide-credentials-adc",
    )
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = GEMINI_RULES
    list_path = f"v1beta1/publishers/{DEFAULT_PUBLISHERS[0]}/models"
    probe_params = {"pageSize": "1"}

    def __init__(self, config: ProviderConfig, settings: Settings) -> None:
        if not isinstance(config, VertexConfig):
            config = VertexConfig(**{f.name: getattr(config, f.name) for f in fields(config)})
        super().__init__(config, settings)
        self.vertex: VertexConfig = config
        self.auth = VertexAuth(
            provider=config.name,
            token=config.api_key,
            adc_file=config.adc_file,
            adc_label=config.adc_label,
            project=config.project,
            quota_project=config.quota_project,
            timeout=settings.request_timeout,
        )

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
        """Key and base URL as for every provider, plus location, project, publishers and ADC."""
        env = os.environ if env is None else env
        plain = super().from_env(
            settings, env, name=name, base_url=base_url, api_key=api_key, api_key_env=api_key_env
        )
        name = plain.config.name
        location = (env.get(LOCATION_ENV) or "").strip().lower() or DEFAULT_LOCATION
        if not _LOCATION.match(location):
            raise ConfigurationError(
                f"{LOCATION_ENV}={location!r} is not a Vertex AI location",
                provider=name,
                hint=f"use a region such as {DEFAULT_LOCATION} or europe-west4, or global",
            )
        override = settings.providers.get(name)
        chosen = (
            base_url
            or (override.base_url if override else None)
            or env.get(cls.spec.base_url_env, "").strip()
        )
        url = plain.config.base_url if chosen else location_url(location)
        project = next((env[e].strip() for e in PROJECT_ENVS if env.get(e, "").strip()), None)
        token = plain.config.api_key
        adc = None if token else adc_source(env)
        config = VertexConfig(
            name=name,
            base_url=url,
            api_key=token,
            key_env=plain.config.key_env if token else (adc[0] if adc else ""),
            key_envs=plain.config.key_envs,
            key_required=plain.config.key_required,
            key_env_origin=plain.config.key_env_origin,
            base_url_origin=plain.config.base_url_origin if chosen else LOCATION_ENV,
            location=location,
            project=project,
            quota_project=(env.get(QUOTA_PROJECT_ENV) or "").strip() or None,
            publishers=parse_publishers(env.get(PUBLISHERS_ENV)),
            adc_label=adc[0] if adc else None,
            adc_file=adc[1] if adc else None,
        )
        return cls(config, settings)

    def __repr__(self) -> str:
        return (
            f"VertexAdapter(name={self.name!r}, base_url={self.config.base_url!r}, "
            f"project={self.vertex.project!r}, publishers={list(self.vertex.publishers)!r})"
        )

    # -- requests ---------------------------------------------------------------------------

    def publisher_path(self, publisher: str) -> str:
        return f"v1beta1/publishers/{publisher}/models"

    def probe_request(self) -> tuple[str, dict[str, str]]:
        return self.url(self.publisher_path(self.vertex.publishers[0])), dict(self.probe_params)

    async def probe(self, http: HttpClient) -> None:
        url, params = self.probe_request()
        await self._get(http, url, params)

    async def _get(self, http: HttpClient, url: str, params: dict[str, str]) -> Any:
        """One authenticated GET; an ADC token refused as expired is renewed once and retried."""
        headers = await self._headers(http)
        generation = self.auth.generation
        try:
            return await http.get_json(url, params=params, headers=headers)
        except InvalidCredentialsError:
            if not self.auth.refreshable:
                raise
        headers = await self._headers(http, refused=generation)
        return await http.get_json(url, params=params, headers=headers)

    async def _headers(self, http: HttpClient, *, refused: int | None = None) -> dict[str, str]:
        headers = await self.auth.headers(refused=refused)
        known = set(http.secrets)
        http.secrets = (*http.secrets, *(s for s in self.auth.secrets if s not in known))
        return headers

    async def fetch(self, http: HttpClient) -> list[Model]:
        await self._headers(http)  # sign in once, before the publishers fan out
        batches = await gather_or_fail(*(self._publisher(http, p) for p in self.vertex.publishers))
        return [m for batch in batches for m in batch]

    async def _publisher(self, http: HttpClient, publisher: str) -> list[Model]:
        url = self.url(self.publisher_path(publisher))
        what = "model list"  # _about() names the publisher

        async def page(cursor: str | None) -> tuple[list[_Entry], str | None]:
            params = {"pageSize": PAGE_SIZE, "view": VIEW}
            if cursor:
                params["pageToken"] = cursor
            payload = await self._get(http, url, params)
            # ``{}`` is an empty page (proto3 JSON drops empty lists); another API's list is not.
            if (
                isinstance(payload, dict)
                and "publisherModels" not in payload
                and set(payload) - {"nextPageToken"}
            ):
                raise self.malformed(f"{what} has no 'publisherModels' array")
            parsed = self.parse(_Page, payload, what)
            return parsed.publisherModels, (parsed.nextPageToken or None)

        try:
            entries = await self.paginate(http, page)
            models = [self.normalize(e) for e in entries]
        except ModelSyncError as exc:
            raise self._about(publisher, exc) from None
        if not models:
            raise SuspiciousFetchError(
                f"publisher {publisher!r} listed no models at {self.vertex.location}",
                provider=self.name,
                hint=f"a publisher that lists nothing is refused rather than emptied; remove it "
                f"from {PUBLISHERS_ENV} if that is right",
            )
        return models

    def _about(self, publisher: str, exc: ModelSyncError) -> ModelSyncError:
        """The error, naming the publisher and saying what to do on Vertex."""
        if isinstance(exc, ConfigurationError):
            return exc
        exc.message = f"publisher {publisher!r}: {exc.message}"
        project = self.vertex.project or "your project"
        if isinstance(exc, InvalidCredentialsError):
            exc.hint = self.auth.hint()
        elif isinstance(exc, PermissionDeniedError):
            exc.hint = (
                f"enable the Vertex AI API (aiplatform.googleapis.com) for {project}, and check "
                "the credentials' IAM roles and quota project (GOOGLE_CLOUD_PROJECT)"
            )
        elif isinstance(exc, EndpointNotFoundError):
            exc.hint = (
                f"check that {publisher!r} is a Model Garden publisher ({PUBLISHERS_ENV}) listed "
                f"at {self.vertex.location} ({LOCATION_ENV}; us-central1 lists them all) and "
                f"the base URL ({self.config.base_url})"
            )
        return exc

    # -- normalization ----------------------------------------------------------------------

    def normalize(self, e: _Entry) -> Model:
        match = _NAME.search(e.name)
        if match is None:
            raise self.malformed(f"model name {e.name!r} is not publishers/{{p}}/models/{{m}}")
        publisher, name = match.group(1), match.group(2)
        ident = model_id(publisher, name, e.versionId)
        stage = (e.launchStage or "").upper() or None
        actions = e.supportedActions
        tunable = actions is not None and bool(
            actions.openFineTuningPipeline or actions.openFineTuningPipelines
        )
        stated = api_caps(fine_tuning=True if tunable else None)
        rules = capabilities_from_rules(ident, GEMINI_RULES) if publisher == "google" else {}
        described = f"Vertex AI Model Garden model published by {publisher}"
        if stage and stage != "LAUNCH_STAGE_UNSPECIFIED":
            described += f"; launch stage {stage}"
        return Model(
            provider=self.name,
            id=ident,
            name=ident,
            owned_by=publisher,
            description=described + ".",
            version=e.versionId or None,
            capabilities=merge_capabilities(stated, rules),
            lifecycle=_LIFECYCLE.get(stage or "", "active"),
        )
