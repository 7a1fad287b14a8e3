"""Amazon Bedrock: foundation models and inference profiles, signed with SigV4 or an API key.

Wire format (botocore's service model ``bedrock/2023-04-20``, protocol rest-json):

- ``GET /foundation-models`` (ListFoundationModels): ``{"modelSummaries": [...]}``, one answer,
  no pages. Each summary has ``modelId``, ``modelName``, ``providerName``, input/output
  modalities, ``responseStreamingSupported``, ``customizationsSupported``,
  ``inferenceTypesSupported`` and ``modelLifecycle`` (``status`` ACTIVE/LEGACY; newer answers
  add ``startOfLifeTime``, ``legacyTime``, ``publicExtendedAccessTime``, ``endOfLifeTime``).
- ``GET /inference-profiles?maxResults=1000[&nextToken=...]`` (ListInferenceProfiles): pages by
  ``nextToken``. The cross-region profiles (``us.anthropic.claude-...``, ``global.``...) are
  the ids most on-demand calls now need; application profiles are an account's own.
- ``GET /foundation-models/{id}`` (GetFoundationModel): asked only for LEGACY models whose list
  entry lacks the lifecycle dates, so a deprecation carries its dates when AWS gives them.

Every model becomes a :class:`Model` with ``id = modelId``; every profile one more with
``id = inferenceProfileId``, linked to its foundation model (found from ``models[].modelArn``):
modalities, streaming, owner and lifecycle flow from it (a profile answers ACTIVE even when its
model is LEGACY). Vendor facts (context window, capabilities) come from the curated catalogs
through ``facts.bedrock_vendor_id`` (``us.anthropic.claude-sonnet-4-5-20250929-v1:0`` ->
Anthropic's ``claude-sonnet-4-5-20250929``), and never the vendor's price: Bedrock is an
aggregator; only a source that prices Bedrock itself (models.dev ``amazon-bedrock``) gives one.

Authentication: a Bedrock API key in ``AWS_BEARER_TOKEN_BEDROCK`` is sent as a Bearer token and
needs nothing else. Otherwise each GET is signed with SigV4 (service ``bedrock``, the configured
region) by botocore, the optional extra, from botocore's own credential chain; see ``aws.py``.
Errors: rest-json with ``x-amzn-ErrorType`` and ``{"message": ...}`` (API keys: ``"Message"``);
bad or expired credentials answer 403, mapped to ``InvalidCredentialsError`` by that type.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

from ..config import Settings
from ..errors import (
    ConfigurationError,
    EndpointNotFoundError,
    InvalidCredentialsError,
    ModelSyncError,
    PermissionDeniedError,
)
from ..http import HttpClient
from ..model import Capability, Model
from ..redact import fingerprint
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import breakdown, family
from . import aws
from .base import Adapter, ProviderConfig, ProviderSpec, Wire, from_iso, from_unix, gather_or_fail

log = logging.getLogger("modelsync")

Auth = Callable[[str], dict[str, str]]


class _Lifecycle(Wire):
    status: str | None = None
    startOfLifeTime: str | float | None = None
    legacyTime: str | float | None = None
    publicExtendedAccessTime: str | float | None = None
    endOfLifeTime: str | float | None = None


class _Summary(Wire):
    modelId: str
    modelArn: str | None = None
    modelName: str | None = None
    providerName: str | None = None
    inputModalities: list[str] | None = None
    outputModalities: list[str] | None = None
    responseStreamingSupported: bool | None = None
    customizationsSupported: list[str] | None = None
    inferenceTypesSupported: list[str] | None = None
    modelLifecycle: _Lifecycle | None = None


class _Models(Wire):
    modelSummaries: list[_Summary]


class _Details(Wire):
    modelDetails: _Summary


class _ProfileModel(Wire):
    modelArn: str | None = None


class _Profile(Wire):
    inferenceProfileId: str
    inferenceProfileName: str | None = None
    inferenceProfileArn: str | None = None
    description: str | None = None
    createdAt: str | float | None = None
    models: list[_ProfileModel] = []
    status: str | None = None
    type: str | None = None


class _Profiles(Wire):
    inferenceProfileSummaries: list[_Profile]
    nextToken: str | None = None


# Modalities as the catalog speaks them; EMBEDDING output is the embeddings capability instead.
_MODALITIES = {
    "TEXT": "text",
    "IMAGE": "image",
    "VIDEO": "video",
    "SPEECH": "audio",
    "AUDIO": "audio",
}
_GEOGRAPHY = r"^(us|us-gov|eu|apac|jp|au|ca|global)\."

RULES = (
    rule(
        r"anthropic\.claude|meta\.llama|mistral\.|amazon\.nova-(micro|lite|pro|premier|2-lite)|"
        r"amazon\.titan-text|cohere\.command|ai21\.|deepseek\.|openai\.gpt-oss|qwen\.|writer\.|"
        r"moonshot|minimax|google\.gemma",
        chat=True,
    ),
    rule(r"embed", embeddings=True, chat=False),
    rule(r"rerank", rerank=True, chat=False),
    rule(r"amazon\.nova-(canvas|reel)|amazon\.titan-image|stability\.", image_generation=True),
)

FAMILIES = (
    family("claude_models", r"anthropic\.claude"),
    family("llama_models", r"meta\.llama"),
    family("nova_models", r"amazon\.nova"),
    family("titan_models", r"amazon\.titan"),
    family("mistral_models", r"mistral\."),
    family("foundation_models", r"^foundation_model$", on="family"),
    family("inference_profile_models", r"inference_profile$", on="family"),
    # Foundation models by how they may be called: by id on demand, with provisioned
    # throughput, or only through an inference profile (Claude 4.x and most new models).
    family("on_demand_models", r"on_demand", on="inference_types"),
    family("provisioned_models", r"provisioned", on="inference_types"),
    family("profile_only_models", r"^(?!.*on_demand).*inference_profile", on="inference_types"),
    family("legacy_models", r"^deprecated$", on="lifecycle"),
)

BREAKDOWNS = (
    breakdown("by_provider", "owned_by"),
    breakdown("by_kind", "family"),
    breakdown("by_inference_type", "inference_types"),
    breakdown("by_geography", "id", _GEOGRAPHY),
)

#: GetFoundationModel calls for missing lifecycle dates: at most this many, this many at once.
MAX_DETAILS = 50
DETAIL_CONCURRENCY = 8
NO_REGION_URL = "https://bedrock.{AWS_REGION}.amazonaws.com"


@dataclass(frozen=True)
class BedrockConfig(ProviderConfig):
    """A Bedrock instance: an API key (``api_key``) or the AWS credential chain, and a region."""

    region: str | None = None
    aws: aws.AwsEnvironment | None = None
    #: The variables modelsync was given (credentials among them): never shown.
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_key(self) -> bool:
        """An API key, or AWS credentials declared where the chain looks without the network."""
        return bool(self.api_key) or bool(self.aws and self.aws.source)

    @property
    def fingerprint(self) -> str:
        who = "bearer:" + self.api_key if self.api_key else "sigv4:" + _identity(self.aws)
        return fingerprint(self.base_url.rstrip("/"), self.region, who)


def _endpoint_origin(
    base_url: str | None, override: Any, env: Mapping[str, str], region: str | None
) -> str:
    """Which setting chose the endpoint, for errors that name it."""
    if base_url:
        return "add_provider(base_url=...)"
    if override is not None and override.base_url:
        return "base_url of the config file"
    named = next((e for e in aws.ENDPOINT_ENVS if env.get(e, "").strip()), None)
    if named:
        return named
    return "AWS_REGION" if region else "the default"


def _identity(env: aws.AwsEnvironment | None) -> str:
    return env.identity if env else "profile:default"


class BedrockAdapter(Adapter):
    spec = ProviderSpec(
        name="bedrock",
        title="Amazon Bedrock",
        key_envs=("AWS_PROFILE", "AWS_ACCESS_KEY_ID", aws.BEARER_ENV),
        base_url_env=aws.ENDPOINT_ENVS[0],
        default_base_url="https://bedrock.{region}.amazonaws.com",
        docs_url="https://docs.aws.amazon.com/bedrock/latest/userguide/getting-started.html",
    )
    config: BedrockConfig
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = RULES
    list_path = "inference-profiles"
    probe_params: ClassVar[Mapping[str, str]] = {"maxResults": "1"}

    def __init__(self, config: ProviderConfig, settings: Settings) -> None:
        super().__init__(config, settings)
        self._credentials: Any = None  # botocore Credentials, kept so temporary ones refresh

    # -- configuration -----------------------------------------------------------------------

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
        """Region, endpoint and credentials from arguments, the config file and the environment.

        The endpoint is ``AWS_ENDPOINT_URL_BEDROCK`` (then ``AWS_ENDPOINT_URL``, as botocore
        reads them) or ``https://bedrock.{region}.amazonaws.com``; a regional AWS host in a
        configured base URL sets the region (a named instance per region needs nothing else).
        """
        env = os.environ if env is None else env
        name = name or cls.spec.name
        override = settings.providers.get(name)
        key_env = api_key_env or (override.api_key_env if override else None) or aws.BEARER_ENV
        key_env_origin = (
            "add_provider(api_key_env=...)"
            if api_key_env
            else f"api_key_env of [providers.{name}]"
            if override and override.api_key_env
            else ""
        )
        token = api_key if api_key is not None else (env.get(key_env) or "").strip() or None
        chosen = (
            base_url
            or (override.base_url if override else None)
            or next((env[e].strip() for e in aws.ENDPOINT_ENVS if env.get(e, "").strip()), None)
        )
        found = aws.read_environment(env)
        region = aws.region_from_url(chosen) or found.region
        if region is not None and not aws.valid_region(region):
            raise ConfigurationError(
                f"{region!r} is not an AWS region name",
                provider=name,
                hint="Set AWS_REGION to a region such as us-east-1",
            )
        url = chosen or (f"https://bedrock.{region}.amazonaws.com" if region else NO_REGION_URL)
        url = url.rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"endpoint {url!r} is not an http(s) URL",
                provider=name,
                hint=f"Fix {aws.ENDPOINT_ENVS[0]}",
            )
        source = key_env if token else (found.source or "")
        config = BedrockConfig(
            name=name,
            base_url=url,
            api_key=token,
            key_env=source,
            key_envs=(key_env,) if key_env_origin else cls.spec.key_envs,
            key_required=True,
            key_env_origin=key_env_origin,
            base_url_origin=_endpoint_origin(base_url, override, env, region),
            region=region,
            aws=found,
            env=dict(env),
        )
        return cls(config, settings)

    @property
    def credentials_missing(self) -> bool:
        """Named, Bedrock may always try: the chain's last step (an EC2 instance role) cannot be
        seen without asking the metadata service, so only a sync can say there is nothing."""
        return False

    def missing_extra(self) -> str | None:
        """``bedrock`` when SigV4 is needed and botocore is absent; API keys need no extra."""
        if self.config.api_key:
            return None
        return aws.EXTRA if aws.botocore_missing() else None

    # -- authentication ----------------------------------------------------------------------

    def _region(self) -> str:
        if not self.config.region:
            raise ConfigurationError(
                "no AWS region is configured",
                provider=self.name,
                hint="Set AWS_REGION (e.g. us-east-1), or `region` in the AWS profile",
            )
        return self.config.region

    async def _authorizer(self, http: HttpClient) -> Auth:
        """A function giving each URL's auth headers: the API key, or a fresh SigV4 signature."""
        if self.config.api_key:
            headers = {"authorization": f"Bearer {self.config.api_key}"}
            return lambda _url: dict(headers)
        region = self._region()
        creds = await asyncio.to_thread(self._frozen_credentials)
        # The secret and the session token never leave the HTTP layer unredacted (AWS echoes
        # the signed headers, session token included, when a signature does not match).
        http.secrets = tuple(s for s in (*http.secrets, creds.secret_key, creds.token) if s)
        return lambda url: aws.sign(url, creds, region)

    def _frozen_credentials(self) -> Any:
        env = self.config.aws or aws.read_environment(self.config.env)
        if self._credentials is None:
            self._credentials = aws.load_credentials(self.name, env, self.config.env)
        return aws.frozen(self.name, env, self._credentials)

    def _explain(self, exc: ModelSyncError) -> ModelSyncError:
        """Say what to do in AWS's terms: which variable, which login, which IAM action."""
        region = self.config.region or "the configured region"
        exc.message = exc.message.split("\n\n", 1)[0].strip()  # AWS appends canonical strings
        text = exc.message.lower()
        if isinstance(exc, InvalidCredentialsError) and exc.status_code is not None:
            if self.config.api_key:
                exc.hint = (
                    f"Check the Bedrock API key in {self.config.key_env}: keys expire, and a key "
                    f"works only in the region it was made for ({region})"
                )
            elif "signature" in text and ("expired" in text or "not yet current" in text):
                exc.hint = "This machine's clock is off by more than 5 minutes; sync it (NTP)"
            elif "signature" in text or "scoped" in text:
                exc.hint = (
                    f"Check AWS_SECRET_ACCESS_KEY and that the region ({region}) matches the "
                    "endpoint"
                )
            else:
                exc.hint = aws.credential_hint(self.config.aws or aws.read_environment({}))
        elif isinstance(exc, PermissionDeniedError):
            exc.hint = (
                "The credentials may not list Bedrock models in "
                f"{region}: allow bedrock:ListFoundationModels, bedrock:ListInferenceProfiles "
                "and bedrock:GetFoundationModel in the IAM policy"
            )
        elif isinstance(exc, EndpointNotFoundError):
            exc.hint = f"Check the endpoint ({self.config.base_url}) and AWS_REGION"
        return exc

    # -- requests ----------------------------------------------------------------------------

    def _signed_url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """The URL exactly as signed and sent: the query sorted and RFC 3986-encoded."""
        url = self.url(path)
        if params:
            url += "?" + "&".join(
                f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                for k, v in sorted(params.items())
            )
        return url

    async def _get(
        self, http: HttpClient, auth: Auth, path: str, params: Mapping[str, str] | None = None
    ) -> Any:
        url = self._signed_url(path, params)
        return await http.get_json(url, headers=auth(url))

    async def probe(self, http: HttpClient) -> None:
        try:
            auth = await self._authorizer(http)
            await self._get(http, auth, self.list_path, self.probe_params)
        except ModelSyncError as exc:
            raise self._explain(exc) from None

    async def fetch(self, http: HttpClient) -> list[Model]:
        try:
            auth = await self._authorizer(http)
            summaries, profiles = await gather_or_fail(
                self._foundation_models(http, auth), self._profiles(http, auth)
            )
        except ModelSyncError as exc:
            raise self._explain(exc) from None
        by_id = {s.modelId: s for s in summaries}
        models = [self.normalize(s) for s in summaries]
        models.extend(self.normalize_profile(p, by_id) for p in profiles)
        return models

    async def _foundation_models(self, http: HttpClient, auth: Auth) -> list[_Summary]:
        payload = await self._get(http, auth, "foundation-models")
        http.counters.pages += 1
        summaries = self.parse(_Models, payload).modelSummaries
        undated = [s.modelId for s in summaries if _needs_dates(s)][:MAX_DETAILS]
        if not undated:
            return summaries
        limit = asyncio.Semaphore(DETAIL_CONCURRENCY)

        async def details(model_id: str) -> _Summary | None:
            async with limit:
                try:
                    got = await self._get(
                        http, auth, f"foundation-models/{quote(model_id, safe='')}"
                    )
                except (PermissionDeniedError, EndpointNotFoundError) as exc:
                    log.info("%s: no lifecycle dates for %s (%s)", self.name, model_id, exc)
                    return None
            return self.parse(_Details, got, "model details").modelDetails

        found = {d.modelId: d for d in await gather_or_fail(*map(details, undated)) if d}
        return [_with_dates(s, found.get(s.modelId)) for s in summaries]

    async def _profiles(self, http: HttpClient, auth: Auth) -> list[_Profile]:
        async def page(cursor: str | None) -> tuple[list[_Profile], str | None]:
            params = {"maxResults": "1000"}
            if cursor:
                params["nextToken"] = cursor
            parsed = self.parse(
                _Profiles, await self._get(http, auth, "inference-profiles", params)
            )
            return parsed.inferenceProfileSummaries, (parsed.nextToken or None)

        return await self.paginate(http, page)

    # -- normalization -----------------------------------------------------------------------

    def normalize(self, s: _Summary) -> Model:
        inputs = _modalities(s.inputModalities)
        outputs = _modalities(s.outputModalities)
        raw_out = {m.upper() for m in s.outputModalities or ()}
        customizations = s.customizationsSupported
        stated = api_caps(
            streaming=s.responseStreamingSupported,
            fine_tuning=None if customizations is None else "FINE_TUNING" in customizations,
            embeddings=True if "EMBEDDING" in raw_out else None,
            image_generation=True if "IMAGE" in raw_out else None,
            vision=True if "image" in inputs and "text" in outputs else None,
            audio_input=True if "audio" in inputs else None,
            speech=True if "audio" in outputs else None,
        )
        lifecycle = s.modelLifecycle
        return Model(
            provider=self.name,
            id=s.modelId,
            name=s.modelName or s.modelId,
            owned_by=s.providerName,
            created=_when(lifecycle.startOfLifeTime) if lifecycle else None,
            capabilities=merge_capabilities(stated, capabilities_from_rules(s.modelId, RULES)),
            input_modalities=inputs,
            output_modalities=outputs,
            inference_types=tuple(s.inferenceTypesSupported or ()),
            family="foundation_model",
            **_lifecycle(lifecycle),
        )

    def normalize_profile(self, p: _Profile, models: Mapping[str, _Summary]) -> Model:
        base_ids = list(dict.fromkeys(_model_id(m.modelArn) for m in p.models if m.modelArn))
        base = next((models[i] for i in base_ids if i in models), None)
        application = (p.type or "").upper() == "APPLICATION"
        if base is not None:
            linked = self.normalize(base)
            capabilities: dict[str, Capability] = {
                k: c for k, c in linked.capabilities.items() if k != "fine_tuning"
            }
            inherited: dict[str, Any] = dict(
                owned_by=linked.owned_by,
                input_modalities=linked.input_modalities,
                output_modalities=linked.output_modalities,
                lifecycle=linked.lifecycle,
                deprecated_date=linked.deprecated_date,
                shutdown_date=linked.shutdown_date,
            )
        else:
            capabilities = capabilities_from_rules(p.inferenceProfileId, RULES)
            inherited = {}
        aliases: tuple[str, ...] = ()
        if application:
            # An application profile's id is random: its ARN is what callers pass, and its
            # model's id lets the curated facts of that model describe it.
            aliases = tuple(a for a in (p.inferenceProfileArn, *base_ids[:1]) if a)
        return Model(
            provider=self.name,
            id=p.inferenceProfileId,
            name=p.inferenceProfileName or p.inferenceProfileId,
            description=p.description,
            created=_when(p.createdAt),
            capabilities=capabilities,
            aliases=aliases,
            family="application_inference_profile" if application else "inference_profile",
            **inherited,
        )


