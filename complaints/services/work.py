"""What agents do to a complaint: claim, assign, release, notes, phone reveal, complete, refund.

Each change: one transaction, the complaint row locked (select_for_update), one timeline event.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Complaint, TimelineEvent
from complaints.ports import reply_side
from complaints.selectors import refund_decided
from complaints.services.hooks import on_complaint_handled
from complaints.services.search import complaint_search_refresh
from console import events
from console.encryption import decrypt_text
from console.people import person_name
from console.roles import perm
from console.services import audit_record
from merchants.selectors import merchant_ids_visible_to


class WorkError(Exception):
    """A request the complaint's current state does not allow; the message is for the agent."""


class AlreadyClaimed(WorkError):
    pass


def _locked(complaint_pk: int) -> Complaint:
    # No join here: a row joined to a locked row is read from before the lock wait, so the
    # assignee is loaded afterwards, from the row as it is now.
    return Complaint.objects.select_for_update().get(pk=complaint_pk)


def _event(complaint: Complaint, kind: str, actor, **data: Any) -> TimelineEvent:
    event = TimelineEvent.objects.create(complaint=complaint, kind=kind, actor=actor, data=data)
    live_kind = events.NOTE_ADDED if kind == TimelineEvent.Kind.NOTE else events.WORK_CHANGED
    events.announce(live_kind, merchant_id=complaint.merchant_id, complaint_id=complaint.pk)
    return event


def complaint_claim(*, complaint_pk: int, user) -> Complaint:
    """Take an unassigned complaint. Of two agents claiming at once exactly one wins."""
    with transaction.atomic():
        complaint = _locked(complaint_pk)
        if complaint.assignee_id == user.pk:
            return complaint
        if complaint.assignee_id is not None:
            raise AlreadyClaimed(
                _("%(name)s already claimed this complaint.")
                % {"name": person_name(complaint.assignee)}
            )
        complaint.assignee = user
        complaint.save(update_fields=["assignee", "updated_at"])
        _event(complaint, TimelineEvent.Kind.CLAIMED, user)
        on_complaint_handled(complaint_id=complaint.pk)
        return complaint


def complaint_assign(*, complaint_pk: int, assignee_pk: int, by) -> Complaint:
    """Give a complaint to a colleague who works for its merchant."""
    with transaction.atomic():
        complaint = _locked(complaint_pk)
        assignee = get_user_model().objects.filter(pk=assignee_pk, is_active=True).first()
        if assignee is None or not _may_work_on(assignee, complaint):
            raise WorkError(_("That person does not work on this merchant's complaints."))
        if complaint.assignee_id == assignee.pk:
            return complaint
        previous = person_name(complaint.assignee)
        complaint.assignee = assignee
        complaint.save(update_fields=["assignee", "updated_at"])
        _event(
            complaint,
            TimelineEvent.Kind.ASSIGNED,
            by,
            to=person_name(assignee),
            to_id=assignee.pk,
            previous=previous,
        )
        on_complaint_handled(complaint_id=complaint.pk)
        return complaint


def complaint_release(*, complaint_pk: int, user) -> Complaint:
    """Hand a complaint back to the queue: its assignee may, and so may a supervisor."""
    with transaction.atomic():
        complaint = _locked(complaint_pk)
        if complaint.assignee_id is None:
            return complaint
        if complaint.assignee_id != user.pk and not user.has_perm(perm("review_replies")):
            raise WorkError(_("Only the assignee or a supervisor can release this complaint."))
        previous = person_name(complaint.assignee)
        complaint.assignee = None
        complaint.save(update_fields=["assignee", "updated_at"])
        _event(complaint, TimelineEvent.Kind.RELEASED, user, previous=previous)
        return complaint


def _may_work_on(user, complaint: Complaint) -> bool:
    return (
        user.has_perm(perm("work_complaints"))
        and merchant_ids_visible_to(user).filter(pk=complaint.merchant_id).exists()
    )


