"""Google Vertex AI (issue 12): Model Garden's ``publishers.models.list``; registers on import.

Sources, each named with repository, path and commit (or the page it was read from):

- Method, path and parameters: ``GET /v1beta1/{parent=publishers/*}/models`` with ``pageSize``,
  ``pageToken``, ``filter``, ``orderBy``, ``languageCode``, ``view`` and ``listAllVersions``;
  response ``publisherModels`` + ``nextPageToken``; ``PublisherModelView`` (``BASIC`` "not the
  full contents", ``VERSION_VIEW_BASIC`` "VersionId, ModelVersionExternalName, and
  SupportedActions", ``FULL`` everything): googleapis/googleapis,
  ``google/cloud/aiplatform/v1beta1/model_garden_service.proto`` @ 00f50236dcba1cefe619edc8b15a469a08796f58.
- ``PublisherModel`` fields and enums (``launchStage`` LAUNCH_STAGE_UNSPECIFIED, EXPERIMENTAL,
  PRIVATE_PREVIEW, PUBLIC_PREVIEW, GA; ``openSourceCategory``; ``versionState``; the
  ``CallToAction`` keys): googleapis/google-api-python-client,
  ``googleapiclient/discovery_cache/documents/aiplatform.v1beta1.json`` @
  02b63f250b1f9b84ac02ce5de3afd08f06a9dbd0 (``GoogleCloudAiplatformV1beta1PublisherModel``), and
  ``google/cloud/aiplatform/v1beta1/publisher_model.proto`` @ 3c0b84de0ef7239500eb8fb603dada8f9bc5be26.
- Google's model ids in the default list: a real list call's output, j3brns/vertex-maas-
  availability-by-region, ``vertex-google-models_us-central1_13-01-25.json`` @
  0c2d3497885cb8211a16fb45adb2851577b842a6 (names ``publishers/google/models/<id>``).
- Partner ids and Vertex's ``@`` version form: anomalyco/models.dev ``providers/google-vertex/
  models/claude-sonnet-4-5@20250929.toml`` @ c98b11d3ee2e1a62f666c86b6ed5b20ba66c6ccb,
  ``claude-haiku-4-5@20251001.toml`` @ 506b1b0279f8494c42921508044367b640cfc212,
  ``mistral-medium-3.toml`` @ 5f1aee30aa580164de092937c08d6f8b19f4a046; Llama MaaS ids as
  LiteLLM users write them (``vertex_ai/meta/llama-4-scout-17b-16e-instruct-maas``).
- Error envelope: ``google.rpc.Status`` as JSON (``{"error": {"code", "message", "status",
  "details"}}``) with ``google.rpc.ErrorInfo``/``RetryInfo``/``Help``, googleapis/googleapis
  ``google/rpc/error_details.proto``; reasons CREDENTIALS_MISSING, ACCESS_TOKEN_EXPIRED,
  ACCESS_TOKEN_TYPE_UNSUPPORTED, SERVICE_DISABLED, USER_PROJECT_DENIED, RATE_LIMIT_EXCEEDED are
  the ``googleapis.com`` domain's (cloud.google.com/apis/design/errors). Message texts as Google
  sends them in public captures: "API keys are not supported by this API. Expected OAuth2 access
  token or other authentication credentials that assert a principal. See
  https://cloud.google.com/docs/authentication" (reason CREDENTIALS_MISSING), and "Vertex AI API
  has not been used in project ... before or it is disabled. Enable it by visiting ... then retry.
  If you enabled this API recently, wait a few minutes for the action to propagate to our systems
  and retry." (403 PERMISSION_DENIED). Other wording is marked "guess".

Model numbers (version ids, launch stages of the partner models, which actions each lists) are
shaped right but "illustrative". Entries that carry no parsable name (deliberately broken test
entries) are served under the ``google`` publisher.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Final

from tests.emulators.fixtures import register_fixtures
from tests.emulators.providers import GoogleRpcProvider, _bearer, _last, register_provider
from tests.emulators.server import Call, JsonDict, Reply

__all__ = ["VertexProvider", "publisher_of", "vertex_entry"]

_SERVICE: Final = "aiplatform.googleapis.com"
_PROJECT_NUMBER: Final = "123456789012"
_LIST_ROUTE: Final = re.compile(r"^/v1beta1/publishers/([^/]+)/models$")
_NAME: Final = re.compile(r"^publishers/([^/]+)/models/[^/]+$")
_VIEWS: Final = frozenset(
    {
        "PUBLISHER_MODEL_VIEW_UNSPECIFIED",
        "PUBLISHER_MODEL_VIEW_BASIC",
        "PUBLISHER_MODEL_VIEW_FULL",
        "PUBLISHER_MODEL_VERSION_VIEW_BASIC",
    }
)
_DEFAULT_PAGE: Final = 100  # guess: the standard list page size is not documented here
_MAX_PAGE: Final = 1000  # guess
_STATUS: Final[dict[int, tuple[str, str]]] = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: (
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    ),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: ("NOT_FOUND", "Requested entity was not found."),
    409: ("ABORTED", "The operation was aborted."),
    429: ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    500: ("INTERNAL", "Internal error encountered."),
    501: ("UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
    504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
}
_MISSING: Final = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_API_KEY: Final = (
    "API keys are not supported by this API. Expected OAuth2 access token or other "
    "authentication credentials that assert a principal. See "
    "https://cloud.google.com/docs/authentication"
)
_TOKEN_TAG: Final = "vtx1:"


def publisher_of(entry: Any) -> str:
    """The publisher an entry is listed under (``google`` for entries without a usable name)."""
    name = entry.get("name") if isinstance(entry, dict) else None
    match = _NAME.match(name) if isinstance(name, str) else None
    return match.group(1) if match else "google"


def encode_page_token(publisher: str, offset: int) -> str:
    raw = f"{_TOKEN_TAG}{publisher}:{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, publisher: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix = f"{_TOKEN_TAG}{publisher}:"
    if not text.startswith(prefix) or not text[len(prefix) :].isdigit():
        return None  # another publisher's token is not this list's
    return int(text[len(prefix) :])


def _error_info(reason: str, **metadata: str) -> JsonDict:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": _SERVICE, **metadata},
    }


class VertexProvider(GoogleRpcProvider):
    """``GET /v1beta1/publishers/{publisher}/models``: OAuth bearer only, per-publisher pages."""

    name = "vertex"
    # base URL shaped like https://us-central1-aiplatform.googleapis.com
    rpc_statuses = _STATUS

    # -- auth -------------------------------------------------------------------------------

    def _unauthenticated(self, call: Call, kind: str) -> Reply:
        method = "google.cloud.aiplatform.v1beta1.ModelGardenService.ListPublisherModels"
        if kind == "missing":
            return self._rpc(
                call, 401, _MISSING, [_error_info("CREDENTIALS_MISSING", method=method)]
            )
        if kind == "api_key":
            return self._rpc(
                call, 401, _API_KEY, [_error_info("CREDENTIALS_MISSING", method=method)]
            )
        reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED" if kind == "type" else "ACCESS_TOKEN_EXPIRED"
        return self._rpc(call, 401, None, [_error_info(reason, method=method)])  # reason: guess

    def check_auth(self, call: Call) -> Reply | None:
        headers = call.request.headers
        token = _bearer(headers)
        if token is None:
            has_key = "x-goog-api-key" in headers or _last(call.request.query, "key")
            return self._unauthenticated(call, "api_key" if has_key else "missing")
        if token == call.view.api_key:
            return None
        # An API key sent as a bearer token is "not an OAuth token" (guess at the reason split).
        return self._unauthenticated(call, "type" if token.startswith("AIza") else "expired")

    # -- listing ----------------------------------------------------------------------------

    def _publisher(self, call: Call) -> str | None:
        match = _LIST_ROUTE.match(call.route)
        return match.group(1) if match else None

    def _entries(self, call: Call, publisher: str) -> list[Any]:
        return [m for m in call.view.models if publisher_of(m) == publisher]

    def listing_payload(self, call: Call) -> Any:
        publisher = self._publisher(call) or "google"
        return {"publisherModels": self._entries(call, publisher)}

    def serve(self, call: Call) -> Reply:
        publisher = self._publisher(call)
        if publisher is None:
            return self.not_found(call)
        entries = self._entries(call, publisher)
        if not entries:
            # guess at the wording; the status for an unknown publisher is NOT_FOUND
            return self._rpc(call, 404, f"Publisher `publishers/{publisher}` not found.")
        query = call.request.query
        view = _last(query, "view") or "PUBLISHER_MODEL_VIEW_UNSPECIFIED"
        if view not in _VIEWS:
            enum = "type.googleapis.com/google.cloud.aiplatform.v1beta1.PublisherModelView"
            return self._bad_field(call, "view", f"Invalid value at 'view' ({enum}), \"{view}\"")
        raw_size = _last(query, "pageSize")
        requested = _DEFAULT_PAGE
        if raw_size is not None:
            try:
                requested = int(raw_size)
            except ValueError:
                return self._bad_field(
                    call, "page_size", f"Invalid value at 'page_size' (TYPE_INT32), \"{raw_size}\""
                )
            requested = _DEFAULT_PAGE if requested <= 0 else min(requested, _MAX_PAGE)
        size = min(requested, call.view.page_size or requested)
        token = _last(query, "pageToken")
        offset = 0
        if token is not None:
            decoded = decode_page_token(token, publisher)
            if decoded is None:
                return self._bad_field(call, "page_token", "Invalid page token.")  # guess
            offset = decoded
        page = [self._view(e, view) for e in entries[offset : offset + size]]
        more = offset + size < len(entries)
        body: JsonDict = {"publisherModels": page} if page else {}  # proto3 JSON drops []
        fault = call.view.cursor_fault
        if fault == "repeat" and token is not None:
            body["nextPageToken"] = token
        elif fault == "null" and more:
            body["nextPageToken"] = ""
        elif more:
            body["nextPageToken"] = encode_page_token(publisher, offset + size)
        return self.json_reply(call, 200, body)

    @staticmethod
    def _view(entry: Any, view: str) -> Any:
        """BASIC (and unset) leave out the call-to-action contents; FULL and VERSION_VIEW keep
        them (the view enum's own description; what else BASIC drops is not documented)."""
        if not isinstance(entry, dict) or view not in (
            "PUBLISHER_MODEL_VIEW_UNSPECIFIED",
            "PUBLISHER_MODEL_VIEW_BASIC",
        ):
            return entry
        return {k: v for k, v in entry.items() if k != "supportedActions"}

    def wrong_shape(self, call: Call) -> Reply:
        entry = {"name": "publishers/google/models/gemini-2.5-pro"}
        return self.json_reply(call, 200, {"publisherModels": entry})

    # -- errors -----------------------------------------------------------------------------

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if status == 401:
            return self._unauthenticated(call, kind or "expired")
        if status == 403:
            return self._forbidden(call, kind or "service_disabled")
        if status == 429:
            return self._exhausted(call, kind, retry_delay)
        return self._rpc(call, status)

    def _forbidden(self, call: Call, kind: str) -> Reply:
        consumer = f"projects/{_PROJECT_NUMBER}"
        if kind == "user_project":  # guess at the wording
            message = (
                f"Caller does not have required permission to use project {_PROJECT_NUMBER}. "
                "Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom "
                "role with the serviceusage.services.use permission, by visiting "
                f"https://console.developers.google.com/iam-admin/iam/project?project={_PROJECT_NUMBER}"
                " and then retry. Propagation of the new permission may take a few minutes."
            )
            return self._rpc(
                call, 403, message, [_error_info("USER_PROJECT_DENIED", consumer=consumer)]
            )
        if kind == "iam":  # guess at the wording
            message = (
                "Permission 'aiplatform.models.list' denied on resource (or it may not exist)."
            )
            return self._rpc(call, 403, message, [_error_info("IAM_PERMISSION_DENIED")])
        url = (
            f"https://console.developers.google.com/apis/api/{_SERVICE}/overview"
            f"?project={_PROJECT_NUMBER}"
        )
        message = (
            f"Vertex AI API has not been used in project {_PROJECT_NUMBER} before or it is "
            f"disabled. Enable it by visiting {url} then retry. If you enabled this API recently, "
            "wait a few minutes for the action to propagate to our systems and retry."
        )
        details: list[JsonDict] = [
            _error_info(
                "SERVICE_DISABLED",
                consumer=consumer,
                activationUrl=url,
                serviceTitle="Vertex AI API",
                containerInfo=_PROJECT_NUMBER,
            ),
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "Google developers console API activation", "url": url}],
            },
        ]
        return self._rpc(call, 403, message, details)

    def _exhausted(self, call: Call, kind: str | None, retry_delay: str | None) -> Reply:
        per = "Day" if kind == "quota" else "Minute"
        message = (
            "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
            f"{per.lower()}' of service '{_SERVICE}' for consumer 'project_number:{_PROJECT_NUMBER}'."
        )
        details: list[JsonDict] = [
            _error_info(
                "RATE_LIMIT_EXCEEDED",
                consumer=f"projects/{_PROJECT_NUMBER}",
                quota_metric=f"{_SERVICE}/read_requests",
                quota_limit=f"ReadRequestsPer{per}PerProject",
                quota_limit_value="600" if per == "Minute" else "10000",
                quota_location="us-central1",
            ),
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ]
        if retry_delay is not None:
            details.append(
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
            )
        return self._rpc(call, 429, message, details)


