"""The one schema every provider's models are normalized into, and the results a sync returns.

A capability is *yes*, *no* or *unknown* (absent), and says where the answer came from, because a
missing fact silently turning into ``False`` is the commonest bug in model catalogs. Prices are
``Decimal`` USD per million tokens so that unit conversions stay exact.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from .results import Counters, ModelPreview, SyncResult
from .vocab import CAPABILITIES, CapabilityName, Source, SyncStatus


class Capability(BaseModel):
    """One tri-state fact: present means known (``supported`` true or false); absent means unknown."""

    model_config = ConfigDict(frozen=True)

    supported: bool
    source: Source


def plain_decimal(value: Decimal) -> str:
    """A price as people and every JSON reader expect it: ``0.0000003``, never ``3E-7``."""
    return format(value, "f")


#: A price: exact, and serialized as a plain decimal string.
Price = Annotated[Decimal, PlainSerializer(plain_decimal, return_type=str, when_used="json")]


class PriceTier(BaseModel):
    """Token prices that apply once a prompt is longer than ``above_tokens`` (a context tier,
    such as Gemini 2.5 Pro's higher rate above 200k tokens)."""

    model_config = ConfigDict(frozen=True)

    above_tokens: int = Field(gt=0)
    input: Price | None = None
    output: Price | None = None
    cached_input: Price | None = None
    cache_write: Price | None = None


class Pricing(BaseModel):
    """Token prices in USD per 1M tokens; ``per_request``, ``per_image`` and ``per_web_search``
    in USD each. ``batch_*`` are the batch-API rates, ``audio_*`` the audio-token rates, and
    ``tiers`` the higher rates of long prompts. ``state`` keeps unknown and dynamic prices out
    of arithmetic."""

    model_config = ConfigDict(frozen=True)

    state: Literal["known", "unknown", "dynamic"] = "known"
    input: Price | None = None
    output: Price | None = None
    cached_input: Price | None = None
    cache_write: Price | None = None
    reasoning: Price | None = None
    audio_input: Price | None = None
    audio_output: Price | None = None
    batch_input: Price | None = None
    batch_output: Price | None = None
    per_request: Price | None = None
    per_image: Price | None = None
    per_web_search: Price | None = None
    tiers: tuple[PriceTier, ...] = ()
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
    #: The lifecycle a source stated, raised by the dates below (``lifecycle.effective_state``):
    #: a model with a future shutdown date is deprecated, one whose shutdown date has passed is
    #: retired. A sync stores it as of its own time; every read decides it again, so a passing
    #: shutdown date turns a model retired without a new sync.
    lifecycle: Literal["active", "preview", "deprecated", "retired"] = "active"
    #: When the deprecation was announced or takes effect (the model still answers).
    deprecated_date: datetime | None = None
    #: When the model stops answering (retirement, shutdown, expiration). A date without a
    #: time is the start of that day, UTC.
    shutdown_date: datetime | None = None
    #: The model the provider says to move to.
    replacement: str | None = None
    version: str | None = None
    #: What a deployment serves: the provider's id of the underlying model (Azure deployment
    #: ``chat`` -> ``gpt-4o-2024-08-06``). Curated facts are looked up by it; ``id`` stays the
    #: name a user calls.
    base_model: str | None = None
    #: The provider's own family or kind label (Ollama's architecture family, Together's type).
    family: str | None = None
    #: How the provider lets you call the model, in its words (Bedrock's ``ON_DEMAND``,
    #: ``PROVISIONED``, ``INFERENCE_PROFILE``); empty when it does not say.
    inference_types: tuple[str, ...] = ()
    #: Knowledge cutoff and first release, ``YYYY-MM`` or ``YYYY-MM-DD`` as sources give them.
    knowledge_cutoff: str | None = None
    release_date: str | None = None
    #: The content digest the provider gave (Ollama's model digest) once the model's details
    #: are known: per-model detail requests are skipped while it stays the same.
    digest: str | None = None
    #: Where each non-capability field came from (``api``, ``catalog``, ``rule``, ``user``) when
    #: it did not come from the provider's own list; capabilities and pricing carry their own.
    sources: dict[str, Source] = Field(default_factory=dict)
    #: Set while the model is absent from good fetches but not yet removed (safe removal).
    missing_since: datetime | None = None
    missing_count: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_fields(cls, data: Any) -> Any:
        """Rows stored before 0.2 name the shutdown date ``deprecation_date``."""
        if isinstance(data, dict) and "deprecation_date" in data:
            data = dict(data)
            legacy = data.pop("deprecation_date")
            data.setdefault("shutdown_date", legacy)
        return data

    def state(self, now: datetime | None = None) -> str:
        """The lifecycle at ``now`` (default: this instant), decided by the dates."""
        from datetime import UTC

        from .lifecycle import effective_state, moment

        when = now or datetime.now(UTC)
        return effective_state(
            self.lifecycle, moment(self.deprecated_date), moment(self.shutdown_date), when
        )

    def supports(self, capability: str) -> bool | None:
        """``True``/``False`` when known, ``None`` when nobody has said."""
        cap = self.capabilities.get(capability)
        return None if cap is None else cap.supported

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (Decimals as strings, datetimes as ISO 8601)."""
        data = self.model_dump(mode="json", exclude_none=True)
        if not data.get("sources"):
            data.pop("sources", None)
        if not data.get("inference_types"):
            data.pop("inference_types", None)  # said by few providers; other rows stay as they were
        pricing = data.get("pricing")
        if pricing is not None and not pricing.get("tiers"):
            pricing.pop("tiers", None)  # most models have none; stored rows stay as they were
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
    "PriceTier",
    "Pricing",
    "Source",
    "SyncResult",
    "SyncStatus",
]
