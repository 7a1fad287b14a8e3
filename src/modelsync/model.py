"""The one schema every provider's models are normalized into, and the results a sync returns.

A capability is *yes*, *no* or *unknown* (absent), and says where the answer came from, because a
missing fact silently turning into ``False`` is the commonest bug in model catalogs. Prices are
``Decimal`` USD per million tokens so that unit conversions stay exact.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .results import Counters, ModelPreview, SyncResult
from .vocab import CAPABILITIES, CapabilityName, Source, SyncStatus


class Capability(BaseModel):
    """One tri-state fact: present means known (``supported`` true or false); absent means unknown."""

    model_config = ConfigDict(frozen=True)

    supported: bool
    source: Source


class Pricing(BaseModel):
    """Token prices in USD per 1M tokens; ``per_request`` and ``per_image`` in USD per request
    and per image. ``state`` keeps unknown and dynamic prices out of arithmetic."""

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
    #: When the source said so (ISO date): the bundled catalog's check date, a sync's date.
    as_of: str | None = None


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
    #: The provider's own family or kind label (Ollama's architecture family, Together's type).
    family: str | None = None
    #: Knowledge cutoff and first release, ``YYYY-MM`` or ``YYYY-MM-DD`` as sources give them.
    knowledge_cutoff: str | None = None
    release_date: str | None = None
    #: Where each non-capability field came from (``api``, ``catalog``, ``rule``, ``user``) when
    #: it did not come from the provider's own list; capabilities and pricing carry their own.
    sources: dict[str, Source] = Field(default_factory=dict)
    #: Set while the model is absent from good fetches but not yet removed (safe removal).
    missing_since: datetime | None = None
    missing_count: int | None = None

    def supports(self, capability: str) -> bool | None:
        """``True``/``False`` when known, ``None`` when nobody has said."""
        cap = self.capabilities.get(capability)
        return None if cap is None else cap.supported

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (Decimals as strings, datetimes as ISO 8601)."""
        data = self.model_dump(mode="json", exclude_none=True)
        if not data.get("sources"):
            data.pop("sources", None)
        return data

    def preview(self) -> ModelPreview:
        return ModelPreview(
            id=self.id,
            name=self.name,
            owned_by=self.owned_by or self.provider,
            created=int(self.created.timestamp()) if self.created else None,
        )


__all__ = [
    "CAPABILITIES",
    "Capability",
    "CapabilityName",
    "Counters",
    "Model",
    "ModelPreview",
    "Pricing",
    "Source",
    "SyncResult",
    "SyncStatus",
]