# --------------------------------------------------------------------------------- fixtures


def vertex_entry(
    publisher: str,
    model: str,
    *,
    version: str = "001",
    stage: str | None = "GA",
    category: str = "PROPRIETARY",
    tuning: bool = False,
    studio: bool = True,
    deploy: bool = False,
) -> JsonDict:
    """One ``PublisherModel`` as the list returns it under ``view=PUBLISHER_MODEL_VIEW_FULL``."""
    entry: JsonDict = {
        "name": f"publishers/{publisher}/models/{model}",
        "versionId": version,
        "openSourceCategory": category,
    }
    if stage is not None:
        entry["launchStage"] = stage
    entry["versionState"] = "VERSION_STATE_STABLE"
    actions: JsonDict = {}
    refs = {"us-central1": {"uri": f"https://console.cloud.google.com/vertex-ai/{model}"}}
    if studio:
        actions["openGenerationAiStudio"] = {"references": refs, "title": "Open Vertex AI Studio"}
    if tuning:
        actions["openFineTuningPipeline"] = {"references": refs, "title": "Tune"}
    if deploy:
        actions["deploy"] = {"modelDisplayName": model, "title": "Deploy"}
    if actions:
        entry["supportedActions"] = actions
    entry["publisherModelTemplate"] = (
        f"projects/{{project}}/locations/{{location}}/publishers/{publisher}/models/{model}"
    )
    return entry


