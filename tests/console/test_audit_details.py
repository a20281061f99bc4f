"""The audit log's details read as values, not Python: Yes/No, role names, before → after."""

import pytest
from django.urls import reverse

from console.audit_labels import change_rows
from console.models import AuditEvent
from console.services import audit_record, user_set_roles
from merchants.models import Merchant
from merchants.services import merchant_update
from tests.factories import logged_in
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db
PYTHON_REPR = ("True", "False", "None", "['", "{'", "[]")


def details(response) -> str:
    body = response.content.decode()
    return body[body.index('data-testid="audit-events"') :]


def test_details_show_readable_values_in_english(admin_user):
    admin_user.first_name = "Ada"
    admin_user.save()
    agent = make_user("audit_agent", "agent")
    user_set_roles(user=agent, roles=["agent", "supervisor"], by=admin_user)
    merchant = Merchant.objects.create(mchid="1900000109", name="A")
    merchant_update(merchant=merchant, by=admin_user, active=False, sub_mchids=["1900000001"])
    audit_record(action="merchant.connection_tested", actor=admin_user,
                 changes={"ok": True, "code": "", "request_id": ""})  # fmt: skip

    page = details(logged_in(admin_user, "en").get(reverse("console:audit")))

    for raw in PYTHON_REPR:
        assert raw not in page, raw
    assert "Agent, Supervisor" in page  # roles after, by their labels
    assert "Yes → No" in page  # merchant.updated: active, before → after
    assert "— → 1900000001" in page
    assert "Succeeded</span> Yes" in page
    assert ">Ada<" in page  # the actor by their name


def test_details_speak_chinese_in_the_chinese_ui(admin_user):
    audit_record(action="merchant.connection_tested", actor=admin_user, changes={"ok": False})

    page = details(logged_in(admin_user, "zh-hans").get(reverse("console:audit")))

    assert "成功</span> 否" in page and "False" not in page


def test_unknown_keys_and_values_are_shown_as_they_are():
    assert change_rows({"whatever": 3, "nested": {"ok": True}}) == [
        ("whatever", "3"),
        ("nested", "Succeeded: Yes"),
    ]
    assert change_rows(None) == []
    assert AuditEvent.objects.count() == 0
