"""A loopback Google OAuth 2.0 token endpoint, so Application Default Credentials run for real.

google-auth signs in by POSTing a form to the ``token_uri`` of the credentials:

- a **service account** sends ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and an
  RS256-signed JWT ``assertion`` whose claims are ``iss`` (the account's email), ``scope``,
  ``aud`` (Google's token URI), ``iat`` and ``exp`` (at most an hour later): RFC 7523 section 2.1 and
  Google's "Using OAuth 2.0 for Server to Server Applications"; google-auth 2.63.0
  ``google/oauth2/service_account.py`` (``_make_authorization_grant_assertion``) and
  ``google/oauth2/_client.py`` (``jwt_grant``, form-encoded body);
- an **authorized user** (gcloud's ADC file) sends ``grant_type=refresh_token`` with
  ``client_id``, ``client_secret`` and ``refresh_token`` (RFC 6749 section 6;
  ``_client.refresh_grant``).

The answer is RFC 6749 section 5.1 JSON (``access_token``, ``expires_in``, ``token_type``), or a
section 5.2 error (``{"error": "invalid_grant", "error_description": ...}`` with 400; the
description "Invalid JWT Signature." is the one Google sends for a key it does not know).

This endpoint verifies the JWT's signature with the public key the test generated, so a sync that
gets a token has really signed with the private key in the file. The Vertex emulator then accepts
only the token issued here.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.emulators.loopback import Loopback

__all__ = [
    "MetadataServer",
    "ServiceAccountKey",
    "TokenEndpoint",
    "authorized_user_file",
    "service_account_file",
]

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: The audience Google requires in the assertion, whatever URL it is POSTed to (google-auth
#: 2.63.0 service_account.py writes this constant as ``aud``).
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass(frozen=True)
class ServiceAccountKey:
    """An RSA key pair for a test service account (2048 bits, as Google issues)."""

    private_pem: str
    public_key: rsa.RSAPublicKey
    key_id: str

    @classmethod
    def generate(
        cls, key_id: str = "0123456789abcdef0123456789abcdef01234567"
    ) -> ServiceAccountKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return cls(private_pem=pem, public_key=private.public_key(), key_id=key_id)


@dataclass
class TokenRequest:
    grant_type: str
    form: dict[str, str]
    claims: dict[str, Any] = field(default_factory=dict)


class TokenEndpoint:
    """``POST /token`` on ``127.0.0.1``; issues the tokens in ``tokens`` in order (the last one
    repeats), and records every request. Use :meth:`run` as a context manager."""

    def __init__(
        self,
        *,
        client_email: str = "modelsync-test@test-project.iam.gserviceaccount.com",
        public_key: rsa.RSAPublicKey | None = None,
        client_id: str = "32555940559.apps.googleusercontent.com",
        client_secret: str = "d-FL95Q19q7MQmFpd7hHD0Ty",
        refresh_token: str = "1//0test-refresh-token-abcdefghijklmnopqrstuvwxyz",
        tokens: tuple[str, ...] = ("ya29.test-access-token-0001",),
        expires_in: int = 3599,
    ) -> None:
        self.client_email = client_email
        self.public_key = public_key
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self._tokens: deque[str] = deque(tokens)
        self.expires_in = expires_in
        self.requests: list[TokenRequest] = []
        self.failures: deque[tuple[int, dict[str, Any]]] = deque()
        self._lock = threading.Lock()
        self._server: Loopback | None = None

    @property
    def token_uri(self) -> str:
        assert self._server is not None, "start the endpoint with run()"
        return f"{self._server.base}/token"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def next_token(self) -> str:
        with self._lock:
            return self._tokens[0]

    def issue_next(self, *tokens: str) -> None:
        """Tokens to hand out from now on (e.g. after "revoking" the current one)."""
        with self._lock:
            self._tokens = deque(tokens)

    def fail(self, status: int, body: dict[str, Any]) -> None:
        """Answer the next request with ``status`` and ``body`` instead of a token."""
        with self._lock:
            self.failures.append((status, body))

    @contextmanager
    def run(self) -> Iterator[TokenEndpoint]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode()
                status, body = endpoint._answer(self.path, self.headers.get("content-type"), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = Loopback(Handler)
        try:
            yield self
        finally:
            self._server.stop()

    # -- the grant logic --------------------------------------------------------------------

    def _answer(self, path: str, content_type: str | None, raw: str) -> tuple[int, dict[str, Any]]:
        if path != "/token":
            return 404, {"error": "not_found"}
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        request = TokenRequest(grant_type=form.get("grant_type", ""), form=form)
        with self._lock:
            self.requests.append(request)
            failure = self.failures.popleft() if self.failures else None
        if failure is not None:
            return failure
        if "application/x-www-form-urlencoded" not in (content_type or ""):
            return 400, {"error": "invalid_request", "error_description": "Bad Request"}
        if request.grant_type == JWT_GRANT:
            problem = self._check_assertion(form.get("assertion", ""), request)
        elif request.grant_type == "refresh_token":
            problem = self._check_refresh(form)
        else:
            problem = ("unsupported_grant_type", "Invalid grant_type: " + request.grant_type)
        if problem is not None:
            error, description = problem
            return 400, {"error": error, "error_description": description}
        return 200, {
            "access_token": self.next_token(),
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }

    def _check_assertion(self, assertion: str, request: TokenRequest) -> tuple[str, str] | None:
        try:
            head_b64, claims_b64, sig_b64 = assertion.split(".")
            header = json.loads(_b64url_decode(head_b64))
            claims = json.loads(_b64url_decode(claims_b64))
            signature = _b64url_decode(sig_b64)
        except ValueError:
            return (
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
            )
        request.claims = claims
        if header.get("alg") != "RS256" or self.public_key is None:
            return "invalid_grant", "Invalid JWT Signature."
        try:
            self.public_key.verify(
                signature,
                f"{head_b64}.{claims_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return "invalid_grant", "Invalid JWT Signature."
        now = time.time()
        if claims.get("iss") != self.client_email:
            return "invalid_grant", "Invalid email or User ID"
        if claims.get("aud") != GOOGLE_TOKEN_URI:
            return "invalid_grant", "Invalid JWT: Audience mismatch."  # guess at the wording
        if SCOPE not in str(claims.get("scope", "")).split():
            return "invalid_scope", "Invalid OAuth scope or ID token audience provided."
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int) or not iat - 300 <= now <= exp:
            return (
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                "timeframe. Check your iat and exp values in the JWT claim.",
            )
        if exp - iat > 3600:
            return "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes)."
        return None

    def _check_refresh(self, form: dict[str, str]) -> tuple[str, str] | None:
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return "invalid_client", "The OAuth client was not found."
        if form.get("refresh_token") != self.refresh_token:
            return "invalid_grant", "Bad Request"
        return None


def service_account_file(
    path: Path,
    *,
    key: ServiceAccountKey,
    token_uri: str,
    client_email: str = "modelsync-test@test-project.iam.gserviceaccount.com",
    project_id: str = "test-project",
) -> Path:
    """A key file shaped like the ones the Cloud console downloads (``type: service_account``)."""
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": key.key_id,
        "private_key": key.private_pem,
        "client_email": client_email,
        "client_id": "112233445566778899000",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + client_email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return path


def authorized_user_file(
    path: Path, *, endpoint: TokenEndpoint, quota_project_id: str | None = None
) -> Path:
    """gcloud's ``application_default_credentials.json`` after ``application-default login``."""
    info: dict[str, Any] = {
        "account": "",
        "client_id": endpoint.client_id,
        "client_secret": endpoint.client_secret,
        "refresh_token": endpoint.refresh_token,
        "type": "authorized_user",
        "universe_domain": "googleapis.com",
    }
    if quota_project_id:
        info["quota_project_id"] = quota_project_id
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return path