def assignable_users(complaint: Complaint):
    """Colleagues a complaint can be assigned to (one query)."""
    users = get_user_model().objects.filter(
        is_active=True, merchant_assignments__merchant_id=complaint.merchant_id
    )
    codename = "work_complaints"
    return (
        users.filter(groups__permissions__codename=codename)
        .distinct()
        .order_by("username")
        .only("pk", "username", "first_name", "last_name")
    )


def note_add(*, complaint: Complaint, author, text: str) -> TimelineEvent:
    """An internal note: in the timeline, never sent to WeChat."""
    text = text.strip()
    if not text:
        raise WorkError(_("A note cannot be empty."))
    with transaction.atomic():
        event = _event(complaint, TimelineEvent.Kind.NOTE, author, text=text[:4000])
        complaint_search_refresh(complaint_pks=[complaint.pk])
    return event


def phone_reveal(*, complaint: Complaint, user, ip: str | None = None) -> str:
    """The payer's full phone number, for a supervisor; every reveal is audited and shown in
    the timeline. The number itself is never written to either."""
    if not user.has_perm(perm("reveal_phone")):
        raise WorkError(_("You may not reveal phone numbers."))
    if not complaint.payer_phone_encrypted:
        raise WorkError(_("This complaint has no phone number."))
    with transaction.atomic():
        audit_record(
            action="complaint.phone_revealed",
            actor=user,
            ip=ip,
            target_type="complaint",
            target_id=complaint.complaint_id,
            mchid=complaint.merchant.mchid,
        )
        _event(complaint, TimelineEvent.Kind.PHONE_REVEALED, user)
    return decrypt_text(complaint.payer_phone_encrypted)


def _submit(*, complaint: Complaint, user, endpoint: str, payload: dict, idempotent_id: uuid.UUID):
    return reply_side().submit(
        complaint=complaint,
        author=user,
        endpoint=endpoint,
        payload=payload,
        idempotent_id=idempotent_id,
    )


def complaint_complete_request(*, complaint: Complaint, user, idempotent_id: uuid.UUID):
    """Queue "mark as processed" (§3.6) through the delivery path."""
    if not user.has_perm(perm("complete_complaint")):
        raise WorkError(_("You may not mark complaints as processed."))
    if complaint.complaint_state == Complaint.State.PROCESSED:
        raise WorkError(_("This complaint is already processed."))
    payload = {"complainted_mchid": complaint.complainted_mchid}
    return _submit(
        complaint=complaint,
        user=user,
        endpoint="complete",
        payload=payload,
        idempotent_id=idempotent_id,
    )


def complaint_refund_decide(
    *,
    complaint: Complaint,
    user,
    idempotent_id: uuid.UUID,
    action: str,
    launch_refund_day: int | None = None,
    reject_reason: str = "",
    remark: str = "",
):
    """Queue a refund approval or rejection (§3.7) through the delivery path."""
    if not user.has_perm(perm("decide_refund")):
        raise WorkError(_("You may not decide refunds."))
    if complaint.problem_type != "REFUND":
        raise WorkError(_("Only refund complaints take a refund decision."))
    if complaint.complaint_state == Complaint.State.PROCESSED:
        raise WorkError(_("This complaint is already processed."))
    if refund_decided(complaint):
        raise WorkError(_("WeChat Pay already has this complaint's refund decision."))
    payload: dict[str, Any] = {"action": action}
    if action == "APPROVE":
        if launch_refund_day is not None:
            payload["launch_refund_day"] = launch_refund_day
    elif action == "REJECT":
        if not reject_reason.strip():
            raise WorkError(_("Give the user a reason for rejecting the refund."))
        payload["reject_reason"] = reject_reason.strip()
    else:
        raise WorkError(_("Choose approve or reject."))
    if remark.strip():
        payload["remark"] = remark.strip()
    return _submit(
        complaint=complaint,
        user=user,
        endpoint="update-refund-progress",
        payload=payload,
        idempotent_id=idempotent_id,
    )
