"""The audit log's filter chain (console/filters.py) with input it cannot read: named on the
page, the other filters still apply."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.services import audit_record

pytestmark = pytest.mark.django_db


def test_an_unreadable_date_is_named_and_the_action_filter_still_applies(client, admin_user):
    audit_record(action="merchant.updated", changes={"name": ["x", "y"]})
    audit_record(action="user.password_changed")
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("console:audit"), {"action": "merchant.", "since": "2026-02-30"})

    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert [event.action for event in response.context["page"]] == ["merchant.updated"]
