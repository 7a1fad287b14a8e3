"""Emulated Azure OpenAI / AI Foundry resource (issue 12); registers itself on import.

One emulator plays the resource's data plane, the management plane (ARM) and an App Service
managed-identity token endpoint, so key auth, Entra ID auth through azure-identity and ARM paging
all run on loopback. Sources, by route:

- ``GET /openai/models?api-version=...``: Azure/azure-rest-api-specs,
  specification/cognitiveservices/data-plane/AzureOpenAI/authoring/stable/2024-10-21/
  azureopenai.json (commit 3ecc2097) and examples/get_models.json (commit 2131830c): ``Model``
  = ``id``, ``created_at``, ``object``, ``status``, ``capabilities`` {``fine_tune``,
  ``inference``, ``completion``, ``chat_completion``, ``embeddings``}, ``lifecycle_status``
  (``preview``/``generally-available``), ``deprecation`` {``fine_tune``, ``inference``} as Unix
  seconds; ``ModelList`` = {``object``, ``data``}, no paging. The default entries are values from
  a real resource's answer (March 2025) kept in rijnb/chatty-server, pages/api/models.ts, commit
  a78661c8 (including its repeated ``text-embedding-ada-002`` and undated ``gpt-4o``-style ids).
- ``GET /openai/deployments?api-version=2023-03-15-preview``: same repository,
  .../authoring/preview/2023-03-15-preview/examples/get_deployments.json (commit f5ec6141);
  removed from GA 2023-05-15 (azure-rest-api-specs PR #23784), so other versions answer 404.
  ``data_plane_deployments = False`` plays a resource that no longer offers the route.
- ``GET /openai/v1/models``: the v1 reference (azure-ai-docs, "List models", api-version optional,
  ``OpenAI.ListModelsResponse``): OpenAI's four fields per entry.
- ARM ``GET /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.CognitiveServices/accounts/
  {a}/deployments?api-version=2024-10-01``: .../resource-manager/Microsoft.CognitiveServices/
  stable/2024-10-01/examples/ListDeployments.json (commit ac1085af); ``value`` + ``nextLink`` per
  ARM's paging convention (``x-ms-pageable``); the ``$skipToken`` format is ours.
- ``GET /msi/token``: App Service managed identity (``IDENTITY_ENDPOINT``/``IDENTITY_HEADER``,
  api-version 2019-08-01), as azure-identity 1.27 calls it: ``access_token``, ``expires_on``
  (Unix seconds as a string), ``resource``, ``token_type``.

Error bodies: a bad key gets ``{"error": {"code": "401", "message": "Access denied due to invalid
subscription key or wrong API endpoint. ..."}}``; a bad Entra token the flat
``{"statusCode": 401, "message": "Unauthorized. Access token is missing, invalid, audience is
incorrect (https://cognitiveservices.azure.com), or have expired."}`` (both observed in many
reports); ARM's ``InvalidAuthenticationToken`` / ``AuthorizationFailed``. 403/429/5xx messages are
shaped like Azure's and marked "illustrative" where the wording is not confirmed.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from typing import Any, Final
from urllib.parse import quote

from tests.emulators.fixtures import register_fixtures
from tests.emulators.providers import BaseProvider, _bearer, _last, register_provider
from tests.emulators.server import Call, JsonDict, Reply

__all__ = [
    "ARM_TOKEN",
    "AZURE_ARM_DEPLOYMENTS",
    "AZURE_DEPLOYMENTS",
    "AZURE_MODELS",
    "ENTRA_TOKEN",
    "AzureProvider",
]

#: Bearer tokens the emulated resource accepts without asking its token endpoint.
ENTRA_TOKEN: Final = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.entra-test-token.sig"
ARM_TOKEN: Final = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.arm-test-token.sig"
IDENTITY_HEADER: Final = "identity-header-test-secret"
ARM_PATH_PREFIX: Final = "/subscriptions/"
#: Data-plane versions that still had deployment management (2022-12-01 GA and early previews).
DEPLOYMENT_VERSIONS: Final = frozenset(
    {"2022-12-01", "2022-03-01-preview", "2022-06-01-preview", "2023-03-15-preview"}
)

_KEY_401: Final = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
    "valid key for an active subscription and use a correct regional API endpoint for your "
    "resource."
)
_ENTRA_401: Final = (
    "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired."
)
_MESSAGES: Final[dict[int, tuple[str, str]]] = {
    400: ("BadRequest", "API version not supported"),  # illustrative
    403: ("403", "Public access is disabled. Please configure private endpoint."),
    404: ("404", "Resource not found"),
    405: ("405", "Method not allowed"),  # illustrative
    429: (
        "429",
        "Requests to the Models_List Operation under Azure OpenAI API version 2024-10-21 have "
        "exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 1 "
        "second.",
    ),  # illustrative wording, real shape
    500: (
        "InternalServerError",
        "The server had an error while processing your request. Sorry about that!",
    ),
    503: ("ServiceUnavailable", "The service is temporarily unable to process your request."),
}


def _is_dated_version(version: str | None) -> bool:
    return bool(version) and len(version or "") >= 10 and (version or "")[:4].isdigit()


class AzureProvider(BaseProvider):
    """An Azure OpenAI resource at the emulator's origin (its ``AZURE_OPENAI_ENDPOINT``)."""

    name = "azure"
    api_root = ""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: Data-plane deployments (``/openai/deployments`` shape).
        self.deployments: list[JsonDict] = copy.deepcopy(AZURE_DEPLOYMENTS)
        #: ARM deployments (``value`` entries).
        self.arm_deployments: list[JsonDict] = copy.deepcopy(AZURE_ARM_DEPLOYMENTS)
        #: Whether ``/openai/deployments`` exists on this resource.
        self.data_plane_deployments = True
        #: Page size of the ARM list (``None``: one page).
        self.arm_page_size: int | None = None
        self.tokens: set[str] = {ENTRA_TOKEN}
        self.arm_tokens: set[str] = {ARM_TOKEN}
        self.identity_header = IDENTITY_HEADER
        #: Tokens issued by ``/msi/token``, in order, with the resource each was for.
        self.issued: list[tuple[str, str]] = []
        #: ``False``: ARM refuses the management tokens this endpoint issues (a role missing).
        self.arm_accepts_issued = True
        #: Seconds the issued tokens live.
        self.token_lifetime = 3600

    def new_request_id(self) -> str:
        return secrets.token_hex(16)

    def base_headers(self, call: Call) -> dict[str, str]:
        return {"apim-request-id": call.request_id, "x-ms-region": "Sweden Central"}

    # -- errors -------------------------------------------------------------------------------

    def _err(
        self, call: Call, status: int, code: str | None = None, message: str | None = None
    ) -> Reply:
        default_code, default_message = _MESSAGES.get(status, (str(status), "The request failed."))
        body = {"error": {"code": code or default_code, "message": message or default_message}}
        return self.json_reply(call, status, body)

    def _arm_err(self, call: Call, status: int, code: str, message: str) -> Reply:
        return self.json_reply(call, status, {"error": {"code": code, "message": message}})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 401:
            if kind == "entra":
                return self.json_reply(call, 401, {"statusCode": 401, "message": _ENTRA_401})
            if kind == "arm":
                return self._arm_err(
                    call, 401, "InvalidAuthenticationToken", "The access token is invalid."
                )
            return self._err(call, 401, "401", _KEY_401)
        if status == 403 and kind == "rbac":
            return self._err(
                call,
                403,
                "PermissionDenied",
                "The principal lacks the required data action "
                "Microsoft.CognitiveServices/accounts/OpenAI/models/read.",  # illustrative
            )
        if status == 403 and kind == "arm":
            return self._arm_err(
                call,
                403,
                "AuthorizationFailed",
                "The client does not have authorization to perform action "
                "'Microsoft.CognitiveServices/accounts/deployments/read'.",
            )
        return self._err(call, status)

    def not_found(self, call: Call) -> Reply:
        return self._err(call, 404)

    def wrong_shape(self, call: Call) -> Reply:
        return self.json_reply(call, 200, {"data": {"id": "gpt-4o"}, "object": "list"})

    def listing_payload(self, call: Call) -> Any:
        return {"data": list(call.view.models), "object": "list"}

    # -- auth ---------------------------------------------------------------------------------

    def check_auth(self, call: Call) -> Reply | None:
        route = call.route
        headers = call.request.headers
        if route.startswith("/msi/"):
            if headers.get("x-identity-header") != self.identity_header:
                return self.json_reply(
                    call, 401, {"error": "invalid_request", "error_description": "bad header"}
                )
            return None
        token = _bearer(headers)
        if route.startswith(ARM_PATH_PREFIX):
            with self._lock:
                ok = token is not None and token in self.arm_tokens
            if ok:
                return None
            if token is None:
                return self._arm_err(
                    call,
                    401,
                    "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.",
                )
            return self.error(call, 401, kind="arm")
        if "api-key" in headers:
            return None if headers["api-key"] == call.view.api_key else self.error(call, 401)
        with self._lock:
            ok = token is not None and token in self.tokens
        return None if ok else self.error(call, 401, kind="entra")

    # -- routes -------------------------------------------------------------------------------

    def serve(self, call: Call) -> Reply:
        route = call.route
        query = call.request.query
        version = _last(query, "api-version")
        if route == "/msi/token":
            return self._token(call)
        if route.startswith(ARM_PATH_PREFIX) and route.endswith("/deployments"):
            return self._arm(call)
        if route == "/openai/models":
            if not _is_dated_version(version):
                return self.not_found(call)  # a missing or unknown api-version: Resource not found
            return self.json_reply(call, 200, self.listing_payload(call))
        if route == "/openai/v1/models":
            data = [
                {
                    "id": e.get("id") if isinstance(e, dict) else e,
                    "object": "model",
                    "created": e.get("created_at") if isinstance(e, dict) else 0,
                    "owned_by": "openai",
                }
                for e in call.view.models
            ]
            return self.json_reply(call, 200, {"object": "list", "data": data})
        if route == "/openai/deployments":
            if not self.data_plane_deployments or version not in DEPLOYMENT_VERSIONS:
                return self.not_found(call)
            with self._lock:
                data = copy.deepcopy(self.deployments)
            return self.json_reply(call, 200, {"data": data, "object": "list"})
        return self.not_found(call)

    def _token(self, call: Call) -> Reply:
        resource = _last(call.request.query, "resource") or ""
        token = f"eyJ0eXAiOiJKV1QifQ.{secrets.token_urlsafe(24)}.sig"
        with self._lock:
            self.issued.append((token, resource))
            if "management" in resource:
                if self.arm_accepts_issued:
                    self.arm_tokens.add(token)
            else:
                self.tokens.add(token)
        return self.json_reply(
            call,
            200,
            {
                "access_token": token,
                "expires_on": str(int(time.time()) + self.token_lifetime),
                "resource": resource,
                "token_type": "Bearer",
            },
        )

    def _arm(self, call: Call) -> Reply:
        query = call.request.query
        if _last(query, "api-version") != "2024-10-01":
            return self._arm_err(
                call,
                400,
                "InvalidApiVersionParameter",
                "The api-version is invalid.",  # illustrative
            )
        with self._lock:
            entries = copy.deepcopy(self.arm_deployments)
            size = self.arm_page_size
        start = int(_last(query, "$skipToken") or 0)
        size = size or max(len(entries), 1)
        page = entries[start : start + size]
        body: JsonDict = {"value": page}
        if start + size < len(entries):
            fault = call.view.cursor_fault
            following = start if fault == "repeat" and start else start + size
            link = f"{call.request.path}?api-version=2024-10-01&$skipToken={following}"
            host = call.request.headers.get("host", "127.0.0.1")
            body["nextLink"] = f"http://{host}{quote(link, safe='/?=&$')}"
        return self.json_reply(call, 200, body)


