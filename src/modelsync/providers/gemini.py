"""Google Gemini: ``GET {base}/v1beta/models`` with the key in ``x-goog-api-key``, never the URL.

Pages by ``pageSize=1000``/``pageToken``; ids drop the ``models/`` prefix. Methods listed in
``supportedGenerationMethods`` are facts from the API; vision and function calling for Gemini
generations are rules. ``safety_filtering`` marks models whose ``generateContent`` applies Google's
safety settings, which is what the seed's ``safety_filtered_models`` counts.
"""

from __future__ import annotations

from ..http import HttpClient
from ..model import Model
from ..rules import api_caps, capabilities_from_rules, merge_capabilities, rule
from ..stats import family
from .base import Adapter, ProviderSpec, Wire


class _Entry(Wire):
    name: str
    baseModelId: str | None = None
    version: str | None = None
    displayName: str | None = None
    description: str | None = None
    inputTokenLimit: int | None = None
    outputTokenLimit: int | None = None
    supportedGenerationMethods: list[str] = []
    thinking: bool | None = None


class _Page(Wire):
    models: list[_Entry] = []
    nextPageToken: str | None = None


# The most specific match decides (rules.py). Per Google's model pages the TTS models take text
# and return audio (no image or audio input, no function calling, JSON mode or structured
# output), and the image models take text and images and give no structured output (as LiteLLM's
# map and the bundled catalog state for every Gemini image model).
RULES = (
    rule(
        r"^gemini-(1\.5|2|3)",
        vision=True,
        audio_input=True,
        multimodal=True,
        function_calling=True,
        json_mode=True,
        structured_output=True,
    ),
    rule(r"^gemini-.*(image|embedding)", function_calling=False),
    rule(
        r"^gemini-.*-tts",
        speech=True,
        vision=False,
        audio_input=False,
        function_calling=False,
        json_mode=False,
        structured_output=False,
    ),
    rule(r"^gemini-.*image", image_generation=True, audio_input=False, structured_output=False),
    rule(r"^(imagen|gemini-.*-image-generation)", image_generation=True, chat=False),
    rule(r"^veo", chat=False),
)

FAMILIES = (
    family("gemini_pro_models", r"^gemini-([\d.]+-)?pro"),
    family("gemini_flash_models", r"^gemini-([\d.]+-)?flash"),
    family("gemma_models", r"^gemma"),
)


def _strip(name: str) -> str:
    return name.split("/", 1)[1] if name.startswith("models/") else name


class GeminiAdapter(Adapter):
    spec = ProviderSpec(
        name="gemini",
        title="Google Gemini",
        key_envs=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        base_url_env="GEMINI_BASE_URL",
        default_base_url="https://generativelanguage.googleapis.com",
    )
    families = FAMILIES
    capability_rules = RULES
    list_path = "v1beta/models"
    probe_params = {"pageSize": "1"}

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.config.api_key} if self.config.api_key else {}

    async def fetch(self, http: HttpClient) -> list[Model]:
        async def page(cursor: str | None) -> tuple[list[_Entry], str | None]:
            params = {"pageSize": "1000"}
            if cursor:
                params["pageToken"] = cursor
            payload = await http.get_json(
                self.url("v1beta/models"), params=params, headers=self.auth_headers()
            )
            if isinstance(payload, dict) and "models" not in payload and payload:
                raise self.malformed("model list has no 'models' array")
            parsed = self.parse(_Page, payload)
            return parsed.models, (parsed.nextPageToken or None)

        return [self.normalize(e) for e in await self.paginate(http, page)]

    def normalize(self, e: _Entry) -> Model:
        model_id = _strip(e.name)
        methods = set(e.supportedGenerationMethods)
        generates = "generateContent" in methods
        stated = api_caps(
            chat=generates or None,
            streaming=generates or None,
            embeddings=True if methods & {"embedContent", "embedText"} else None,
            batch=True if "batchGenerateContent" in methods else None,
            prompt_caching=True if "createCachedContent" in methods else None,
            reasoning=e.thinking,
            safety_filtering=generates or None,
        )
        if not generates and methods:
            stated.update(api_caps(chat=False))
        return Model(
            provider=self.name,
            id=model_id,
            name=e.displayName or model_id,
            # The name is the API's; "preview" read off the id is a rule, which a catalog's
            # lifecycle (a shutdown date, say) may correct.
            sources={**({"name": "api"} if e.displayName else {}), "lifecycle": "rule"},
            owned_by="google",
            description=e.description,
            version=e.version,
            capabilities=merge_capabilities(stated, capabilities_from_rules(model_id, RULES)),
            context_window=e.inputTokenLimit,
            max_output_tokens=e.outputTokenLimit,
            lifecycle="preview" if ("preview" in model_id or "exp" in model_id) else "active",
        )
