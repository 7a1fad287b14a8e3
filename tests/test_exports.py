"""Exports, read back by the formats' own rules: the OpenAI SDK's types, models.dev's schema (and
what opencode requires), LiteLLM's cost-map schema, a YAML parser for the LiteLLM proxy config,
and CSV/JSON Lines round trips against the CLI. The catalog comes from real syncs of all twelve
providers' emulators; the HTTP copies come from the real server.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from modelsync.catalog import Catalog
from modelsync.export import FORMATS, collect, render
from modelsync.providers import adapter_class
from tests.emulators import ProviderEmulator
from tests.fixtures import TWELVE
from tests.serving import Server, clean_env, serve

DATA = Path(__file__).parent / "data"
KEY_PATTERN = re.compile(r"^os\.environ/[A-Z][A-Z0-9_]*$")


@dataclass
class Exported:
    env: dict[str, str]
    server: Server
    keys: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "modelsync", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def http(self, fmt: str) -> str:
        answer = self.server.get(f"/export/{fmt}")
        assert answer.status_code == 200, answer.text
        return answer.text

    def rows(self) -> list[dict[str, Any]]:
        catalog = Catalog(env=self.env)
        try:
            return catalog.raw_models()[0]
        finally:
            catalog.close()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    tmp = tmp_path_factory.mktemp("exported")
    env = clean_env(tmp)
    keys: dict[str, str] = {}
    emus = {}
    for name in TWELVE:
        spec = adapter_class(name).spec
        key = f"{name}-export-key-0123456789abcdef"
        emus[name] = ProviderEmulator.start(name, api_key=key)
        env[spec.base_url_env] = emus[name].base_url
        if spec.key_envs and name != "openrouter":  # OpenRouter's list is public: no key
            env[spec.key_envs[0]] = key
            keys[name] = key
    catalog = Catalog(env=env)
    report = catalog.sync(list(TWELVE))
    assert report.exit_code == 0, report.to_dict()
    catalog.close()
    server = serve(env, tmp / "serve.log")
    yield Exported(env, server, keys)
    server.stop()
    for emu in emus.values():
        emu.stop()


def test_every_format_is_the_same_from_the_cli_and_over_http(
    exported: Exported, tmp_path: Path
) -> None:
    for fmt in FORMATS:
        cli = exported.cli("export", "--format", fmt)
        assert cli.returncode == 0, cli.stderr
        assert cli.stdout == exported.http(fmt), fmt
        target = tmp_path / "out" / f"catalog.{fmt}"
        written = exported.cli("export", "--format", fmt, "--output", str(target))
        assert written.returncode == 0, written.stderr
        assert target.read_text() == cli.stdout
        assert not list(target.parent.glob(".*"))  # no temporary file left behind
    assert exported.server.get("/export/yaml").status_code == 404
    assert exported.cli("export", "--format", "yaml").returncode == 2


def test_openai_export_reads_as_the_sdk_types(exported: Exported) -> None:
    from openai.types import Model as OpenAIModel

    body = json.loads(exported.http("openai"))
    assert body["object"] == "list"
    models = [OpenAIModel.model_validate(item) for item in body["data"]]
    rows = exported.rows()
    assert [m.id for m in models] == [f"{r['provider']}/{r['id']}" for r in rows]
    assert body == exported.server.get("/v1/models").json()


def test_models_dev_export_meets_models_dev_schema_and_opencode(exported: Exported) -> None:
    schema = json.loads((DATA / "modelsdev" / "api_schema.json").read_text())
    body = json.loads(exported.http("models.dev"))
    jsonschema.validate(body, schema)
    assert exported.server.get("/api.json").json() == body  # where opencode reads it
    rows = exported.rows()
    assert sum(len(p["models"]) for p in body.values()) == len(rows)
    for row in rows:
        model = body[row["provider"]]["models"][row["id"]]
        assert isinstance(model["temperature"], bool)  # opencode requires it
        assert isinstance(model["release_date"], str)
        pricing = row.get("pricing") or {}
        if pricing.get("state") == "known" and pricing.get("input") and pricing.get("output"):
            assert Decimal(str(model["cost"]["input"])) == Decimal(pricing["input"])
        else:
            assert "cost" not in model  # unknown or dynamic prices are never a number
        if row.get("context_window"):
            assert model["limit"]["context"] == row["context_window"]
    openrouter = body["openrouter"]
    assert openrouter["npm"] == "@openrouter/ai-sdk-provider"
    assert openrouter["api"].startswith("http://127.0.0.1:")
    assert body["ollama"]["api"].endswith("/v1")
    assert body["openai"]["env"] == ["OPENAI_API_KEY"]


def test_litellm_export_meets_litellm_schema(exported: Exported) -> None:
    schema = json.loads((DATA / "litellm" / "cost_map_schema.json").read_text())
    body = json.loads(exported.http("litellm"))
    jsonschema.validate(body, schema)
    for name, entry in body.items():
        for key, value in entry.items():  # LiteLLM's own check: no per-token cost above $1
            if ("cost" in key and "per_token" in key) or key.endswith("token_cost"):
                assert value <= 1, (name, key)
    rows = {f"{r['provider']}/{r['id']}": r for r in exported.rows()}
    gpt = body["openai/gpt-4o"]
    row = rows["openai/gpt-4o"]
    assert Decimal(str(gpt["input_cost_per_token"])) * 1_000_000 == Decimal(row["pricing"]["input"])
    assert gpt["litellm_provider"] == "openai"
    assert gpt["mode"] == "chat"
    assert gpt["max_input_tokens"] == row["context_window"]
    assert body[
        "together_ai/" + next(r["id"] for r in rows.values() if r["provider"] == "together")
    ]
    dynamic = [
        k
        for k, r in rows.items()
        if (r.get("pricing") or {}).get("state") == "dynamic" and r["provider"] == "openrouter"
    ]
    for key in dynamic:
        assert "input_cost_per_token" not in body["openrouter/" + key.split("/", 1)[1]]


def test_litellm_config_is_yaml_with_key_references_only(exported: Exported) -> None:
    text = exported.http("litellm-config")
    config = yaml.safe_load(text)
    entries = config["model_list"]
    assert len(entries) == len(exported.rows())
    for key in exported.keys.values():
        assert key not in text
    envs = set()
    for entry in entries:
        params = entry["litellm_params"]
        _, _, model_id = entry["model_name"].partition("/")
        assert params["model"].endswith("/" + model_id)
        if "api_key" in params:
            assert KEY_PATTERN.match(params["api_key"]), params["api_key"]
            envs.add(params["api_key"])
        if "input_cost_per_token" in params:
            assert isinstance(params["input_cost_per_token"], float | int)
        # every emulator is a non-default host: the proxy must be told where it is
        assert params["api_base"].startswith(("http://127.0.0.1:", "os.environ/"))
    assert "os.environ/OPENAI_API_KEY" in envs
    assert "os.environ/GEMINI_API_KEY" in envs
    keyless = next(e for e in entries if e["model_name"].startswith("openrouter/"))
    assert "api_key" not in keyless["litellm_params"]  # no key configured: none referenced


def test_a_base_url_with_credentials_is_referenced_never_written(exported: Exported) -> None:
    catalog = Catalog(env=exported.env)
    data = collect(catalog)
    catalog.close()
    hidden = {
        n: replace(i, public_base_url=None) if n == "openai" else i
        for n, i in data.providers.items()
    }
    text = render("litellm-config", replace(data, providers=hidden))
    openai = [
        e for e in yaml.safe_load(text)["model_list"] if e["model_name"].startswith("openai/")
    ]
    assert openai
    assert all(e["litellm_params"]["api_base"] == "os.environ/OPENAI_BASE_URL" for e in openai)
    api = json.loads(render("models.dev", replace(data, providers=hidden)))
    assert "api" not in api["openai"] or api["openai"]["api"] == "${OPENAI_BASE_URL}"


def test_csv_and_jsonl_round_trip(exported: Exported) -> None:
    text = exported.http("csv")
    assert text == exported.cli("models", "--csv").stdout
    table = list(csv.DictReader(io.StringIO(text)))
    rows = exported.rows()
    assert [(t["provider"], t["id"]) for t in table] == [(r["provider"], r["id"]) for r in rows]
    lines = [json.loads(line) for line in exported.http("jsonl").splitlines()]
    assert lines == json.loads(exported.cli("models", "--json").stdout)


def test_export_needs_no_extra_and_serve_names_its_extra(exported: Exported) -> None:
    blocked = ("starlette", "uvicorn", "prometheus_client", "jinja2", "mcp")
    script = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "from modelsync.cli import main\n"
        "sys.argv = ['modelsync', *sys.argv[1:]]\n"
        "main()\n"
    )
    core = subprocess.run(
        [sys.executable, "-c", script, "export", "--format", "litellm-config"],
        env=exported.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert core.returncode == 0, core.stderr
    assert core.stdout == exported.http("litellm-config")
    for command, extra in (("serve", "serve"), ("mcp", "mcp")):
        missing = subprocess.run(
            [sys.executable, "-c", script, command],
            env=exported.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert missing.returncode == 1
        lines = missing.stderr.strip().splitlines()
        assert len(lines) == 1
        assert f"pip install 'modelsync[{extra}]'" in lines[0]
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, modelsync, modelsync.cli, modelsync.export, modelsync.catalog\n"
            f"print([m for m in {blocked!r} if m in sys.modules])",
        ],
        env=exported.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
