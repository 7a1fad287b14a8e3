"""Amazon Bedrock's control plane (ListFoundationModels, ListInferenceProfiles, GetFoundationModel),
emulated with SigV4 verified for real and Bedrock API keys; registers itself on import.

Sources, each for what it gives:

- Operations, paths, query names, response shapes and error shapes: botocore's service model
  ``botocore/data/bedrock/2023-04-20/service-2.json`` and ``paginators-1.json`` (boto/botocore,
  commit 0e6e2404b85dc336dd2889814e089bde7d1a4c55): ``GET /foundation-models`` with
  ``byProvider``/``byCustomizationType``/``byOutputModality``/``byInferenceType``,
  ``GET /inference-profiles`` with ``maxResults`` (1-1000), ``nextToken``, ``type``
  (``typeEquals``); ``GET /foundation-models/{modelIdentifier}``; AccessDeniedException 403,
  ValidationException 400, ThrottlingException 429, InternalServerException 500,
  ResourceNotFoundException 404, ServiceUnavailableException 503, each ``{"message": ...}``;
  timestamps ISO 8601. The AWS API reference (ListFoundationModels, ListInferenceProfiles)
  gives the same response syntax, with the lifecycle dates.
- Error envelope of rest-json: ``x-amzn-ErrorType: <Type>:<namespace>`` and ``x-amzn-RequestId``
  (botocore's rest-json parser reads the type from that header, before the ``:``). The
  namespaces are a guess; nothing reads them.
- Credential failures (403): ``{"message":"The security token included in the request is
  invalid."}`` UnrecognizedClientException (Aider-AI/aider#1986, anthropics/claude-code#2260,
  both Bedrock); ``Credential should be scoped to a valid region.`` InvalidSignatureException
  (aws-samples/amazon-bedrock-kendra-lex-chatbot#6, earendil-works/pi#3487, Bedrock);
  ``Signature expired: ... is now earlier than ... (... - 15 min.)`` with
  ``x-amzn-errortype: InvalidSignatureException`` (aws-amplify/amplify-js#7913, a rest-json
  answer; 15 minutes as in aws/aws-sdk-js#254); ``The security token included in the request is
  expired`` ExpiredTokenException, 403 (seen in STS/SSM answers, e.g. a Terraform run quoted in
  public code). The signature check itself is ``sigv4.py``.
- Bedrock API keys (Bearer): 403 ``{"Message":"Authentication failed: Please make sure your API
  Key is valid."}`` (ai4s-research/open-science#53, anomalyco/opencode#47073) and
  ``{"Message":"Invalid API Key format: Must start with pre-defined prefix"}``
  (farion1231/cc-switch#1679); the error type header is a guess (AccessDeniedException, as
  earendil-works/pi#6531 reports for a bad bearer value). Long-term keys start ``ABSK``,
  short-term ones ``bedrock-api-key-``.
- Model and profile ids and which geographies have profiles: Anthropic's "Claude on Amazon
  Bedrock" page (platform.claude.com/docs/en/build-with-claude/claude-on-amazon-bedrock-legacy):
  ``anthropic.claude-opus-4-6-v1``, ``anthropic.claude-sonnet-4-6``,
  ``anthropic.claude-sonnet-4-5-20250929-v1:0``, ``anthropic.claude-haiku-4-5-20251001-v1:0``,
  ``anthropic.claude-3-7-sonnet-20250219-v1:0`` (marked deprecated there), ``global.``/``us.``
  profiles. ``INFERENCE_PROFILE`` in ``inferenceTypesSupported`` (not in the model's enum, but in
  real answers: public code filtering on it, e.g. gethouston/houston#1471's failure "on-demand
  throughput isn't supported"). Other ids (Nova, Titan, Llama, Cohere rerank, gpt-oss, Pixtral)
  are Bedrock's documented model ids; names, dates, modalities and the application profile are
  illustrative, and marked so.
- Lifecycle dates only in GetFoundationModel for some LEGACY models: a guess modelled on public
  code that asks GetFoundationModel for LEGACY models' dates because the list lacked them.

Credentials: each emulator knows principals (access key -> secret, session token, expired) and
a region; ``api_key`` is the accepted Bedrock API key. ``clock_skew`` moves the server's clock.
"""

