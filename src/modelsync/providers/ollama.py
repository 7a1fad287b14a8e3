"""Ollama: ``GET {base}/api/tags`` on a local server, no key, no pagination.

What is special:

- **The host comes from ``OLLAMA_HOST`` the way Ollama itself reads it**, so a value that works for
  ``ollama`` works here: ``127.0.0.1:11434``, ``0.0.0.0``, ``:11434``, ``[::1]:11434``,
  ``https://ollama.example.com/proxy``. No scheme means ``http`` and port 11434; an explicit
  ``http``/``https`` scheme without a port means the scheme's port (Ollama's ``envconfig.Host``).
  ``0.0.0.0``/``::`` are *listen* addresses (``OLLAMA_HOST=0.0.0.0`` is the usual way to expose a
  server), so a client connects to loopback instead. ``from_env`` normalizes whichever value wins
  (explicit, config file, environment) and leaves the rest of the resolution to ``Adapter``.
- **No key**: a local server needs none. ``OLLAMA_API_KEY`` (ollama.com's hosted API) is sent as a
  Bearer token only when set. ``auto_sync="probe"``: a plain ``sync`` includes Ollama only when
  it answers.
- **``modified_at`` carries nanoseconds and a local UTC offset** (Go's RFC 3339 with nanoseconds,
  trailing zeros trimmed). The fraction is truncated to microseconds (Python's resolution; never
  rounded up into the next second) and the result is converted to UTC. It becomes ``created``, which
  is what Ollama's own ``/v1/models`` reports as ``created`` too.
- **``capabilities``** (newer servers) is Ollama's own, complete list for the model, so a capability
  it does not list is a stated *no*. Older servers omit it; then id rules (``source="rule"``) fill in.
- **The architecture family** (``details.family``: ``qwen2`` for a DeepSeek-R1 distill, ``llama``,
  ``gemma3``...) becomes ``Model.family``, which the family statistics and the ``by_family``
  breakdown read. The description carries the facts ``ollama list`` users look for
  (``"qwen2 family, 7.6B parameters, Q4_K_M quantization"``). ``details.families`` may be ``null``.
- ``owned_by`` is the name's namespace (``library`` for official models, the user or organization for
  ``user/model`` and ``hf.co/org/repo``), as Ollama's ``/api/tags`` reports it.
- **``POST /api/show`` fills what ``/api/tags`` left out** (``{"model": NAME}``; ollama/ollama
  ``docs/api.md`` "Show Model Information" and ``api/types.go::ShowResponse`` at commit fb30760,
  2026-08-21): ``capabilities`` (the same strings as above), ``model_info`` with
  ``general.architecture`` and ``<architecture>.context_length`` (the trained context length),
  and ``details.family``. Servers since 2026-05 put capabilities and ``details.context_length``
  in ``/api/tags`` itself, read from the same GGUF keys (``server/model_list_cache.go``; "so
  /api/tags and /api/show agree"), so a model whose tags entry has both is not asked about.
  Otherwise a model is asked once per ``digest``: while its digest is the one stored with the
  last good catalog, the stored details are reused and no request is made. At most
  ``details_concurrency`` requests run at once. A model whose ``/api/show`` fails (deleted
  between the two calls, a cloud model the server cannot reach) is kept with what
  ``/api/tags`` said and a warning in the sync result; it is stored without its digest, so the
  next sync asks again.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import ModelSyncError
from ..http import HttpClient
from ..model import Capability, Model
from ..rules import capabilities_from_rules, merge_capabilities, rule
from ..stats import breakdown, family
from .base import Adapter, ProviderSpec, Wire, gather_or_fail

DEFAULT_PORT = "11434"
_SCHEME_PORTS = {"http": "80", "https": "443"}
# Listen-anywhere addresses a server binds to; a client reaches such a server on loopback.
_LISTEN_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 (a lookup)


def ollama_base_url(value: str) -> str:
    """``OLLAMA_HOST`` as Ollama's ``envconfig.Host`` reads it, then made connectable.

    ``"0.0.0.0"`` -> ``http://127.0.0.1:11434``; ``"gpu-1:8080"`` -> ``http://gpu-1:8080``;
    ``"https://ollama.example.com/x"`` -> ``https://ollama.example.com/x``.
    """
    text = value.strip().strip("\"'").strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "http", text
    default_port = _SCHEME_PORTS.get(scheme, DEFAULT_PORT) if sep else DEFAULT_PORT
    hostport, _, path = rest.partition("/")
    split = _split_host_port(hostport)
    if split is None:
        host, port = "127.0.0.1", default_port
        bare = hostport.strip("[]")
        if _is_ip(bare):
            host = str(ipaddress.ip_address(bare))
        elif hostport:
            host = hostport
    else:
        host, port = split
    if not (port.isdigit() and int(port) <= 65535):
        port = default_port
    host = _LISTEN_ANY.get(host, host)
    shown = f"[{host}]" if ":" in host else host
    netloc = shown if sep and port == _SCHEME_PORTS.get(scheme) else f"{shown}:{port}"
    return f"{scheme}://{netloc}" + (f"/{path}" if path else "")


def _split_host_port(hostport: str) -> tuple[str, str] | None:
    """Go's ``net.SplitHostPort``: ``None`` when there is no port (or a bare IPv6 address)."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or not hostport[end + 1 :].startswith(":"):
            return None
        return hostport[1:end], hostport[end + 2 :]
    if hostport.count(":") != 1:
        return None
    host, _, port = hostport.partition(":")
    return host, port


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_GO_TIME = re.compile(r"^(?P<head>[^.]+?)(?:\.(?P<frac>\d+))?(?P<tz>Z|[+-]\d{2}:\d{2})?$")


