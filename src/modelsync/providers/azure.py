"""Azure OpenAI / Azure AI Foundry: the resource's models, and the deployments users call.

Two lists, because on Azure the id you call is not a model id:

- **Models** available to the resource: ``GET {endpoint}/openai/models?api-version=2024-10-21``
  (the latest GA dated version; ``OPENAI_API_VERSION`` or ``api_version`` in the config file
  chooses another). Each entry has ``capabilities`` (``chat_completion``, ``completion``,
  ``embeddings``, ``fine_tune``, ``inference`` = "can be deployed"), ``lifecycle_status``
  (``preview``/``generally-available``) and ``deprecation.inference``, the Unix time inference
  stops: our ``shutdown_date``. Ids carry the version (``gpt-4o-2024-08-06``,
  ``gpt-35-turbo-0613``, ``dall-e-3-3.0``). With ``OPENAI_API_VERSION=v1`` (or ``preview``) the
  newer surface ``GET {endpoint}/openai/v1/models`` is read instead; its documented entries are
  OpenAI-shaped (``id``, ``created``, ``owned_by``), and the Azure fields are used when present.
- **Deployments**, the names a request's ``model`` must carry. Each becomes a ``Model`` whose
  ``id`` is the deployment name and whose ``base_model`` is the model it serves, so capabilities,
  lifecycle and dates from the models list and curated facts (looked up by ``base_model``) flow
  onto it. Where they come from, in order:

  1. ``deployments`` declared in ``[providers.azure]`` (``{name = "model-id"}``) or
     ``AZURE_OPENAI_DEPLOYMENTS="chat=gpt-4o-2024-08-06,embed=text-embedding-3-large"``: always
     used, and they win over a listed deployment of the same name.
  2. The management plane (ARM), when ``subscription_id`` and ``resource_group`` are configured
     (or ``AZURE_SUBSCRIPTION_ID``/``AZURE_RESOURCE_GROUP``): ``GET {arm}/subscriptions/.../
     providers/Microsoft.CognitiveServices/accounts/{account}/deployments?api-version=2024-10-01``
     with an Entra ID token for ``https://management.azure.com`` (azure-identity), following
     ``nextLink``. ``account`` defaults to the endpoint's first host label.
  3. Otherwise the data plane's ``GET {endpoint}/openai/deployments?api-version=2023-03-15-preview``.
     Microsoft removed deployment management from the data plane in GA ``2023-05-15`` (azure-rest-
     api-specs PR #23784) and announced that preview's retirement, yet tools still list
     deployments through it in 2026 (langflow PR #14509). So it is tried, and a 404 (or a 400
     saying the API version is unsupported) means "not offered here": the models list stands
     alone and the README says how to declare deployments. ``deployments_api_version = ""``
     turns the attempt off.

  Both lists are fetched concurrently. A deployment whose name equals a model id replaces that
  model's entry; ``include_models = false`` keeps only deployments.

Auth: ``api-key: $AZURE_OPENAI_API_KEY``; without a key, a Microsoft Entra ID bearer token from
``AZURE_OPENAI_AD_TOKEN`` or, with ``auth = "entra"`` (or Entra variables such as
``AZURE_CLIENT_ID``/``AZURE_TENANT_ID``/``IDENTITY_ENDPOINT`` present), from azure-identity
(``pip install 'modelsync[azure]'``), imported only then. See ``azure_auth``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from ..config import Settings
from ..errors import ConfigurationError, EndpointNotFoundError, ProviderError
from ..http import HttpClient
from ..model import Capability, Model
from ..rules import api_caps, capabilities_from_rules, merge_capabilities
from ..stats import breakdown, family
from .azure_auth import ARM_SCOPE, COGNITIVE_SCOPE, TokenCache
from .base import Adapter, ProviderConfig, ProviderSpec, Wire, from_unix, gather_or_fail
from .naming import display_name
from .openai import RULES as OPENAI_RULES

DEFAULT_API_VERSION = "2024-10-21"
DEPLOYMENTS_API_VERSION = "2023-03-15-preview"
ARM_API_VERSION = "2024-10-01"
ARM_ENDPOINT = "https://management.azure.com"
#: ``OPENAI_API_VERSION`` values that select the v1 surface (``/openai/v1/models``).
V1_VERSIONS = frozenset({"v1", "preview", "latest"})
#: Variables whose presence (without a key or token) means "sign in with Entra ID".
ENTRA_ENVS = (
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
)


class _Caps(Wire):
    chat_completion: bool | None = None
    completion: bool | None = None
    embeddings: bool | None = None
    fine_tune: bool | None = None
    inference: bool | None = None


class _Deprecation(Wire):
    fine_tune: int | None = None
    inference: int | None = None


class _ModelEntry(Wire):
    id: str
    created_at: int | None = None
    created: int | None = None
    owned_by: str | None = None
    status: str | None = None
    model: str | None = None  # a fine-tuned model's base
    fine_tune: str | None = None
    capabilities: _Caps | None = None
    lifecycle_status: str | None = None
    deprecation: _Deprecation | None = None


class _ModelList(Wire):
    data: list[_ModelEntry]


class _DataPlaneDeployment(Wire):
    id: str
    model: str
    status: str | None = None
    created_at: int | None = None


class _DataPlaneDeployments(Wire):
    data: list[_DataPlaneDeployment]


class _ArmModel(Wire):
    name: str
    version: str | None = None
    format: str | None = None


class _ArmProperties(Wire):
    model: _ArmModel
    provisioningState: str | None = None


class _ArmSku(Wire):
    name: str | None = None
    capacity: int | None = None


class _ArmDeployment(Wire):
    name: str
    properties: _ArmProperties
    sku: _ArmSku | None = None


class _ArmPage(Wire):
    value: list[_ArmDeployment]
    nextLink: str | None = None


@dataclass(frozen=True)
class Deployment:
    """A callable name and what it serves, from whichever source listed it."""

    name: str
    model: str
    version: str | None = None
    family: str | None = None
    created: int | None = None
    sku: str | None = None


@dataclass(frozen=True)
class AzureOptions:
    """Azure settings from ``[providers.azure]`` and the environment (the file wins)."""

    api_version: str = DEFAULT_API_VERSION
    deployments_api_version: str = DEPLOYMENTS_API_VERSION
    declared: Mapping[str, str] = field(default_factory=dict)
    include_models: bool = True
    subscription_id: str | None = None
    resource_group: str | None = None
    account: str | None = None
    arm_endpoint: str = ARM_ENDPOINT
    auth: Literal["auto", "key", "entra"] = "auto"
    ad_token: str | None = field(default=None, repr=False)
    entra_env: bool = False

    @property
    def v1(self) -> bool:
        return self.api_version.lower() in V1_VERSIONS

    @classmethod
    def load(cls, provider: str, env: Mapping[str, str], table: Mapping[str, Any]) -> AzureOptions:
        def text(key: str, env_name: str | None = None) -> str | None:
            value = table.get(key)
            if value is None and env_name:
                value = env.get(env_name, "").strip() or None
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(
                    f"[providers.{provider}] {key} must be a string", provider=provider
                )
            return value

        auth = text("auth") or "auto"
        if auth not in ("auto", "key", "entra"):
            raise ConfigurationError(
                f"[providers.{provider}] auth must be auto, key or entra (not {auth!r})",
                provider=provider,
            )
        include = table.get("include_models", True)
        if not isinstance(include, bool):
            raise ConfigurationError(
                f"[providers.{provider}] include_models must be true or false", provider=provider
            )
        declared = _declared(
            provider, table.get("deployments"), env.get("AZURE_OPENAI_DEPLOYMENTS")
        )
        deployments_version = text("deployments_api_version")
        return cls(
            api_version=text("api_version", "OPENAI_API_VERSION") or DEFAULT_API_VERSION,
            deployments_api_version=(
                DEPLOYMENTS_API_VERSION if deployments_version is None else deployments_version
            ),
            declared=declared,
            include_models=include,
            subscription_id=text("subscription_id", "AZURE_SUBSCRIPTION_ID"),
            resource_group=text("resource_group", "AZURE_RESOURCE_GROUP"),
            account=text("account"),
            arm_endpoint=(text("arm_endpoint") or ARM_ENDPOINT).rstrip("/"),
            auth=auth,  # type: ignore[arg-type]  # checked above
            ad_token=env.get("AZURE_OPENAI_AD_TOKEN", "").strip() or None,
            entra_env=any(env.get(name) for name in ENTRA_ENVS),
        )


def _declared(provider: str, table: Any, env_value: str | None) -> dict[str, str]:
    """``{deployment: model}`` from the config table, else ``name=model,...`` from the env."""
    out: dict[str, str] = {}
    if table is not None:
        if not isinstance(table, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in table.items()
        ):
            raise ConfigurationError(
                f"[providers.{provider}] deployments must map deployment names to model ids",
                provider=provider,
                hint='e.g. deployments = { chat = "gpt-4o-2024-08-06" }',
            )
        return dict(table)
    for part in (env_value or "").split(","):
        if not part.strip():
            continue
        name, sep, model = part.partition("=")
        if not sep or not name.strip() or not model.strip():
            raise ConfigurationError(
                f"AZURE_OPENAI_DEPLOYMENTS has an entry without name=model: {part.strip()!r}",
                provider=provider,
                hint="write AZURE_OPENAI_DEPLOYMENTS=chat=gpt-4o-2024-08-06,embed=text-embedding-3-large",
            )
        out[name.strip()] = model.strip()
    return out


_VERSION_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4}|\d+\.\d+)$")


def model_family(model_id: str) -> str:
    """``gpt-4o-2024-08-06`` -> ``gpt-4o``; ``gpt-35-turbo-0613`` -> ``gpt-35-turbo``;
    ``dall-e-3-3.0`` -> ``dall-e-3``. Ids without a version suffix stay as they are."""
    return _VERSION_SUFFIX.sub("", model_id)


def _rules_id(model_id: str) -> str:
    """Azure spells GPT-3.5 ``gpt-35``; OpenAI's id rules expect ``gpt-3.5``."""
    return re.sub(r"^gpt-35", "gpt-3.5", model_id.lower())