from __future__ import annotations

import base64
import binascii
import copy
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from tests.emulators import sigv4
from tests.emulators.fixtures import register_fixtures
from tests.emulators.providers import BaseProvider, _bearer, _last, register_provider
from tests.emulators.server import Call, JsonDict, ProviderEmulator, Reply

__all__ = [
    "ACCESS_KEY_ID",
    "API_KEY",
    "REGION",
    "SECRET_ACCESS_KEY",
    "BedrockProvider",
    "bedrock_of",
    "foundation_model",
    "inference_profile",
    "sigv4_env",
]

REGION: Final = "us-east-1"
ACCOUNT: Final = "123456789012"
ACCESS_KEY_ID: Final = "AKIAEMULATORBEDROCK1"
SECRET_ACCESS_KEY: Final = "emulator/Secret+Key/0123456789abcdefEXAMPLE"
#: A long-term Bedrock API key's shape: ``ABSK`` + base64.
API_KEY: Final = "ABSK" + base64.b64encode(b"BedrockAPIKey-emulator-0123456789").decode()
_CORAL: Final = "http://internal.amazon.com/coral/com.amazon.coral.service/"
_BEDROCK_NS: Final = "http://internal.amazon.com/coral/com.amazon.bedrock/"
_API_KEY_PREFIXES: Final = ("ABSK", "bedrock-api-key-")
_ENUMS: Final[dict[str, tuple[str, ...]]] = {
    "byCustomizationType": ("FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"),
    "byOutputModality": ("TEXT", "IMAGE", "EMBEDDING"),
    "byInferenceType": ("ON_DEMAND", "PROVISIONED"),
}
_PROFILE_TYPES: Final = ("SYSTEM_DEFINED", "APPLICATION")
# Statuses that the error() hook answers, with (type, message, namespace).
_STATUS_ERRORS: Final[dict[int, tuple[str, str]]] = {
    400: ("ValidationException", "1 validation error detected"),
    403: (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:user/modelsync-test is not authorized to perform: "
        "bedrock:ListFoundationModels because no identity-based policy allows the "
        "bedrock:ListFoundationModels action",
    ),
    404: ("ResourceNotFoundException", "The specified resource was not found."),  # guess
    429: ("ThrottlingException", "Too many requests, please wait before trying again."),
    500: ("InternalServerException", "Internal Server Error"),  # guess at the text
    503: ("ServiceUnavailableException", "Service Unavailable"),  # guess at the text
}
# Fault.status(403, kind=...) answers each real shape of a credential failure.
_AUTH_KINDS: Final[dict[str, tuple[str, str, str]]] = {
    "unrecognized": (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        "message",
    ),
    "expired": (
        "ExpiredTokenException",
        "The security token included in the request is expired",
        "message",
    ),
    "signature": (
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details.",
        "message",
    ),
    "region": (
        "InvalidSignatureException",
        "Credential should be scoped to a valid region. ",
        "message",
    ),
    "api_key": (
        "AccessDeniedException",
        "Authentication failed: Please make sure your API Key is valid.",
        "Message",
    ),
    "api_key_format": (
        "AccessDeniedException",
        "Invalid API Key format: Must start with pre-defined prefix",
        "Message",
    ),
}


def _arn(model_id: str, region: str = REGION) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def foundation_model(
    model_id: str,
    name: str,
    provider: str,
    inputs: list[str],
    outputs: list[str],
    inference: list[str],
    *,
    streaming: bool = True,
    customizations: list[str] | None = None,
    status: str = "ACTIVE",
    **lifecycle: str,
) -> JsonDict:
    """One ``FoundationModelSummary`` as the service model orders it."""
    return {
        "modelArn": _arn(model_id),
        "modelId": model_id,
        "modelName": name,
        "providerName": provider,
        "inputModalities": inputs,
        "outputModalities": outputs,
        "responseStreamingSupported": streaming,
        "customizationsSupported": customizations or [],
        "inferenceTypesSupported": inference,
        "modelLifecycle": {"status": status, **lifecycle},
    }


