"""The emulator's SigV4 verifier against AWS's published test suite, and modelsync's signing
against the verifier: wrong secret, region, service, stale date, missing token, unsigned host."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from modelsync.providers import aws
from tests.emulators import sigv4

SUITE = Path(__file__).parent / "emulators" / "aws4_testsuite"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
CASES = sorted(p.parent.relative_to(SUITE).as_posix() for p in SUITE.rglob("*.sreq"))


def _read(case: str, suffix: str) -> str:
    path = SUITE / case / (Path(case).name + suffix)
    return path.read_text(encoding="utf-8").replace("\r", "")


def _parse(raw: str) -> sigv4.Request:
    """A raw HTTP request as the suite writes it: request line, headers (folded lines kept
    with their continuation), blank line, body."""
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    first = lines[0].split(" ")
    method, target = first[0], " ".join(first[1:-1])
    path, _, query = target.partition("?")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + "\n" + line)
        else:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return sigv4.Request(method, path, query, headers, body.encode("utf-8"))


def test_the_suite_is_all_here() -> None:
    assert len(CASES) >= 30
    assert "get-vanilla-with-session-token" in CASES
    assert "normalize-path/get-space" in CASES


@pytest.mark.parametrize("case", CASES)
def test_verifier_matches_the_aws_sigv4_test_suite(case: str) -> None:
    request = _parse(_read(case, ".sreq"))
    authz = _read(case, ".authz").strip()
    auth = sigv4.parse_authorization(authz)
    creq = sigv4.canonical_request(request, auth.signed_headers)
    assert creq == _read(case, ".creq")
    assert sigv4.string_to_sign("20150830T123600Z", auth.scope, creq) == _read(case, ".sts")
    assert sigv4.signature(SECRET, auth, "20150830T123600Z", creq) == auth.signature
    # And the whole check, as the emulator runs it, with the suite's Authorization header.
    token = re.search(r"^x-amz-security-token:(.*)$", _read(case, ".creq"), re.MULTILINE)
    headers = [(n, v) for n, v in request.headers if n.lower() != "authorization"]
    signed = sigv4.Request(
        request.method,
        request.path,
        request.query,
        [*headers, ("Authorization", authz)],
        request.body,
    )
    principal = sigv4.Principal(SECRET, token.group(1) if token else None)
    sigv4.verify(
        signed,
        principals={ACCESS_KEY: principal},
        region="us-east-1",
        service="service",
        now=WHEN,
    )


def _vanilla(authz: str, date: str = "20150830T123600Z") -> sigv4.Request:
    return sigv4.Request(
        "GET",
        "/",
        "",
        [("Host", "example.amazonaws.com"), ("X-Amz-Date", date), ("Authorization", authz)],
    )


def _check(request: sigv4.Request, **kw: object) -> sigv4.SigV4Error:
    with pytest.raises(sigv4.SigV4Error) as info:
        sigv4.verify(
            request,
            principals={ACCESS_KEY: sigv4.Principal(SECRET)},
            region=str(kw.get("region", "us-east-1")),
            service="service",
            now=kw.get("now", WHEN),  # type: ignore[arg-type]
        )
    return info.value


def test_verifier_rejects_in_aws_words() -> None:
    good = _read("get-vanilla", ".authz").strip()
    assert _check(_vanilla(good.replace("AKIDEXAMPLE", "AKIDUNKNOWN"))).error_type == (
        "UnrecognizedClientException"
    )
    bad_sig = _check(_vanilla(good[:-4] + "0000"))
    assert (bad_sig.error_type, bad_sig.status) == ("InvalidSignatureException", 403)
    assert bad_sig.message.startswith("The request signature we calculated does not match")
    assert _check(_vanilla(good), region="eu-west-1").message == (
        "Credential should be scoped to a valid region. "
    )
    late = _check(_vanilla(good), now=WHEN + timedelta(minutes=16))
    assert late.message == (
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
        "(20150830T125200Z - 15 min.)"
    )
    early = _check(_vanilla(good), now=WHEN - timedelta(minutes=16))
    assert early.message.startswith("Signature not yet current: 20150830T123600Z")
    unsigned_host = good.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date")
    assert "must be a 'SignedHeader'" in _check(_vanilla(unsigned_host)).message
    missing = _check(sigv4.Request("GET", "/", "", [("Host", "example.amazonaws.com")]))
    assert missing.error_type == "MissingAuthenticationTokenException"
    incomplete = _check(_vanilla("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1"))
    assert (incomplete.error_type, incomplete.status) == ("IncompleteSignatureException", 400)


# -- modelsync's signing (botocore, driven by aws.sign) against the verifier ---------------------

KEY, SECRET2, TOKEN = (
    "ASIAEMULATORTEST0001",
    "bedrock/secret+key/0123456789abcdefEXAMPLE",
    "FwoG-token//=",
)


def _signed(
    url: str, region: str = "us-west-2", secret: str = SECRET2, token: str | None = TOKEN
) -> sigv4.Request:
    from botocore.credentials import ReadOnlyCredentials

    headers = aws.sign(url, ReadOnlyCredentials(KEY, secret, token), region)
    path_query = url.split("://", 1)[1].split("/", 1)[1]
    path, _, query = ("/" + path_query).partition("?")
    host = url.split("://", 1)[1].split("/", 1)[0]
    return sigv4.Request("GET", path, query, [("Host", host), *headers.items()])


def _verify(request: sigv4.Request, region: str = "us-west-2", token: str | None = TOKEN) -> None:
    sigv4.verify(
        request,
        principals={KEY: sigv4.Principal(SECRET2, token)},
        region=region,
        service="bedrock",
        now=datetime.now(UTC),
    )


def test_modelsync_signature_verifies_with_query_token_and_port() -> None:
    url = (
        "http://127.0.0.1:8123/inference-profiles?maxResults=1000&nextToken=eyJvIjo1fQ%3D%3D%2Bx%2F"
    )
    request = _signed(url)
    names = dict(request.headers)
    assert "x-amz-security-token" in names and names["x-amz-security-token"] == TOKEN
    assert "SignedHeaders=host;x-amz-date;x-amz-security-token" in names["authorization"]
    _verify(request)


def test_modelsync_signature_of_an_encoded_path_verifies() -> None:
    _verify(
        _signed("https://bedrock.us-west-2.amazonaws.com/foundation-models/anthropic.claude-v2%3A1")
    )


@pytest.mark.parametrize(
    ("what", "signed", "expected"),
    [
        ("wrong secret", dict(secret="not-the-secret"), "The request signature we calculated"),
        ("wrong region", dict(region="eu-west-1"), "Credential should be scoped to a valid region"),
        (
            "no session token",
            dict(token=None),
            "The security token included in the request is invalid",
        ),
    ],
)
def test_signing_mistakes_are_caught(what: str, signed: dict[str, object], expected: str) -> None:
    request = _signed("https://bedrock.us-west-2.amazonaws.com/foundation-models", **signed)  # type: ignore[arg-type]
    with pytest.raises(sigv4.SigV4Error) as info:
        _verify(request)
    assert expected in info.value.message, what


def test_a_tampered_query_fails_the_signature() -> None:
    request = _signed("https://bedrock.us-west-2.amazonaws.com/inference-profiles?maxResults=1")
    tampered = sigv4.Request("GET", request.path, "maxResults=2", request.headers)
    with pytest.raises(sigv4.SigV4Error, match="does not match"):
        _verify(tampered)