class MetadataServer:
    """The Compute Engine metadata server, as much as ADC on Google Cloud reads of it.

    google-auth 2.63.0 ``google/auth/compute_engine/_metadata.py``: a ``GET /`` ping (to
    ``GCE_METADATA_IP``) answered with ``Metadata-Flavor: Google``; then under
    ``http://{GCE_METADATA_HOST}/computeMetadata/v1/``: ``project/project-id`` (text),
    ``instance/service-accounts/default/?recursive=true`` (``email``, ``scopes``, ``aliases``) and
    ``instance/service-accounts/default/token`` (``access_token``, ``expires_in``,
    ``token_type``). Every request must carry ``Metadata-Flavor: Google`` (Compute Engine's
    "About VM metadata" page); without it the server answers 403.
    """

    def __init__(self, *, token: str, project: str = "gce-project") -> None:
        self.token = token
        self.project = project
        self.paths: list[str] = []
        self._server: Loopback | None = None

    @property
    def host(self) -> str:
        assert self._server is not None, "start the server with run()"
        return f"127.0.0.1:{self._server.port}"

    @contextmanager
    def run(self) -> Iterator[MetadataServer]:
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def do_GET(self) -> None:
                server_self.paths.append(self.path)
                status, content_type, body = server_self._answer(
                    self.path, self.headers.get("metadata-flavor")
                )
                data = body.encode()
                self.send_response(status)
                self.send_header("metadata-flavor", "Google")
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = Loopback(Handler)
        try:
            yield self
        finally:
            self._server.stop()

    def _answer(self, raw_path: str, flavor: str | None) -> tuple[int, str, str]:
        if flavor != "Google":
            return 403, "text/html", "Missing Metadata-Flavor:Google header."
        path = raw_path.split("?", 1)[0]
        root = "/computeMetadata/v1/"
        account = root + "instance/service-accounts/default/"
        if path == "/":
            return 200, "application/text", "computeMetadata/\n"
        if path == root + "project/project-id":
            return 200, "application/text", self.project
        if path == account:
            info = {
                "aliases": ["default"],
                "email": "123456789012-compute@developer.gserviceaccount.com",
                "scopes": [SCOPE],
            }
            return 200, "application/json", json.dumps(info)
        if path == account + "token":
            token = {"access_token": self.token, "expires_in": 3599, "token_type": "Bearer"}
            return 200, "application/json", json.dumps(token)
        return 404, "text/html", "Not Found"
