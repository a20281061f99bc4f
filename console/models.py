from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from console.roles import PERMISSIONS


class Permissions(models.Model):
    """Holds the console's own permissions; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(PERMISSIONS.items())


class AuditEvent(models.Model):
    """Append-only record of a security-relevant action. Never holds a secret."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target"), max_length=128, blank=True)
    mchid = models.CharField(_("merchant ID"), max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"


class LiveEvent(models.Model):
    """One announced change, kept briefly so a browser that reconnects resumes from its last id.

    Ids only: what changed, for which merchant (and, for alerts, which user). No rendered text,
    no personal data. Rows older than `LIVE_EVENTS_KEEP_HOURS` are pruned by a beat task."""

    kind = models.CharField(max_length=32)
    merchant_id = models.BigIntegerField(null=True, blank=True)
    complaint_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")

    def __str__(self) -> str:
        return f"{self.pk} {self.kind}"

    def message(self) -> dict:
        """What a browser receives: the id to resume from, the kind, and ids."""
        body = {"id": self.pk, "kind": self.kind, "merchant_id": self.merchant_id}
        if self.complaint_id is not None:
            body["complaint_id"] = self.complaint_id
        if self.user_id is not None:
            body["user_id"] = self.user_id
        body.update(self.data)
        return body