def _lifecycle(status: str | None) -> Literal["active", "preview", "deprecated", "retired"]:
    value = (status or "").lower()
    if value == "preview":
        return "preview"
    if value in ("deprecating", "deprecated"):
        return "deprecated"
    if value in ("retired", "legacy"):
        return "retired"
    return "active"


FAMILIES = (
    family("gpt_3_5_models", r"^gpt-(35|3\.5)", on="family"),
    family("gpt_4_models", r"^gpt-4(?=$|[-.])", on="family"),
    family("gpt_4o_models", r"^gpt-4o", on="family"),
    family("gpt_5_models", r"^gpt-5", on="family"),
    family("o_series_models", r"^o\d", on="family"),
    family("embedding_models", r"embedding", on="family"),
    #: Entries that are deployments (callable by name), as opposed to deployable models.
    family("deployments", r".", on="base_model"),
)
BREAKDOWNS = (
    breakdown("by_family", "family"),
    breakdown("by_lifecycle", "lifecycle"),
)


class AzureAdapter(Adapter):
    spec = ProviderSpec(
        name="azure",
        title="Azure OpenAI / AI Foundry",
        key_envs=("AZURE_OPENAI_API_KEY",),
        base_url_env="AZURE_OPENAI_ENDPOINT",
        default_base_url="",
        docs_url="https://portal.azure.com (your resource, Keys and Endpoint)",
    )
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = OPENAI_RULES
    list_path = "openai/models"
    option_keys: ClassVar[frozenset[str]] = frozenset(
        {
            "api_version",
            "deployments_api_version",
            "deployments",
            "include_models",
            "subscription_id",
            "resource_group",
            "account",
            "arm_endpoint",
            "auth",
        }
    )

    def __init__(self, config: ProviderConfig, settings: Settings) -> None:
        super().__init__(config, settings)
        self.options = AzureOptions()
        self._tokens = TokenCache(self.name)

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
        env = os.environ if env is None else env
        adapter = super().from_env(
            settings, env, name=name, base_url=base_url, api_key=api_key, api_key_env=api_key_env
        )
        assert isinstance(adapter, AzureAdapter)
        override = settings.providers.get(adapter.name)
        adapter.configure(
            AzureOptions.load(adapter.name, env, override.options if override else {})
        )
        return adapter

    def configure(self, options: AzureOptions) -> None:
        self.options = options
        self._tokens = TokenCache(self.name, None if self.config.api_key else options.ad_token)

    @classmethod
    def resolve_base_url(cls, chosen: str | None, name: str) -> str:
        """The resource endpoint; a trailing ``/openai`` or ``/openai/v1`` (as SDKs write the
        base URL) is dropped, since each request adds its own path."""
        if not chosen:
            raise ConfigurationError(
                "no endpoint configured (an Azure resource has no default)",
                provider=name,
                hint=f"Set {cls.spec.base_url_env} (https://<resource>.openai.azure.com) or "
                f"base_url in [providers.{name}] of the config file",
            )
        url = chosen.strip().rstrip("/")
        for suffix in ("/openai/v1", "/openai"):
            if url.lower().endswith(suffix):
                url = url[: -len(suffix)]
        return url

    # -- credentials ------------------------------------------------------------------------

    @property
    def uses_entra(self) -> bool:
        """No key: an Entra ID token (static, or from azure-identity when chosen)."""
        if self.config.api_key or self.options.auth == "key":
            return False
        return bool(self.options.ad_token or self.options.auth == "entra" or self.options.entra_env)

    @property
    def has_credentials(self) -> bool:
        return self.config.has_key or self.uses_entra

    def secrets(self) -> tuple[str, ...]:
        return (*super().secrets(), *self._tokens.issued)

    def http(
        self, *, max_retries: int | None = None, fail_fast_unreachable: bool = False
    ) -> HttpClient:
        client = super().http(max_retries=max_retries, fail_fast_unreachable=fail_fast_unreachable)
        if not self.config.api_key and self.uses_entra:
            client.key_env = "the Entra ID token (AZURE_OPENAI_AD_TOKEN or azure-identity)"
        return client

    def auth_headers(self) -> dict[str, str]:
        if self.config.api_key:
            return {"api-key": self.config.api_key}
        return {}

    async def _headers(self, http: HttpClient, scope: str = COGNITIVE_SCOPE) -> dict[str, str]:
        if self.config.api_key and scope == COGNITIVE_SCOPE:
            return self.auth_headers()
        token = await self._tokens.token(scope)
        if token not in http.secrets:
            http.secrets = (*http.secrets, token)
        return {"authorization": f"Bearer {token}"}

    # -- requests ---------------------------------------------------------------------------

    def probe_request(self) -> tuple[str, dict[str, str]]:
        if self.options.v1:
            params = {"api-version": "preview"} if self.options.api_version == "preview" else {}
            return self.url("openai/v1/models"), params
        return self.url(self.list_path), {"api-version": self.options.api_version}

    async def probe(self, http: HttpClient) -> None:
        url, params = self.probe_request()
        await http.get_json(url, params=params or None, headers=await self._headers(http))

    async def _list_models(self, http: HttpClient) -> list[_ModelEntry]:
        url, params = self.probe_request()
        payload = await http.get_json(url, params=params or None, headers=await self._headers(http))
        http.counters.pages += 1
        return self.parse(_ModelList, payload).data

    async def _list_deployments(self, http: HttpClient) -> list[Deployment]:
        o = self.options
        if o.subscription_id and o.resource_group:
            return await self._arm_deployments(http)
        if not o.deployments_api_version:
            return []
        try:
            payload = await http.get_json(
                self.url("openai/deployments"),
                params={"api-version": o.deployments_api_version},
                headers=await self._headers(http),
            )
        except EndpointNotFoundError:
            return []  # this resource (or api-version) has no data-plane deployments route
        except ProviderError as exc:
            if exc.status_code == 400 and "api version" in exc.message.lower():
                return []
            raise
        http.counters.pages += 1
        return [
            Deployment(name=d.id, model=d.model, family=model_family(d.model), created=d.created_at)
            for d in self.parse(_DataPlaneDeployments, payload, "deployment list").data
        ]

    def arm_url(self) -> str:
        o = self.options
        account = o.account or urlsplit(self.config.base_url).hostname or ""
        account = account.split(".", 1)[0]
        return (
            f"{o.arm_endpoint}/subscriptions/{o.subscription_id}/resourceGroups/"
            f"{o.resource_group}/providers/Microsoft.CognitiveServices/accounts/{account}/deployments"
        )

    async def _arm_deployments(self, http: HttpClient) -> list[Deployment]:
        first = self.arm_url()
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.options.arm_endpoint))

        async def page(cursor: str | None) -> tuple[list[_ArmDeployment], str | None]:
            if cursor is not None and not cursor.startswith(origin + "/"):
                raise self.malformed(
                    "the deployment list's nextLink leaves the management endpoint; "
                    "refusing to send the token elsewhere"
                )
            headers = await self._headers(http, ARM_SCOPE)
            params = None if cursor else {"api-version": ARM_API_VERSION}
            payload = await http.get_json(cursor or first, params=params, headers=headers)
            parsed = self.parse(_ArmPage, payload, "deployment list")
            return parsed.value, parsed.nextLink or None

        items = await self.paginate(http, page)
        return [
            Deployment(
                name=d.name,
                model=d.properties.model.name,
                version=d.properties.model.version,
                family=d.properties.model.name,
                sku=d.sku.name if d.sku else None,
            )
            for d in items
        ]

    async def fetch(self, http: HttpClient) -> list[Model]:
        entries, listed = await gather_or_fail(
            self._list_models(http), self._list_deployments(http)
        )
        return self.normalize(entries, listed)

    # -- normalization ----------------------------------------------------------------------

    def normalize(self, entries: list[_ModelEntry], listed: list[Deployment]) -> list[Model]:
        index: dict[str, _ModelEntry] = {}
        for e in entries:
            index.setdefault(e.id, e)  # real answers repeat an id (text-embedding-ada-002)
        deployments = {d.name: d for d in listed}
        for name, model_id in self.options.declared.items():
            deployments[name] = Deployment(name=name, model=model_id, family=model_family(model_id))
        out = [self._deployment(d, index) for d in deployments.values()]
        if self.options.include_models:
            out.extend(self._model(e) for e in index.values() if e.id not in deployments)
        return out

    def _facts(self, e: _ModelEntry | None, model_id: str) -> dict[str, Any]:
        caps: dict[str, Capability] = {}
        if e is not None and e.capabilities is not None:
            c = e.capabilities
            caps = api_caps(
                chat=c.chat_completion,
                completion=c.completion,
                embeddings=c.embeddings,
                fine_tuning=c.fine_tune,
            )
        return {
            "capabilities": merge_capabilities(
                caps, capabilities_from_rules(_rules_id(model_id), self.capability_rules)
            ),
            "lifecycle": _lifecycle(e.lifecycle_status if e else None),
            "shutdown_date": from_unix(e.deprecation.inference) if e and e.deprecation else None,
        }

    def _model(self, e: _ModelEntry) -> Model:
        return Model(
            provider=self.name,
            id=e.id,
            name=display_name(e.id),
            owned_by=e.owned_by,
            created=from_unix(e.created_at or e.created),
            description=(f"fine-tuned from {e.model}" if e.model and e.fine_tune else None),
            family=model_family(e.model if e.model and e.fine_tune else e.id),
            **self._facts(e, e.id),
        )

    def _deployment(self, d: Deployment, index: Mapping[str, _ModelEntry]) -> Model:
        base = d.model
        if d.version and f"{d.model}-{d.version}" in index:
            base = f"{d.model}-{d.version}"
        entry = index.get(base)
        sku = f", {d.sku}" if d.sku else ""
        return Model(
            provider=self.name,
            id=d.name,
            name=d.name,
            created=from_unix(d.created),
            description=f"deployment of {base}"
            + (f" version {d.version}" if d.version else "")
            + sku,
            base_model=base,
            version=d.version,
            family=d.family or model_family(base),
            **self._facts(entry, base),
        )
