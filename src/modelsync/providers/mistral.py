"""Mistral: ``GET {base}/models``, one unpaginated page, Bearer auth.

What is special about the wire format, and what the adapter does about it:

- **Alias ids are listed as separate entries.** ``mistral-medium-latest``, ``mistral-medium`` and
  ``mistral-medium-2508`` each come back as their own card, all with ``name`` =
  ``mistral-medium-2508`` and the other ids in ``aliases``. The adapter stores ONE model per
  underlying model (cards grouped by ``name``), with every other id recorded in ``aliases``.
- **The canonical id is the pinned ``name``** (``mistral-medium-2508``), not ``-latest``: a pinned
  id always means the same weights, while ``-latest`` moves to the next release. Keyed by the
  pinned id, a new release shows up as a new model and the moving alias follows it, instead of
  one catalog row silently changing meaning. ``name`` is also what Mistral calls the model, and
  the only value all cards of a group share. If ``name`` is missing, or is not one of the group's
  callable ids, the card's own ``id`` is used. The catalog's search and ``check`` look at
  aliases too: a user searching for ``mistral-medium-latest`` finds ``mistral-medium-2508``.
- **One id may name two models.** The real list shows ``voxtral-mini-2507`` and
  ``voxtral-mini-latest`` under the chat model and again under the transcribe model (which model
  answers depends on the endpoint called). Both models are kept: when two groups would get the
  same canonical id, a group whose ``name`` differs from it is keyed by its ``name`` instead,
  with the shared ids as aliases. ``modelsync show`` then reports the shared id as ambiguous.
- **``capabilities`` is an object of booleans that grew over time.** Older answers carry only a
  subset of keys; a missing key is *unknown* (left to the id rules), never false. Mistral's keys
  map onto our vocabulary by the ``CAPABILITY_MAP`` table (several may feed one capability: any
  true wins). ``ocr`` only ever adds ``pdf_input`` (chat models read documents too), and
  ``classification`` has no counterpart in our vocabulary, so it is not recorded.
- **``created`` is the listing time**, identical on every base card, not a release date, so it is
  dropped for base models; a fine-tuned card's ``created`` is its real creation time and is kept.
- ``deprecation`` (a datetime) is the **retirement** date, not the day the deprecation was
  announced: a real list answered on 2025-12-30 (every card's ``created`` 1767094366, quoted in
  a public repository) gives ``ministral-3b-2410`` ``"deprecation": "2025-12-31T12:00:00Z"``,
  while Mistral's own model page for it says "deprecationDate: December 2, 2025,
  retirementDate: December 31, 2025" (mistralai/platform-docs-public
  ``src/schema/models/models/ministral-3b-24-1.ts`` at 038807d). So it becomes
  ``shutdown_date`` (the model is ``deprecated`` until then, ``retired`` after, decided at read
  time), and ``deprecation_replacement_model`` the ``replacement``. The list has no
  announcement date. ``type`` is ``base`` or
  ``fine-tuned``; a fine-tuned card names its ``root`` model, and an ``archived`` one cannot serve
  requests, so it is ``retired``.
- Errors come in three body shapes (``{"detail": ...}``, ``{"message": ..., "request_id": ...}``
  and ``{"object": "error", "message": ..., "type": ...}``); the generic error map reads all
  three, so nothing Mistral-specific is needed there.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from ..http import HttpClient
from ..model import Capability, Model
from ..rules import capabilities_from_rules, merge_capabilities, rule
from ..stats import family
from .base import Adapter, ProviderSpec, Wire, from_iso, from_unix
from .naming import display_name

Lifecycle = Literal["active", "preview", "deprecated", "retired"]


class _Caps(Wire):
    completion_chat: bool | None = None
    function_calling: bool | None = None
    reasoning: bool | None = None
    completion_fim: bool | None = None
    fine_tuning: bool | None = None
    vision: bool | None = None
    ocr: bool | None = None
    classification: bool | None = None
    moderation: bool | None = None
    audio: bool | None = None
    audio_transcription: bool | None = None
    audio_transcription_realtime: bool | None = None
    audio_speech: bool | None = None


class _Card(Wire):
    id: str
    created: int | None = None
    owned_by: str | None = None
    capabilities: _Caps | None = None
    name: str | None = None
    description: str | None = None
    max_context_length: int | None = None
    aliases: list[str] | None = None
    deprecation: str | None = None
    deprecation_replacement_model: str | None = None
    type: str | None = None
    root: str | None = None
    archived: bool | None = None


class _List(Wire):
    data: list[_Card]


#: Mistral capability key -> (our capability, whether a ``false`` is also a fact).
CAPABILITY_MAP: tuple[tuple[str, str, bool], ...] = (
    ("completion_chat", "chat", True),
    ("function_calling", "function_calling", True),
    ("reasoning", "reasoning", True),
    ("completion_fim", "completion", True),
    ("fine_tuning", "fine_tuning", True),
    ("vision", "vision", True),
    ("ocr", "pdf_input", False),
    ("moderation", "moderation", True),
    ("audio", "audio_input", True),
    ("audio_transcription", "transcription", True),
    ("audio_transcription_realtime", "transcription", False),
    ("audio_speech", "speech", True),
)

_NOT_CHAT = dict(chat=False, streaming=False, json_mode=False, structured_output=False)

RULES = (
    rule(
        r"^(ft:|mistral-(large|medium|small|tiny|saba)|open-mi[sx]tral|codestral(?!-embed)|"
        r"devstral|magistral|ministral|pixtral|voxtral)",
        chat=True,
        streaming=True,
        json_mode=True,
        structured_output=True,
        function_calling=True,
    ),
    rule(r"^magistral", reasoning=True),
    rule(r"^pixtral", vision=True),
    rule(r"^voxtral", audio_input=True),
    rule(r"embed", embeddings=True, function_calling=False, **_NOT_CHAT),
    rule(r"moderation", moderation=True, function_calling=False, **_NOT_CHAT),
    rule(r"ocr", pdf_input=True, function_calling=False, **_NOT_CHAT),
    rule(r"transcribe", transcription=True, audio_input=True, function_calling=False, **_NOT_CHAT),
)

FAMILIES = (
    family("codestral_models", r"codestral"),
    family("mistral_large_models", r"mistral-large"),
    family("mistral_medium_models", r"mistral-medium"),
    family("mistral_small_models", r"mistral-small"),
    family("ministral_models", r"ministral"),
    family("pixtral_models", r"pixtral"),
    family("magistral_models", r"magistral"),
    family("devstral_models", r"devstral"),
)


def stated_capabilities(caps: _Caps | None) -> dict[str, Capability]:
    """Mistral's booleans in our vocabulary; missing keys stay unknown, any ``true`` wins."""
    if caps is None:
        return {}
    found: dict[str, bool] = {}
    for key, ours, false_is_fact in CAPABILITY_MAP:
        value: bool | None = getattr(caps, key)
        if value is None or (value is False and not false_is_fact):
            continue
        found[ours] = found.get(ours, False) or value
    return {k: Capability(supported=v, source="api") for k, v in found.items()}


