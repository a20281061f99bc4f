from django.conf import settings
from django.db import models
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