def parse_modified_at(value: str | None) -> datetime | None:
    """Go's RFC 3339 with up to 9 fractional digits and any offset -> aware UTC datetime.

    ``"2025-05-10T08:06:48.639712648-07:00"`` -> ``2025-05-10 15:06:48.639712+00:00``. Anything
    unparseable (or Go's zero time, ``0001-01-01T00:00:00Z``) is ``None``, never an exception.
    """
    if not value:
        return None
    match = _GO_TIME.match(value.strip())
    if match is None:
        return None
    frac = (match["frac"] or "")[:6]
    tz = match["tz"] or "+00:00"
    text = match["head"] + (f".{frac.ljust(6, '0')}" if frac else "") + tz.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        utc = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return None if utc.timestamp() <= 0 else utc


class _Details(Wire):
    parent_model: str | None = None
    format: str | None = None
    family: str | None = None
    families: list[str] | None = None
    parameter_size: str | None = None
    quantization_level: str | None = None
    context_length: int | None = None
    embedding_length: int | None = None


class _Entry(Wire):
    name: str | None = None
    model: str | None = None
    modified_at: str | None = None
    size: int | None = None
    digest: str | None = None
    details: _Details | None = None
    capabilities: list[str] | None = None
    remote_model: str | None = None
    remote_host: str | None = None


class _Show(Wire):
    """``POST /api/show`` (``api/types.go::ShowResponse``); only what the catalog uses."""

    details: _Details | None = None
    model_info: dict[str, Any] | None = None
    capabilities: list[str] | None = None
    remote_model: str | None = None
    remote_host: str | None = None


class _Tags(Wire):
    # Required key; ``null`` is what Go marshals for a nil slice, so it means "no models".
    models: list[_Entry] | None


# Ollama's capability strings (types/model/capability.go) and what each means in our vocabulary.
# The list is complete for a model, so every capability named here that it lacks is a stated no.
CAPABILITY_MAP: dict[str, tuple[str, ...]] = {
    "completion": ("chat", "completion", "streaming"),
    "tools": ("function_calling",),
    "vision": ("vision",),
    "embedding": ("embeddings",),
    "thinking": ("reasoning",),
    "image": ("image_generation",),
    "audio": ("audio_input",),
    "insert": (),  # fill-in-the-middle (suffix); no vocabulary entry
}
_MAPPED = tuple(dict.fromkeys(c for caps in CAPABILITY_MAP.values() for c in caps))

# Used only when the server does not send ``capabilities`` (servers before mid-2026).
RULES = (
    rule(r"", chat=True, completion=True, streaming=True),
    rule(
        r"embed|minilm|^bge-|/bge-|paraphrase-|granite-embedding",
        embeddings=True,
        chat=False,
        completion=False,
        streaming=False,
        function_calling=False,
    ),
    rule(
        r"llava|vision|-vl\b|vl:|minicpm-v|moondream|^gemma3(?!:(1b|270m))|mistral-small3\.[12]",
        vision=True,
    ),
    rule(r"deepseek-r1|qwq|^qwen3|gpt-oss|magistral|phi4-reasoning|cogito", reasoning=True),
    rule(
        r"^(llama3\.[123]|llama4|qwen2\.5|qwen3|mistral|mixtral|gpt-oss|command-r|granite3|"
        r"firefunction|hermes3|smollm2|nemotron)",
        function_calling=True,
    ),
)