def _is(stated: dict[str, Capability], name: str) -> bool:
    cap = stated.get(name)
    return cap is not None and cap.supported


def _inputs(stated: dict[str, Capability]) -> tuple[str, ...]:
    """Input modalities the API's booleans imply; nothing when it stated nothing."""
    if not stated:
        return ()
    audio_only = _is(stated, "transcription") and not _is(stated, "chat")
    found = [] if audio_only else ["text"]
    if _is(stated, "vision") or _is(stated, "pdf_input"):
        found.append("image")
    if _is(stated, "audio_input") or _is(stated, "transcription"):
        found.append("audio")
    return tuple(found)


def _outputs(stated: dict[str, Capability]) -> tuple[str, ...]:
    if _is(stated, "speech"):
        return ("audio",)
    if any(_is(stated, c) for c in ("chat", "completion", "transcription", "pdf_input")):
        return ("text",)
    return ()


def _group_key(card: _Card) -> str:
    return card.name or card.id


class MistralAdapter(Adapter):
    spec = ProviderSpec(
        name="mistral",
        title="Mistral AI",
        key_envs=("MISTRAL_API_KEY",),
        base_url_env="MISTRAL_BASE_URL",
        default_base_url="https://api.mistral.ai/v1",
        docs_url="https://console.mistral.ai/api-keys",
    )
    families = FAMILIES
    capability_rules = RULES

    async def fetch(self, http: HttpClient) -> list[Model]:
        payload = await self.get_page(http)
        cards = self.parse(_List, payload).data
        groups: dict[str, list[_Card]] = {}
        for card in cards:
            groups.setdefault(_group_key(card), []).append(card)
        models = [self.normalize(group) for group in groups.values()]
        taken = Counter(m.id for m in models)
        for i, (key, group) in enumerate(groups.items()):
            if taken[models[i].id] > 1 and key != models[i].id:
                models[i] = self.normalize(group, canonical=key)
        return models

    def normalize(self, group: list[_Card], *, canonical: str | None = None) -> Model:
        """One model from every card that names the same underlying model."""
        callable_ids: list[str] = []
        for card in group:
            for ident in (card.id, *(card.aliases or ())):
                if ident and ident not in callable_ids:
                    callable_ids.append(ident)
        name = group[0].name
        if canonical is None:
            canonical = name if name and name in callable_ids else group[0].id
        primary = next((c for c in group if c.id == canonical), group[0])
        aliases = tuple(i for i in callable_ids if i != canonical)

        fine_tuned = primary.type == "fine-tuned"
        deprecated = bool(primary.deprecation or primary.deprecation_replacement_model)
        lifecycle: Lifecycle = (
            "retired" if primary.archived else ("deprecated" if deprecated else "active")
        )
        description = primary.description or (
            f"Fine-tuned from {primary.root}." if fine_tuned and primary.root else None
        )
        stated = stated_capabilities(primary.capabilities)
        return Model(
            provider=self.name,
            id=canonical,
            name=canonical if fine_tuned else display_name(canonical),
            owned_by=primary.owned_by or "mistralai",
            created=from_unix(primary.created) if fine_tuned else None,
            description=description,
            capabilities=merge_capabilities(
                stated, capabilities_from_rules(canonical, self.capability_rules)
            ),
            input_modalities=_inputs(stated),
            output_modalities=_outputs(stated),
            context_window=primary.max_context_length or None,
            aliases=aliases,
            lifecycle=lifecycle,
            shutdown_date=from_iso(primary.deprecation),
            replacement=primary.deprecation_replacement_model or None,
        )