def _modalities(values: list[str] | None) -> tuple[str, ...]:
    out = [_MODALITIES[v.upper()] for v in values or () if v.upper() in _MODALITIES]
    return tuple(dict.fromkeys(out))


def _model_id(arn: str) -> str:
    """``arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-...`` -> the model id."""
    return arn.rsplit("/", 1)[-1]


def _when(value: str | float | None) -> datetime | None:
    if isinstance(value, int | float):
        return from_unix(value)
    return from_iso(value)


def _needs_dates(s: _Summary) -> bool:
    life = s.modelLifecycle
    return bool(
        life
        and (life.status or "").upper() == "LEGACY"
        and life.legacyTime is None
        and life.endOfLifeTime is None
    )


def _with_dates(s: _Summary, details: _Summary | None) -> _Summary:
    if details is None or details.modelLifecycle is None:
        return s
    return s.model_copy(update={"modelLifecycle": details.modelLifecycle})


def _lifecycle(life: _Lifecycle | None) -> dict[str, Any]:
    """LEGACY is deprecated (still answers); the end-of-life time is the shutdown date."""
    if life is None:
        return {}
    legacy = (life.status or "").upper() == "LEGACY"
    return {
        "lifecycle": "deprecated" if legacy else "active",
        "deprecated_date": _when(life.legacyTime),
        "shutdown_date": _when(life.endOfLifeTime),
    }