FAMILIES = (
    family("llama_models", r"^m?llama", on="family"),
    family("qwen_models", r"^qwen", on="family"),
    family("gemma_models", r"^gemma", on="family"),
    family("deepseek_models", r"^deepseek", on="family"),
    family("mistral_models", r"^(mistral|mixtral)", on="family"),
    family("phi_models", r"^phi", on="family"),
)
BREAKDOWNS = (
    breakdown("by_family", "family"),
    breakdown("by_namespace", "owned_by"),
)


def namespace(model_id: str) -> str:
    """``llama3.2:latest`` -> ``library``; ``me/m`` -> ``me``; ``hf.co/org/repo:Q4`` -> ``org``."""
    path = model_id.rsplit(":", 1)[0] if ":" in model_id.rsplit("/", 1)[-1] else model_id
    parts = path.split("/")
    return parts[-2] if len(parts) >= 2 and parts[-2] else "library"


log = logging.getLogger("modelsync")


def _stated(names: list[str]) -> tuple[dict[str, Capability], tuple[str, ...], tuple[str, ...]]:
    """Ollama's complete capability list as stated capabilities and the modalities they imply."""
    have = {c for name in names for c in CAPABILITY_MAP.get(name, ())}
    stated = {c: Capability(supported=c in have, source="api") for c in _MAPPED}
    inputs: tuple[str, ...] = ("text", "image") if "vision" in have else ("text",)
    if "audio_input" in have:
        inputs = (*inputs, "audio")
    outputs = tuple(
        m for m, cap in (("text", "chat"), ("image", "image_generation")) if cap in have
    )
    return stated, inputs, outputs


def context_length(model_info: Mapping[str, Any] | None) -> int | None:
    """``<general.architecture>.context_length`` from ``/api/show``'s ``model_info``.

    ``{"general.architecture": "llama", "llama.context_length": 8192}`` -> 8192. When the
    architecture key is missing, a single ``*.context_length`` entry is taken; several
    disagreeing ones are not guessed between.
    """
    if not model_info:
        return None
    arch = model_info.get("general.architecture")
    if isinstance(arch, str) and arch:
        value = model_info.get(f"{arch}.context_length")
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
        )
    found = {
        v
        for k, v in model_info.items()
        if k.endswith(".context_length") and isinstance(v, int) and not isinstance(v, bool)
    }
    return found.pop() if len(found) == 1 and min(found) > 0 else None


def _describe(d: _Details | None) -> str | None:
    if d is None:
        return None
    parts = [
        f"{d.family} family" if d.family else "",
        f"{d.parameter_size} parameters" if d.parameter_size else "",
        f"{d.quantization_level} quantization" if d.quantization_level else "",
    ]
    text = ", ".join(p for p in parts if p)
    return text or None


