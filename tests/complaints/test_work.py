"""Claim, assign, release, notes and the audited phone reveal."""

from __future__ import annotations

import pytest

from complaints.models import TimelineEvent
from complaints.services import (
    AlreadyClaimed,
    WorkError,
    complaint_assign,
    complaint_claim,
    complaint_release,
    note_add,
    phone_reveal,
)
from console.encryption import encrypt_text
from console.models import AuditEvent
from console.roles import AGENT
from tests.complaints.conftest import assign, make_complaint
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


def kinds(complaint) -> list[str]:
    return list(TimelineEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))


def test_claiming_assigns_and_records_it(working_agent, merchant):
    complaint = make_complaint(merchant)

    complaint_claim(complaint_pk=complaint.pk, user=working_agent)

    complaint.refresh_from_db()
    assert complaint.assignee == working_agent
    assert kinds(complaint) == ["claimed"]


def test_a_claimed_complaint_cannot_be_claimed_by_someone_else(working_agent, merchant):
    other = make_user("agent_b", AGENT)
    complaint = make_complaint(merchant, assignee=other)

    with pytest.raises(AlreadyClaimed, match="agent_b"):
        complaint_claim(complaint_pk=complaint.pk, user=working_agent)
    assert kinds(complaint) == []


def test_assigning_to_someone_without_the_merchant_is_refused(working_agent, merchant):
    outsider = make_user("agent_c", AGENT)
    complaint = make_complaint(merchant)

    with pytest.raises(WorkError):
        complaint_assign(complaint_pk=complaint.pk, assignee_pk=outsider.pk, by=working_agent)


def test_assign_then_release_by_the_assignee(working_agent, merchant):
    colleague = make_user("agent_b", AGENT)
    assign(colleague, merchant)
    complaint = make_complaint(merchant)

    complaint_assign(complaint_pk=complaint.pk, assignee_pk=colleague.pk, by=working_agent)
    with pytest.raises(WorkError):
        complaint_release(complaint_pk=complaint.pk, user=working_agent)
    complaint_release(complaint_pk=complaint.pk, user=colleague)

    complaint.refresh_from_db()
    assert complaint.assignee is None
    assert kinds(complaint) == ["assigned", "released"]


def test_a_supervisor_may_release_anyones_complaint(working_agent, supervisor, merchant):
    complaint = make_complaint(merchant, assignee=working_agent)

    complaint_release(complaint_pk=complaint.pk, user=supervisor)

    complaint.refresh_from_db()
    assert complaint.assignee is None


def test_notes_are_timeline_events_and_empty_ones_are_refused(working_agent, merchant):
    complaint = make_complaint(merchant)

    note_add(complaint=complaint, author=working_agent, text="  called the shop  ")
    with pytest.raises(WorkError):
        note_add(complaint=complaint, author=working_agent, text="   ")

    event = TimelineEvent.objects.get(complaint=complaint)
    assert (event.kind, event.data) == ("note", {"text": "called the shop"})


def test_revealing_a_phone_is_audited_without_the_number(supervisor, merchant):
    complaint = make_complaint(
        merchant,
        payer_phone_encrypted=encrypt_text("13800138000"),
        payer_phone_masked="138****8000",
    )

    assert phone_reveal(complaint=complaint, user=supervisor) == "13800138000"

    audit = AuditEvent.objects.get(action="complaint.phone_revealed")
    assert audit.actor == supervisor
    assert "13800138000" not in str(audit.changes)
    assert kinds(complaint) == ["phone_revealed"]


def test_agents_may_not_reveal_phones(working_agent, merchant):
    complaint = make_complaint(merchant, payer_phone_encrypted=encrypt_text("13800138000"))

    with pytest.raises(WorkError):
        phone_reveal(complaint=complaint, user=working_agent)
