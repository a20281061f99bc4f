from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from console.encryption import EncryptedTextField

PRODUCTION_API = "https://api.mch.weixin.qq.com"
BACKUP_API = "https://api2.mch.weixin.qq.com"


class Merchant(models.Model):
    """A merchant (or service provider) the console acts for, with its own API credentials."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct merchant")
        PROVIDER = "provider", _("Service provider")

    class CallbackStatus(models.TextChoices):
        UNKNOWN = "unknown", _("Not checked")
        REGISTERED = "registered", _("Registered")
        MISMATCH = "mismatch", _("Registered to another URL")
        NOT_REGISTERED = "not_registered", _("Not registered")
        ERROR = "error", _("Check failed")

    mchid = models.CharField(_("merchant ID"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DIRECT)
    api_base_url = models.URLField(_("API host"), default=PRODUCTION_API)
    backup_api_base_url = models.URLField(_("backup API host"), blank=True, default=BACKUP_API)
    active = models.BooleanField(_("active"), default=True)
    # A service provider acts for these sub-merchants (their complaints carry complainted_mchid).
    sub_mchids = models.JSONField(_("sub-merchant IDs"), default=list, blank=True)
    last_success_at = models.DateTimeField(_("last successful call"), null=True, blank=True)
    callback_status = models.CharField(
        _("notification URL status"),
        max_length=16,
        choices=CallbackStatus.choices,
        default=CallbackStatus.UNKNOWN,
    )
    callback_url = models.CharField(_("registered notification URL"), max_length=255, blank=True)
    callback_checked_at = models.DateTimeField(_("notification URL checked"), null=True, blank=True)
    callback_error = models.CharField(_("notification URL error"), max_length=500, blank=True)
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


class CredentialSet(models.Model):
    """One generation of a merchant's API credentials.

    Rotation: a new set is added (ready), then activated (the previous active set becomes ready
    and stays usable for verification and decryption), and finally retired. Every PEM and the
    APIv3 key are encrypted at rest; the plain columns hold only fingerprints and metadata.
    """

    class Status(models.TextChoices):
        READY = "ready", _("Ready (not active)")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="credentials")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.READY
    )
    # Merchant API private key and certificate (the certificate's serial signs our requests).
    private_key_pem = EncryptedTextField()
    certificate_pem = EncryptedTextField()
    certificate_serial = models.CharField(_("certificate serial"), max_length=64)
    certificate_not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    private_key_fingerprint = models.CharField(_("key fingerprint (SHA-256)"), max_length=64)
    apiv3_key = EncryptedTextField()
    apiv3_key_last4 = models.CharField(_("APIv3 key, last four"), max_length=4)
    # How WeChat Pay signs its answers: its public key (PUB_KEY_ID_…) and/or platform certificates.
    wechatpay_public_key_id = models.CharField(
        _("WeChat Pay public key ID"), max_length=64, blank=True
    )
    wechatpay_public_key_pem = EncryptedTextField(blank=True)
    wechatpay_public_key_fingerprint = models.CharField(max_length=64, blank=True)
    platform_certificates_pem = EncryptedTextField(blank=True)
    # [{"serial", "not_after", "fingerprint"}] of the certificates above, for display.
    platform_certificates = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"],
                condition=models.Q(status="active"),
                name="one_active_credential_set_per_merchant",
            )
        ]
        verbose_name = _("credential set")
        verbose_name_plural = _("credential sets")

    def __str__(self) -> str:
        return f"{self.merchant.mchid} {self.certificate_serial} ({self.status})"

    def __repr__(self) -> str:  # never show key material
        return f"<CredentialSet {self.pk} {self.certificate_serial} {self.status}>"

    @property
    def verification_mode(self) -> str:
        modes = []
        if self.wechatpay_public_key_id:
            modes.append("public_key")
        if self.platform_certificates:
            modes.append("platform_certificate")
        return "+".join(modes)
