"""WCAG AA contrast on the main pages, measured in real Chromium from the computed styles: every
piece of visible text against the background it is painted on (4.5:1, or 3:1 for large text), and
the border of every text field and list against its surroundings (3:1, non-text contrast).
Both languages: Chinese pages may pick other fonts and sizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import session_cookie
from tests.pages_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# In the page: what falls short, as "ratio required | colours | element | text".
SHORTFALLS = (Path(__file__).parent / "contrast.js").read_text()
CSS = Path(settings.BASE_DIR) / "static" / "css"


def pages(world) -> list[tuple[str, str]]:
    complaint = world.complaint.pk
    return [
        ("agent_a", reverse("complaints:queue")),
        ("agent_a", reverse("complaints:detail", args=[complaint])),
        ("agent_a", reverse("messaging:composer_page", args=[complaint])),
        ("supervisor_a", reverse("messaging:history")),
        ("supervisor_a", reverse("messaging:kpis")),
        ("admin", reverse("console:audit")),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_text_and_fields_meet_wcag_aa_contrast(live_server, page, language):
    world = build_world()
    found: list[str] = []
    language_cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language}
    page.context.add_cookies([{**language_cookie, "url": live_server.url}])
    page.goto(live_server.url + reverse("login"))
    page.locator("input[name=username]").fill("nobody")
    page.locator("input[name=password]").fill("wrong password")
    page.locator("main button.primary").click()  # the login form with its error showing
    expect(page.locator("main")).to_be_visible()
    found += [f"login: {problem}" for problem in page.evaluate(SHORTFALLS)]
    for key, url in pages(world):
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                session_cookie(world.users[key], live_server.url),
                {**language_cookie, "url": live_server.url},
            ]
        )
        page.goto(live_server.url + url)
        expect(page.locator("main")).to_be_visible()
        page.wait_for_load_state("networkidle")
        found += [f"{url}: {problem}" for problem in page.evaluate(SHORTFALLS)]

    assert not found, "\n".join(found)


def test_the_brand_colours_meet_aa_on_white_and_on_their_tints():
    """The custom properties themselves, so a new page using them starts compliant."""
    declared = r"--([a-z-]+):\s*(#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b)"
    colours = dict(re.findall(declared, (CSS / "console.css").read_text()))

    for text, background, needed in [
        ("fg", "bg", 4.5),
        ("muted", "bg", 4.5),
        ("brand", "card", 4.5),  # links and outlines in the brand colour
        ("card", "brand", 4.5),  # white text on a primary button
        ("card", "brand-dark", 4.5),
        ("danger", "card", 4.5),
        ("warn", "card", 4.5),
        ("info", "card", 4.5),
        ("control-line", "card", 3.0),  # the edge of a text field
    ]:
        ratio = contrast(colours[text], colours[background])
        assert ratio >= needed, f"--{text} on --{background}: {ratio:.2f} < {needed}"


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        if len(colour) == 4:  # #fff
            colour = "#" + "".join(digit * 2 for digit in colour[1:])
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_check_can_fail(live_server, page):
    page.goto(live_server.url + reverse("login"))
    page.evaluate("""() => {
      const pale = document.createElement("p");
      pale.textContent = "pale green";
      pale.style.color = "#07c160";  /* the old brand green: 2.4:1 on white */
      document.querySelector("main").append(pale);
    }""")

    assert any("pale green" in problem for problem in page.evaluate(SHORTFALLS))
