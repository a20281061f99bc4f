from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint
from console.encryption import decrypt_text, encrypt_text
from merchants.models import CredentialSet
from merchants.services import credential_add
from tests.merchants.conftest import parsed_from

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def _complaint_with_phone(merchant) -> Complaint:
    now = timezone.now()
    return Complaint.objects.create(
        merchant=merchant,
        complaint_id="200000000000000000000000001",
        complainted_mchid=merchant.mchid,
        complaint_time=now,
        first_reply_due_at=now + timedelta(hours=24),
        complete_due_at=now + timedelta(hours=72),
        payer_phone_encrypted=encrypt_text("13800138000"),
        payer_phone_last4="8000",
    )


def _raw_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT private_key_pem, certificate_pem, apiv3_key, wechatpay_public_key_pem,"
            f" platform_certificates_pem FROM {CredentialSet._meta.db_table}"
        )
        tokens = [value for row in cursor.fetchall() for value in row]
        cursor.execute(f"SELECT payer_phone_encrypted FROM {Complaint._meta.db_table}")
        return tokens + [row[0] for row in cursor.fetchall()]


def test_after_reencryption_the_oldest_key_can_be_removed(merchant, material, settings, capsys):
    # given secrets written while only the old key existed
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    credential_add(merchant=merchant, parsed=parsed_from(material))
    _complaint_with_phone(merchant)
    old_tokens = _raw_tokens()

    # when a new key is put first and the command runs
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("reencrypt_secrets")

    # then every token changed, and the new key alone decrypts all of them
    assert all(new != old for new, old in zip(_raw_tokens(), old_tokens, strict=True))
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    stored = CredentialSet.objects.get()
    assert stored.private_key_pem == material.keypair.private_key_pem
    assert stored.certificate_pem == material.keypair.certificate_pem
    assert stored.apiv3_key == material.apiv3_key
    assert stored.wechatpay_public_key_pem.strip() == material.public_key_pem.strip()
    assert "BEGIN CERTIFICATE" in stored.platform_certificates_pem
    assert decrypt_text(Complaint.objects.get().payer_phone_encrypted) == "13800138000"
    out = capsys.readouterr().out
    assert "merchants.CredentialSet.private_key_pem: 1 re-encrypted" in out
    assert "complaints.Complaint.payer_phone_encrypted: 1 re-encrypted" in out


def test_a_secret_no_key_decrypts_is_reported_and_left_alone(merchant, material, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    complaint = _complaint_with_phone(merchant)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key was dropped too early

    with pytest.raises(CommandError, match="could not be re-encrypted"):
        call_command("reencrypt_secrets")

    raw = Complaint.objects.filter(pk=complaint.pk).values_list("payer_phone_encrypted", flat=True)
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    assert decrypt_text(raw[0]) == "13800138000"
