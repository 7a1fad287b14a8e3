"""models.dev as a cached metadata source, served by a loopback HTTP server from a fixture here."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from modelsync.config import Settings
from modelsync.errors import MalformedResponseError
from modelsync.facts import FactsIndex
from modelsync.http import HttpClient
from modelsync.modelsdev import PROVIDER_MAP, ModelsDevSource, fetch_modelsdev, parse_modelsdev
from modelsync.stores.memory import MemoryStore
from tests.emulators.loopback import Loopback

# A trimmed api.json in the real shape (see shared/reference/models-dev.md): minified by the
# real site, keys in schema order, optional fields omitted rather than null.
API_JSON: dict[str, Any] = {
    "openai": {
        "id": "openai",
        "env": ["OPENAI_API_KEY"],
        "npm": "@ai-sdk/openai",
        "name": "OpenAI",
        "doc": "https://platform.openai.com/docs/models",
        "models": {
            "gpt-4o": {
                "id": "gpt-4o",
                "name": "GPT-4o",
                "family": "gpt",
                "attachment": True,
                "reasoning": False,
                "tool_call": True,
                "structured_output": True,
                "temperature": True,
                "knowledge": "2023-09",
                "release_date": "2024-05-13",
                "last_updated": "2024-08-06",
                "modalities": {"input": ["text", "image", "pdf"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 128000, "output": 16384},
                "cost": {"input": 2.5, "output": 10, "cache_read": 1.25},
            },
            "gpt-5.4": {
                "id": "gpt-5.4",
                "name": "GPT-5.4",
                "family": "gpt",
                "attachment": True,
                "reasoning": True,
                "reasoning_options": [{"type": "effort", "values": ["low", "medium", "high"]}],
                "tool_call": True,
                "structured_output": True,
                "temperature": False,
                "knowledge": "2025-08-31",
                "release_date": "2026-03-05",
                "last_updated": "2026-03-05",
                "modalities": {"input": ["text", "image", "pdf"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 1050000, "input": 922000, "output": 128000},
                "cost": {
                    "input": 2.5,
                    "output": 15,
                    "cache_read": 0.25,
                    "tiers": [
                        {
                            "input": 5,
                            "output": 22.5,
                            "cache_read": 0.5,
                            "tier": {"type": "context", "size": 272000},
                        }
                    ],
                    "context_over_200k": {"input": 5, "output": 22.5, "cache_read": 0.5},
                },
                "experimental": {
                    "modes": {
                        "fast": {
                            "cost": {"input": 5, "output": 30, "cache_read": 0.5},
                            "provider": {"body": {"service_tier": "priority"}},
                        }
                    }
                },
            },
            "text-embedding-3-small": {
                "id": "text-embedding-3-small",
                "name": "text-embedding-3-small",
                "family": "text-embedding",
                "attachment": False,
                "reasoning": False,
                "tool_call": False,
                "release_date": "2024-01-25",
                "last_updated": "2024-01-25",
                "modalities": {"input": ["text"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 8191, "output": 1536},
                "cost": {"input": 0.02, "output": 0},
            },
            "broken-entry": {"id": "broken-entry", "name": "", "limit": "lots"},
        },
    },
    "anthropic": {
        "id": "anthropic",
        "env": ["ANTHROPIC_API_KEY"],
        "npm": "@ai-sdk/anthropic",
        "name": "Anthropic",
        "doc": "https://docs.anthropic.com/en/docs/about-claude/models",
        "models": {
            "claude-sonnet-4-5": {
                "id": "claude-sonnet-4-5",
                "name": "Claude Sonnet 4.5 (latest)",
                "family": "claude-sonnet",
                "attachment": True,
                "reasoning": True,
                "reasoning_options": [{"type": "budget_tokens", "min": 1024}],
                "tool_call": True,
                "temperature": True,
                "knowledge": "2025-07-31",
                "release_date": "2025-09-29",
                "last_updated": "2025-09-29",
                "modalities": {"input": ["text", "image", "pdf"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 200000, "output": 64000},
                "cost": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75},
            },
            "claude-3-5-sonnet-20241022": {
                "id": "claude-3-5-sonnet-20241022",
                "name": "Claude Sonnet 3.5 v2",
                "family": "claude-sonnet",
                "attachment": True,
                "reasoning": False,
                "tool_call": True,
                "temperature": True,
                "knowledge": "2024-04-30",
                "release_date": "2024-10-22",
                "last_updated": "2024-10-22",
                "modalities": {"input": ["text", "image", "pdf"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 200000, "output": 8192},
                "status": "deprecated",
                "cost": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75},
            },
        },
    },
    "google": {
        "id": "google",
        "env": ["GOOGLE_GENERATIVE_AI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"],
        "npm": "@ai-sdk/google",
        "name": "Google",
        "doc": "https://ai.google.dev/gemini-api/docs/models",
        "models": {
            "gemini-2.5-pro": {
                "id": "gemini-2.5-pro",
                "name": "Gemini 2.5 Pro",
                "family": "gemini-pro",
                "attachment": True,
                "reasoning": True,
                "reasoning_options": [{"type": "budget_tokens", "min": 128, "max": 32768}],
                "tool_call": True,
                "structured_output": True,
                "temperature": True,
                "knowledge": "2025-01",
                "release_date": "2025-03-20",
                "last_updated": "2025-06-05",
                "modalities": {
                    "input": ["text", "image", "audio", "video", "pdf"],
                    "output": ["text"],
                },
                "open_weights": False,
                "limit": {"context": 1048576, "output": 65536},
                # an older copy: only the derived key, no tiers
                "cost": {
                    "input": 1.25,
                    "output": 10,
                    "cache_read": 0.31,
                    "context_over_200k": {"input": 2.5, "output": 15, "cache_read": 0.625},
                },
            },
            "gemini-2.5-flash-image": {
                "id": "gemini-2.5-flash-image",
                "name": "Nano Banana",
                "attachment": True,
                "reasoning": False,
                "tool_call": False,
                "release_date": "2025-08-26",
                "last_updated": "2025-08-26",
                "modalities": {"input": ["text", "image"], "output": ["text", "image"]},
                "open_weights": False,
                "limit": {"context": 32768, "output": 32768},
                "status": "beta",
                "cost": {"input": 0.3, "output": 30},
            },
        },
    },
    "openrouter": {
        "id": "openrouter",
        "env": ["OPENROUTER_API_KEY"],
        "npm": "@openrouter/ai-sdk-provider",
        "api": "https://openrouter.ai/api/v1",
        "name": "OpenRouter",
        "doc": "https://openrouter.ai/models",
        "models": {
            "openai/gpt-4o": {
                "id": "openai/gpt-4o",
                "name": "GPT-4o",
                "attachment": True,
                "reasoning": False,
                "tool_call": True,
                "release_date": "2024-05-13",
                "last_updated": "2024-05-13",
                "modalities": {"input": ["text", "image"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 128000, "output": 16384},
                "cost": {"input": 2.5, "output": 10},
            },
            "openrouter/auto": {
                "id": "openrouter/auto",
                "name": "Auto Router",
                "attachment": True,
                "reasoning": False,
                "tool_call": True,
                "release_date": "2023-11-08",
                "last_updated": "2023-11-08",
                "modalities": {"input": ["text", "image"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 2000000, "output": 0},
            },
        },
    },
    "ollama-cloud": {
        "id": "ollama-cloud",
        "env": ["OLLAMA_API_KEY"],
        "npm": "@ai-sdk/openai-compatible",
        "api": "https://ollama.com/v1",
        "name": "Ollama Cloud",
        "doc": "https://docs.ollama.com/cloud",
        "models": {
            "gpt-oss:120b": {
                "id": "gpt-oss:120b",
                "name": "gpt-oss:120b",
                "attachment": False,
                "reasoning": True,
                "reasoning_options": [],
                "tool_call": True,
                "release_date": "2025-08-05",
                "last_updated": "2025-08-05",
                "modalities": {"input": ["text"], "output": ["text"]},
                "open_weights": True,
                "limit": {"context": 131072, "output": 32768},
                "cost": {"input": 0.1, "output": 0.5},
            }
        },
    },
    "some-gateway": {
        "id": "some-gateway",
        "env": ["SOME_KEY"],
        "npm": "@ai-sdk/openai-compatible",
        "api": "https://gateway.invalid/v1",
        "name": "Some Gateway",
        "doc": "https://gateway.invalid",
        "models": {
            "gpt-4o": {
                "id": "gpt-4o",
                "name": "GPT-4o",
                "attachment": True,
                "reasoning": False,
                "tool_call": True,
                "release_date": "2024-05-13",
                "last_updated": "2024-05-13",
                "modalities": {"input": ["text"], "output": ["text"]},
                "open_weights": False,
                "limit": {"context": 1, "output": 1},
                "cost": {"input": 99, "output": 99},
            }
        },
    },
}


def _minified(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


class ModelsDevServer:
    """A loopback stand-in for models.dev: serves ``body`` at ``/api.json`` and counts requests."""

    def __init__(self) -> None:
        self.body = _minified(API_JSON)
        self.status = 200
        self.content_type = "application/json"
        self.requests = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with owner.lock:
                    owner.requests += 1
                    status, body, kind = owner.status, owner.body, owner.content_type
                if self.path == "/":
                    status, body, kind = 200, b"<!doctype html><h1>models.dev</h1>", "text/html"
                elif self.path != "/api.json":  # like the real worker: anything else -> "/"
                    status, body, kind = 302, b"", "text/html"
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                if status == 302:
                    self.send_header("location", "/")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.loopback = Loopback(Handler)

    @property
    def url(self) -> str:
        return self.loopback.base + "/api.json"

    def stop(self) -> None:
        self.loopback.stop()


@pytest.fixture
def server() -> Iterator[ModelsDevServer]:
    srv = ModelsDevServer()
    yield srv
    srv.stop()


def quick_settings(**enabled: Any) -> Settings:
    """Settings for a live source under test: one quick retry, short deadlines, prefix ``t``."""
    return Settings(
        prefix="t",
        max_retries=1,
        retry_base_seconds=0.01,
        retry_max_seconds=0.05,
        request_timeout=5.0,
        timeout=10.0,
        **enabled,
    )


@pytest.fixture
def settings() -> Settings:
    return quick_settings(modelsdev_enabled=True)


def _source(
    server: ModelsDevServer, settings: Settings, store: MemoryStore | None = None, **kw: Any
) -> ModelsDevSource:
    return ModelsDevSource(store or MemoryStore(), settings, url=server.url, **kw)


# -- parsing ---------------------------------------------------------------------------------


def test_parse_maps_providers_and_ignores_unknown_ones() -> None:
    index = parse_modelsdev(API_JSON, as_of="2026-11-28")
    assert set(index.providers()) == {"openai", "anthropic", "gemini", "openrouter", "ollama"}
    assert index.lookup("some-gateway", "gpt-4o") is None
    assert index.lookup("openai", "broken-entry") is None  # skipped, the rest kept
    assert PROVIDER_MAP["google"] == "gemini"
    assert PROVIDER_MAP["togetherai"] == "together"
    assert PROVIDER_MAP["fireworks-ai"] == "fireworks"


def test_parse_fields_with_exact_decimals() -> None:
    index = parse_modelsdev(API_JSON, as_of="2026-11-28")
    gpt4o = index.lookup("openai", "gpt-4o-2024-08-06")
    assert gpt4o is not None and gpt4o.id == "gpt-4o"
    assert gpt4o.name == "GPT-4o"
    assert gpt4o.context_window == 128000
    assert gpt4o.max_output_tokens == 16384
    assert gpt4o.knowledge_cutoff == "2023-09"
    assert gpt4o.release_date == "2024-05-13"
    assert gpt4o.input_modalities == ("text", "image", "pdf")
    assert gpt4o.capabilities == {
        "function_calling": True,
        "reasoning": False,
        "structured_output": True,
        "vision": True,
        "audio_input": False,
        "pdf_input": True,
        "image_generation": False,
    }
    assert gpt4o.pricing is not None
    assert gpt4o.pricing.input == Decimal("2.5")
    assert gpt4o.pricing.output == Decimal("10")
    assert gpt4o.pricing.cached_input == Decimal("1.25")
    assert str(gpt4o.pricing.cached_input) == "1.25"
    assert gpt4o.as_of == "2026-11-28" and gpt4o.origin == "models.dev"
    embed = index.lookup("openai", "text-embedding-3-small")
    assert embed is not None and embed.pricing is not None
    assert embed.pricing.input == Decimal("0.02")
    assert embed.capabilities["pdf_input"] is False  # attachment: false


def test_parse_tiers_and_the_older_context_over_200k() -> None:
    index = parse_modelsdev(API_JSON, as_of="2026-11-28")
    gpt54 = index.lookup("openai", "gpt-5.4")
    assert gpt54 is not None and gpt54.pricing is not None
    assert gpt54.context_window == 1050000
    (tier,) = gpt54.pricing.tiers  # context_over_200k is derived from tiers: not counted twice
    assert tier.above_tokens == 272000
    assert (tier.input, tier.output, tier.cached_input) == (
        Decimal("5"),
        Decimal("22.5"),
        Decimal("0.5"),
    )
    pro = index.lookup("gemini", "models/gemini-2.5-pro")
    assert pro is not None and pro.pricing is not None
    assert pro.pricing.cached_input == Decimal("0.31")
    assert pro.pricing.tiers[0].above_tokens == 200000
    assert pro.pricing.tiers[0].cached_input == Decimal("0.625")


def test_parse_status_reasoning_and_optional_keys() -> None:
    index = parse_modelsdev(API_JSON, as_of="2026-11-28")
    old = index.lookup("anthropic", "claude-3-5-sonnet-20241022")
    assert old is not None and old.lifecycle == "deprecated"
    sonnet = index.lookup("anthropic", "claude-sonnet-4-5-20250929")
    assert sonnet is not None and sonnet.id == "claude-sonnet-4-5"
    assert sonnet.lifecycle is None  # absent status: generally available, asserted by nobody
    assert sonnet.capabilities["reasoning"] is True
    assert "structured_output" not in sonnet.capabilities  # absent stays unknown
    assert sonnet.pricing is not None and sonnet.pricing.cache_write == Decimal("3.75")
    image = index.lookup("gemini", "gemini-2.5-flash-image")
    assert image is not None and image.lifecycle == "preview"
    assert image.capabilities["image_generation"] is True
    auto = index.lookup("openrouter", "openrouter/auto")
    assert auto is not None and auto.pricing is None and auto.max_output_tokens is None


def test_ollama_cloud_facts_serve_local_ollama_without_prices() -> None:
    index = parse_modelsdev(API_JSON, as_of="2026-11-28")
    found = index.lookup("ollama", "gpt-oss:120b")
    assert found is not None and found.context_window == 131072
    assert found.pricing is None


def test_openrouter_facts_keep_openrouter_prices() -> None:
    index = parse_modelsdev(API_JSON, as_of="2026-11-28")
    found = index.lookup("openrouter", "openai/gpt-4o")
    assert found is not None and found.provider == "openrouter"
    assert found.pricing is not None and found.pricing.input == Decimal("2.5")


@pytest.mark.parametrize("payload", [[], "models", {}, {"openai": {"models": []}}, {"x": {}}])
def test_parse_refuses_a_payload_without_usable_models(payload: Any) -> None:
    with pytest.raises(MalformedResponseError):
        parse_modelsdev(payload)


# -- fetching and caching --------------------------------------------------------------------


def test_fetch_over_loopback(server: ModelsDevServer, settings: Settings) -> None:
    async def run() -> FactsIndex:
        async with HttpClient(provider="models.dev", settings=settings) as http:
            return await fetch_modelsdev(http, server.url)

    index = asyncio.run(run())
    assert server.requests == 1
    assert index.fetched_at is not None
    assert index.lookup("openai", "gpt-4o") is not None


def test_cached_for_the_ttl_second_call_makes_no_request(
    server: ModelsDevServer, settings: Settings
) -> None:
    store = MemoryStore()
    source = _source(server, settings, store)
    first = asyncio.run(source.get())
    assert first is not None and not first.stale
    assert server.requests == 1
    assert store.get("t:modelsdev:data") is not None
    # a second source (another process) on the same store also reads the cache
    again = asyncio.run(_source(server, settings, store).get())
    assert again is not None and server.requests == 1
    assert again.lookup("anthropic", "claude-sonnet-4-5") is not None
    assert asyncio.run(source.get()) is not None and server.requests == 1
    asyncio.run(source.get(force=True))
    assert server.requests == 2


def test_refreshes_when_the_ttl_has_passed(server: ModelsDevServer, settings: Settings) -> None:
    source = _source(server, settings, ttl_seconds=0.2)
    asyncio.run(source.get())
    time.sleep(0.3)
    assert asyncio.run(source.get()) is not None
    assert server.requests == 2


def test_ttl_comes_from_settings_by_default(settings: Settings) -> None:
    source = ModelsDevSource(MemoryStore(), settings)
    assert source.ttl_seconds == 24 * 3600
    assert source.enabled is True
    assert source.url == "https://models.dev/api.json"
    assert source.data_key == "t:modelsdev:data"
    assert source.failure_key == "t:modelsdev:last_failure"


def test_failure_is_recorded_and_the_last_good_copy_served_stale(
    server: ModelsDevServer, settings: Settings
) -> None:
    store = MemoryStore()
    source = _source(server, settings, store, ttl_seconds=0.1)
    assert asyncio.run(source.get()) is not None
    time.sleep(0.15)
    server.status = 503
    served = asyncio.run(source.get())
    assert served is not None and served.stale
    assert served.lookup("openai", "gpt-4o") is not None
    failure = store.get_value("t:modelsdev:last_failure")
    assert failure["error_type"] == "provider_unavailable"
    assert failure["retry_count"] == 1  # max_retries=1: one retry, then give up
    assert failure["status_code"] == 503
    assert "models.dev" in failure["error"]
    assert set(failure) >= {"error", "error_type", "failed_at", "retry_count"}
    assert source.last_failure() == failure


def test_failure_with_nothing_cached_serves_none(
    server: ModelsDevServer, settings: Settings
) -> None:
    server.status = 500
    source = _source(server, settings)
    assert asyncio.run(source.get()) is None
    failure = source.last_failure()
    assert failure is not None and failure["error_type"] == "provider_unavailable"


@pytest.mark.parametrize(
    ("body", "content_type", "error_type"),
    [
        (b'{"openai": {"models": {"gpt-4o": ', "application/json", "malformed_response"),
        (b"<!doctype html><title>models.dev</title>", "text/html", "malformed_response"),
        (b"[]", "application/json", "malformed_response"),
        (b'{"unknown": {"models": {}}}', "application/json", "malformed_response"),
    ],
)
def test_malformed_body_keeps_the_last_good_copy(
    server: ModelsDevServer, settings: Settings, body: bytes, content_type: str, error_type: str
) -> None:
    store = MemoryStore()
    source = _source(server, settings, store)
    good = asyncio.run(source.get())
    assert good is not None
    server.body, server.content_type = body, content_type
    served = asyncio.run(source.get(force=True))
    assert served is not None
    assert len(served) == len(good)
    assert served.lookup("gemini", "gemini-2.5-pro") is not None
    assert source.last_failure() is not None
    assert source.last_failure()["error_type"] == error_type  # type: ignore[index]
    entry = store.get("t:modelsdev:data")
    assert entry is not None and len(entry.value["models"]) == len(good)


def test_unknown_path_redirect_to_html_is_malformed(
    server: ModelsDevServer, settings: Settings
) -> None:
    source = ModelsDevSource(MemoryStore(), settings, url=server.url.replace("api.json", "nope"))
    assert asyncio.run(source.get()) is None
    assert source.last_failure()["error_type"] == "malformed_response"  # type: ignore[index]


def test_disabled_makes_no_request_and_serves_nothing(
    server: ModelsDevServer, settings: Settings
) -> None:
    store = MemoryStore()
    asyncio.run(_source(server, settings, store).get())
    assert server.requests == 1
    off = _source(server, settings, store, enabled=False)
    assert asyncio.run(off.get()) is None
    assert asyncio.run(off.get(force=True)) is None
    assert off.cached() is None
    assert server.requests == 1


@pytest.mark.parametrize("value", ["false", "off", "0", None])
def test_disabled_by_setting_and_by_default(server: ModelsDevServer, value: str | None) -> None:
    env = {"MODELSYNC_CONFIG": os.devnull}
    if value is not None:
        env["MODELSYNC_MODELSDEV_ENABLED"] = value
    source = ModelsDevSource(MemoryStore(), Settings.load(env), url=server.url)
    assert source.enabled is False
    assert asyncio.run(source.get()) is None
    assert server.requests == 0
    on = Settings.load({**env, "MODELSYNC_MODELSDEV_ENABLED": "yes"})
    assert ModelsDevSource(MemoryStore(), on, url=server.url).enabled is True


def test_cached_reads_without_network(server: ModelsDevServer, settings: Settings) -> None:
    store = MemoryStore()
    source = _source(server, settings, store, ttl_seconds=0.05)
    assert source.cached() is None
    asyncio.run(source.get())
    time.sleep(0.1)
    offline = _source(server, settings, store).cached()
    assert offline is not None and offline.stale
    assert server.requests == 1


def test_corrupt_cache_entry_is_ignored_and_refetched(
    server: ModelsDevServer, settings: Settings
) -> None:
    store = MemoryStore()
    store.put("t:modelsdev:data", {"models": "nope"}, 3600)
    source = _source(server, settings, store)
    assert source.cached() is None
    assert asyncio.run(source.get()) is not None
    assert server.requests == 1