# ------------------------------------------------------------------------------ fixtures


def _az(
    model_id: str,
    created_at: int,
    lifecycle: str,
    inference_until: int,
    *,
    fine_tune_until: int | None = None,
    caps: tuple[str, ...] = (),
    deployable: bool = True,
) -> JsonDict:
    """One ``/openai/models`` entry as Azure serializes it."""
    deprecation: JsonDict = {"inference": inference_until}
    if fine_tune_until is not None:
        deprecation = {"fine_tune": fine_tune_until, **deprecation}
    return {
        "status": "succeeded",
        "capabilities": {
            "fine_tune": "fine_tune" in caps,
            "inference": deployable,
            "completion": "completion" in caps,
            "chat_completion": "chat" in caps,
            "embeddings": "embeddings" in caps,
        },
        "lifecycle_status": "preview" if lifecycle == "preview" else "generally-available",
        "deprecation": deprecation,
        "id": model_id,
        "created_at": created_at,
        "object": "model",
    }


# Values of a real resource's answer (rijnb/chatty-server a78661c8, March 2025), in its order.
AZURE_MODELS: Final[list[JsonDict]] = [
    _az("dall-e-3-3.0", 1691712000, "preview", 1751241600),
    _az(
        "gpt-35-turbo-0613",
        1687132800,
        "ga",
        1745971200,
        fine_tune_until=1745971200,
        caps=("chat",),
    ),
    _az(
        "gpt-35-turbo-0125",
        1707955200,
        "ga",
        1748649600,
        fine_tune_until=1748649600,
        caps=("chat",),
    ),
    _az("gpt-4-0613", 1687132800, "ga", 1749168000, fine_tune_until=1749168000, caps=("chat",)),
    _az(
        "gpt-4-turbo-2024-04-09",
        1713830400,
        "ga",
        1745366400,
        fine_tune_until=1745366400,
        caps=("chat",),
    ),
    _az(
        "gpt-4o-2024-05-13",
        1715558400,
        "ga",
        1751241600,
        fine_tune_until=1751241600,
        caps=("chat",),
    ),
    _az(
        "gpt-4o-2024-08-06",
        1722902400,
        "ga",
        1755648000,
        fine_tune_until=1755648000,
        caps=("chat",),
    ),
    _az(
        "gpt-4o-mini-2024-07-18",
        1721347200,
        "ga",
        1752969600,
        fine_tune_until=1752969600,
        caps=("chat",),
    ),
    _az("gpt-4o-2024-11-20", 1733184000, "ga", 1766188800, caps=("chat",)),
    _az("gpt-4o-realtime-preview", 1727308800, "preview", 1759276800, fine_tune_until=1759276800),
    _az("o1-2024-12-17", 1727308800, "ga", 1765929600, caps=("chat",)),
    _az(
        "o3-mini-2025-01-31",
        1738022400,
        "ga",
        1769904000,
        fine_tune_until=1769904000,
        caps=("chat",),
    ),
    _az("text-embedding-ada-002", 1675296000, "ga", 1759449600, caps=("embeddings",)),
    _az(
        "davinci",
        1646092800,
        "ga",
        1718323200,
        fine_tune_until=1718323200,
        caps=("completion",),
        deployable=False,
    ),
    _az("text-embedding-3-small", 1706140800, "ga", 1769299200, caps=("embeddings",)),
    _az("text-embedding-3-large", 1706140800, "ga", 1769299200, caps=("embeddings",)),
    _az("gpt-35-turbo", 1707955200, "ga", 1748649600, fine_tune_until=1748649600, caps=("chat",)),
    _az("gpt-4o", 1715558400, "ga", 1751241600, fine_tune_until=1751241600, caps=("chat",)),
    _az("gpt-4o-mini", 1721347200, "ga", 1752969600, fine_tune_until=1752969600, caps=("chat",)),
    # The real answer lists this id twice (two versions, one id).
    _az("text-embedding-ada-002", 1680480000, "ga", 1759449600, caps=("embeddings",)),
]


