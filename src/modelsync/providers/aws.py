"""AWS credentials for Bedrock: what the environment declares (no botocore), and the real chain.

Two halves, kept apart because of what they cost:

* :func:`read_environment` reads variables and the shared config files with ``configparser``
  only. It decides the region, the profile, and whether credentials are *declared* anywhere the
  standard chain looks without the network (environment, profiles, SSO, ``credential_process``,
  container and web-identity roles). ``modelsync providers``/``status`` and a plain ``sync``
  use it, and never import botocore.
* :func:`resolve_credentials` and :func:`sign` import botocore, lazily, only when a Bedrock sync
  runs: botocore's own credential chain finds the credentials (including an EC2 instance role,
  which nothing can see without asking the metadata service), and ``SigV4Auth`` signs each GET.
  The request itself is sent by modelsync's ``HttpClient``, so retries, error mapping and
  redaction stay ours; botocore's HTTP stack never sends a Bedrock request.

``Catalog(env=...)`` passes its mapping here: the credential variables, ``AWS_PROFILE``,
``AWS_REGION`` and the config-file locations are taken from it. What botocore reads on its own
(container-role endpoints, the metadata-service switches, the SSO token cache) comes from the
process environment, as it does for any AWS SDK.
"""

from __future__ import annotations

import configparser
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import ConfigurationError, InvalidCredentialsError, ModelSyncError
from ..redact import redact

if TYPE_CHECKING:  # botocore is the optional extra: imported when a SigV4 sync runs
    from botocore.credentials import Credentials, ReadOnlyCredentials

#: The pip extra that brings botocore.
EXTRA = "bedrock"
#: Bedrock API keys, as botocore names them: ``AWS_BEARER_TOKEN_`` + the signing name.
BEARER_ENV = "AWS_BEARER_TOKEN_BEDROCK"
#: botocore's endpoint override for this service (``serviceId`` "Bedrock"), then the global one.
ENDPOINT_ENVS = ("AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL")
SERVICE = "bedrock"

# Keys that make a profile a source of credentials (static keys, SSO, a process, a role).
_CREDENTIAL_KEYS = frozenset(
    {
        "aws_access_key_id",
        "credential_process",
        "sso_session",
        "sso_start_url",
        "role_arn",
        "web_identity_token_file",
        "login_session",
    }
)
# Environment variables that declare credentials on their own (keys, a profile, a role).
_CREDENTIAL_ENVS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
# bedrock.us-east-1.amazonaws.com, bedrock-fips.us-east-1..., vpce-1a2b.bedrock.eu-west-1.vpce...
_REGION_IN_HOST = re.compile(
    r"(?:^|\.)bedrock(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$"
)


@dataclass(frozen=True)
class AwsEnvironment:
    """What the environment says about AWS, read without botocore and without the network."""

    #: The profile asked for (``AWS_PROFILE``), or ``None`` for the default chain.
    profile: str | None
    region: str | None
    config_file: str
    credentials_file: str
    #: Where credentials are declared, for people: ``AWS_ACCESS_KEY_ID``, ``AWS_PROFILE``,
    #: ``profile default (~/.aws/credentials)``... ``None`` when nothing is declared.
    source: str | None
    #: ``AWS_ACCESS_KEY_ID`` when the keys come from the environment: not a secret, it names
    #: whose catalog this is (its digest goes into the fingerprint).
    access_key_id: str | None
    #: The secret key from the environment, only ever hashed into the fingerprint.
    secret_key: str | None = field(default=None, repr=False)

    @property
    def identity(self) -> str:
        """Whose catalog this is: the keys (hashed into the fingerprint, never shown) or the
        profile."""
        if self.access_key_id:
            return f"key:{self.access_key_id}:{self.secret_key or ''}"
        return f"profile:{self.profile or 'default'}"


def read_environment(env: Mapping[str, str]) -> AwsEnvironment:
    """The profile, region and declared credentials, from variables and the shared files."""
    home = env.get("HOME") or os.path.expanduser("~")
    config_file = _expand(env.get("AWS_CONFIG_FILE"), home) or os.path.join(home, ".aws", "config")
    credentials_file = _expand(env.get("AWS_SHARED_CREDENTIALS_FILE"), home) or os.path.join(
        home, ".aws", "credentials"
    )
    profile = (env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "").strip() or None
    config = _read_ini(config_file)
    config_section = "default" if (profile or "default") == "default" else f"profile {profile}"
    section = config.get(config_section, {})
    region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip() or None
    region = region or (section.get("region") or "").strip() or None
    access_key = (env.get("AWS_ACCESS_KEY_ID") or "").strip() or None
    source = next((name for name in _CREDENTIAL_ENVS if env.get(name)), None)
    if source is None:
        name = profile or "default"
        if _CREDENTIAL_KEYS & set(_read_ini(credentials_file).get(name, {})):
            source = f"profile {name} ({credentials_file})"
        elif _CREDENTIAL_KEYS & set(section):
            source = f"profile {name} ({config_file})"
    return AwsEnvironment(
        profile=profile,
        region=region,
        config_file=config_file,
        credentials_file=credentials_file,
        source=source,
        access_key_id=access_key if env.get("AWS_SECRET_ACCESS_KEY") else None,
        secret_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
    )


def region_from_url(url: str | None) -> str | None:
    """The region a Bedrock endpoint URL names (``bedrock.eu-west-1.amazonaws.com``), if any."""
    if not url:
        return None
    host = re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/", 1)[0].split(":", 1)[0]
    match = _REGION_IN_HOST.search(host)
    return match.group(1) if match else None


def valid_region(region: str) -> bool:
    return _REGION.match(region) is not None


