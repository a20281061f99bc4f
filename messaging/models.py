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

    # Still on its way to WeChat Pay: delivery may (re)try it, pages poll its status.
    OPEN_STATUSES = (Status.QUEUED, Status.SENDING, Status.RETRYING)

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


# ---------------------------------------------------------------------------------------------
# The composer: drafts, reply templates and the image library.
# ---------------------------------------------------------------------------------------------


class Draft(models.Model):
    """An agent's unsent reply on one complaint: one per (author, complaint), saved as they type.

    ``content`` is what the composer edits: a NormalMessage-shaped dict (``blocks``,
    ``sender_identity``) for immediate-service replies, or the plain reply fields for /response.
    It may be invalid (half-typed): it is validated for the preview and again when sent.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Rich message")
        PLAIN = "plain", _("Plain reply")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="drafts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reply_drafts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    content = models.JSONField(_("content"), default=dict)
    # Incremented on every save: a stale tab's late save can be told apart from the newest one.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["author", "complaint"], name="unique_draft_per_author")
        ]

    def __str__(self) -> str:
        return f"draft {self.complaint_id}/{self.author_id}"


class ReplyTemplate(models.Model):
    """A merchant's reusable block list; ``{{ variable }}`` placeholders are filled on insert."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="reply_templates")
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    blocks = models.JSONField(_("blocks"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "name", "id"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "name"], name="unique_template_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImageAsset(models.Model):
    """An image of a merchant's library: uploaded to WeChat once per sha256, kept here for preview.

    The bytes stay in the database (≤ 2 MB each) so every web process can serve the preview and a
    failed upload can be retried without asking the agent for the file again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Uploading")
        UPLOADED = "uploaded", _("Uploaded")
        FAILED = "failed", _("Upload failed")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="images")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=128)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    data = models.BinaryField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    media_id = models.CharField(_("media ID"), max_length=512, blank=True)
    error_message = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "sha256"], name="unique_image_per_merchant")
        ]
        indexes = [models.Index(fields=["merchant", "media_id"], name="image_media_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"
