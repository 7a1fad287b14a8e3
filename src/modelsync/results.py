"""What a sync returns and costs: plain dataclasses, cheap to import on the read path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .diff import Diff
from .vocab import SyncStatus


@dataclass(frozen=True)
class ModelPreview:
    """The seed's lightweight ``get_syncable_models`` entry."""

    id: str
    name: str
    owned_by: str
    created: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "owned_by": self.owned_by,
            "created": self.created,
        }


@dataclass
class Counters:
    """What one sync cost: requests sent (retries included), retries, pages parsed; and the
    warnings it met that did not fail it (one model's details could not be read)."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    warnings: list[str] = field(default_factory=list)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class SyncResult:
    """What one provider's sync did: the seed's envelope plus the counters an operator needs."""

    provider: str
    status: SyncStatus
    reason: str | None = None
    models_synced: int = 0
    statistics: dict[str, Any] | None = None
    cached_until: datetime | None = None
    last_sync: datetime | None = None
    error: str | None = None
    error_type: str | None = None
    duration_ms: int = 0
    requests: int = 0
    retries: int = 0
    pages: int = 0
    preview: list[ModelPreview] = field(default_factory=list)
    diff: Diff | None = None
    #: What went wrong without failing the sync (e.g. one Ollama model's ``/api/show``).
    warnings: list[str] = field(default_factory=list)

    def _diff_dict(self) -> dict[str, Any]:
        diff = self.diff.to_dict() if self.diff else {}
        return {
            "added": diff.get("added", []),
            "removed": diff.get("removed", []),
            "changed": diff.get("changed", []),
            "missing": diff.get("missing", []),
            "first_sync": diff.get("first_sync", False),
            "events": diff.get("events", []),
        }

    @property
    def ok(self) -> bool:
        return self.status in ("success", "skipped", "dry_run")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"provider": self.provider, "status": self.status}
        if self.status == "success":
            out.update(
                models_synced=self.models_synced,
                statistics=self.statistics,
                cached_until=_iso(self.cached_until),
                last_sync=_iso(self.last_sync),
            )
            out.update(self._diff_dict())
        elif self.status == "skipped":
            out.update(reason=self.reason, last_sync=_iso(self.last_sync))
        elif self.status == "dry_run":
            out.update(
                models_synced=self.models_synced,
                would_sync=True,
                last_sync=_iso(self.last_sync),
                models=[p.to_dict() for p in self.preview],
            )
            out.update(self._diff_dict())
        else:
            out.update(error=self.error, error_type=self.error_type)
        if self.warnings:
            out["warnings"] = self.warnings
        out.update(
            duration_ms=self.duration_ms,
            requests=self.requests,
            retries=self.retries,
            pages=self.pages,
        )
        return out