def inference_profile(
    profile_id: str,
    name: str,
    model_id: str,
    *,
    regions: tuple[str, ...] = ("us-east-1", "us-east-2", "us-west-2"),
    kind: str = "SYSTEM_DEFINED",
    description: str | None = None,
    created: str = "2025-09-29T17:05:41.215Z",
) -> JsonDict:
    """One ``InferenceProfileSummary``; a system profile lists its model once per region."""
    arn_kind = "application-inference-profile" if kind == "APPLICATION" else "inference-profile"
    entry: JsonDict = {
        "inferenceProfileName": name,
        "description": description or f"Routes requests to {name} in several regions.",
        "createdAt": created,
        "updatedAt": created,
        "inferenceProfileArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:{arn_kind}/{profile_id}",
        "models": [{"modelArn": _arn(model_id, r)} for r in regions],
        "inferenceProfileId": profile_id,
        "status": "ACTIVE",
        "type": kind,
    }
    return entry


_T, _I, _V, _S = "TEXT", "IMAGE", "VIDEO", "SPEECH"
_PROFILE, _DEMAND, _PROV = "INFERENCE_PROFILE", "ON_DEMAND", "PROVISIONED"

BEDROCK_MODELS: Final[list[JsonDict]] = [
    foundation_model(
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Claude Sonnet 4.5",
        "Anthropic",
        [_T, _I],
        [_T],
        [_PROFILE],
        startOfLifeTime="2025-09-29T00:00:00Z",  # illustrative
    ),
    foundation_model(
        "anthropic.claude-opus-4-6-v1", "Claude Opus 4.6", "Anthropic", [_T, _I], [_T], [_PROFILE]
    ),
    foundation_model(
        "anthropic.claude-sonnet-4-6", "Claude Sonnet 4.6", "Anthropic", [_T, _I], [_T], [_PROFILE]
    ),
    foundation_model(
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "Claude Haiku 4.5",
        "Anthropic",
        [_T, _I],
        [_T],
        [_PROFILE],
    ),
    # Deprecated on Anthropic's page; the dates are illustrative.
    foundation_model(
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        "Claude 3.7 Sonnet",
        "Anthropic",
        [_T, _I],
        [_T],
        [_PROFILE],
        status="LEGACY",
        startOfLifeTime="2025-02-24T00:00:00Z",
        legacyTime="2026-01-28T00:00:00Z",
        publicExtendedAccessTime="2026-04-28T00:00:00Z",
        endOfLifeTime="2026-10-28T00:00:00Z",
    ),
    # LEGACY without dates in the list: GetFoundationModel has them (see _DETAIL_LIFECYCLE).
    foundation_model(
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "Claude 3.5 Sonnet v2",
        "Anthropic",
        [_T, _I],
        [_T],
        [_DEMAND, _PROFILE],
        status="LEGACY",
    ),
    # A provisioned-throughput context variant: listed, never callable on demand.
    foundation_model(
        "anthropic.claude-3-haiku-20240307-v1:0:200k",
        "Claude 3 Haiku",
        "Anthropic",
        [_T, _I],
        [_T],
        [_PROV],
        customizations=["FINE_TUNING"],
    ),
    foundation_model(
        "amazon.nova-pro-v1:0",
        "Nova Pro",
        "Amazon",
        [_T, _I, _V],
        [_T],
        [_DEMAND, _PROFILE],
        customizations=["FINE_TUNING", "DISTILLATION"],
    ),
    foundation_model(
        "amazon.titan-embed-text-v2:0",
        "Titan Text Embeddings V2",
        "Amazon",
        [_T],
        ["EMBEDDING"],
        [_DEMAND],
        streaming=False,
    ),
    foundation_model(
        "amazon.nova-canvas-v1:0",
        "Nova Canvas",
        "Amazon",
        [_T, _I],
        [_I],
        [_DEMAND],
        streaming=False,
    ),
    foundation_model("amazon.nova-sonic-v1:0", "Nova Sonic", "Amazon", [_S], [_S, _T], [_DEMAND]),
    foundation_model(
        "meta.llama3-3-70b-instruct-v1:0", "Llama 3.3 70B Instruct", "Meta", [_T], [_T], [_PROFILE]
    ),
    foundation_model(
        "cohere.rerank-v3-5:0", "Rerank 3.5", "Cohere", [_T], [_T], [_DEMAND], streaming=False
    ),
    foundation_model("openai.gpt-oss-120b-1:0", "gpt-oss-120b", "OpenAI", [_T], [_T], [_DEMAND]),
    foundation_model(
        "mistral.pixtral-large-2502-v1:0",
        "Pixtral Large (25.02)",
        "Mistral AI",
        [_T, _I],
        [_T],
        [_PROFILE],
    ),
]

