from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from merchants.models import Merchant

# The queue's sort: immediate-service complaints first, then the nearest deadline.
QUEUE_ORDER = ["-need_immediate_service", "due_at", "id"]
OPEN = ~Q(complaint_state="PROCESSED")


class Complaint(models.Model):
    """One consumer complaint (投诉单): every field of §3.1, typed, and the console's work."""

    class State(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        PROCESSING = "PROCESSING", _("Processing")
        PROCESSED = "PROCESSED", _("Processed")

    class Sla(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        MET = "met", _("Met")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="complaints")
    complaint_id = models.CharField(_("complaint ID"), max_length=64, unique=True)
    complainted_mchid = models.CharField(_("complained merchant ID"), max_length=64, db_index=True)
    complaint_time = models.DateTimeField(_("complaint time"))
    complaint_detail = models.TextField(_("complaint text"), blank=True)
    # WeChat's state as received; unknown values are kept, never rejected.
    complaint_state = models.CharField(_("state"), max_length=30, default=State.PENDING)
    problem_description = models.CharField(_("problem"), max_length=256, blank=True)
    problem_type = models.CharField(_("problem type"), max_length=32, blank=True)
    apply_refund_amount = models.BigIntegerField(_("refund requested (fen)"), null=True, blank=True)
    user_complaint_times = models.PositiveIntegerField(_("times complained"), default=1)
    complaint_full_refunded = models.BooleanField(_("fully refunded"), default=False)
    incoming_user_response = models.BooleanField(_("new user message"), default=False)
    in_platform_service = models.BooleanField(_("platform is mediating"), default=False)
    need_immediate_service = models.BooleanField(_("needs immediate service"), default=False)
    is_agent_mode = models.BooleanField(_("filed through an AI agent"), default=False)
    payer_openid = models.CharField(max_length=128, blank=True)
    # payer_phone: decrypted at ingest, stored encrypted with the console's keys.
    payer_phone_encrypted = models.TextField(blank=True)
    payer_phone_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    payer_phone_masked = models.CharField(max_length=32, blank=True)  # 138****8000
    user_tag_list = models.JSONField(default=list, blank=True)
    complaint_order_info = models.JSONField(default=list, blank=True)
    service_order_info = models.JSONField(default=list, blank=True)
    complaint_media_list = models.JSONField(default=list, blank=True)
    additional_info = models.JSONField(null=True, blank=True)
    # First order, denormalised for search (WeChat sends one order per complaint today).
    transaction_id = models.CharField(_("transaction ID"), max_length=64, blank=True, db_index=True)
    out_trade_no = models.CharField(
        _("merchant order number"), max_length=64, blank=True, db_index=True
    )
    amount = models.BigIntegerField(_("order amount (fen)"), null=True, blank=True, db_index=True)

    # The console's own work on it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_complaints",
        verbose_name=_("assignee"),
    )
    first_reply_due_at = models.DateTimeField(_("first-reply deadline"))
    complete_due_at = models.DateTimeField(_("completion deadline"))
    first_replied_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The deadline that matters now, kept by the database: the first reply until one was sent,
    # then completion. The queue is sorted by it.
    due_at = models.GeneratedField(
        expression=Case(
            When(first_replied_at__isnull=True, then=F("first_reply_due_at")),
            default=F("complete_due_at"),
        ),
        output_field=models.DateTimeField(),
        db_persist=True,
    )
    sla_status = models.CharField(
        max_length=16, choices=Sla.choices, default=Sla.ON_TRACK, db_index=True
    )
    # Bumped whenever something arrives that a replying agent must have seen (stale-reply guard).
    activity_version = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    detail_synced_at = models.DateTimeField(null=True, blank=True)
    history_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = QUEUE_ORDER
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(
                fields=["merchant", "complaint_state", "due_at", "id"],
                name="complaint_queue_idx",
            ),
            models.Index(
                fields=["need_immediate_service", "due_at", "id"],
                name="complaint_urgent_idx",
            ),
            models.Index(fields=["assignee", "due_at", "id"], name="complaint_assignee_idx"),
            # One partial index per queue view, in the queue's order (urgent first, then the
            # deadline), so every view is an ordered index scan that stops after one page.
            models.Index(fields=QUEUE_ORDER, condition=OPEN, name="cq_open_idx"),
            models.Index(fields=["assignee", *QUEUE_ORDER], condition=OPEN, name="cq_mine_idx"),
            models.Index(
                fields=QUEUE_ORDER, condition=OPEN & Q(assignee=None), name="cq_unassigned_idx"
            ),
            models.Index(
                fields=QUEUE_ORDER,
                condition=OPEN & Q(incoming_user_response=True),
                name="cq_new_message_idx",
            ),
            models.Index(
                fields=QUEUE_ORDER,
                condition=OPEN & Q(sla_status__in=["at_risk", "overdue"]),
                name="cq_due_soon_idx",
            ),
            models.Index(
                fields=QUEUE_ORDER,
                condition=Q(complaint_state="PROCESSING"),
                name="cq_processing_idx",
            ),
            models.Index(
                fields=["-due_at", "-id"],
                condition=Q(complaint_state="PROCESSED"),
                name="cq_done_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.complaint_id


class HistoryEntry(models.Model):
    """One entry of WeChat's negotiation history (协商历史), as received."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="history")
    log_id = models.CharField(_("log ID"), max_length=64)
    operator = models.CharField(max_length=64, blank=True)
    operate_time = models.DateTimeField()
    operate_type = models.CharField(max_length=64)
    operate_details = models.TextField(blank=True)
    image_list = models.JSONField(default=list, blank=True)
    complaint_media_list = models.JSONField(null=True, blank=True)
    normal_message = models.JSONField(null=True, blank=True)
    click_message = models.JSONField(null=True, blank=True)
    user_appy_platform_service_reason = models.TextField(blank=True)
    user_appy_platform_service_reason_description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["operate_time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "log_id"], name="unique_history_log_id")
        ]
        indexes = [models.Index(fields=["complaint", "operate_time"], name="history_time_idx")]


class ComplaintSearch(models.Model):
    """A complaint's search document (complaints/search/), rebuilt whenever one of its sources
    is written: the normal form of its own text, its negotiation history, the console's replies
    and internal notes (`text`) and, on PostgreSQL, the characters and character pairs of that
    text as a tsvector behind a GIN index (`tokens`). A table of its own, so saving a complaint
    never writes a stale document and queue pages never read it."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, primary_key=True, related_name="search"
    )
    text = models.TextField(blank=True, default="")
    tokens = SearchVectorField(null=True, blank=True)
    # The complaint, transaction and order numbers and the phone's last four digits, lower
    # case, each followed by a space (" 4200… ot123 8000 "): `LIKE '%1234 %'` is a suffix of
    # any of them, behind a trigram GIN index on PostgreSQL (complaints/search/query.py).
    ids = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)


