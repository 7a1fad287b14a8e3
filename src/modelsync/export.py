"""The live catalog in the formats other tools already read.

``openai``          the body of OpenAI's ``GET /v1/models``: any OpenAI client lists the catalog.
``models.dev``      models.dev's ``api.json`` shape (provider id -> provider with ``models``), so
                    tools that read it (opencode: ``OPENCODE_MODELS_URL``) can point at us.
``litellm``         LiteLLM's ``model_prices_and_context_window.json`` shape: per-token prices,
                    limits, ``litellm_provider``, ``mode``, ``supports_*``.
``litellm-config``  a LiteLLM proxy ``model_list`` (YAML) of the live catalog. Keys are
                    ``os.environ/VAR`` references, never values.
``csv``, ``jsonl``  one row per model, as ``modelsync models --csv`` / ``--json`` give them.

Everything here is plain Python (the YAML is written by hand: it is a fixed, simple shape), so
``modelsync export`` works with the core install. Only models the catalog serves are exported:
missing ones and catalogs fetched with another key or host are left out. Nothing exported names a
key, a fingerprint, or a URL that carries credentials.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .catalog import Catalog

Row = dict[str, Any]

FORMATS = ("openai", "models.dev", "litellm", "litellm-config", "csv", "jsonl")
MEDIA_TYPES = {
    "openai": "application/json",
    "models.dev": "application/json",
    "litellm": "application/json",
    "litellm-config": "application/yaml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
}
#: A file name for each format (``Content-Disposition``, ``--output`` suggestions).
FILE_NAMES = {
    "openai": "models.json",
    "models.dev": "api.json",
    "litellm": "model_prices_and_context_window.json",
    "litellm-config": "litellm-config.yaml",
    "csv": "models.csv",
    "jsonl": "models.jsonl",
}

_MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class ProviderInfo:
    """What the exports say about a provider: never a key, never a URL with credentials."""

    name: str
    #: The adapter type (``openai``, ``ollama``, ...); a named instance has its own name.
    type: str
    title: str
    #: The environment variable its key is read from (``None``: it needs no key).
    key_env: str | None
    base_url_env: str
    #: The configured base URL, only when it is safe to publish (no user info, no query).
    public_base_url: str | None
    #: True when the configured base URL is the provider's default one.
    default_base_url: bool


@dataclass(frozen=True)
class ExportInput:
    """The served catalog and what is known about each provider in it."""

    rows: list[Row]
    providers: dict[str, ProviderInfo]
    #: Each provider's last sync (for dates the formats require and the catalog lacks).
    synced: dict[str, datetime]


def public_url(url: str | None) -> str | None:
    """``url`` if it carries no user name, password or query string (a ``?key=``), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.username or parts.password or parts.query or "@" in parts.netloc:
        return None
    return url.rstrip("/")


def provider_infos(catalog: Catalog) -> dict[str, ProviderInfo]:
    """What the exports may say about every provider the catalog knows (from its settings and
    environment: which variable holds the key, whether the base URL is the default one)."""
    from .providers import adapter_class

    providers: dict[str, ProviderInfo] = {}
    for info in catalog.describe_providers():
        if "error" in info:
            continue
        name, kind = str(info["provider"]), str(info["type"])
        try:
            default = adapter_class(kind).spec.default_base_url
        except Exception:  # a plugin missing here: nothing known about its default
            default = ""
        key_envs = list(info.get("key_env") or [])
        needs_key = info.get("key_required", True) or info.get("key_set")
        providers[name] = ProviderInfo(
            name=name,
            type=kind,
            title=str(info.get("title") or name),
            key_env=key_envs[0] if key_envs and needs_key else None,
            base_url_env=str(info.get("base_url_env") or ""),
            public_base_url=public_url(info.get("base_url")),
            default_base_url=(info.get("base_url") or "").rstrip("/") == default.rstrip("/"),
        )
    return providers


def collect(catalog: Catalog) -> ExportInput:
    """The catalog as it is served now (present models, not mismatched) with provider facts."""
    rows, freshness = catalog.raw_models()
    infos = provider_infos(catalog)
    providers = {n: i for n, i in infos.items() if n in freshness}
    synced = {n: f.last_sync for n, f in freshness.items() if f.last_sync is not None}
    return ExportInput(rows, providers, synced)