_G: Final = "google"
_VERTEX: Final[list[JsonDict]] = [
    vertex_entry(_G, "gemini-2.5-pro", version="default", tuning=True),
    vertex_entry(_G, "gemini-2.5-flash", version="default", tuning=True),
    vertex_entry(_G, "gemini-2.5-flash-lite", version="default", tuning=True),
    vertex_entry(_G, "gemini-2.0-flash-001", tuning=True),
    vertex_entry(_G, "gemini-3-pro-preview", version="default", stage="PUBLIC_PREVIEW"),
    vertex_entry(_G, "gemini-3-flash-preview", version="default", stage="PUBLIC_PREVIEW"),
    vertex_entry(_G, "gemini-embedding-001", studio=False),
    vertex_entry(_G, "imagen-4.0-generate-001"),
    vertex_entry(_G, "veo-3.1-generate-preview", stage="PUBLIC_PREVIEW"),
    vertex_entry(_G, "gemma3", category="GOOGLE_OWNED_OSS", studio=False, deploy=True),
    vertex_entry(_G, "model-optimizer-exp-04-09", stage="EXPERIMENTAL"),
    vertex_entry("anthropic", "claude-sonnet-4-5", version="20250929"),
    vertex_entry("anthropic", "claude-haiku-4-5", version="20251001"),
    vertex_entry("anthropic", "claude-opus-4-1", version="20250805"),
    vertex_entry("anthropic", "claude-opus-4-6", version="default"),
    vertex_entry(
        "meta", "llama-4-maverick-17b-128e-instruct-maas", category="THIRD_PARTY_OWNED_OSS"
    ),
    vertex_entry(
        "meta",
        "llama-4-scout-17b-16e-instruct-maas",
        category="THIRD_PARTY_OWNED_OSS",
        stage="PUBLIC_PREVIEW",
    ),
    vertex_entry(
        "meta", "llama3-3", category="THIRD_PARTY_OWNED_OSS", stage=None, studio=False, deploy=True
    ),
    vertex_entry("mistralai", "mistral-medium-3"),
    vertex_entry("mistralai", "mistral-small-2503"),
    vertex_entry("mistralai", "codestral-2501", stage="LAUNCH_STAGE_UNSPECIFIED"),
]
_SYNTH_PUBLISHERS: Final = ("google", "anthropic", "meta", "mistralai")
_SYNTH_STEM: Final = {
    "google": "gemini",
    "anthropic": "claude",
    "meta": "llama",
    "mistralai": "mistral",
}


def _vertex_synthetic(i: int) -> JsonDict:
    """Entries spread over the four default publishers, so any count lists under all of them."""
    publisher = _SYNTH_PUBLISHERS[i % len(_SYNTH_PUBLISHERS)]
    return vertex_entry(publisher, f"{_SYNTH_STEM[publisher]}-synth-{i:04d}")


register_provider("vertex", VertexProvider)
register_fixtures("vertex", _VERTEX, _vertex_synthetic)