class TimelineEvent(models.Model):
    """The console's own events on a complaint: claims, notes, reply progress, state changes."""

    class Kind(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        ASSIGNED = "assigned", _("Assigned")
        RELEASED = "released", _("Released")
        NOTE = "note", _("Internal note")
        REPLY_QUEUED = "reply_queued", _("Reply queued")
        REPLY_DELIVERED = "reply_delivered", _("Reply delivered")
        REPLY_FAILED = "reply_failed", _("Reply failed")
        STATE_CHANGED = "state_changed", _("State changed")
        SLA_CHANGED = "sla_changed", _("Deadline status changed")
        PHONE_REVEALED = "phone_revealed", _("Phone number revealed")
        # Written by refunds/ (the app above complaints that makes refunds).
        # Context: an agent started it, not the consumer's 申请退款 (problem_type REFUND).
        REFUND_REQUESTED = "refund_requested", pgettext_lazy("timeline", "Refund started")
        REFUND_AWAITING = "refund_awaiting", _("Refund awaiting approval")
        REFUND_APPROVED = "refund_approved", _("Refund approved")
        REFUND_DECLINED = "refund_declined", _("Refund declined")
        REFUND_ACCEPTED = "refund_accepted", _("Refund accepted by WeChat Pay")
        REFUND_SUCCEEDED = "refund_succeeded", _("Refund arrived")
        REFUND_FAILED = "refund_failed", _("Refund failed")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="event_time_idx")]


class NotificationReceipt(models.Model):
    """One complaint notification received, by its event id: a redelivery finds it and stops."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=32, blank=True)
    action_type = models.CharField(max_length=64, blank=True)
    complaint_id = models.CharField(max_length=64)
    create_time = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    redeliveries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "event_id"], name="unique_notification")
        ]

    def __str__(self) -> str:
        return self.event_id


class MerchantSyncState(models.Model):
    """How far the list sync of one merchant has come (incremental after the first run)."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="+")
    synced_through = models.DateField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_seen = models.PositiveIntegerField(default=0)
    last_changed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"sync {self.merchant_id} through {self.synced_through}"


class ComplaintImage(models.Model):
    """A complaint image URL (signed image API, §3.9); its bytes are fetched once, by a task
    queued when an agent first opens the complaint, and served by the console so the browser
    never touches WeChat's URL. The page follows `fetch_status` live."""

    class FetchStatus(models.TextChoices):
        WAITING = "waiting", _("Not fetched yet")
        FETCHING = "fetching", _("Fetching from WeChat Pay")
        FETCHED = "fetched", _("Fetched")
        FAILED = "failed", _("Could not be fetched")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="images")
    url = models.TextField()
    url_hash = models.CharField(max_length=64)
    media_type = models.CharField(max_length=32, blank=True)
    history_log_id = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    fetch_status = models.CharField(
        max_length=16, choices=FetchStatus.choices, default=FetchStatus.WAITING
    )
    fetch_error = models.TextField(blank=True)  # for the agent, when the fetch failed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "url_hash"], name="unique_image_url")
        ]

    def __str__(self) -> str:
        return self.url
