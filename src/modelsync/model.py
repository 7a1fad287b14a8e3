"""The one schema every provider's models are normalized into, and the results a sync returns.

A capability is *yes*, *no* or *unknown* (absent), and says where the answer came from, because a
missing fact silently turning into ``False`` is the commonest bug in model catalogs. Prices are
``Decimal`` USD per million tokens so that unit conversions stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CapabilityName = Literal[
    "chat",
    "completion",
    "embeddings",
    "image_generation",
    "speech",
    "transcription",
    "moderation",
    "rerank",
    "function_calling",
    "vision",
    "audio_input",
    "pdf_input",
    "json_mode",
    "structured_output",
    "reasoning",
    "streaming",
    "fine_tuning",
    "web_search",
    "batch",
    "prompt_caching",
    "multimodal",
    "safety_filtering",
]
CAPABILITIES: tuple[str, ...] = CapabilityName.__args__  # type: ignore[attr-defined]

Source = Literal["api", "catalog", "rule", "user"]
SyncStatus = Literal["success", "skipped", "error", "dry_run"]


class Capability(BaseModel):
    """One tri-state fact: present means known (``supported`` true or false); absent means unknown."""

    model_config = ConfigDict(frozen=True)

    supported: bool
    source: Source


class Pricing(BaseModel):
    """Prices in USD per 1M tokens; ``state`` keeps unknown and dynamic prices out of arithmetic."""

    model_config = ConfigDict(frozen=True)

    state: Literal["known", "unknown", "dynamic"] = "known"
    input: Decimal | None = None
    output: Decimal | None = None
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    reasoning: Decimal | None = None
    per_request: Decimal | None = None
    per_image: Decimal | None = None
    source: Source = "api"


class Model(BaseModel):
    """A model as the catalog stores and returns it, whichever provider listed it."""

    model_config = ConfigDict(frozen=True)

    provider: str
    id: str
    name: str
    owned_by: str | None = None
    created: datetime | None = None
    description: str | None = None
    capabilities: dict[str, Capability] = Field(default_factory=dict)
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    context_window: int | None = None
    max_output_tokens: int | None = None
    pricing: Pricing | None = None
    aliases: tuple[str, ...] = ()
    lifecycle: Literal["active", "preview", "deprecated", "retired"] = "active"
    deprecation_date: datetime | None = None
    replacement: str | None = None
    version: str | None = None

    def supports(self, capability: str) -> bool | None:
        """``True``/``False`` when known, ``None`` when nobody has said."""
        cap = self.capabilities.get(capability)
        return None if cap is None else cap.supported

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (Decimals as strings, datetimes as ISO 8601)."""
        return self.model_dump(mode="json", exclude_none=True)

    def preview(self) -> ModelPreview:
        return ModelPreview(
            id=self.id,
            name=self.name,
            owned_by=self.owned_by or self.provider,
            created=int(self.created.timestamp()) if self.created else None,
        )


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
    """What one sync cost: requests sent (retries included), retries, pages parsed."""

    requests: int = 0
    retries: int = 0
    pages: int = 0


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
        elif self.status == "skipped":
            out.update(reason=self.reason, last_sync=_iso(self.last_sync))
        elif self.status == "dry_run":
            out.update(
                models_synced=self.models_synced,
                would_sync=True,
                last_sync=_iso(self.last_sync),
                models=[p.to_dict() for p in self.preview],
            )
        else:
            out.update(error=self.error, error_type=self.error_type)
        out.update(
            duration_ms=self.duration_ms,
            requests=self.requests,
            retries=self.retries,
            pages=self.pages,
        )
        return out
