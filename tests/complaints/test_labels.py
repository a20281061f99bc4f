"""WeChat's codes are shown by their names: complaint states and history operate types, in the
glossary's words; a code the console does not know yet is shown as received."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from complaints.models import HistoryEntry, TimelineEvent
from tests.complaints.conftest import make_complaint, make_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, working_agent):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def detail(client, complaint) -> str:
    return client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()


def state_shown(page: str) -> str:
    return re.search(r'data-testid="state">([^<]*)<', page).group(1)


def operate_types_shown(page: str) -> list[str]:
    return re.findall(r'data-testid="operate-type">([^<]*)<', page)


def test_the_state_is_shown_by_its_name(english, merchant):
    complaint = make_complaint(merchant, complaint_state="PROCESSING")

    assert state_shown(detail(english, complaint)) == "Processing"


def test_the_state_is_shown_in_chinese_by_default(client, working_agent, merchant):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    complaint = make_complaint(merchant)

    assert state_shown(detail(client, complaint)) == "待处理"


def test_an_unknown_state_is_shown_as_received(english, merchant):
    complaint = make_complaint(merchant, complaint_state="SOMETHING_NEW")

    assert state_shown(detail(english, complaint)) == "SOMETHING_NEW"


def test_history_operate_types_are_shown_by_their_names(english, merchant):
    complaint = make_complaint(merchant)
    entries = make_history(complaint, 3)
    kinds = ["USER_CREATE_COMPLAINT", "MERCHANT_REFUSE_RERUND", "BRAND_NEW_TYPE"]  # sic
    for entry, kind in zip(entries, kinds, strict=True):
        HistoryEntry.objects.filter(pk=entry.pk).update(operate_type=kind)

    shown = operate_types_shown(detail(english, complaint))

    assert shown == ["User filed the complaint", "Refund rejected", "BRAND_NEW_TYPE"]


def test_state_and_deadline_changes_in_the_timeline_use_names(english, merchant):
    complaint = make_complaint(merchant)
    TimelineEvent.objects.create(
        complaint=complaint, kind="state_changed", data={"from": "PENDING", "to": "PROCESSING"}
    )
    TimelineEvent.objects.create(
        complaint=complaint, kind="sla_changed", data={"from": "on_track", "to": "at_risk"}
    )

    page = detail(english, complaint)

    assert "Pending → Processing" in page
    assert "On track → Due soon" in page
    assert "PENDING" not in page.split('data-testid="timeline"')[1]


def test_the_queue_shows_state_names(english, merchant):
    make_complaint(merchant, complaint_state="PROCESSING")

    page = english.get(reverse("complaints:queue") + "?view=processing").content.decode()

    assert "<td>Processing</td>" in page
