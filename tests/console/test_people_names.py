"""People are shown by their name (演示客服), not their login (agent), wherever a person shows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from console.people import person_choice_label, person_name
from tests.factories import logged_in
from tests.pages_world import build_world


@pytest.fixture
def world(db):
    return build_world()


def sections(html: str, testid: str) -> str:
    return " ".join(re.findall(rf'data-testid="{testid}".*?</(?:li|article|table)>', html, re.S))


def test_timeline_shows_names_of_actors_and_authors(world):
    client = logged_in(world.users["agent_a"])
    html = client.get(reverse("complaints:timeline", args=[world.complaint.pk])).content.decode()

    assert "Ada Agent" in html and "page_agent_a" not in html


def test_history_and_kpis_show_names(world):
    client = logged_in(world.users["supervisor_a"])
    history = client.get(reverse("messaging:history")).content.decode()
    kpis = client.get(reverse("messaging:kpis")).content.decode()

    replies = sections(history, "history-reply")
    assert "Ada Agent" in replies and "page_agent_a" not in replies
    assert "Ada Agent (page_agent_a)" in history  # the agent filter: name, then login
    by_agent = sections(kpis, "kpi-by-agent")
    assert "Ada Agent" in by_agent and "page_agent_a" not in by_agent


def test_assigned_event_and_assignee_name_the_person(world):
    client = logged_in(world.users["supervisor_a"])
    complaints = world.complaint.merchant.complaints
    other = complaints.get(complaint_id="200000000000000000000000043")

    html = client.get(reverse("complaints:timeline", args=[other.pk])).content.decode()

    assert "Assigned to Bob Agent" in html
    assert "Sam Supervisor" in html


def test_a_person_without_a_name_is_shown_by_login(db):
    from tests.fixtures.users import make_user

    nameless = make_user("kim")

    assert person_name(nameless) == "kim" and person_choice_label(nameless) == "kim"
    assert person_name(None) == ""
