"""The Bedrock extra stays optional: with botocore unimportable, ``import modelsync`` and every
command work, Bedrock shows that it needs the extra, a SigV4 sync fails in one line naming it,
and an API-key sync works without it."""

from __future__ import annotations

import json
import os

import pytest

from tests.emulators.providers_bedrock import API_KEY, sigv4_env
from tests.fixtures import EmulatorFactory, Env

# A meta-path finder that makes botocore look uninstalled, loaded through sitecustomize.
BLOCKER = """\
import sys


class _NoBotocore:
    def find_spec(self, name, path=None, target=None):
        if name == "botocore" or name.startswith("botocore."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoBotocore())
"""


@pytest.fixture
def no_botocore(env: Env) -> Env:
    shim = env.tmp / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(BLOCKER)
    env.vars["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(shim), env.vars.get("PYTHONPATH", "")) if p
    )
    return env


def test_the_shim_really_hides_botocore(no_botocore: Env) -> None:
    out = no_botocore.run_cli("--help")
    assert out.returncode == 0
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import botocore"],
        env=no_botocore.vars,
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 1
    assert "No module named 'botocore'" in probe.stderr


def test_import_and_read_commands_work_without_the_extra(
    no_botocore: Env, emulator: EmulatorFactory
) -> None:
    import subprocess
    import sys

    code = (
        "import sys, modelsync\n"
        "from modelsync.catalog import Catalog\n"
        "import modelsync.providers.bedrock\n"
        "assert 'botocore' not in sys.modules\n"
        "print(modelsync.Catalog.__name__)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=no_botocore.vars,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    emu = emulator("bedrock")
    no_botocore.vars.update(sigv4_env(emu))
    rows = {r["provider"]: r for r in json.loads(no_botocore.run_cli("providers", "--json").stdout)}
    assert rows["bedrock"]["missing_extra"] == "bedrock"
    assert "missing_extra" not in rows["openai"]
    human = no_botocore.run_cli("providers")
    assert human.returncode == 0
    bedrock_line = next(line for line in human.stdout.splitlines() if " bedrock " in line)
    assert "pip install 'modelsync[bedrock]'" in bedrock_line
    status = no_botocore.run_cli("status")
    assert status.returncode == 0
    assert "modelsync[bedrock]" in status.stdout
    offline = no_botocore.run_cli("models", "--offline", "--provider", "anthropic")
    assert offline.returncode == 0 and "claude" in offline.stdout


def test_a_signed_sync_names_the_extra_and_others_still_sync(
    no_botocore: Env, emulator: EmulatorFactory
) -> None:
    emu = emulator("bedrock")
    openai = emulator("openai")
    no_botocore.vars.update(sigv4_env(emu))
    no_botocore.wire(openai)
    out = no_botocore.run_cli("sync")  # both: Bedrock fails in one line, OpenAI syncs
    assert out.returncode == 2
    lines = [line for line in (out.stdout + out.stderr).splitlines() if "bedrock" in line]
    assert any("pip install 'modelsync[bedrock]'" in line for line in lines), (
        out.stdout + out.stderr
    )
    assert "Traceback" not in out.stdout + out.stderr
    assert emu.count() == 0
    named = no_botocore.run_cli("sync", "bedrock")
    assert named.returncode == 1


def test_an_api_key_needs_no_extra(no_botocore: Env, emulator: EmulatorFactory) -> None:
    emu = emulator("bedrock", api_key=API_KEY)
    no_botocore.vars.update(
        AWS_ENDPOINT_URL_BEDROCK=emu.base_url,
        AWS_REGION="us-east-1",
        AWS_BEARER_TOKEN_BEDROCK=API_KEY,
    )
    rows = {r["provider"]: r for r in json.loads(no_botocore.run_cli("providers", "--json").stdout)}
    assert "missing_extra" not in rows["bedrock"]
    out = no_botocore.run_cli("sync", "bedrock", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["providers"]["bedrock"]["status"] == "success"
    assert emu.count() >= 2
