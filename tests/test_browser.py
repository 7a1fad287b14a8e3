"""The web page in a real headless browser: Debian's Chromium driven by Playwright.

The table loads, a search and a filter narrow it, a column sorts, a model page opens with every
field and its source, nothing overflows a phone's width. Screenshots at laptop and phone widths
go to ``tests/artifacts/`` (git-ignored); the path is printed. Chromium comes from the project's
set-up (``scripts/install-system-deps.sh``); without it this test fails, it never skips.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelsync.catalog import Catalog
from tests.emulators import ProviderEmulator, default_models
from tests.fixtures import BASE_ENV, CORE, KEY_ENV, TEST_KEYS
from tests.serving import Server, clean_env, serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    tmp = tmp_path_factory.mktemp("site")
    env = clean_env(tmp)
    emus = {p: ProviderEmulator.start(p, api_key=TEST_KEYS[p]) for p in CORE}
    for name, emu in emus.items():
        env[KEY_ENV[name]] = emu.api_key
        env[BASE_ENV[name]] = emu.base_url
    catalog = Catalog(env=env)
    assert catalog.sync().exit_code == 0
    openai = default_models("openai")
    emus["openai"].set_models([*openai, {**openai[0], "id": "gpt-browser-new"}])
    assert catalog.provider("openai").sync_models(force_refresh=True).status == "success"
    total = len(catalog.raw_models()[0])
    catalog.close()
    server = serve(env, tmp / "serve.log")
    yield server, total
    server.stop()
    for emu in emus.values():
        emu.stop()


def _browser() -> object:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (apt-get install -y "
            "chromium) to set up the browser tests",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def test_the_page_in_a_real_browser(site: tuple[Server, int]) -> None:
    server, total = site
    ARTIFACTS.mkdir(exist_ok=True)
    print(f"\nscreenshots: {ARTIFACTS}")
    with _browser() as p:  # type: ignore[attr-defined]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport=LAPTOP)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server.url + "/")
            rows = page.locator("#table tbody tr")
            assert rows.count() == total
            assert page.locator("#count").inner_text() == f"{total} shown"
            assert page.locator(".health .card").count() >= len(CORE)
            assert "gpt-browser-new" in page.locator("#changes").inner_text()
            page.screenshot(path=str(ARTIFACTS / "laptop-index.png"))

            # search narrows the table as you type
            page.fill("#q", "gemini")
            page.wait_for_function("document.querySelector('#count').textContent.includes(' of ')")
            visible = page.locator("#table tbody tr:not([hidden])")
            shown = visible.count()
            assert 0 < shown < total
            for i in range(shown):
                assert "gemini" in visible.nth(i).inner_text().lower()
            assert "search=gemini" in page.url  # the filter is in the link

            # a provider filter narrows it further, a capability filter too
            page.fill("#q", "")
            page.select_option("#provider", "openai")
            openai_rows = page.locator("#table tbody tr:not([hidden])").count()
            assert 0 < openai_rows < total
            page.select_option("#capability", "vision")
            with_vision = page.locator("#table tbody tr:not([hidden])").count()
            assert 0 < with_vision < openai_rows
            page.screenshot(path=str(ARTIFACTS / "laptop-filtered.png"))
            page.click("#reset")
            assert page.locator("#table tbody tr:not([hidden])").count() == total

            # sorting by context puts the largest first, unknown last
            page.click("th[data-sort=context] button")
            contexts = page.eval_on_selector_all(
                "#table tbody tr", "rows => rows.map(r => r.dataset.context)"
            )
            known = [int(c) for c in contexts if c]
            assert known == sorted(known, reverse=True)
            assert all(contexts[: len(known)])  # unknown ones come after every known one

            # a model page: every field with its source, capabilities yes/no/unknown
            page.fill("#q", "gpt-4o-mini")
            page.wait_for_function(
                "document.querySelectorAll('#table tbody tr:not([hidden])').length < 5"
            )
            page.click('#table tbody tr:not([hidden]) a[href="/models/openai/gpt-4o-mini"]')
            page.wait_for_url("**/models/openai/gpt-4o-mini")
            assert page.locator("h1").inner_text() == "GPT-4o mini"
            facts = page.locator("table.facts").first.inner_text().lower()
            assert "context window" in facts
            assert "catalog" in facts or "api" in facts
            caps = page.locator(".caps li")
            assert caps.count() > 10
            assert page.locator(".caps .cap.unknown").count() > 0
            page.screenshot(path=str(ARTIFACTS / "laptop-model.png"), full_page=True)

            # a phone: nothing wider than the screen, rows readable as cards
            phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
            phone.goto(server.url + "/")
            assert phone.locator("#table tbody tr").count() == total
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width
            phone.screenshot(path=str(ARTIFACTS / "phone-index.png"))
            phone.locator("#models").scroll_into_view_if_needed()
            phone.screenshot(path=str(ARTIFACTS / "phone-table.png"))
            phone.goto(server.url + "/models/openai/gpt-4o-mini")
            phone.screenshot(path=str(ARTIFACTS / "phone-model.png"), full_page=True)
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert errors == []
        finally:
            browser.close()
    for name in ("laptop-index", "laptop-filtered", "laptop-model", "phone-index", "phone-model"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000
