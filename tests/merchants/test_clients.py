"""Verifier, APIv3 keys and payer_phone decryption across a rotation (no network)."""

import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import wechatpay
from merchants.services import (
    credential_activate,
    credential_add,
    credential_retire,
    decrypt_payer_phone,
    merchant_apiv3_keys,
    merchant_verifier,
    wechatpay_client,
)
from tests.merchants.conftest import VECTORS, parsed_from
from wechatpay import crypto

NEW_PLATFORM_KEY_ID = "PUB_KEY_ID_0119000001092026060100000000000002"


def signed_headers(private_key, serial: str, body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), crypto.make_nonce()
    message = crypto.response_message(timestamp, nonce, body)
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": crypto.sign(private_key, message),
        "Wechatpay-Serial": serial,
    }


@pytest.fixture
def new_platform_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def rotating(merchant_with_credentials, material, second_keypair, new_platform_key):
    """Set A (vector platform key) active, set B (new merchant and platform keys) added."""
    public_pem = crypto.public_key_pem(new_platform_key.public_key())
    new_set = credential_add(
        merchant=merchant_with_credentials,
        parsed=parsed_from(
            material,
            private_key_pem=second_keypair.private_key_pem,
            certificate_pem=second_keypair.certificate_pem,
            apiv3_key="B" * 32,
            wechatpay_public_key_id=NEW_PLATFORM_KEY_ID,
            wechatpay_public_key_pem=public_pem,
            platform_certificates_pem="",
        ),
    )
    old_set = merchant_with_credentials.credentials.get(status="active")
    return merchant_with_credentials, old_set, new_set


def vector_platform_private_key():
    return serialization.load_pem_private_key(
        (VECTORS / "platform_private_key.pem").read_bytes(), password=None
    )


def test_during_the_overlap_notifications_signed_with_either_platform_key_verify(
    rotating, material, new_platform_key
):
    merchant, old_set, new_set = rotating
    credential_activate(credential_set=new_set)
    body = b'{"id":"EV-1"}'
    verifier = merchant_verifier(merchant)

    old_headers = signed_headers(vector_platform_private_key(), material.public_key_id, body)
    new_headers = signed_headers(new_platform_key, NEW_PLATFORM_KEY_ID, body)

    assert verifier.verify(old_headers, body) == material.public_key_id
    assert verifier.verify(new_headers, body) == NEW_PLATFORM_KEY_ID


def test_after_retirement_the_old_platform_key_no_longer_verifies(rotating, material):
    merchant, old_set, new_set = rotating
    credential_activate(credential_set=new_set)
    credential_retire(credential_set=old_set)
    body = b"{}"

    headers = signed_headers(vector_platform_private_key(), material.public_key_id, body)

    with pytest.raises(wechatpay.UnknownSerialError):
        merchant_verifier(merchant).verify(headers, body)


def test_apiv3_keys_list_the_active_set_first(rotating, material):
    merchant, old_set, new_set = rotating
    assert merchant_apiv3_keys(merchant) == [material.apiv3_key, "B" * 32]

    credential_activate(credential_set=new_set)
    assert merchant_apiv3_keys(merchant) == ["B" * 32, material.apiv3_key]

    credential_retire(credential_set=old_set)
    assert merchant_apiv3_keys(merchant) == ["B" * 32]


def test_a_phone_encrypted_for_the_previous_certificate_still_decrypts(rotating, material):
    merchant, old_set, new_set = rotating
    old_certificate_key = crypto.load_public_key(material.keypair.certificate_pem)
    ciphertext = crypto.oaep_encrypt(old_certificate_key, "13800138000")
    credential_activate(credential_set=new_set)

    assert decrypt_payer_phone(merchant, ciphertext) == "13800138000"

    credential_retire(credential_set=old_set)
    with pytest.raises(wechatpay.PayerPhoneDecryptError):
        decrypt_payer_phone(merchant, ciphertext)


def test_the_client_is_cached_until_a_rotation_changes_it(rotating, second_keypair):
    merchant, old_set, new_set = rotating
    first = wechatpay_client(merchant)
    assert wechatpay_client(merchant) is first
    assert first.credentials.serial_no == old_set.certificate_serial

    credential_activate(credential_set=new_set)
    rotated = wechatpay_client(merchant)

    assert rotated is not first
    assert rotated.credentials.serial_no == second_keypair.serial
    # the new set's WeChat Pay public key is the one named in Wechatpay-Serial
    assert rotated.verifier.preferred_serial == NEW_PLATFORM_KEY_ID
