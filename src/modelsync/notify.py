"""Tell the outside world what changed: a shell command fed the diff, or a webhook POST.

Notifications are best effort by design: a webhook that is down or a command that fails is
logged, and the sync that produced the news still succeeds. Nothing here ever sees a key.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
from typing import Any

log = logging.getLogger("modelsync")

WEBHOOK_TIMEOUT_SECONDS = 10.0
WEBHOOK_ATTEMPTS = 3
COMMAND_TIMEOUT_SECONDS = 60.0


def change_payload(results: list[Any]) -> dict[str, Any] | None:
    """``{"providers": {name: diff}}`` for providers whose sync changed something, else None.

    A first sync is a baseline, not news, so it does not count as a change.
    """
    providers = {}
    for result in results:
        diff = getattr(result, "diff", None)
        if result.status != "success" or diff is None or diff.empty or diff.first_sync:
            continue
        providers[result.provider] = {
            **diff.to_dict(),
            "last_sync": result.last_sync.isoformat() if result.last_sync else None,
            "models_synced": result.models_synced,
        }
    return {"providers": providers} if providers else None


def run_command(command: str, payload: dict[str, Any]) -> bool:
    """Run the user's ``--on-change`` command with the diff as JSON on its stdin."""
    try:
        done = subprocess.run(  # noqa: S602 - the user's own command line, run as they wrote it
            command,
            shell=True,
            input=json.dumps(payload),
            text=True,
            capture_output=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("on-change command failed to run: %s", exc)
        return False
    if done.returncode != 0:
        log.warning(
            "on-change command exited %d: %s", done.returncode, (done.stderr or "").strip()[:300]
        )
        return False
    return True


def post_webhook(url: str, payload: dict[str, Any]) -> bool:
    """POST the diff as JSON, retrying network errors, 429 and 5xx a few times."""
    import httpx

    body = json.dumps(payload).encode("utf-8")
    headers = {"content-type": "application/json", "user-agent": "modelsync-webhook"}
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        try:
            response = httpx.post(
                url,
                content=body,
                headers=headers,
                timeout=WEBHOOK_TIMEOUT_SECONDS,
                # A webhook URL is often itself the secret; a redirect is a refusal, not a hop.
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}"
        else:
            if response.status_code < 300:
                return True
            problem = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code != 429:
                log.warning("webhook %s refused the notification: %s", _safe(url), problem)
                return False
        if attempt < WEBHOOK_ATTEMPTS:
            time.sleep(0.5 * 2 ** (attempt - 1))
    log.warning("webhook %s failed after %d attempts: %s", _safe(url), WEBHOOK_ATTEMPTS, problem)
    return False


def _safe(url: str) -> str:
    """Scheme and host only: webhook paths and queries often are the secret (Slack, Teams)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "the webhook"
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"