def render(fmt: str, data: ExportInput) -> str:
    """The export ``fmt`` (one of ``FORMATS``) as text."""
    if fmt == "openai":
        return _json(openai_list(data.rows))
    if fmt == "models.dev":
        return _json(models_dev(data))
    if fmt == "litellm":
        return _json(litellm_map(data))
    if fmt == "litellm-config":
        return litellm_config(data)
    if fmt == "csv":
        return csv_text(data.rows)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data.rows)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- helpers over stored rows ------------------------------------------------------------------


def _supports(row: Row, capability: str) -> bool | None:
    cap = (row.get("capabilities") or {}).get(capability)
    return cap.get("supported") if isinstance(cap, dict) else None


def _price(row: Row, name: str) -> Decimal | None:
    """A known price (USD per 1M tokens, or per unit) or None: unknown and dynamic are never 0."""
    from .query import known_price

    return known_price(row, name)


def _timestamp(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _day(value: Any) -> str | None:
    """``YYYY-MM`` or ``YYYY-MM-DD`` from a date or an ISO time, else None."""
    if not isinstance(value, str) or len(value) < 7:
        return None
    head = value[:10] if len(value) >= 10 and value[7:8] == "-" else value[:7]
    parts = head.split("-")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return head
    return None


def mode(row: Row) -> str | None:
    """LiteLLM's ``mode`` for a model, from what it is known to do (None when unknown)."""
    for capability, name in (
        ("chat", "chat"),
        ("embeddings", "embedding"),
        ("image_generation", "image_generation"),
        ("speech", "audio_speech"),
        ("transcription", "audio_transcription"),
        ("rerank", "rerank"),
        ("moderation", "moderation"),
        ("completion", "completion"),
    ):
        if _supports(row, capability):
            return name
    return None


# -- openai ------------------------------------------------------------------------------------


def openai_list(rows: Iterable[Row]) -> dict[str, Any]:
    """OpenAI's list shape. ``id`` is ``provider/id``; ``created`` is 0 when nobody said."""
    return {
        "object": "list",
        "data": [
            {
                "id": f"{r['provider']}/{r['id']}",
                "object": "model",
                "created": _timestamp(r.get("created")) or 0,
                "owned_by": r.get("owned_by") or r["provider"],
            }
            for r in rows
        ],
    }


# -- models.dev --------------------------------------------------------------------------------

#: The AI SDK package models.dev names for each provider type (models.dev's provider TOMLs).
_NPM = {
    "openai": "@ai-sdk/openai",
    "anthropic": "@ai-sdk/anthropic",
    "gemini": "@ai-sdk/google",
    "xai": "@ai-sdk/xai",
    "mistral": "@ai-sdk/mistral",
    "groq": "@ai-sdk/groq",
    "deepseek": "@ai-sdk/openai-compatible",
    "openrouter": "@openrouter/ai-sdk-provider",
    "ollama": "@ai-sdk/openai-compatible",
    "together": "@ai-sdk/togetherai",
    "cohere": "@ai-sdk/cohere",
    "fireworks": "@ai-sdk/openai-compatible",
    "openai-compatible": "@ai-sdk/openai-compatible",
}
#: models.dev requires ``api`` for these packages, allows it for the next, forbids it otherwise.
_API_REQUIRED = {"@ai-sdk/openai-compatible", "@openrouter/ai-sdk-provider"}
_API_ALLOWED = {"@ai-sdk/openai", "@ai-sdk/anthropic"}
#: Where each provider documents its models (models.dev requires a ``doc`` link).
_DOCS = {
    "openai": "https://platform.openai.com/docs/models",
    "anthropic": "https://docs.anthropic.com/en/docs/about-claude/models",
    "gemini": "https://ai.google.dev/gemini-api/docs/models",
    "xai": "https://docs.x.ai/docs/models",
    "mistral": "https://docs.mistral.ai/getting-started/models/",
    "groq": "https://console.groq.com/docs/models",
    "deepseek": "https://api-docs.deepseek.com/quick_start/pricing",
    "openrouter": "https://openrouter.ai/models",
    "ollama": "https://ollama.com/library",
    "together": "https://docs.together.ai/docs/serverless-models",
    "cohere": "https://docs.cohere.com/docs/models",
    "fireworks": "https://fireworks.ai/models",
}
_MODALITIES = ("text", "audio", "image", "video", "pdf")


def _modelsdev_api(info: ProviderInfo) -> str:
    """The base URL an OpenAI-compatible client should use; ``${VAR}`` when it is not public
    (models.dev allows placeholders in ``api``)."""
    if info.public_base_url is None:
        return "${" + info.base_url_env + "}" if info.base_url_env else ""
    if info.type == "ollama":
        return info.public_base_url + "/v1"
    return info.public_base_url


def _modelsdev_provider(name: str, info: ProviderInfo | None, kind: str) -> dict[str, Any]:
    npm = _NPM.get(kind, "@ai-sdk/openai-compatible")
    env = [info.key_env] if info and info.key_env else []
    if not env:  # models.dev requires at least one variable; a keyless server still has one
        env = [f"{name.upper().replace('-', '_')}_API_KEY"]
    title = info.title if info else name
    if info and info.name != info.type:
        title = f"{title} ({info.name})"  # names must be unique across providers
    out: dict[str, Any] = {"id": name, "env": env, "npm": npm}
    if info is not None and (
        npm in _API_REQUIRED or (npm in _API_ALLOWED and not info.default_base_url)
    ):
        api = _modelsdev_api(info)
        if api:
            out["api"] = api
    elif info is None and npm in _API_REQUIRED:
        out["api"] = "${" + name.upper().replace("-", "_") + "_BASE_URL}"
    out["name"] = title
    out["doc"] = _DOCS.get(kind) or (info.public_base_url if info else None) or f"urn:{name}"
    out["models"] = {}
    return out


def _modelsdev_cost(row: Row, reasoning: bool) -> dict[str, Any] | None:
    inp, out = _price(row, "input"), _price(row, "output")
    if inp is None or out is None:
        return None  # models.dev requires both inside cost; absent means unknown
    cost: dict[str, Any] = {"input": float(inp), "output": float(out)}
    for ours, theirs in (
        ("reasoning", "reasoning"),
        ("cached_input", "cache_read"),
        ("cache_write", "cache_write"),
        ("audio_input", "input_audio"),
        ("audio_output", "output_audio"),
    ):
        value = _price(row, ours)
        if value is not None and (ours != "reasoning" or reasoning):
            cost[theirs] = float(value)
    tiers = (row.get("pricing") or {}).get("tiers") or []
    if len(tiers) == 1 and int(tiers[0].get("above_tokens") or 0) >= 200_000:
        tier = tiers[0]  # the generator's derived ``context_over_200k``
        t_in, t_out = tier.get("input"), tier.get("output")
        if t_in is not None and t_out is not None:
            over: dict[str, Any] = {"input": float(t_in), "output": float(t_out)}
            for ours, theirs in (("cached_input", "cache_read"), ("cache_write", "cache_write")):
                if tier.get(ours) is not None:
                    over[theirs] = float(tier[ours])
            cost["context_over_200k"] = over
    return cost


def modelsdev_model(row: Row, synced: datetime | None) -> dict[str, Any]:
    """One model in models.dev's shape. Where models.dev requires a fact the catalog lacks:
    ``release_date`` falls back to ``created``, then to the last sync's date; limits to 0
    (unknown); booleans to false; ``temperature`` is false for reasoning models (a client that
    leaves it out loses nothing; one that sends it to a model that refuses it fails)."""
    reasoning = _supports(row, "reasoning") is True
    inputs = [m for m in row.get("input_modalities") or () if m in _MODALITIES] or ["text"]
    outputs = [m for m in row.get("output_modalities") or () if m in _MODALITIES] or ["text"]
    sync_day = synced.date().isoformat() if synced else "1970-01-01"
    release = _day(row.get("release_date")) or _day(row.get("created")) or sync_day
    out: dict[str, Any] = {
        "id": row["id"],
        "name": row.get("name") or row["id"],
        "attachment": any(_supports(row, c) for c in ("vision", "pdf_input", "audio_input"))
        or any(m in ("image", "pdf", "audio", "video") for m in inputs),
        "reasoning": reasoning,
        "tool_call": _supports(row, "function_calling") is True,
    }
    if _supports(row, "structured_output") is not None:
        out["structured_output"] = bool(_supports(row, "structured_output"))
    out["temperature"] = not reasoning
    knowledge = _day(row.get("knowledge_cutoff"))
    if knowledge:
        out["knowledge"] = knowledge
    out["release_date"] = release
    out["last_updated"] = sync_day
    out["modalities"] = {"input": inputs, "output": outputs}
    out["open_weights"] = False
    out["limit"] = {
        "context": int(row.get("context_window") or 0),
        "output": int(row.get("max_output_tokens") or 0),
    }
    lifecycle = row.get("lifecycle")
    if lifecycle == "retired":
        out["status"] = "deprecated"  # models.dev: the provider no longer serves it
    elif lifecycle == "preview":
        out["status"] = "beta"
    cost = _modelsdev_cost(row, reasoning)
    if cost is not None:
        out["cost"] = cost
    return out


def models_dev(data: ExportInput) -> dict[str, Any]:
    """models.dev's ``api.json``: provider id -> provider, each with its ``models`` map."""
    out: dict[str, Any] = {}
    for row in data.rows:
        name = row["provider"]
        if name not in out:
            info = data.providers.get(name)
            out[name] = _modelsdev_provider(name, info, info.type if info else name)
        out[name]["models"][row["id"]] = modelsdev_model(row, data.synced.get(name))
    return out


# -- LiteLLM -----------------------------------------------------------------------------------

#: LiteLLM's provider name (``litellm_provider``, the ``<provider>/`` of its model strings).
_LITELLM = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "xai": "xai",
    "mistral": "mistral",
    "groq": "groq",
    "deepseek": "deepseek",
    "openrouter": "openrouter",
    "ollama": "ollama",
    "together": "together_ai",
    "cohere": "cohere_chat",
    "fireworks": "fireworks_ai",
    "openai-compatible": "openai",
}
#: Our price fields -> LiteLLM's per-token keys (prices per 1M tokens / 1M).
_PER_TOKEN = (
    ("input", "input_cost_per_token"),
    ("output", "output_cost_per_token"),
    ("cached_input", "cache_read_input_token_cost"),
    ("cache_write", "cache_creation_input_token_cost"),
    ("reasoning", "output_cost_per_reasoning_token"),
    ("audio_input", "input_cost_per_audio_token"),
    ("audio_output", "output_cost_per_audio_token"),
    ("batch_input", "input_cost_per_token_batches"),
    ("batch_output", "output_cost_per_token_batches"),
)
_PER_UNIT = (("per_request", "input_cost_per_request"), ("per_image", "output_cost_per_image"))
#: Context tiers LiteLLM has keys for (``input_cost_per_token_above_{N}k_tokens``).
_TIER_KS = (128, 200, 256, 272)
_SUPPORTS = (
    ("function_calling", "supports_function_calling"),
    ("vision", "supports_vision"),
    ("reasoning", "supports_reasoning"),
    ("structured_output", "supports_response_schema"),
    ("prompt_caching", "supports_prompt_caching"),
    ("audio_input", "supports_audio_input"),
    ("pdf_input", "supports_pdf_input"),
    ("web_search", "supports_web_search"),
)


