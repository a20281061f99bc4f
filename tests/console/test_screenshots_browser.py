"""Every page, as each role, in both languages, in real Chromium: saved as a screenshot under
artifacts/screenshots/<lang>/<role>/<page>.png for people to look at, and checked on the way:
no script error, no screen-reader text on screen, and on English pages no Han character outside
user data (this also catches text that scripts write, which the server-side check cannot see)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.console.test_english_pages import pages
from tests.factories import session_cookie
from tests.pages_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
ROLES = {"agent_a": "agent", "supervisor_a": "supervisor", "admin": "admin"}
LANGUAGES = {"en": "en", "zh-hans": "zh"}
# Visible text of the page, without what users wrote and without text meant to be Chinese.
VISIBLE_HAN = """() => {
  const han = /[\\u3000-\\u303f\\u3400-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef]/;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !han.test(node.textContent)) continue;
    const skip = '[data-user-content], [lang^="zh"], script, style, template, [hidden]';
    if (el.closest(skip)) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    found.push(node.textContent.trim().slice(0, 80));
  }
  return found;
}"""


# Text for screen readers only must take no room on screen.
SHOWN_SR_TEXT = """() => [...document.querySelectorAll('.visually-hidden')]
  .filter((el) => el.getBoundingClientRect().width > 1)
  .map((el) => el.textContent.trim().slice(0, 80))"""


def full_pages(role: str) -> list[tuple[str, object]]:
    skip = {"complaints:timeline", "messaging:composer", "messaging:reply_status",
            "complaints:image", "complaints:images", "messaging:image_media",
            "messaging:history_csv", "messaging:history_xlsx", "healthz", "readyz",
            "complaints:stream", "refunds:panel", "refunds:history_link",
            "refunds:kpis_panel", "refunds:history_csv"}  # fmt: skip
    return [(name, row) for name, row in pages(role) if name not in skip]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_page_as_each_role(live_server, page, language):
    world = build_world()
    problems: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for key, role in ROLES.items():
        page.context.clear_cookies()
        page.context.add_cookies([
            session_cookie(world.users[key], live_server.url),
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ])  # fmt: skip
        for name, row in full_pages(key):
            url = reverse(name, kwargs=row.kwargs(world))
            errors.clear()
            response = page.goto(live_server.url + url)
            if "text/html" not in response.headers.get("content-type", ""):
                continue  # an image or a download, not a page
            expect(page.locator("main")).to_be_visible()
            page.wait_for_load_state("networkidle")
            shot = SHOTS / LANGUAGES[language] / role / f"{name.replace(':', '_')}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            if errors:
                problems.append(f"{role} {url}: script error {errors}")
            if shown := page.evaluate(SHOWN_SR_TEXT):
                problems.append(f"{role} {url}: screen-reader text on screen {shown}")
            if language == "en" and (han := page.evaluate(VISIBLE_HAN)):
                problems.append(f"{role} {url}: Chinese on an English page {han}")
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.screenshot(path=str(SHOTS / LANGUAGES[language] / "login.png"))

    assert not problems, "\n".join(problems)
