"""Rules and supervisor pages: permissions per role and per merchant, and what they do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from automation.models import AutoReplyRule
from automation.services import supervisor_scan
from console.models import AuditEvent
from console.roles import ADMIN, AGENT, SUPERVISOR
from tests.automation.conftest import assign, make_complaint, make_rule, make_template
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(merchant):
    user = make_user("boss", SUPERVISOR)
    assign(user, merchant)
    return user


def rule_form(template, **overrides) -> dict:
    data = {
        "name": "夜间自动回复",
        "priority": "10",
        "immediate": "any",
        "refund": "any",
        "keywords": "",
        "hours": "outside",
        "work_start": "09:00",
        "work_end": "18:00",
        "work_days": ["0", "1", "2", "3", "4"],
        "template": str(template.pk),
        "response_text": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("role", "status"), [(AGENT, 403), (ADMIN, 403), (SUPERVISOR, 200)])
def test_rules_page_needs_manage_templates(client, merchant, role, status):
    user = make_user(f"user_{role}", role)
    assign(user, merchant)
    client.force_login(user)

    assert client.get(reverse("automation:rules")).status_code == status


@pytest.mark.parametrize(("role", "status"), [(AGENT, 403), (ADMIN, 403), (SUPERVISOR, 200)])
def test_supervisor_page_needs_review_replies(client, merchant, role, status):
    user = make_user(f"user_{role}", role)
    assign(user, merchant)
    client.force_login(user)

    assert client.get(reverse("automation:supervisor")).status_code == status


def test_another_merchants_rule_is_not_found(client, boss, other_merchant):
    rule = make_rule(other_merchant)
    client.force_login(boss)

    for name in ("rule_edit", "rule_dry_run", "rule_delete"):
        assert client.get(reverse(f"automation:{name}", args=[rule.pk])).status_code == 404
    answer = client.post(reverse("automation:rule_switch", args=[rule.pk]), {"enabled": "1"})
    assert answer.status_code == 404
    assert (
        client.get(reverse("automation:rule_create", args=[other_merchant.pk])).status_code == 404
    )


def test_creating_a_rule_saves_it_switched_off_and_shows_the_dry_run(client, boss, merchant):
    template = make_template(merchant)
    client.force_login(boss)

    answer = client.post(reverse("automation:rule_create", args=[merchant.pk]), rule_form(template))

    rule = AutoReplyRule.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("automation:rule_dry_run", args=[rule.pk])
    assert (rule.enabled, rule.hours, rule.work_days) == (False, "outside", [0, 1, 2, 3, 4])
    assert AuditEvent.objects.filter(action="auto_rule.created").exists()


def test_another_merchants_template_cannot_be_chosen(client, boss, merchant, other_merchant):
    foreign = make_template(other_merchant)
    client.force_login(boss)

    answer = client.post(reverse("automation:rule_create", args=[merchant.pk]), rule_form(foreign))

    assert answer.status_code == 200
    assert "template" in answer.context["form"].errors
    assert not AutoReplyRule.objects.exists()


def test_a_reply_that_would_not_validate_is_refused_with_the_reason(client, boss, merchant):
    template = make_template(merchant)
    client.force_login(boss)

    answer = client.post(
        reverse("automation:rule_create", args=[merchant.pk]),
        rule_form(template, response_text="长" * 501),
    )

    assert "response_text" in answer.context["form"].errors
    assert not AutoReplyRule.objects.exists()


def test_switching_on_records_when_and_audits(client, boss, merchant):
    rule = make_rule(merchant, enabled=False)
    client.force_login(boss)

    client.post(reverse("automation:rule_switch", args=[rule.pk]), {"enabled": "1"})

    rule.refresh_from_db()
    assert rule.enabled and rule.enabled_at is not None
    assert AuditEvent.objects.filter(action="auto_rule.enabled", target_id=str(rule.pk)).exists()
    client.post(reverse("automation:rule_switch", args=[rule.pk]), {"enabled": "0"})
    rule.refresh_from_db()
    assert not rule.enabled and rule.enabled_at is None


def test_the_dry_run_page_lists_the_matches(client, boss, merchant):
    rule = make_rule(merchant, enabled=False, keywords="退款")
    hit = make_complaint(merchant, complaint_detail="请退款")
    miss = make_complaint(merchant, complaint_detail="没发货")
    client.force_login(boss)

    page = client.get(reverse("automation:rule_dry_run", args=[rule.pk])).content.decode()

    assert hit.complaint_id in page and miss.complaint_id not in page
    assert f"我们已收到投诉 {hit.complaint_id}" in page  # the preview, filled with its values


def test_deleting_a_rule(client, boss, merchant):
    rule = make_rule(merchant)
    client.force_login(boss)

    answer = client.post(reverse("automation:rule_delete", args=[rule.pk]))

    assert answer.status_code == 302 and not AutoReplyRule.objects.exists()


def test_supervisor_page_shows_only_my_merchants_events(client, boss, merchant, other_merchant):
    now = timezone.now()
    mine = make_complaint(merchant, first_reply_due_at=now - timedelta(minutes=1))
    theirs = make_complaint(other_merchant, first_reply_due_at=now - timedelta(minutes=1))
    supervisor_scan()
    client.force_login(boss)

    page = client.get(reverse("automation:supervisor")).content.decode()

    assert mine.complaint_id in page and theirs.complaint_id not in page


@pytest.mark.parametrize(
    ("every", "shown"), [(15.0, "every 15 minutes"), (7.5, "every 7.5 minutes")]
)
def test_supervisor_page_states_the_digest_interval_as_configured(
    client, boss, settings, every, shown
):
    settings.AUTOMATION_DIGEST_EVERY_MINUTES = every
    client.force_login(boss)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("automation:supervisor")).content.decode()

    assert shown in page


def test_task_names_are_stable():
    from automation import tasks

    assert tasks.scan_supervisor_events.name == "automation.scan_supervisor_events"
    assert tasks.send_digest.name == "automation.send_digest"
    assert tasks.sweep_alerts.name == "automation.sweep_alerts"
