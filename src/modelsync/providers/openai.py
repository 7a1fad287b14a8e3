"""OpenAI: ``GET {base}/models``, one unpaginated page, Bearer auth.

The list says nothing about capabilities, so they come from id rules (``source="rule"``) written
for today's ids: o-series and gpt-5 reason, gpt-image draws, ``*-transcribe`` and whisper transcribe.

``shutdown_date`` ("The date when the model will shut down, or null if not announced"; a string of
``format: date``, e.g. ``"2026-10-23"``; openai-python ``src/openai/types/model.py`` and
``api_reference/openapi.transformed.yml`` at e43b422, 2026-08-21, added in f38355e) becomes
``shutdown_date`` (the start of that day, UTC) and makes the model ``deprecated``: OpenAI calls a
model deprecated from the announcement on. The list gives no announcement date nor replacement;
those come from the bundled catalog (OpenAI's deprecations page).
"""

from __future__ import annotations

from ..http import HttpClient
from ..model import Model
from ..rules import capabilities_from_rules, rule
from ..stats import family
from .base import Adapter, ProviderSpec, Wire, from_iso, from_unix
from .naming import display_name


class _Entry(Wire):
    id: str
    created: int | None = None
    owned_by: str | None = None
    shutdown_date: str | None = None


class _List(Wire):
    data: list[_Entry]


_CHAT = dict(chat=True, streaming=True, function_calling=True, json_mode=True)
_NOT_CHAT = dict(
    chat=False,
    function_calling=False,
    json_mode=False,
    streaming=False,
    structured_output=False,
    reasoning=False,
)
_TEXT_IN_ONLY = dict(vision=False, **_NOT_CHAT)

# The most specific match decides (rules.py): an exception is a longer pattern, not a later line.
# Image input per OpenAI's model pages: gpt-image / chatgpt-image and omni-moderation take
# images; the search and audio previews take text (and audio); gpt-4-turbo-preview, o1-preview
# and o1/o3-mini take text only; the dated gpt-4 vision preview takes images.
RULES = (
    rule(r"^(gpt-|chatgpt-|o\d|ft:gpt-|ft:o\d)", **_CHAT),
    rule(r"^ft:", fine_tuning=True),
    rule(r"^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|o1|o3|o4|ft:gpt-4o)", vision=True),
    rule(r"^(gpt-4-turbo-preview|o1-preview|o1-mini|o3-mini)", vision=False),
    rule(r"^gpt-4o(-mini)?-(search|audio|realtime)", vision=False),
    rule(r"^gpt-4(-\d{4})?-vision", vision=True),
    rule(r"^(gpt-4o|gpt-4\.1|gpt-5|o1(?!-mini|-preview)|o3|o4)", structured_output=True),
    rule(r"^(o\d|gpt-5(?!-chat))", reasoning=True),
    rule(r"^(gpt-3\.5|gpt-4($|-\d{4}|-32k))", vision=False, reasoning=False),
    rule(r"embedding", embeddings=True, **_TEXT_IN_ONLY),
    rule(r"^(tts-|.*-tts)", speech=True, **_TEXT_IN_ONLY),
    rule(r"^whisper|transcribe", transcription=True, audio_input=True, **_TEXT_IN_ONLY),
    rule(r"^dall-e", image_generation=True, **_TEXT_IN_ONLY),
    rule(r"^(gpt-image|chatgpt-image)", image_generation=True, vision=True, **_NOT_CHAT),
    rule(r"moderation", moderation=True, **_NOT_CHAT),
    rule(r"^text-moderation", vision=False),
    rule(r"^omni-moderation", vision=True),
    rule(r"^(babbage|davinci)", completion=True, **_TEXT_IN_ONLY),
    rule(r"gpt-3\.5-turbo-instruct", completion=True, **_TEXT_IN_ONLY),
    rule(r"audio|realtime", audio_input=True),
    rule(r"search", web_search=True),
    rule(r"^sora", **_NOT_CHAT),
)

FAMILIES = (
    family("gpt_3_5_models", r"gpt-3\.5"),
    family("gpt_4_models", r"gpt-4(?=$|[-.])"),
    family("gpt_4o_models", r"gpt-4o"),
    family("gpt_5_models", r"gpt-5"),
    family("o_series_models", r"^o\d"),
)


class OpenAIAdapter(Adapter):
    spec = ProviderSpec(
        name="openai",
        title="OpenAI",
        key_envs=("OPENAI_API_KEY",),
        base_url_env="OPENAI_BASE_URL",
        default_base_url="https://api.openai.com/v1",
    )
    families = FAMILIES
    capability_rules = RULES

    async def list_entries(self, http: HttpClient) -> list[_Entry]:
        payload = await self.get_page(http)
        return self.parse(_List, payload).data

    async def fetch(self, http: HttpClient) -> list[Model]:
        return [self.normalize(e) for e in await self.list_entries(http)]

    def normalize(self, e: _Entry) -> Model:
        shutdown = from_iso(e.shutdown_date)
        return Model(
            provider=self.name,
            id=e.id,
            name=display_name(e.id),
            owned_by=e.owned_by,
            created=from_unix(e.created),
            capabilities=capabilities_from_rules(e.id, self.capability_rules),
            lifecycle="deprecated" if shutdown else "active",
            shutdown_date=shutdown,
        )
