"""Adding, activating and retiring a merchant's credential sets (rotation), audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from console.services import audit_record
from merchants.credentials import ParsedCredentials
from merchants.models import CredentialSet, Merchant

Status = CredentialSet.Status


class CredentialStateError(Exception):
    """The requested rotation step is not allowed from the set's current state."""


# Which status may move to which (explicit table, not scattered ifs).
TRANSITIONS = {
    Status.READY: {Status.ACTIVE, Status.RETIRED},
    Status.ACTIVE: {Status.READY},
    Status.RETIRED: set(),
}


def credential_fingerprint(credential_set: CredentialSet) -> dict[str, object]:
    """What the audit log and the pages may show about a set: never a secret."""
    return {
        "credential_set_id": credential_set.pk,
        "certificate_serial": credential_set.certificate_serial,
        "private_key_fingerprint": credential_set.private_key_fingerprint,
        "apiv3_last4": credential_set.apiv3_key_last4,
        "wechatpay_public_key_id": credential_set.wechatpay_public_key_id,
        "platform_certificate_serial": [c["serial"] for c in credential_set.platform_certificates],
    }


def _audit(action: str, credential_set: CredentialSet, by, ip, **extra) -> None:
    audit_record(
        action=action,
        actor=by,
        ip=ip,
        target_type="credential_set",
        target_id=credential_set.pk,
        mchid=credential_set.merchant.mchid,
        changes={**credential_fingerprint(credential_set), **extra},
    )


@sensitive_variables()
def credential_add(
    *,
    merchant: Merchant,
    parsed: ParsedCredentials,
    by=None,
    ip: str | None = None,
    activate_if_first: bool = True,
) -> CredentialSet:
    """Store a new set (ready). The first set of a merchant is activated at once."""
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        credential_set = CredentialSet.objects.create(
            merchant=merchant,
            status=Status.READY,
            private_key_pem=parsed.private_key_pem,
            certificate_pem=parsed.certificate_pem,
            certificate_serial=parsed.certificate_serial,
            certificate_not_after=parsed.certificate_not_after,
            private_key_fingerprint=parsed.private_key_fingerprint,
            apiv3_key=parsed.apiv3_key,
            apiv3_key_last4=parsed.apiv3_key_last4,
            wechatpay_public_key_id=parsed.wechatpay_public_key_id,
            wechatpay_public_key_pem=parsed.wechatpay_public_key_pem,
            wechatpay_public_key_fingerprint=parsed.wechatpay_public_key_fingerprint,
            platform_certificates_pem="".join(c.pem for c in parsed.platform_certificates),
            platform_certificates=[
                {
                    "serial": c.serial,
                    "not_after": c.not_after.isoformat(),
                    "fingerprint": c.fingerprint,
                }
                for c in parsed.platform_certificates
            ],
            created_by=by if by is not None and by.pk else None,
        )
        _audit("credential.added", credential_set, by, ip)
        first = not merchant.credentials.filter(status=Status.ACTIVE).exists()
        if activate_if_first and first:
            _activate(credential_set, merchant, by, ip)
    return credential_set


def _check(credential_set: CredentialSet, target: str) -> None:
    if target not in TRANSITIONS[Status(credential_set.status)]:
        raise CredentialStateError(
            _("A credential set that is %(status)s cannot become %(target)s.")
            % {"status": credential_set.get_status_display(), "target": Status(target).label}
        )


def _activate(credential_set: CredentialSet, merchant: Merchant, by, ip) -> None:
    _check(credential_set, Status.ACTIVE)
    now = timezone.now()
    previous = list(merchant.credentials.select_for_update().filter(status=Status.ACTIVE))
    for old in previous:  # stays usable (verification, decryption) until retired
        old.status = Status.READY
        old.save(update_fields=["status", "updated_at"])
    credential_set.status = Status.ACTIVE
    credential_set.activated_at = now
    credential_set.save(update_fields=["status", "activated_at", "updated_at"])
    _audit(
        "credential.activated",
        credential_set,
        by,
        ip,
        previous_credential_set_id=[old.pk for old in previous],
    )


def credential_activate(
    *, credential_set: CredentialSet, by=None, ip: str | None = None
) -> CredentialSet:
    """Sign with this set from now on; the previously active set stays usable until retired."""
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=credential_set.merchant_id)
        credential_set = CredentialSet.objects.select_for_update().get(pk=credential_set.pk)
        _activate(credential_set, merchant, by, ip)
    return credential_set


def credential_retire(
    *, credential_set: CredentialSet, by=None, ip: str | None = None
) -> CredentialSet:
    """Stop using a set for anything. The active set cannot be retired: activate another first."""
    with transaction.atomic():
        Merchant.objects.select_for_update().get(pk=credential_set.merchant_id)
        credential_set = CredentialSet.objects.select_for_update().get(pk=credential_set.pk)
        if credential_set.status == Status.ACTIVE:
            raise CredentialStateError(
                _("The active credential set cannot be retired: activate its successor first.")
            )
        _check(credential_set, Status.RETIRED)
        credential_set.status = Status.RETIRED
        credential_set.retired_at = timezone.now()
        credential_set.save(update_fields=["status", "retired_at", "updated_at"])
        _audit("credential.retired", credential_set, by, ip)
    return credential_set