def _dp(name: str, model: str, created: int) -> JsonDict:
    """A data-plane deployment (2023-03-15-preview shape)."""
    return {
        "scale_settings": {"scale_type": "standard"},
        "model": model,
        "owner": "organization-owner",
        "id": name,
        "status": "succeeded",
        "created_at": created,
        "updated_at": created,
        "object": "deployment",
    }


# Deployment names and times are illustrative; the models are the resource's.
AZURE_DEPLOYMENTS: Final[list[JsonDict]] = [
    _dp("chat", "gpt-4o-2024-08-06", 1730419200),
    _dp("gpt-4o-mini", "gpt-4o-mini-2024-07-18", 1730419200),
    _dp("embeddings", "text-embedding-3-large", 1730419200),
    _dp("legacy-35", "gpt-35-turbo-0613", 1700000000),
]


def _arm(
    name: str, model: str, version: str, sku: str = "Standard", capacity: int = 10
) -> JsonDict:
    base = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai/providers/"
        "Microsoft.CognitiveServices/accounts/contoso-aoai/deployments/"
    )
    return {
        "id": base + name,
        "name": name,
        "type": "Microsoft.CognitiveServices/accounts/deployments",
        "sku": {"name": sku, "capacity": capacity},
        "properties": {
            "model": {"format": "OpenAI", "name": model, "version": version},
            "provisioningState": "Succeeded",
        },
    }


AZURE_ARM_DEPLOYMENTS: Final[list[JsonDict]] = [
    _arm("chat", "gpt-4o", "2024-08-06", "GlobalStandard", 50),
    _arm("gpt-4o-mini", "gpt-4o-mini", "2024-07-18"),
    _arm("embeddings", "text-embedding-3-large", "1"),
    _arm("reasoner", "o3-mini", "2025-01-31", "DataZoneStandard", 20),
    _arm("deepseek", "DeepSeek-R1", "1", "GlobalStandard", 1),  # a Foundry partner model
]


def _synthetic(i: int) -> JsonDict:
    return _az(f"synth-model-{i:04d}", 1767225600 - i * 86400, "ga", 1830297600, caps=("chat",))


register_provider("azure", AzureProvider)
register_fixtures("azure", AZURE_MODELS, _synthetic)
