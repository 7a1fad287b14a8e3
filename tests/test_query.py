"""``modelsync models`` filters, sorting and CSV over a real synced store."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from modelsync.cli import SORT_CHOICES
from modelsync.query import SORT_KEYS
from tests.fixtures import EmulatorFactory, Env


def _xai(model_id: str, price: int | None) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": model_id,
        "created": 1743724800,
        "object": "model",
        "owned_by": "xai",
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "aliases": [],
    }
    if price is not None:
        entry["prompt_text_token_price"] = price
        entry["completion_text_token_price"] = price * 5
    return entry


def _gemini(model_id: str, context: int | None) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": f"models/{model_id}",
        "supportedGenerationMethods": ["generateContent"],
    }
    if context is not None:
        entry["inputTokenLimit"] = context
    return entry


def _synced(env: Env, emulator: EmulatorFactory) -> Env:
    xai = emulator(
        "xai",
        models=[_xai("grok-cheap", 2000), _xai("grok-dear", 150000), _xai("grok-unpriced", None)],
    )
    xai.extra_plain_models = []
    gemini = emulator(
        "gemini",
        models=[
            _gemini("gemini-big", 2_000_000),
            _gemini("gemini-small", 32_000),
            _gemini("gemini-unknown", None),
        ],
    )
    env.wire(xai, gemini)
    assert env.run_cli("sync").returncode == 0
    return env


def _ids(out: str) -> list[str]:
    return [m["id"] for m in json.loads(out)]


def test_min_context_never_matches_unknown(env: Env, emulator: EmulatorFactory) -> None:
    _synced(env, emulator)
    out = env.run_cli("models", "--min-context", "100000", "--json").stdout
    assert _ids(out) == ["gemini-big"]
    assert set(_ids(env.run_cli("models", "--min-context", "1", "--json").stdout)) == {
        "gemini-big",
        "gemini-small",
    }


def test_max_price_uses_known_input_prices_only(env: Env, emulator: EmulatorFactory) -> None:
    _synced(env, emulator)
    # grok-cheap: 2000 cents per 100M tokens = $0.20 per 1M; grok-dear: $15.
    assert _ids(env.run_cli("models", "--max-price", "0.2", "--json").stdout) == ["grok-cheap"]
    assert _ids(env.run_cli("models", "--max-price", "0.19", "--json").stdout) == []
    assert set(_ids(env.run_cli("models", "--max-price", "100", "--json").stdout)) == {
        "grok-cheap",
        "grok-dear",
    }
    bad = env.run_cli("models", "--max-price", "cheap")
    assert bad.returncode == 2 and "--max-price" in bad.stderr


def test_sorting(env: Env, emulator: EmulatorFactory) -> None:
    _synced(env, emulator)
    by_price = _ids(env.run_cli("models", "--sort", "price", "--json").stdout)
    assert by_price[:2] == ["grok-cheap", "grok-dear"]  # unknown prices last
    by_context = _ids(env.run_cli("models", "--sort", "context", "--json").stdout)
    assert by_context[:2] == ["gemini-big", "gemini-small"]
    assert _ids(env.run_cli("models", "--sort", "id", "--json").stdout) == sorted(by_price)
    assert SORT_CHOICES == SORT_KEYS


def test_csv_export(env: Env, emulator: EmulatorFactory) -> None:
    _synced(env, emulator)
    out = env.run_cli("models", "--provider", "xai", "--sort", "id", "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["grok-cheap", "grok-dear", "grok-unpriced"]
    cheap = rows[0]
    assert Decimal(cheap["input_per_1m"]) == Decimal("0.2")
    assert Decimal(cheap["output_per_1m"]) == Decimal("1")
    assert cheap["pricing_state"] == "known"
    assert "chat" in cheap["capabilities"].split(";")
    assert rows[2]["input_per_1m"] == ""


def test_table_shows_prices_and_unknowns(env: Env, emulator: EmulatorFactory) -> None:
    _synced(env, emulator)
    out = env.run_cli("models", "--provider", "xai", "--sort", "price").stdout
    assert "0.2" in out and "grok-unpriced" in out and "3 models" in out


def test_plain_prices_rewrites_exponents_under_pricing_only() -> None:
    from modelsync.query import plain_number, plain_prices

    row: dict[str, Any] = {
        "id": "m-1E-5",  # not a price: left alone
        "pricing": {
            "state": "known",
            "input": "3E-7",
            "output": "15",
            "source": "rule",
            "tiers": [{"above_tokens": 200000, "input": "6E-7"}],
        },
    }
    out = plain_prices([row])
    assert out[0]["id"] == "m-1E-5"
    assert out[0]["pricing"]["input"] == "0.0000003"
    assert out[0]["pricing"]["tiers"][0]["input"] == "0.0000006"
    assert out[0]["pricing"]["source"] == "rule"
    assert row["pricing"]["input"] == "3E-7"  # the input is not modified
    plain: dict[str, Any] = {"id": "x", "pricing": {"input": "0.5"}}
    assert plain_prices(plain) is plain  # nothing to rewrite: nothing copied
    change: dict[str, Any] = {
        "changed": [{"fields": {"pricing": {"old": {"input": "1.5E-6"}, "new": None}}}]
    }
    assert plain_prices(change)["changed"][0]["fields"]["pricing"]["old"] == {"input": "0.0000015"}
    assert plain_number(Decimal("3E-7")) == "0.0000003"
