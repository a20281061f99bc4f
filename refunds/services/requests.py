"""Asking for a refund, and a supervisor approving or declining one above the agent's limits.

The refund row, with its out_refund_no, is written in the transaction that accepts the request;
nothing is sent before it commits. The complaint row is locked, so two agents (or two clicks)
refunding the same complaint are serialised, and the refundable balance counts every refund not
refused or closed: the second full refund is refused instead of sent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, TimelineEvent
from complaints.selectors import refund_decided
from complaints.services import WorkError, complaint_refund_decide
from console.retry_policy import delivery_settings
from console.roles import perm
from console.services import audit_record
from merchants.selectors import merchant_ids_visible_to
from refunds import hooks
from refunds.models import OrderSnapshot, Refund
from refunds.services.events import refund_announce, refund_event
from refunds.services.limits import needs_approval
from refunds.services.sweeper import enqueue_now

Status = Refund.Status
REASON_MAX = 80  # WeChat Pay's limit on the reason shown to the user (spec §4.1)
REFUNDABLE_TRADE_STATES = ("SUCCESS", "REFUND")  # paid, or already partly refunded (spec §3.3)


class RefundError(Exception):
    """A refund the console will not make; the message is for the agent."""


class StaleRefundError(RefundError):
    """Another refund of this complaint was made after the agent's form was rendered."""


@dataclass(frozen=True)
class Balance:
    total: int | None  # the order's paid total in fen (None: unknown)
    refunded: int  # refunds that arrived
    pending: int  # refunds asked for, approved or on their way
    from_wechat: bool  # total as WeChat Pay answered (else as the complaint says)

    @property
    def refundable(self) -> int:
        return max((self.total or 0) - self.refunded - self.pending, 0)


def order_balance(complaint: Complaint) -> Balance:
    snapshot = OrderSnapshot.objects.filter(complaint=complaint).first()
    fresh = snapshot is not None and snapshot.total is not None
    total = snapshot.total if fresh else complaint.amount
    sums = dict(
        Refund.objects.filter(complaint=complaint, status__in=Refund.HOLDING_STATUSES)
        .values_list("status")
        .annotate(total=Sum("amount"))
    )
    refunded = sums.pop(Status.SUCCESS, 0) or 0
    return Balance(total, refunded, sum(v or 0 for v in sums.values()), fresh)


def out_refund_no_for(request_key: uuid.UUID) -> str:
    """Fixed by the request's key: the same request can only ever mean the same refund."""
    return f"CC{request_key.hex}"


def refund_request(
    *,
    complaint: Complaint,
    user: Any,
    amount: int,
    reason: str,
    request_key: uuid.UUID | str,
    seen_refunds: int | None = None,
    launch_refund_day: int | None = None,
    ip: str | None = None,
) -> Refund:
    """Write the refund (awaiting approval above the agent's limits, else queued). A repeated
    request_key answers with the first refund (double submit)."""
    if not user.has_perm(perm("decide_refund")):
        raise RefundError(_("You may not make refunds."))
    request_key = uuid.UUID(str(request_key))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise RefundError(_("The reason may be at most %(n)s characters.") % {"n": REASON_MAX})
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        existing = Refund.objects.filter(request_key=request_key).first()
        if existing is not None:
            if existing.complaint_id != locked.pk:
                raise RefundError(_("This form belongs to another complaint; reload the page."))
            return existing
        _check_request(locked, amount, seen_refunds)
        approval = needs_approval(user=user, merchant=locked.merchant, amount=amount)
        refund = Refund.objects.create(
            merchant_id=locked.merchant_id,
            complaint=locked,
            request_key=request_key,
            out_refund_no=out_refund_no_for(request_key),
            transaction_id=locked.transaction_id,
            out_trade_no=locked.out_trade_no,
            order_total=order_balance(locked).total,
            amount=amount,
            reason=reason,
            status=Status.AWAITING_APPROVAL if approval else Status.QUEUED,
            requested_by=user,
            needs_approval=approval,
            launch_refund_day=launch_refund_day,
        )
        refund_event(refund, TimelineEvent.Kind.REFUND_REQUESTED, user, reason=reason)
        if approval:
            refund_event(refund, TimelineEvent.Kind.REFUND_AWAITING, user)
            _audit(refund, "refund.approval_requested", user, ip)
            hooks.on_refund_awaiting_approval(refund)
        else:
            _release(refund, user)
        refund_announce(refund)
    return refund


def _check_request(complaint: Complaint, amount: int, seen_refunds: int | None) -> None:
    if seen_refunds is not None:
        count = Refund.objects.filter(complaint=complaint).count()
        if count > seen_refunds:
            raise StaleRefundError(
                _("Someone else just made a refund of this complaint: review it before refunding.")
            )
    if not complaint.transaction_id:
        raise RefundError(_("This complaint has no order to refund."))
    if not isinstance(amount, int) or amount <= 0:
        raise RefundError(_("Enter an amount above zero."))
    snapshot = OrderSnapshot.objects.filter(complaint=complaint).first()
    if snapshot is not None and snapshot.trade_state not in ("", *REFUNDABLE_TRADE_STATES):
        raise RefundError(
            _("WeChat Pay says this order is %(state)s: it cannot be refunded.")
            % {"state": snapshot.trade_state_desc or snapshot.trade_state}
        )
    balance = order_balance(complaint)
    if balance.total is None:
        raise RefundError(_("The order's amount is not known yet: refresh the order first."))
    if amount > balance.refundable:
        raise RefundError(
            _(
                "%(amount)s is more than can still be refunded on this order (%(left)s of "
                "%(total)s; refunded or on its way: %(used)s). Enter at most %(left)s."
            )
            % {
                "amount": yuan(amount),
                "left": yuan(balance.refundable),
                "total": yuan(balance.total),
                "used": yuan(balance.refunded + balance.pending),
            }
        )


def yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def _release(refund: Refund, by: Any) -> None:
    """Send the refund (on commit). A refund-request complaint is approved first, in the same
    transaction: its APPROVE goes out as a reply and the refund follows once it is settled."""
    complaint = refund.complaint
    if complaint.problem_type == "REFUND" and complaint.complaint_state != "PROCESSED":
        refund.approve_reply_id = _approve_reply_id(refund, by)
    refund.status = Status.QUEUED
    refund.lease_until = timezone.now() + delivery_settings("REFUND_DELIVERY").queue_lease
    refund.save(update_fields=["status", "lease_until", "approve_reply_id"])
    transaction.on_commit(lambda: enqueue_now(refund.pk))


def _approve_reply_id(refund: Refund, by: Any) -> int | None:
    """The APPROVE reply this refund follows: one still on its way, or a new one. None when
    WeChat Pay already has the decision (an agent approved before, from the decision form)."""
    complaint = refund.complaint
    if refund_decided(complaint):
        return None
    decisions = TimelineEvent.objects.filter(
        complaint=complaint, data__endpoint="update-refund-progress"
    )
    failed = set(
        decisions.filter(kind=TimelineEvent.Kind.REPLY_FAILED).values_list(
            "data__reply_id", flat=True
        )
    )
    queued = decisions.filter(kind=TimelineEvent.Kind.REPLY_QUEUED).values_list(
        "data__reply_id", flat=True
    )
    open_ids = [reply_id for reply_id in queued if reply_id not in failed]
    if open_ids:
        return open_ids[-1]
    try:
        reply = complaint_refund_decide(
            complaint=complaint,
            user=by,
            idempotent_id=uuid.uuid5(refund.request_key, "approve"),
            action="APPROVE",
            launch_refund_day=refund.launch_refund_day,
        )
    except WorkError as exc:
        raise RefundError(str(exc)) from exc
    return reply.pk


def _lock_complaint_of(refund_pk: int) -> None:
    """Complaint first, then refund: the order every refund service locks in."""
    complaint_id = Refund.objects.filter(pk=refund_pk).values_list("complaint_id", flat=True)
    list(Complaint.objects.select_for_update().filter(pk__in=list(complaint_id)))


def _decidable(refund_pk: int, user: Any) -> Refund:
    if not user.has_perm(perm("review_replies")):
        raise RefundError(_("Only a supervisor may approve or decline refunds."))
    refund = (
        Refund.objects.select_for_update(of=("self",))  # the complaint is locked already
        .select_related("complaint", "merchant")
        .filter(pk=refund_pk, merchant_id__in=merchant_ids_visible_to(user))
        .first()
    )
    if refund is None:
        raise Refund.DoesNotExist
    if refund.status != Status.AWAITING_APPROVAL:
        raise RefundError(_("This refund is no longer waiting for approval."))
    if refund.requested_by_id == user.pk:
        raise RefundError(_("Another supervisor must approve a refund you asked for."))
    return refund


def refund_approve(*, refund_pk: int, user: Any, ip: str | None = None) -> Refund:
    """Four-eyes: a supervisor other than the requester releases the refund."""
    with transaction.atomic():
        _lock_complaint_of(refund_pk)
        refund = _decidable(refund_pk, user)
        refund.decided_by, refund.decided_at = user, timezone.now()
        refund.save(update_fields=["decided_by", "decided_at"])
        refund_event(refund, TimelineEvent.Kind.REFUND_APPROVED, user)
        _audit(refund, "refund.approved", user, ip)
        _release(refund, user)
        hooks.on_refund_decided(refund)
        refund_announce(refund)
    return refund


def refund_decline(*, refund_pk: int, user: Any, reason: str, ip: str | None = None) -> Refund:
    reason = (reason or "").strip()
    if not reason:
        raise RefundError(_("Say why the refund is declined."))
    with transaction.atomic():
        _lock_complaint_of(refund_pk)
        refund = _decidable(refund_pk, user)
        now = timezone.now()
        refund.status = Status.DECLINED
        refund.decided_by, refund.decided_at, refund.finished_at = user, now, now
        refund.decline_reason = reason[:200]
        refund.save(
            update_fields=["status", "decided_by", "decided_at", "finished_at", "decline_reason"]
        )
        refund_event(refund, TimelineEvent.Kind.REFUND_DECLINED, user, reason=refund.decline_reason)
        _audit(refund, "refund.declined", user, ip, reason=refund.decline_reason)
        hooks.on_refund_decided(refund)
        refund_announce(refund)
    return refund


def _audit(refund: Refund, action: str, user: Any, ip: str | None, **extra: Any) -> None:
    audit_record(
        action=action,
        actor=user,
        ip=ip,
        target_type="refund",
        target_id=refund.out_refund_no,
        mchid=refund.merchant.mchid,
        changes={
            "complaint_id": refund.complaint.complaint_id,
            "amount": refund.amount,
            "requested_by": getattr(refund.requested_by, "username", ""),
            **extra,
        },
    )