BEDROCK_PROFILES: Final[list[JsonDict]] = [
    inference_profile(
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "US Anthropic Claude Sonnet 4.5",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
    ),
    inference_profile(
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Global Anthropic Claude Sonnet 4.5",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        regions=("us-east-1", "eu-west-1", "ap-northeast-1"),
    ),
    inference_profile(
        "global.anthropic.claude-opus-4-6-v1",
        "Global Anthropic Claude Opus 4.6",
        "anthropic.claude-opus-4-6-v1",
        regions=("us-east-1", "eu-west-1", "ap-northeast-1"),
    ),
    inference_profile(
        "us.anthropic.claude-sonnet-4-6",
        "US Anthropic Claude Sonnet 4.6",
        "anthropic.claude-sonnet-4-6",
    ),
    inference_profile(
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "US Anthropic Claude Haiku 4.5",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
    ),
    inference_profile(
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "US Anthropic Claude 3.7 Sonnet",
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
    ),
    inference_profile("us.amazon.nova-pro-v1:0", "US Nova Pro", "amazon.nova-pro-v1:0"),
    inference_profile(
        "us.meta.llama3-3-70b-instruct-v1:0",
        "US Meta Llama 3.3 70B Instruct",
        "meta.llama3-3-70b-instruct-v1:0",
    ),
    inference_profile(
        "us.mistral.pixtral-large-2502-v1:0",
        "US Pixtral Large 25.02",
        "mistral.pixtral-large-2502-v1:0",
    ),
    # An account's own profile (illustrative): a random id, one region, cost tags.
    inference_profile(
        "a1b2c3d4e5f6",
        "team-search-haiku",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        regions=("us-east-1",),
        kind="APPLICATION",
        description="Search team, cost center 4711",
        created="2026-03-02T09:14:27.551Z",
    ),
]

#: Lifecycle that GetFoundationModel adds for LEGACY models the list gives without dates.
_DETAIL_LIFECYCLE: Final[dict[str, JsonDict]] = {
    "anthropic.claude-3-5-sonnet-20241022-v2:0": {
        "status": "LEGACY",
        "startOfLifeTime": "2024-10-22T00:00:00Z",
        "legacyTime": "2025-08-25T00:00:00Z",
        "publicExtendedAccessTime": "2025-12-01T00:00:00Z",
        "endOfLifeTime": "2026-03-01T00:00:00Z",
    }
}


def _is_profile(entry: Any) -> bool:
    return isinstance(entry, dict) and "inferenceProfileId" in entry


def _encode_token(offset: int) -> str:
    """Opaque like AWS's tokens (base64 with '+', '/' and '=' that must survive the query)."""
    return base64.b64encode(f"emu-bedrock:{offset:08d}:page>>?".encode()).decode()


def _decode_token(token: str) -> int | None:
    try:
        text = base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    parts = text.split(":")
    return (
        int(parts[1])
        if len(parts) == 3 and parts[0] == "emu-bedrock" and parts[1].isdigit()
        else None
    )