def litellm_provider(row: Row, info: ProviderInfo | None) -> str:
    kind = info.type if info else row["provider"]
    name = _LITELLM.get(kind, "openai")
    if name == "cohere_chat" and mode(row) != "chat":
        return "cohere"
    return name


def _per_token(value: Decimal) -> float:
    return float(value / _MILLION)


def litellm_entry(row: Row, info: ProviderInfo | None) -> dict[str, Any]:
    """One model as LiteLLM's cost map describes it; unknown facts are left out, never 0."""
    out: dict[str, Any] = {}
    if row.get("max_output_tokens"):
        out["max_tokens"] = int(row["max_output_tokens"])  # LiteLLM: legacy, = max output
    if row.get("context_window"):
        out["max_input_tokens"] = int(row["context_window"])
    if row.get("max_output_tokens"):
        out["max_output_tokens"] = int(row["max_output_tokens"])
    for ours, theirs in _PER_TOKEN:
        value = _price(row, ours)
        if value is not None:
            out[theirs] = _per_token(value)
    for ours, theirs in _PER_UNIT:
        value = _price(row, ours)
        if value is not None:
            out[theirs] = float(value)
    known_tiers = (row.get("pricing") or {}).get("tiers") or () if _price(row, "input") else ()
    for tier in known_tiers:
        above = int(tier.get("above_tokens") or 0)
        if above % 1000 == 0 and above // 1000 in _TIER_KS:
            for ours, theirs in (
                ("input", "input_cost_per_token"),
                ("output", "output_cost_per_token"),
            ):
                if tier.get(ours) is not None:
                    key = f"{theirs}_above_{above // 1000}k_tokens"
                    out[key] = _per_token(Decimal(str(tier[ours])))
    out["litellm_provider"] = litellm_provider(row, info)
    kind = mode(row)
    if kind is not None:
        out["mode"] = kind
    for ours, theirs in _SUPPORTS:
        known = _supports(row, ours)
        if known is not None:
            out[theirs] = bool(known)
    inputs = [
        m for m in row.get("input_modalities") or () if m in ("text", "audio", "image", "video")
    ]
    if inputs:
        out["supported_modalities"] = inputs
    outputs = [
        m for m in row.get("output_modalities") or () if m in ("text", "image", "audio", "video")
    ]
    if outputs:
        out["supported_output_modalities"] = outputs
    shutdown = _day(row.get("shutdown_date"))
    if shutdown:
        out["deprecation_date"] = shutdown  # LiteLLM: the date the model stops answering
    out["source"] = "modelsync"
    return out


