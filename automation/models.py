"""Auto-acknowledgement rules, the automatic replies they caused, agents' alerts and the
supervisors' deadline/failure events with their e-mail digests."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from merchants.models import Merchant
from messaging.models import Reply, ReplyTemplate


def default_work_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday..Friday (datetime.weekday())


class AutoReplyRule(models.Model):
    """When a complaint arrives that matches every condition, send a template at once."""

    class Flag(models.TextChoices):
        ANY = "any", _("Any")
        YES = "yes", _("Yes")
        NO = "no", _("No")

    class Hours(models.TextChoices):
        ANY = "any", _("Any time")
        INSIDE = "inside", _("Within working hours")
        OUTSIDE = "outside", _("Outside working hours")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="auto_rules")
    name = models.CharField(_("name"), max_length=100)
    enabled = models.BooleanField(_("switched on"), default=False)
    # When it was last switched on: only complaints that arrive afterwards are answered.
    enabled_at = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )
    immediate = models.CharField(
        _("needs immediate service"), max_length=8, choices=Flag.choices, default=Flag.ANY
    )
    problem_types = models.JSONField(_("problem types"), default=list, blank=True)
    refund = models.CharField(
        _("refund requested"), max_length=8, choices=Flag.choices, default=Flag.ANY
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("One per line or comma-separated; any one in the complaint text matches."),
    )
    hours = models.CharField(
        _("working hours"), max_length=8, choices=Hours.choices, default=Hours.ANY
    )
    work_start = models.TimeField(_("working hours start"), default=datetime.time(9, 0))
    work_end = models.TimeField(_("working hours end"), default=datetime.time(18, 0))
    work_days = models.JSONField(_("working days"), default=default_work_days, blank=True)
    template = models.ForeignKey(
        ReplyTemplate,
        on_delete=models.PROTECT,
        related_name="auto_rules",
        verbose_name=_("reply template"),
    )
    response_text = models.TextField(
        _("plain reply text"),
        blank=True,
        help_text=_(
            "Sent to complaints that do not need immediate service (plain /response reply). "
            "Empty: the template's text blocks."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "priority", "id"]
        verbose_name = _("auto-acknowledgement rule")
        verbose_name_plural = _("auto-acknowledgement rules")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "name"], name="unique_auto_rule_name")
        ]

    def __str__(self) -> str:
        return self.name


class AutoReply(models.Model):
    """A rule fired on a complaint: at most one row per (rule, complaint), written in the same
    transaction as the reply row, so redelivered notifications and a racing sync send nothing
    twice."""

    class Outcome(models.TextChoices):
        SUBMITTED = "submitted", _("Reply submitted")
        SKIPPED = "skipped", _("Not sent")

    rule = models.ForeignKey(AutoReplyRule, on_delete=models.CASCADE, related_name="fired")
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="auto_replies")
    reply = models.OneToOneField(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="auto_reply"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "complaint"], name="unique_auto_reply")
        ]


class Alert(models.Model):
    """Something an agent must see at once, shown in the console without reloading."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("New complaint needing immediate service")
        USER_MESSAGE = "user_message", _("New user message")
        REFUND_APPROVAL = "refund_approval", _("Refund waiting for your approval")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="alerts")
    # What makes it unique for this user: the complaint for IMMEDIATE, the history log_id for
    # USER_MESSAGE (a redelivered notification finds the row and adds nothing).
    key = models.CharField(max_length=100)
    text = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "complaint", "key"], name="unique_alert"
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=models.Q(read_at=None),
                name="alert_unread_idx",
            )
        ]


class Digest(models.Model):
    """One supervisor digest run: the events it mailed and to whom."""

    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list, blank=True)  # usernames
    event_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]


class SupervisorEvent(models.Model):
    """A complaint near or past a deadline, or a reply that failed for good."""

    class Kind(models.TextChoices):
        IMMEDIATE_AT_RISK = "immediate_at_risk", _("Immediate-service reply due soon")
        IMMEDIATE_OVERDUE = "immediate_overdue", _("Immediate-service reply overdue")
        FIRST_REPLY_AT_RISK = "first_reply_at_risk", _("First reply due soon")
        FIRST_REPLY_OVERDUE = "first_reply_overdue", _("First reply overdue")
        COMPLETE_AT_RISK = "complete_at_risk", _("Completion due soon")
        COMPLETE_OVERDUE = "complete_overdue", _("Completion overdue")
        REPLY_FAILED = "reply_failed", _("Reply failed for good")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    # Deadline events: "<complaint pk>:<deadline>", so a moved deadline is a new event;
    # failures: "reply:<pk>".
    key = models.CharField(max_length=100)
    occurred_at = models.DateTimeField(auto_now_add=True)
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    digested_at = models.DateTimeField(null=True, blank=True)
    # Who the digest mailed it to (usernames); empty with a digest: nobody could be mailed.
    # Digested without a digest: its deadline no longer applied by then, so it was not mailed.
    sent_to = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="unique_supervisor_event")
        ]
        indexes = [
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(digested_at=None),
                name="event_undigested_idx",
            ),
            models.Index(fields=["merchant", "-occurred_at"], name="event_merchant_idx"),
        ]
