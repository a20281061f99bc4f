"""Every code a person reads has a label: no page shows APPROVE, PROCESSING, USER_RESPONSE,
at_risk or response-immediate-service as text, in either language, to any role."""

from __future__ import annotations

import re

import pytest
from django.apps import apps

from complaints import labels
from tests.console.test_english_pages import pages
from tests.factories import logged_in
from tests.page_text import readable_parts
from tests.pages_world import build_world

ROLES = ["agent_a", "supervisor_a", "admin"]


def codes() -> set[str]:
    """The values of every choices field, and the WeChat codes the console labels itself."""
    found: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value != str(label):
                    found.add(value)
    tables = [labels.OPERATE_TYPES, labels.USER_TAGS, labels.PROBLEM_TYPES, labels.REFUND_ACTIONS,
              labels.SERVICE_ORDER_STATES, labels.STATES, labels.SLA]  # fmt: skip
    for table in tables:
        found |= set(table)
    found |= {"TEXT", "IMAGE", "LINK", "FAQ_LIST", "BUTTON", "BUTTON_GROUP", "MACHINE", "MANUAL"}
    found |= {"ACTION_TYPE_SEND_MESSAGE", "ACTION_TYPE_JUMP_URL", "ACTION_TYPE_JUMP_MINI_PROGRAM"}
    # Only codes that cannot be ordinary words: UPPER_CASE, snake_case or kebab-case.
    return {c for c in found if len(c) >= 4 and (c.isupper() or "_" in c or "-" in c)}


def raw_codes(html: str, known: set[str]) -> set[str]:
    text = " ".join(p for p in readable_parts(html) if not p.startswith("["))  # text, not titles
    tokens = set(re.findall(r"[A-Za-z0-9_-]+", text))
    return tokens & known


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
def test_pages_show_labels_not_codes(world, role, language):
    from django.urls import reverse

    known = codes()
    client = logged_in(world.users[role], language)
    found = {}
    for name, row in pages(role):
        response = client.get(reverse(name, kwargs=row.kwargs(world)), row.query or None)
        html = response["Content-Type"].startswith("text/html") and response.status_code == 200
        if html and (raw := raw_codes(response.content.decode(), known)):
            found[name] = sorted(raw)

    assert not found, found


def test_the_check_sees_a_raw_code():
    known = codes()

    assert {"APPROVE", "PROCESSING", "USER_RESPONSE", "at_risk"} <= known
    assert raw_codes("<p>APPROVE</p><p title='APPROVE'>Refund approved</p>", known) == {"APPROVE"}
