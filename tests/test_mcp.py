"""``modelsync mcp`` spawned by the official MCP SDK's own stdio client, over a store filled by a
real sync against the emulators."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client

from tests.fixtures import EmulatorFactory, Env


def _payload(result: Any) -> dict[str, Any]:
    assert not result.is_error, result
    if result.structured_content is not None:
        return dict(result.structured_content)
    return dict(json.loads(result.content[0].text))


async def _session_calls(env: Env) -> dict[str, Any]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "modelsync", "mcp"], env=env.vars
    )
    out: dict[str, Any] = {}
    async with stdio_client(params) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            out["tools"] = {t.name: t for t in tools.tools}
            out["vision"] = _payload(
                await session.call_tool(
                    "list_models", {"capability": "vision", "sort": "context", "limit": 500}
                )
            )
            out["gemini"] = _payload(await session.call_tool("list_models", {"provider": "gemini"}))
            out["show"] = _payload(await session.call_tool("show_model", {"model": "gpt-4o"}))
            out["ok"] = _payload(await session.call_tool("check_models", {"require": ["gpt-4o"]}))
            out["missing"] = _payload(
                await session.call_tool("check_models", {"require": ["gpt-4o", "gpt-9-ultra"]})
            )
            out["status"] = _payload(await session.call_tool("sync_status", {}))
            bad = await session.call_tool("list_models", {"capability": "telepathy"})
            out["bad"] = bad
    return out


def test_mcp_tools_read_the_same_store(env: Env, emulator: EmulatorFactory) -> None:
    env.wire(emulator("openai"), emulator("gemini"))
    catalog = env.catalog()
    assert catalog.sync().exit_code == 0
    version = catalog.store.version()
    out = asyncio.run(_session_calls(env))

    assert set(out["tools"]) == {"list_models", "show_model", "check_models", "sync_status"}
    for tool in out["tools"].values():
        assert tool.annotations.read_only_hint is True
        assert tool.description

    cli = env.run_cli("models", "--json", "--capability", "vision", "--sort", "context")
    assert out["vision"]["models"] == json.loads(cli.stdout)
    assert out["vision"]["total"] == len(out["vision"]["models"])
    assert {m["provider"] for m in out["gemini"]["models"]} == {"gemini"}
    assert out["gemini"]["freshness"]["gemini"]["state"] == "fresh"

    shown = json.loads(env.run_cli("show", "gpt-4o", "--json").stdout)
    assert out["show"]["matches"] == shown

    assert out["ok"] == {"ok": True, "problems": []}
    assert out["missing"]["ok"] is False
    assert out["missing"]["problems"] == ["required model gpt-9-ultra is not in the catalog"]

    states = {p["provider"]: p for p in out["status"]["providers"]}
    assert states["openai"]["state"] == "fresh"
    assert states["openai"]["models"] == len(catalog.raw_models("openai")[0])

    assert out["bad"].is_error
    assert "unknown capability" in out["bad"].content[0].text
    assert catalog.store.version() == version  # read-only: nothing written
    catalog.close()
