"""AWS Signature Version 4 checked the way an AWS service checks it, for the Bedrock emulator.

Written from AWS's published algorithm ("Create a signed AWS API request", IAM User Guide:
canonical request, string to sign, derived signing key, HMAC-SHA256) and validated against
AWS's SigV4 test suite (``aws4_testsuite/``, see its SOURCES.md); botocore is never used here,
so a signing mistake in modelsync fails a test instead of being checked by the code that made it.

The server side knows every principal's secret and recomputes the signature from the request
as received: the path as on the request line (dot segments removed, each segment encoded once
more, which is AWS's "encode twice" for non-S3 services), the query decoded and re-encoded,
sorted; the signed headers with trimmed values. Failures carry AWS's error type, status and
message (see the sources in ``providers_bedrock.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
#: How far X-Amz-Date may be from the server's clock.
MAX_SKEW = timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_SPACES = re.compile(r" +")


@dataclass(frozen=True)
class Principal:
    """Credentials the server knows: a secret, and for temporary keys their session token."""

    secret_key: str
    session_token: str | None = None
    expired: bool = False


@dataclass(frozen=True)
class Request:
    """A request as the server received it."""

    method: str
    path: str  # as on the request line, percent-escapes kept
    query: str  # raw query string, without "?"
    headers: Sequence[tuple[str, str]]  # every header line, in order, repeats kept
    body: bytes = b""


class SigV4Error(Exception):
    """A rejected request: AWS's error type, HTTP status and message."""

    def __init__(self, error_type: str, status: int, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Authorization:
    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


def parse_authorization(value: str) -> Authorization:
    """``AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/service/aws4_request, ...``."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SigV4Error(
            "IncompleteSignatureException",
            400,
            f"Unsupported AWS 'algorithm': '{algorithm}'",
        )
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, eq, val = part.strip().partition("=")
        if eq:
            fields[name.strip()] = val.strip()
    missing = [n for n in ("Credential", "SignedHeaders", "Signature") if n not in fields]
    if missing:
        raise SigV4Error(
            "IncompleteSignatureException",
            400,
            " ".join(f"Authorization header requires '{n}' parameter." for n in missing)
            + f" Authorization={value.strip()}",
        )
    credential = fields["Credential"].split("/")
    if len(credential) != 5:
        raise SigV4Error(
            "IncompleteSignatureException",
            400,
            f"Credential should have five parts separated by '/': {fields['Credential']}",
        )
    return Authorization(
        access_key=credential[0],
        date=credential[1],
        region=credential[2],
        service=credential[3],
        terminator=credential[4],
        signed_headers=tuple(fields["SignedHeaders"].split(";")),
        signature=fields["Signature"],
    )


def canonical_path(path: str) -> str:
    """Dot segments and empty segments removed, each segment URI-encoded (RFC 3986)."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    trailing = path.endswith("/") and bool(segments)
    encoded = "/" + "/".join(quote(s, safe="") for s in segments)
    return encoded + "/" if trailing else encoded


def canonical_query(query: str) -> str:
    """Each name and value decoded, re-encoded (RFC 3986), then sorted by name and value."""
    pairs: list[tuple[str, str]] = []
    for item in query.split("&") if query else []:
        name, _, value = item.partition("=")
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def header_values(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names; values trimmed and inner runs of spaces collapsed (a folded line
    continues its header after one space); repeated headers joined with commas."""
    out: dict[str, list[str]] = {}
    for name, value in headers:
        unfolded = " ".join(line.strip() for line in value.splitlines() or [""])
        out.setdefault(name.strip().lower(), []).append(_SPACES.sub(" ", unfolded).strip())
    return {name: ",".join(values) for name, values in out.items()}


def canonical_request(request: Request, signed_headers: Sequence[str]) -> str:
    values = header_values(request.headers)
    lines = "".join(f"{name}:{values.get(name, '')}\n" for name in signed_headers)
    payload = hashlib.sha256(request.body).hexdigest()
    return "\n".join(
        [
            request.method.upper(),
            canonical_path(request.path),
            canonical_query(request.query),
            lines,
            ";".join(signed_headers),
            payload,
        ]
    )


def string_to_sign(amz_date: str, scope: str, creq: str) -> str:
    digest = hashlib.sha256(creq.encode("utf-8")).hexdigest()
    return "\n".join([ALGORITHM, amz_date, scope, digest])


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def signature(secret: str, auth: Authorization, amz_date: str, creq: str) -> str:
    key = signing_key(secret, auth.date, auth.region, auth.service)
    sts = string_to_sign(amz_date, auth.scope, creq)
    return hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(
    request: Request,
    *,
    principals: Mapping[str, Principal],
    region: str,
    service: str,
    now: datetime | None = None,
) -> Authorization:
    """Accept the request or raise :class:`SigV4Error` the way AWS answers it."""
    values = header_values(request.headers)
    raw = values.get("authorization")
    if not raw:
        raise SigV4Error("MissingAuthenticationTokenException", 403, "Missing Authentication Token")
    auth = parse_authorization(raw)
    principal = principals.get(auth.access_key)
    if principal is None:
        raise SigV4Error(
            "UnrecognizedClientException",
            403,
            "The security token included in the request is invalid.",
        )
    token = values.get("x-amz-security-token")
    if principal.session_token is not None and token != principal.session_token:
        raise SigV4Error(
            "UnrecognizedClientException",
            403,
            "The security token included in the request is invalid.",
        )
    if principal.expired:
        raise SigV4Error(
            "ExpiredTokenException", 403, "The security token included in the request is expired"
        )
    if auth.service != service:
        raise SigV4Error(
            "InvalidSignatureException",
            403,
            f"Credential should be scoped to correct service: '{service}'. ",
        )
    if auth.region != region:
        raise SigV4Error(
            "InvalidSignatureException", 403, "Credential should be scoped to a valid region. "
        )
    if "host" not in auth.signed_headers:
        raise SigV4Error(
            "InvalidSignatureException",
            403,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        )
    amz_date = values.get("x-amz-date", "")
    try:
        when = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise SigV4Error(
            "IncompleteSignatureException",
            400,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ) from None
    if auth.date != amz_date[:8]:
        raise SigV4Error(
            "InvalidSignatureException",
            403,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            f"HTTP: '{auth.date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )
    if now is not None:
        if when < now - MAX_SKEW:
            raise SigV4Error(
                "InvalidSignatureException",
                403,
                f"Signature expired: {amz_date} is now earlier than "
                f"{(now - MAX_SKEW):{_AMZ_DATE}} ({now:{_AMZ_DATE}} - 15 min.)",
            )
        if when > now + MAX_SKEW:
            raise SigV4Error(
                "InvalidSignatureException",
                403,
                f"Signature not yet current: {amz_date} is still later than "
                f"{(now + MAX_SKEW):{_AMZ_DATE}} ({now:{_AMZ_DATE}} + 15 min.)",
            )
    creq = canonical_request(request, auth.signed_headers)
    expected = signature(principal.secret_key, auth, amz_date, creq)
    if not hmac.compare_digest(expected, auth.signature):
        sts = string_to_sign(amz_date, auth.scope, creq)
        raise SigV4Error(
            "InvalidSignatureException",
            403,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.\n\nThe Canonical String for this request should have "
            f"been\n'{creq}'\n\nThe String-to-Sign should have been\n'{sts}'\n",
        )
    return auth