class BedrockProvider(BaseProvider):
    """Bedrock's control plane; models and profiles share the emulator's list (a profile is an
    entry with ``inferenceProfileId``), so ``set_models`` sets both."""

    name = "bedrock"
    api_root = ""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.region = REGION
        self.principals: dict[str, sigv4.Principal] = {
            ACCESS_KEY_ID: sigv4.Principal(SECRET_ACCESS_KEY)
        }
        #: Seconds added to the server's clock (positive: the client's clock is behind).
        self.clock_skew = 0.0
        self.detail_lifecycle: dict[str, JsonDict] = copy.deepcopy(_DETAIL_LIFECYCLE)
        #: Every authenticated request's access key, or "bearer" (what a test signed with).
        self.authenticated: list[str] = []

    def add_principal(
        self,
        access_key: str,
        secret: str,
        session_token: str | None = None,
        *,
        expired: bool = False,
    ) -> None:
        with self._lock:
            self.principals[access_key] = sigv4.Principal(secret, session_token, expired)

    def new_request_id(self) -> str:
        return str(uuid.uuid4())

    def base_headers(self, call: Call) -> dict[str, str]:
        return {
            "x-amzn-RequestId": call.request_id,
            "Date": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        }

    def _err(
        self,
        call: Call,
        status: int,
        error_type: str,
        message: str,
        *,
        namespace: str = _BEDROCK_NS,
        key: str = "message",
    ) -> Reply:
        return self.json_reply(
            call, status, {key: message}, {"x-amzn-ErrorType": f"{error_type}:{namespace}"}
        )

    def _validation(self, call: Call, value: str, member: str, constraint: str) -> Reply:
        return self._err(
            call,
            400,
            "ValidationException",
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: {constraint}",
        )

    # -- authentication ------------------------------------------------------------------------

    def check_auth(self, call: Call) -> Reply | None:
        headers = call.request.headers
        authorization = headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            return self._check_api_key(call)
        parts = urlsplit(call.request.raw_url)
        request = sigv4.Request(
            call.request.method, parts.path, parts.query, call.request.raw_headers
        )
        with self._lock:
            principals = dict(self.principals)
            now = datetime.now(UTC) + timedelta(seconds=self.clock_skew)
        try:
            auth = sigv4.verify(
                request, principals=principals, region=self.region, service="bedrock", now=now
            )
        except sigv4.SigV4Error as exc:
            return self._err(call, exc.status, exc.error_type, exc.message, namespace=_CORAL)
        with self._lock:
            self.authenticated.append(auth.access_key)
        return None

    def _check_api_key(self, call: Call) -> Reply | None:
        token = _bearer(call.request.headers) or ""
        if call.view.api_key and token == call.view.api_key:
            with self._lock:
                self.authenticated.append("bearer")
            return None
        kind = "api_key" if token.startswith(_API_KEY_PREFIXES) else "api_key_format"
        error_type, message, key = _AUTH_KINDS[kind]
        return self._err(call, 403, error_type, message, key=key)

    # -- routes --------------------------------------------------------------------------------

    def listing_payload(self, call: Call) -> Any:
        if call.route.startswith("/inference-profiles"):
            return {"inferenceProfileSummaries": [m for m in call.view.models if _is_profile(m)]}
        return {"modelSummaries": [m for m in call.view.models if not _is_profile(m)]}

    def serve(self, call: Call) -> Reply:
        route = call.route
        if route == "/foundation-models":
            return self._list_models(call)
        if route == "/inference-profiles":
            return self._list_profiles(call)
        if route.startswith("/foundation-models/") and route.count("/") == 2:
            return self._get_model(call, unquote(route.rsplit("/", 1)[1]))
        return self.not_found(call)

    def _list_models(self, call: Call) -> Reply:
        query = call.request.query
        summaries = [m for m in call.view.models if not _is_profile(m)]
        for param, allowed in _ENUMS.items():
            value = _last(query, param)
            if value is None:
                continue
            if value not in allowed:
                return self._validation(
                    call,
                    value,
                    param,
                    f"Member must satisfy enum value set: [{', '.join(allowed)}]",
                )
            field = {
                "byCustomizationType": "customizationsSupported",
                "byOutputModality": "outputModalities",
                "byInferenceType": "inferenceTypesSupported",
            }[param]
            summaries = [m for m in summaries if value in (m.get(field) or [])]
        provider = _last(query, "byProvider")
        if provider is not None:
            summaries = [
                m for m in summaries if str(m.get("providerName", "")).lower() == provider.lower()
            ]
        return self.json_reply(call, 200, {"modelSummaries": summaries})

    def _list_profiles(self, call: Call) -> Reply:
        query = call.request.query
        raw_max = _last(query, "maxResults")
        limit = 1000  # guess at the default page size
        if raw_max is not None:
            if not raw_max.lstrip("-").isdigit():
                return self._validation(call, raw_max, "maxResults", "Member must be an integer")
            limit = int(raw_max)
            if limit < 1:
                return self._validation(
                    call, raw_max, "maxResults", "Member must have value greater than or equal to 1"
                )
            if limit > 1000:
                return self._validation(
                    call, raw_max, "maxResults", "Member must have value less than or equal to 1000"
                )
        kind = _last(query, "type")
        if kind is not None and kind not in _PROFILE_TYPES:
            return self._validation(
                call,
                kind,
                "typeEquals",
                f"Member must satisfy enum value set: [{', '.join(_PROFILE_TYPES)}]",
            )
        profiles = [m for m in call.view.models if _is_profile(m)]
        if kind is not None:
            profiles = [p for p in profiles if p.get("type") == kind]
        token = _last(query, "nextToken")
        offset = 0
        if token is not None:
            decoded = _decode_token(token)
            if decoded is None:
                return self._err(
                    call, 400, "ValidationException", "Invalid pagination token"
                )  # guess
            offset = decoded
        size = min(limit, call.view.page_size or limit)
        page = profiles[offset : offset + size]
        body: JsonDict = {"inferenceProfileSummaries": page}
        more = offset + size < len(profiles)
        fault = call.view.cursor_fault
        if fault == "repeat" and token is not None:
            body["nextToken"] = token
        elif more and fault != "null":  # "null": AWS has no has_more flag, the list just stops
            body["nextToken"] = _encode_token(offset + size)
        return self.json_reply(call, 200, body)

    def _get_model(self, call: Call, model_id: str) -> Reply:
        for m in call.view.models:
            if not _is_profile(m) and m.get("modelId") == model_id:
                details = copy.deepcopy(m)
                extra = self.detail_lifecycle.get(model_id)
                if extra is not None:
                    details["modelLifecycle"] = copy.deepcopy(extra)
                return self.json_reply(call, 200, {"modelDetails": details})
        return self._err(
            call,
            404,
            "ResourceNotFoundException",
            "The specified model identifier is invalid.",  # guess
        )

    def not_found(self, call: Call) -> Reply:
        # Guess: the front end's answer for a path no operation matches.
        return self._err(call, 404, "UnknownOperationException", "", namespace=_CORAL)

    def method_not_allowed(self, call: Call) -> Reply:
        return self.not_found(call)

    def wrong_shape(self, call: Call) -> Reply:
        if call.route.startswith("/inference-profiles"):
            return self.json_reply(
                call, 200, {"inferenceProfileSummaries": {"inferenceProfileId": "x"}}
            )
        return self.json_reply(call, 200, {"modelSummaries": {"modelId": "anthropic.claude-v2"}})

    def error(
        self, call: Call, status: int, *, kind: str | None = None, retry_delay: str | None = None
    ) -> Reply:
        if kind in _AUTH_KINDS:
            error_type, message, key = _AUTH_KINDS[kind]
            return self._err(call, 403, error_type, message, namespace=_CORAL, key=key)
        error_type, message = _STATUS_ERRORS.get(
            status, ("InternalServerException", f"HTTP {status}")
        )
        return self._err(call, status, error_type, message)


def bedrock_of(emu: ProviderEmulator) -> BedrockProvider:
    """The emulator's Bedrock behaviour, to add principals or move its clock."""
    spec = emu.spec
    assert isinstance(spec, BedrockProvider)
    return spec


def sigv4_env(emu: ProviderEmulator, **extra: str) -> dict[str, str]:
    """Variables that point modelsync's Bedrock at ``emu`` with the emulator's access key."""
    return {
        "AWS_ENDPOINT_URL_BEDROCK": emu.base_url,
        "AWS_REGION": bedrock_of(emu).region,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        **extra,
    }


def _synthetic(i: int) -> JsonDict:
    """Even numbers are foundation models, odd ones a ``us.`` profile of the one before."""
    base = f"synth.model-{i - i % 2:04d}-v1:0"
    if i % 2:
        return inference_profile(f"us.{base}", f"US Synth Model {i - 1}", base)
    return foundation_model(base, f"Synth Model {i}", "Synth", [_T], [_T], [_DEMAND, _PROFILE])


register_provider("bedrock", BedrockProvider)
register_fixtures("bedrock", [*BEDROCK_MODELS, *BEDROCK_PROFILES], _synthetic)
