"""Run the real ``modelsync serve`` in a subprocess for tests, and talk to it over loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One ``modelsync serve`` process; its output goes to a log file the tests can read."""

    def __init__(self, env: Mapping[str, str], log: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "modelsync", "serve", "--port", str(self.port), *args],
            env=dict(env),
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 20.0) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(errors="replace")

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)  # type: ignore[arg-type]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
        return int(self.proc.returncode)


def serve(env: Mapping[str, str], log: Path, *args: str) -> Server:
    """Start ``modelsync serve`` with ``env`` and wait until ``/healthz`` answers."""
    return Server(env, log, *args).wait_ready()


def clean_env(tmp: Path) -> dict[str, str]:
    """The ``env`` fixture's isolated environment, for fixtures wider than one test."""
    from tests.fixtures import _SCRUB, _SCRUB_PREFIXES, _SCRUB_SUFFIXES

    base = {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUB and not k.startswith(_SCRUB_PREFIXES) and not k.endswith(_SCRUB_SUFFIXES)
    }
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    base.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        MODELSYNC_STORE=f"sqlite:///{tmp / 'catalog.db'}",
        MODELSYNC_CONFIG=os.devnull,  # no config file (a named one must exist)
        MODELSYNC_RETRY_BASE_SECONDS="0.01",
        MODELSYNC_RETRY_MAX_SECONDS="0.5",
        NO_COLOR="1",
        OLLAMA_HOST="http://127.0.0.1:9",
        PYTHONUNBUFFERED="1",
    )
    return base
