"""Every price a source gives survives to every output: context tiers, batch, cached, audio and
web-search prices from models.dev and from user overrides, through the store, JSON, CSV and
``show``, and a change in any of them is a ``price_changed`` with the old and new values."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from modelsync.errors import ConfigurationError
from modelsync.facts import load_bundled
from modelsync.merge import parse_overrides
from modelsync.modelsdev import parse_modelsdev
from tests.fixtures import EmulatorFactory, Env

OVERRIDE = """
[overrides."openai/gpt-4.1"]
pricing = { input = "2", output = "8", cached_input = "0.5", batch_input = "1", \
batch_output = "4", audio_input = "40", audio_output = "80", per_web_search = "0.01", \
tiers = [{ above_tokens = 272000, input = "4", output = "16" }, \
{ above_tokens = 128000, input = "3", cached_input = "0.75" }] }
"""


def _oa(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1715367049, "owned_by": "system"}


def test_override_prices_reach_every_output(env: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("openai", models=[_oa("gpt-4.1"), _oa("gpt-4o")])
    config = env.tmp / "config.toml"
    config.write_text(OVERRIDE)
    env.wire(emu).vars["MODELSYNC_CONFIG"] = str(config)
    assert env.run_cli("sync").returncode == 0

    rows = {r["id"]: r for r in json.loads(env.run_cli("models", "--json").stdout)}
    pricing = rows["gpt-4.1"]["pricing"]
    assert pricing["source"] == "user"
    assert {k: pricing[k] for k in ("batch_input", "batch_output", "per_web_search")} == {
        "batch_input": "1",
        "batch_output": "4",
        "per_web_search": "0.01",
    }
    assert (pricing["audio_input"], pricing["audio_output"]) == ("40", "80")
    assert pricing["tiers"] == [  # sorted by where they start
        {"above_tokens": 128000, "input": "3", "cached_input": "0.75"},
        {"above_tokens": 272000, "input": "4", "output": "16"},
    ]
    (model,) = env.catalog().models(search="gpt-4.1")
    assert model.pricing is not None and model.pricing.tiers[1].output == Decimal("16")

    table = list(csv.DictReader(io.StringIO(env.run_cli("models", "--csv").stdout)))
    row = next(r for r in table if r["id"] == "gpt-4.1")
    assert (row["input_per_1m"], row["cached_input_per_1m"]) == ("2", "0.5")
    assert (row["batch_input_per_1m"], row["batch_output_per_1m"]) == ("1", "4")
    assert (row["audio_input_per_1m"], row["audio_output_per_1m"]) == ("40", "80")
    assert row["per_web_search"] == "0.01" and row["per_image"] == ""
    assert json.loads(row["price_tiers"])[1] == {
        "above_tokens": 272000,
        "input": "4",
        "output": "16",
    }
    other = next(r for r in table if r["id"] == "gpt-4o")
    assert other["price_tiers"] == ""
    # gpt-4o's shutdown date comes from the bundled catalog (OpenAI's deprecations page).
    facts = load_bundled().lookup("openai", "gpt-4o")
    assert facts is not None and facts.shutdown_date is not None
    assert other["shutdown_date"].startswith(facts.shutdown_date.isoformat())

    shown = json.loads(env.run_cli("show", "openai/gpt-4.1", "--json").stdout)[0]["pricing"]
    assert shown["tiers"] == pricing["tiers"] and shown["batch_output"] == "4"

    # A tier's price changing is a price change, field by field.
    config.write_text(OVERRIDE.replace('input = "4", output = "16"', 'input = "5", output = "16"'))
    assert env.run_cli("sync", "--force").returncode == 0
    event = json.loads(env.run_cli("diff", "--json").stdout)["providers"]["openai"]["events"][0]
    assert event["kind"] == "price_changed" and list(event["changes"]) == ["tiers"]
    assert event["changes"]["tiers"]["new"][1]["input"] == "5"


def test_override_tiers_are_checked() -> None:
    def error(pricing: str) -> str:
        import tomllib

        table = tomllib.loads(f'[overrides."openai/x"]\npricing = {pricing}\n')["overrides"]
        try:
            parse_overrides(table)
        except ConfigurationError as exc:
            return str(exc)
        raise AssertionError("accepted")

    assert "above_tokens" in error('{ input = "1", tiers = [{ input = "2" }] }')
    assert "unknown tier field(s) ['batch_input']" in error(
        '{ input = "1", tiers = [{ above_tokens = 10, batch_input = "2" }] }'
    )
    assert "names no price" in error('{ input = "1", tiers = [{ above_tokens = 10 }] }')
    assert "same above_tokens" in error(
        '{ input = "1", tiers = [{ above_tokens = 10, input = "2" }, '
        '{ above_tokens = 10, input = "3" }] }'
    )
    assert "carries no numbers" in error(
        '{ state = "dynamic", tiers = [{ above_tokens = 10, input = "2" }] }'
    )


def test_modelsdev_audio_prices_and_tier_fields() -> None:
    """Cost keys as models.dev's schema names them (/work/shared/reference/models-dev.md):
    ``input_audio``/``output_audio`` are audio prices; a tier keeps its token prices only."""
    payload = {
        "openai": {
            "id": "openai",
            "models": {
                "gpt-4o-audio-preview": {
                    "id": "gpt-4o-audio-preview",
                    "name": "GPT-4o Audio",
                    "attachment": False,
                    "reasoning": False,
                    "tool_call": True,
                    "release_date": "2024-10-01",
                    "last_updated": "2024-10-01",
                    "modalities": {"input": ["text", "audio"], "output": ["text", "audio"]},
                    "open_weights": False,
                    "limit": {"context": 128000, "output": 16384},
                    "cost": {
                        "input": 2.5,
                        "output": 10,
                        "input_audio": 40,
                        "output_audio": 80,
                        "tiers": [
                            {
                                "input": 5,
                                "output": 20,
                                "input_audio": 80,
                                "tier": {"type": "context", "size": 64000},
                            }
                        ],
                    },
                }
            },
        }
    }
    facts = parse_modelsdev(payload, as_of="2026-12-01").lookup("openai", "gpt-4o-audio-preview")
    assert facts is not None and facts.pricing is not None
    assert (facts.pricing.audio_input, facts.pricing.audio_output) == (
        Decimal("40"),
        Decimal("80"),
    )
    (tier,) = facts.pricing.tiers
    assert (tier.above_tokens, tier.input, tier.output) == (64000, Decimal("5"), Decimal("20"))
