import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from merchants.models import Merchant


class Reply(models.Model):
    """A call to WeChat Pay on a complaint: a row before it is a request."""

    class Endpoint(models.TextChoices):
        IMMEDIATE = "response-immediate-service", _("Immediate-service reply")
        RESPONSE = "response", _("Reply to user")
        COMPLETE = "complete", _("Mark as processed")
        REFUND = "update-refund-progress", _("Refund decision")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="replies")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    is_automatic = models.BooleanField(_("automatic"), default=False)
    endpoint = models.CharField(_("endpoint"), max_length=32, choices=Endpoint.choices)
    payload = models.JSONField(_("payload"))  # exactly the JSON body sent, frozen at submit
    idempotent_id = models.UUIDField(_("idempotency ID"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    log_id = models.CharField(_("log ID"), max_length=64, blank=True)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["status", "lease_until"], name="reply_sweep_idx")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.idempotent_id}"


class ReplyAttempt(models.Model):
    """One HTTP attempt to deliver a reply."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        RETRYABLE = "retryable", _("Will retry")
        FINAL = "final", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attempts")
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
        ordering = ["reply", "number"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "number"], name="unique_attempt_number")
        ]