class OllamaAdapter(Adapter):
    spec = ProviderSpec(
        name="ollama",
        title="Ollama",
        key_envs=("OLLAMA_API_KEY",),
        base_url_env="OLLAMA_HOST",
        default_base_url="http://localhost:11434",
        key_required=False,
        auto_sync="probe",
        docs_url="https://ollama.com/settings/keys",
    )
    families = FAMILIES
    breakdowns = BREAKDOWNS
    capability_rules = RULES
    list_path = "api/tags"

    @classmethod
    def resolve_base_url(cls, chosen: str | None, name: str) -> str:
        """The chosen host read the way Ollama reads OLLAMA_HOST (scheme, port, 0.0.0.0)."""
        return ollama_base_url(chosen) if chosen else cls.spec.default_base_url

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http)
        entries = self.parse(_Tags, payload).models or []
        return [self.normalize(e) for e in entries]

    def normalize(self, e: _Entry) -> Model:
        model_id = e.model or e.name
        if not model_id:
            raise self.malformed("a model in /api/tags has neither 'model' nor 'name'")
        stated: dict[str, Capability] = {}
        inputs: tuple[str, ...] = ()
        outputs: tuple[str, ...] = ()
        if e.capabilities:
            stated, inputs, outputs = _stated(e.capabilities)
        details = e.details
        return Model(
            provider=self.name,
            id=model_id,
            name=e.name or model_id,
            owned_by=namespace(model_id),
            created=parse_modified_at(e.modified_at),
            description=_describe(details),
            family=(details.family or None) if details else None,
            capabilities=merge_capabilities(
                stated, capabilities_from_rules(model_id, self.capability_rules)
            ),
            input_modalities=inputs,
            output_modalities=outputs,
            context_window=(details.context_length or None) if details else None,
            digest=e.digest or None,
        )

    # -- /api/show ----------------------------------------------------------------------------

    has_details = True

    async def details(
        self, http: HttpClient, models: list[Model], previous: Mapping[str, dict[str, Any]]
    ) -> list[Model]:
        """Ask ``/api/show`` about each model ``/api/tags`` described only in part, unless its
        digest is the one stored last time (then reuse what was stored)."""
        out = list(models)
        asking: list[int] = []
        for i, model in enumerate(models):
            if _complete(model):
                continue
            before = previous.get(model.id)
            if before is not None and model.digest and before.get("digest") == model.digest:
                out[i] = self._reuse(model, before)
            else:
                asking.append(i)
        if not asking:
            return out
        gate = asyncio.Semaphore(max(1, int(self.settings.details_concurrency)))

        async def ask(i: int) -> None:
            model = models[i]
            async with gate:
                try:
                    payload = await http.post_json(
                        self.url("api/show"), {"model": model.id}, headers=self.auth_headers()
                    )
                    show = self.parse(_Show, payload, what=f"/api/show of {model.id}")
                except ModelSyncError as exc:
                    status = f", HTTP {exc.status_code}" if exc.status_code else ""
                    note = (
                        f"{model.id}: /api/show failed ({exc.error_type}{status}: {exc.message}); "
                        "kept with what /api/tags gave, asked again next sync"
                    )
                    log.warning("%s: %s", self.name, note)
                    http.counters.warnings.append(note)
                    out[i] = model.model_copy(update={"digest": None})
                    return
            out[i] = self._with_show(model, show)

        await gather_or_fail(*(ask(i) for i in asking))
        return out

    def _with_show(self, model: Model, show: _Show) -> Model:
        update: dict[str, Any] = {}
        if show.capabilities:
            stated, inputs, outputs = _stated(show.capabilities)
            update["capabilities"] = merge_capabilities(
                stated, capabilities_from_rules(model.id, self.capability_rules)
            )
            update["input_modalities"] = inputs
            update["output_modalities"] = outputs
        if model.context_window is None:
            update["context_window"] = context_length(show.model_info)
        arch = (show.model_info or {}).get("general.architecture")
        family = (show.details.family if show.details else None) or (
            arch if isinstance(arch, str) else None
        )
        if model.family is None and family:
            update["family"] = family
        if model.description is None:
            update["description"] = _describe(show.details)
        return model.model_copy(update=update)

    def _reuse(self, model: Model, before: Mapping[str, Any]) -> Model:
        """What an earlier ``/api/show`` taught, from the stored row of the same digest."""
        caps = before.get("capabilities") or {}
        stated = {
            name: Capability(supported=bool(c.get("supported")), source="api")
            for name, c in caps.items()
            if isinstance(c, Mapping) and c.get("source") == "api"
        }
        update: dict[str, Any] = {}
        sources = before.get("sources") or {}
        if stated:
            listed = {k: c for k, c in model.capabilities.items() if c.source == "api"}
            # What /api/tags says now wins; then what /api/show said; then the rules.
            update["capabilities"] = merge_capabilities(listed, stated, dict(model.capabilities))
            for field in ("input_modalities", "output_modalities"):
                if not getattr(model, field) and sources.get(field, "api") == "api":
                    update[field] = tuple(before.get(field) or ())
        window = before.get("context_window")
        if model.context_window is None and sources.get("context_window", "api") == "api":
            update["context_window"] = window if isinstance(window, int) else None
        if model.family is None and before.get("family"):
            update["family"] = before["family"]
        if model.description is None and before.get("description"):
            update["description"] = before["description"]
        return model.model_copy(update=update)


def _complete(model: Model) -> bool:
    """``/api/tags`` already said what ``/api/show`` would (newer servers): capabilities and
    the context length."""
    return model.context_window is not None and any(
        c.source == "api" for c in model.capabilities.values()
    )
