"""Refunds made from complaints: the order as WeChat Pay knows it, each refund as a row before it
is a request (its out_refund_no fixed at once), its attempts, the merchant's approval limits, and
the refund notifications received."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from merchants.models import Merchant


class RefundLimits(models.Model):
    """What an agent of this merchant may refund without a supervisor's approval (fen)."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="+")
    per_refund = models.BigIntegerField(_("per refund (fen)"))
    per_day = models.BigIntegerField(_("per agent and day (fen)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("refund limits")
        verbose_name_plural = _("refund limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(per_refund__gte=0, per_day__gte=0), name="refund_limits_not_negative"
            )
        ]


# WeChat Pay's trade_state codes (spec §3.3) by name in the user's language: trade_state_desc
# is WeChat's own Chinese text, which an English page must not show as the state.
TRADE_STATES = {
    "SUCCESS": _("Payment succeeded"),
    "REFUND": _("Refund started"),
    "NOTPAY": _("Not paid"),
    "CLOSED": _("Order closed"),
    "REVOKED": _("Order revoked"),
    "USERPAYING": _("User is paying"),
    "PAYERROR": _("Payment failed"),
}


class OrderSnapshot(models.Model):
    """The complaint's order as WeChat Pay answered it last (fetched by a task, never in a page)."""

    class Status(models.TextChoices):
        FETCHING = "fetching", _("Fetching")
        FRESH = "fresh", _("Up to date")
        FAILED = "failed", _("Could not be fetched")

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.FETCHING)
    transaction_id = models.CharField(max_length=64, blank=True)
    out_trade_no = models.CharField(max_length=64, blank=True)
    trade_state = models.CharField(max_length=32, blank=True)
    trade_state_desc = models.CharField(max_length=256, blank=True)
    total = models.BigIntegerField(null=True, blank=True)
    payer_total = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    success_time = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    @property
    def trade_state_label(self) -> str:
        return str(TRADE_STATES.get(self.trade_state) or self.trade_state_desc or self.trade_state)


class Refund(models.Model):
    """One refund of a complaint's order: a row (with its out_refund_no) before any request."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        DECLINED = "declined", _("Declined by a supervisor")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        PROCESSING = "processing", _("Processing at WeChat Pay")
        SUCCESS = "success", _("Refunded")
        ABNORMAL = "abnormal", _("Abnormal (account problem)")
        CLOSED = "closed", _("Closed by WeChat Pay")
        FAILED = "failed", _("Refused")

    # On their way to WeChat Pay: delivery may (re)try them, the sweeper watches their lease.
    SENDING_STATUSES = (Status.QUEUED, Status.SENDING, Status.RETRYING)
    # Money that is gone or on its way: counts against the refundable balance (spec §10.2).
    HOLDING_STATUSES = (
        Status.AWAITING_APPROVAL, *SENDING_STATUSES, Status.PROCESSING, Status.SUCCESS,
        Status.ABNORMAL,
    )  # fmt: skip
    FINAL_STATUSES = (Status.DECLINED, Status.SUCCESS, Status.CLOSED, Status.FAILED)

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="refunds")
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="refunds")
    # The submit form's token: a double submit finds this row instead of writing another.
    request_key = models.UUIDField(default=uuid.uuid4, unique=True)
    out_refund_no = models.CharField(_("merchant refund number"), max_length=64, unique=True)
    transaction_id = models.CharField(_("transaction ID"), max_length=64)
    out_trade_no = models.CharField(max_length=64, blank=True)
    order_total = models.BigIntegerField(_("order total (fen)"))
    amount = models.BigIntegerField(_("refund amount (fen)"))
    reason = models.CharField(_("reason shown to the user"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    needs_approval = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=200, blank=True)
    # A refund-request complaint is approved (update-refund-progress APPROVE) in the same action;
    # the refund is sent once that reply is settled, so WeChat closes the complaint on success.
    approve_reply_id = models.PositiveIntegerField(null=True, blank=True)
    launch_refund_day = models.PositiveSmallIntegerField(null=True, blank=True)
    refund_id = models.CharField(_("WeChat refund ID"), max_length=64, blank=True)
    wechat_status = models.CharField(max_length=16, blank=True)
    user_received_account = models.CharField(max_length=64, blank=True)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    check_after = models.DateTimeField(null=True, blank=True)  # query if no notification by then
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        indexes = [
            models.Index(fields=["status", "lease_until"], name="refund_sweep_idx"),
            models.Index(fields=["merchant", "status"], name="refund_merchant_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive")]

    def __str__(self) -> str:
        return self.out_refund_no


class RefundAttempt(models.Model):
    """One HTTP attempt to create a refund (always with the refund's own out_refund_no)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        RETRYABLE = "retryable", _("Will retry")
        FINAL = "final", _("Refused")
        UNKNOWN = "unknown", _("Outcome unknown")

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    wechat_code = models.CharField(max_length=64, blank=True)
    wechat_message = models.TextField(blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["refund", "number"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "number"], name="unique_refund_attempt")
        ]


class RefundNotificationReceipt(models.Model):
    """One refund notification received, by its event id: a redelivery finds it and stops."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=32, blank=True)
    out_refund_no = models.CharField(max_length=64)
    refund_status = models.CharField(max_length=16, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    redeliveries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "event_id"], name="unique_refund_notification"
            )
        ]
