"""What WeChat Pay says about a refund (the create answer, a notification, a query) applied to
its row, once: a redelivered notification or a late answer that says nothing new changes nothing.

WeChat's state wins over ours: a refund we recorded as refused that WeChat reports is applied
(the money moved). A refund-request complaint whose refund arrived is processed, as WeChat does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, TimelineEvent
from complaints.selectors import refund_decided
from complaints.services import on_complaint_handled
from complaints.tasks import refresh_complaint
from refunds.models import Refund
from refunds.services.events import refund_announce, refund_event
from refunds.services.wechat import RefundAnswer

Status = Refund.Status
RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"
WECHAT_STATUS = {
    "PROCESSING": Status.PROCESSING,
    "SUCCESS": Status.SUCCESS,
    "ABNORMAL": Status.ABNORMAL,
    "CLOSED": Status.CLOSED,
}
# Which of our states WeChat's news may move a refund out of.
OPEN_TO_NEWS = {
    Status.QUEUED, Status.SENDING, Status.RETRYING, Status.PROCESSING, Status.ABNORMAL,
    Status.FAILED,
}  # fmt: skip


def lock_complaint_of(refund: Refund) -> Complaint:
    """Complaint first, then refund: the order every refund service locks in."""
    return Complaint.objects.select_for_update().get(pk=refund.complaint_id)


def refund_apply_answer(*, refund: Refund, answer: RefundAnswer, source: str) -> bool:
    """Apply WeChat's refund state. Call inside a transaction holding the complaint and refund
    rows. Returns whether anything changed."""
    new = WECHAT_STATUS.get(answer.status)
    if new is None or refund.status not in OPEN_TO_NEWS:
        return False
    if refund.status == new:
        return False  # a redelivered notification, or a query that says nothing new
    now = timezone.now()
    before = refund.status
    refund.status = new
    refund.wechat_status = answer.status
    refund.refund_id = answer.refund_id or refund.refund_id
    refund.user_received_account = answer.user_received_account or refund.user_received_account
    refund.lease_until = refund.next_attempt_at = None
    refund.error_code = refund.error_message = ""
    refund.accepted_at = refund.accepted_at or now
    if new in (Status.PROCESSING, Status.ABNORMAL):
        refund.check_after = now + timedelta(seconds=settings.REFUNDS_QUERY_AFTER_SECONDS)
    else:
        refund.check_after = None
        refund.finished_at = now
    if new == Status.SUCCESS:
        refund.succeeded_at = answer.success_time or now
    refund.save()
    if before in (Status.QUEUED, Status.SENDING, Status.RETRYING, Status.FAILED):
        refund_event(refund, TimelineEvent.Kind.REFUND_ACCEPTED, None, source=source)
    if new == Status.SUCCESS:
        refund_event(refund, TimelineEvent.Kind.REFUND_SUCCEEDED, None, source=source)
        _complaint_after_success(refund, now)
    elif new in (Status.CLOSED, Status.ABNORMAL):
        refund_event(
            refund, TimelineEvent.Kind.REFUND_FAILED, None, code=new.upper(), source=source
        )
    refund_announce(refund)
    return True


def _complaint_after_success(refund: Refund, now) -> None:
    """A refund-request complaint that was approved is processed when the refund arrives (CPL
    §3.7); the complaint is fully refunded once refunds cover its order. WeChat Pay tells us
    too (COMPLAINT.STATE_CHANGE); a refresh of the complaint is queued for its history."""
    complaint = Complaint.objects.select_for_update().get(pk=refund.complaint_id)
    before = complaint.complaint_state
    changed = []
    refunded = Refund.objects.filter(complaint=complaint, status=Status.SUCCESS).aggregate(
        total=Sum("amount")
    )["total"]
    if refund.order_total and (refunded or 0) >= refund.order_total:
        complaint.complaint_full_refunded = True
        changed.append("complaint_full_refunded")
    approved = refund.approve_reply_id is not None or _approved_before(complaint)
    if complaint.problem_type == "REFUND" and approved and before != Complaint.State.PROCESSED:
        complaint.complaint_state = Complaint.State.PROCESSED
        complaint.completed_at = complaint.completed_at or now
        changed += ["complaint_state", "completed_at"]
    if changed:
        complaint.save(update_fields=[*changed, "updated_at"])
    if complaint.complaint_state != before:
        TimelineEvent.objects.create(
            complaint=complaint,
            kind=TimelineEvent.Kind.STATE_CHANGED,
            data={"from": before, "to": complaint.complaint_state, "refund_id": refund.pk},
        )
    on_complaint_handled(complaint_id=complaint.pk)
    refresh_complaint.delay_on_commit(complaint.merchant_id, complaint.complaint_id)


def _approved_before(complaint: Complaint) -> bool:
    return refund_decided(complaint)


def refund_mark_failed(*, refund: Refund, code: str, message: str) -> None:
    """WeChat Pay refused it (or never answered): never sent again; the agent sees why. After
    attempts whose outcome is unknown, WeChat is asked once more later (it may have it)."""
    now = timezone.now()
    refund.status = Status.FAILED
    refund.error_code = (code or "")[:64]
    refund.error_message = message or ""
    refund.lease_until = refund.next_attempt_at = None
    refund.finished_at = now
    maybe_landed = refund.attempts.filter(outcome__in=("unknown", "retryable")).exists()
    refund.check_after = now if maybe_landed else None
    refund.save()
    refund_event(refund, TimelineEvent.Kind.REFUND_FAILED, None, code=refund.error_code)
    refund_announce(refund)


def code_for_exception(exc: Exception) -> str:
    from wechatpay import InvalidArgumentError, VerificationError

    if isinstance(exc, VerificationError):
        return "VERIFICATION_FAILED"
    if isinstance(exc, InvalidArgumentError):
        return "INVALID_ARGUMENT"
    return type(exc).__name__.upper()[:64]


def refund_failure_explanation(refund: Refund) -> str:
    """Why a refund was refused, in plain words for the agent (WeChat's own message kept)."""
    detail = refund.error_message or "-"
    reasons: dict[str, Any] = {
        "INVALID_REQUEST": _("WeChat Pay refused the refund: %(detail)s"),
        "NOT_ENOUGH": _("The merchant's balance is too low for this refund: %(detail)s"),
        "USER_ACCOUNT_ABNORMAL": _("The user's account cannot receive refunds: %(detail)s"),
        "PARAM_ERROR": _("WeChat Pay rejected a field of the refund: %(detail)s"),
        "NO_AUTH": _("This merchant may not refund this order: %(detail)s"),
        "RESOURCE_NOT_EXISTS": _("WeChat Pay does not know this order: %(detail)s"),
        "ORDER_NOT_EXIST": _("WeChat Pay does not know this order: %(detail)s"),
        "CONFIGURATION": _("The merchant's WeChat Pay credentials are missing: %(detail)s"),
        "CLOSED": _("WeChat Pay closed the refund; the money stays with the merchant."),
        "ABNORMAL": _("The refund could not reach the user's account (abnormal refund)."),
        RETRIES_EXHAUSTED: _("WeChat Pay was unavailable for every attempt (last: %(detail)s)."),
    }
    template = reasons.get(
        refund.error_code, _("WeChat Pay refused the refund (%(code)s): %(detail)s")
    )
    text = template % {"detail": detail, "code": refund.error_code or "-"}
    step = _next_step(refund.error_code)
    return f"{text} {step}" if step else text


def _next_step(code: str) -> str:
    """What the agent does next, where the refund spec says (§4.5, §4.6)."""
    steps: dict[str, Any] = {
        "NOT_ENOUGH": _("Top up the merchant's WeChat Pay balance, then send the refund again."),
        "USER_ACCOUNT_ABNORMAL": _("Refund the user another way (not through WeChat Pay)."),
        "CLOSED": _("Send a new refund if the user should still get the money."),
        "ABNORMAL": _(
            "Do not send a new refund: handle it as an abnormal refund on the WeChat Pay "
            "merchant platform."
        ),
        "CONFIGURATION": _("An admin must add them in the merchant's settings."),
    }
    return str(steps.get(code, ""))
