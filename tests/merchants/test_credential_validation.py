"""Each way a credential upload can be wrong, and the message that says so."""

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from devtools.keygen import generate_merchant_keypair
from merchants.credentials import CredentialError
from tests.merchants.conftest import parsed_from


def errors_of(material, **overrides) -> dict[str, list[str]]:
    with pytest.raises(CredentialError) as caught:
        parsed_from(material, **overrides)
    return caught.value.errors


def test_valid_credentials_yield_serial_fingerprints_and_last_four(material):
    parsed = parsed_from(material)

    assert parsed.certificate_serial == material.keypair.serial
    assert len(parsed.private_key_fingerprint) == 64
    assert parsed.apiv3_key_last4 == material.apiv3_key[-4:]
    assert parsed.wechatpay_public_key_id == material.public_key_id
    assert [c.serial for c in parsed.platform_certificates]


def test_a_private_key_that_does_not_parse_is_refused(material):
    errors = errors_of(material, private_key_pem="-----BEGIN PRIVATE KEY-----\nnope\n")
    assert "does not parse" in errors["private_key"][0]


def test_a_certificate_in_the_private_key_field_is_named(material):
    errors = errors_of(material, private_key_pem=material.keypair.certificate_pem)
    assert "This is a certificate, not a private key" in errors["private_key"][0]


def test_a_password_protected_key_is_refused(material):
    key = serialization.load_pem_private_key(
        material.keypair.private_key_pem.encode(), password=None
    )
    locked = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    errors = errors_of(material, private_key_pem=locked)
    assert "password-protected" in errors["private_key"][0]


def test_a_non_rsa_key_is_refused(material):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    errors = errors_of(material, private_key_pem=pem)
    assert "not an RSA key" in errors["private_key"][0]


def test_an_rsa_key_that_is_not_2048_bits_is_refused(material):
    small = generate_merchant_keypair("1900000109", bits=1024)
    errors = errors_of(
        material, private_key_pem=small.private_key_pem, certificate_pem=small.certificate_pem
    )
    assert errors["private_key"] == [
        "The private key is RSA-1024; WeChat Pay merchant keys are RSA-2048."
    ]


def test_a_certificate_of_another_key_is_refused(material, second_keypair):
    errors = errors_of(material, certificate_pem=second_keypair.certificate_pem)
    assert "does not match the private key" in errors["certificate"][0]
    assert second_keypair.serial in errors["certificate"][0]


def test_a_certificate_that_does_not_parse_is_refused(material):
    errors = errors_of(material, certificate_pem="-----BEGIN CERTIFICATE-----\nAAAA\n")
    assert "The certificate does not parse" in errors["certificate"][0]


def test_an_expired_certificate_is_refused(material):
    key = serialization.load_pem_private_key(
        material.keypair.private_key_pem.encode(), password=None
    )
    expired = generate_merchant_keypair(
        "1900000109", private_key=key, not_before=datetime(2020, 1, 1, tzinfo=UTC), valid_days=365
    )
    errors = errors_of(material, certificate_pem=expired.certificate_pem)
    assert "The certificate expired on" in errors["certificate"][0]


@pytest.mark.parametrize("key", ["short", "x" * 33, ""])
def test_an_apiv3_key_that_is_not_32_characters_is_refused(material, key):
    errors = errors_of(material, apiv3_key=key)
    assert errors["apiv3_key"] == [
        f"The APIv3 key must be exactly 32 characters; this one has {len(key)}."
    ]


def test_an_apiv3_key_with_spaces_is_refused(material):
    errors = errors_of(material, apiv3_key="a" * 31 + " ")
    assert "no spaces" in errors["apiv3_key"][0]


def test_a_public_key_id_without_the_prefix_is_refused(material):
    errors = errors_of(material, wechatpay_public_key_id="0119000001")
    assert "starts with PUB_KEY_ID_" in errors["wechatpay_public_key_id"][0]


def test_a_public_key_without_its_id_is_refused(material):
    errors = errors_of(material, wechatpay_public_key_id="")
    assert "Enter the public key ID" in errors["wechatpay_public_key_id"][0]


def test_a_public_key_that_does_not_parse_is_refused(material):
    errors = errors_of(material, wechatpay_public_key_pem="not a key")
    assert "does not parse" in errors["wechatpay_public_key"][0]


def test_a_platform_certificate_bundle_without_certificates_is_refused(material):
    errors = errors_of(material, platform_certificates_pem="hello")
    assert "No PEM certificate found" in errors["platform_certificates"][0]


def test_without_any_wechatpay_key_answers_cannot_be_verified(material):
    errors = errors_of(
        material,
        wechatpay_public_key_id="",
        wechatpay_public_key_pem="",
        platform_certificates_pem="",
    )
    assert "cannot be verified" in errors["wechatpay_public_key"][0]


def test_platform_certificates_alone_are_enough(material):
    parsed = parsed_from(material, wechatpay_public_key_id="", wechatpay_public_key_pem="")
    assert parsed.wechatpay_public_key_id == ""
    assert len(parsed.platform_certificates) == 1


def test_every_problem_is_reported_at_once(material):
    errors = errors_of(material, private_key_pem="", apiv3_key="x")
    assert set(errors) == {"private_key", "apiv3_key"}