def litellm_map(data: ExportInput) -> dict[str, Any]:
    """LiteLLM's cost map, keyed ``<litellm_provider>/<id>`` as its model strings are written;
    when two providers name the same key, the first (in provider order) stays."""
    out: dict[str, Any] = {}
    for row in data.rows:
        info = data.providers.get(row["provider"])
        key = f"{litellm_provider(row, info)}/{row['id']}"
        out.setdefault(key, litellm_entry(row, info))
    return out


def _yaml(value: Any) -> str:
    """A YAML scalar for the config: strings as JSON (a valid YAML double-quoted scalar),
    prices as plain decimals (PyYAML reads ``1e-05`` as a string, ``0.00001`` as a float)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if "." in text else text + ".0"
    return json.dumps(str(value), ensure_ascii=True)


def litellm_config(data: ExportInput) -> str:
    """A LiteLLM proxy ``model_list`` of the live catalog: model names ``<provider>/<id>``, keys
    as ``os.environ/VAR``, a base URL only when it is not the provider's default (and as an
    ``os.environ/`` reference when it carries credentials)."""
    lines = [
        "# LiteLLM proxy config generated by modelsync from the live catalog.",
        "# Keys are os.environ/VAR references: set those variables where the proxy runs.",
        "model_list:",
    ]
    if not data.rows:
        lines[-1] = "model_list: []"
    for row in data.rows:
        info = data.providers.get(row["provider"])
        provider = litellm_provider(row, info)
        params: list[tuple[str, Any]] = [("model", f"{provider}/{row['id']}")]
        if info is not None and info.key_env:
            params.append(("api_key", f"os.environ/{info.key_env}"))
        if info is not None and not info.default_base_url:
            if info.public_base_url is not None:
                params.append(("api_base", info.public_base_url))
            elif info.base_url_env:
                params.append(("api_base", f"os.environ/{info.base_url_env}"))
        for ours, theirs in (
            ("input", "input_cost_per_token"),
            ("output", "output_cost_per_token"),
        ):
            value = _price(row, ours)
            if value is not None:
                params.append((theirs, value / _MILLION))
        model_info: list[tuple[str, Any]] = []
        kind = mode(row)
        if kind is not None:
            model_info.append(("mode", kind))
        if row.get("context_window"):
            model_info.append(("max_input_tokens", int(row["context_window"])))
        if row.get("max_output_tokens"):
            model_info.append(("max_output_tokens", int(row["max_output_tokens"])))
        for ours, theirs in _SUPPORTS:
            known = _supports(row, ours)
            if known is not None:
                model_info.append((theirs, bool(known)))
        lines.append(f"  - model_name: {_yaml(row['provider'] + '/' + row['id'])}")
        lines.append("    litellm_params:")
        lines.extend(f"      {k}: {_yaml(v)}" for k, v in params)
        if model_info:
            lines.append("    model_info:")
            lines.extend(f"      {k}: {_yaml(v)}" for k, v in model_info)
    return "\n".join(lines) + "\n"


# -- csv ---------------------------------------------------------------------------------------


def csv_text(rows: Iterable[Row]) -> str:
    from .query import CSV_COLUMNS, csv_row

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(r) for r in rows)
    return buffer.getvalue()


def export(catalog: Catalog, fmt: str) -> str:
    """The catalog as served now, in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return render(fmt, collect(catalog))


__all__ = [
    "FILE_NAMES",
    "FORMATS",
    "MEDIA_TYPES",
    "ExportInput",
    "ProviderInfo",
    "collect",
    "export",
    "render",
]
