"""The words the catalog speaks: capability names, where a fact came from, sync statuses.

Kept apart from the pydantic model so that code which only needs the vocabulary (statistics,
the read path of the CLI) does not pay for building pydantic classes.
"""

from __future__ import annotations

from typing import Literal, get_args

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
CAPABILITIES: tuple[str, ...] = get_args(CapabilityName)

Source = Literal["api", "catalog", "rule", "user"]
SyncStatus = Literal["success", "skipped", "error", "dry_run"]

#: The price fields of ``Pricing``: token prices in USD per 1M tokens (text unless named), then
#: USD per request, per image and per web search.
TOKEN_PRICE_FIELDS: tuple[str, ...] = (
    "input",
    "output",
    "cached_input",
    "cache_write",
    "reasoning",
    "audio_input",
    "audio_output",
    "batch_input",
    "batch_output",
)
UNIT_PRICE_FIELDS: tuple[str, ...] = ("per_request", "per_image", "per_web_search")
PRICE_FIELDS: tuple[str, ...] = TOKEN_PRICE_FIELDS + UNIT_PRICE_FIELDS
#: The token prices a context tier (a higher rate above N input tokens) may carry.
TIER_PRICE_FIELDS: tuple[str, ...] = ("input", "output", "cached_input", "cache_write")
