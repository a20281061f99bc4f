from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PRODUCTION_API = "https://api.mch.weixin.qq.com"
BACKUP_API = "https://api2.mch.weixin.qq.com"


class Merchant(models.Model):
    """A merchant (or service provider) the console acts for, with its own API credentials."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct merchant")
        PROVIDER = "provider", _("Service provider")

    mchid = models.CharField(_("merchant ID"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DIRECT)
    api_base_url = models.URLField(_("API host"), default=PRODUCTION_API)
    backup_api_base_url = models.URLField(_("backup API host"), blank=True, default=BACKUP_API)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "mchid"]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return f"{self.name} ({self.mchid})"


class MerchantAssignment(models.Model):
    """An agent or supervisor works for this merchant."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_assignments"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "merchant"], name="unique_merchant_assignment")
        ]
        verbose_name = _("merchant assignment")
        verbose_name_plural = _("merchant assignments")