def _expand(path: str | None, home: str) -> str | None:
    if not path:
        return None
    return home + path[1:] if path.startswith("~") else path


def _read_ini(path: str) -> dict[str, dict[str, str]]:
    """Sections of an AWS shared file; unreadable or broken files read as empty (botocore will
    say what is wrong with them if a sync needs them)."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return {}
    return {name: dict(parser.items(name)) for name in parser.sections()}


# -- the real chain (botocore) -----------------------------------------------------------------


def missing_extra_error(provider: str) -> ConfigurationError:
    return ConfigurationError(
        "signing with AWS credentials needs botocore, which is not installed",
        provider=provider,
        hint=f"Install it: pip install 'modelsync[{EXTRA}]' (or use a Bedrock API key in {BEARER_ENV})",
    )


def botocore_missing() -> bool:
    """Whether the extra is absent, asked without importing it (``status`` stays fast)."""
    from importlib.util import find_spec

    try:
        return find_spec("botocore") is None
    except (ImportError, ValueError):
        return True


def load_credentials(provider: str, aws: AwsEnvironment, env: Mapping[str, str]) -> Credentials:
    """botocore's credential chain, with the variables modelsync was given.

    Keys in the environment come first, as in every AWS SDK; otherwise the profile's chain
    (shared credentials, SSO, ``credential_process``, assume-role), then container and
    instance roles. Blocking (files, a subprocess, maybe the network): run it in a thread.
    """
    try:
        import botocore.credentials
        import botocore.exceptions
        import botocore.session
    except ImportError:
        raise missing_extra_error(provider) from None
    secrets = tuple(v for k in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN") if (v := env.get(k)))
    try:
        if env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_SECRET_ACCESS_KEY"):
            found = botocore.credentials.EnvProvider(environ=dict(env)).load()
        else:
            session = botocore.session.Session(profile=aws.profile)
            session.set_config_variable("config_file", aws.config_file)
            session.set_config_variable("credentials_file", aws.credentials_file)
            # Environment keys were looked for above, in the mapping modelsync was given.
            session.get_component("credential_provider").remove("env")
            found = session.get_credentials()
    except botocore.exceptions.BotoCoreError as exc:
        raise _chain_error(provider, aws, exc, secrets) from None
    if found is None:
        raise InvalidCredentialsError(
            "no AWS credentials found",
            provider=provider,
            hint="Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), run "
            f"`aws sso login`, or use a Bedrock API key in {BEARER_ENV}",
        )
    return found


def frozen(provider: str, aws: AwsEnvironment, credentials: Credentials) -> ReadOnlyCredentials:
    """One consistent (key, secret, token) triple; temporary credentials (SSO, a process, a
    role) are fetched or refreshed here, so their failures are explained here too."""
    from botocore.exceptions import BotoCoreError

    try:
        return credentials.get_frozen_credentials()
    except BotoCoreError as exc:
        raise _chain_error(provider, aws, exc, ()) from None


def _chain_error(
    provider: str, aws: AwsEnvironment, exc: Exception, secrets: tuple[str, ...]
) -> ModelSyncError:
    """A botocore credential error as a modelsync error that says what to do."""
    from botocore import exceptions as bx

    name = type(exc).__name__
    if isinstance(exc, bx.ProfileNotFound):
        return ConfigurationError(
            f"AWS profile {aws.profile!r} is not in {aws.config_file} or {aws.credentials_file}",
            provider=provider,
            hint="Fix AWS_PROFILE, or add the profile (aws configure --profile NAME)",
        )
    if isinstance(exc, bx.PartialCredentialsError):
        missing = exc.kwargs.get("cred_var", "a variable")
        return InvalidCredentialsError(
            f"incomplete AWS credentials: {missing} is missing",
            provider=provider,
            hint="Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN "
            "for temporary keys)",
        )
    if isinstance(exc, bx.SSOError | bx.SSOTokenLoadError | bx.TokenRetrievalError):
        return InvalidCredentialsError(
            f"the AWS SSO session is missing or expired ({name})",
            provider=provider,
            hint=f"Run `aws sso login --profile {aws.profile or 'default'}`",
        )
    return InvalidCredentialsError(
        f"AWS credentials could not be loaded ({name}: {redact(str(exc), secrets)[:300]})",
        provider=provider,
        hint=credential_hint(aws),
    )


def sign(url: str, credentials: ReadOnlyCredentials, region: str) -> dict[str, str]:
    """SigV4 headers (``authorization``, ``x-amz-date``, ``x-amz-security-token``) for a GET.

    ``url`` carries its query already encoded the way SigV4 canonicalizes it (sorted, RFC 3986),
    and is sent exactly as signed. ``host`` is signed from the URL, as the server will see it.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    _quiet_signing_log()
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, SERVICE, region).add_auth(request)
    return {name.lower(): str(value) for name, value in request.headers.items()}


def _quiet_signing_log() -> None:
    """botocore's signer logs the canonical request at DEBUG, session token included; unless
    the application set that logger's level itself, keep it at INFO so a debug log of a
    modelsync run never holds the token."""
    signer_log = logging.getLogger("botocore.auth")
    if signer_log.level == logging.NOTSET:
        signer_log.setLevel(logging.INFO)


def credential_hint(aws: AwsEnvironment) -> str:
    """What to check when AWS rejects the credentials, naming where they came from."""
    if aws.access_key_id:
        where = "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if temporary)"
    elif aws.profile:
        where = f"AWS_PROFILE={aws.profile} (`aws sso login --profile {aws.profile}` if SSO)"
    else:
        where = "AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
    return f"Check the AWS credentials in {where}; temporary credentials may have expired"
