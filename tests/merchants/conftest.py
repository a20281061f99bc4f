"""Merchants with credentials, built from generated keys and the test vectors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.keygen import KeyPair, generate_apiv3_key, generate_merchant_keypair
from merchants.credentials import parse_credentials
from merchants.models import Merchant
from merchants.services import credential_add

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "keys"
PLATFORM_PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092026010100000000000001"


@dataclass(frozen=True)
class Material:
    keypair: KeyPair
    apiv3_key: str
    public_key_id: str
    public_key_pem: str
    platform_certificate_pem: str


def vector_platform() -> tuple[str, str]:
    return (
        (VECTORS / "platform_public_key.pem").read_text(),
        (VECTORS / "platform_certificate.pem").read_text(),
    )


@pytest.fixture(scope="session")
def keypair() -> KeyPair:
    return generate_merchant_keypair("1900000109")


@pytest.fixture(scope="session")
def second_keypair() -> KeyPair:
    return generate_merchant_keypair("1900000109")


@pytest.fixture(scope="session")
def material(keypair) -> Material:
    public_pem, cert_pem = vector_platform()
    return Material(keypair, generate_apiv3_key(), PLATFORM_PUBLIC_KEY_ID, public_pem, cert_pem)


def parsed_from(material: Material, **overrides):
    fields = {
        "private_key_pem": material.keypair.private_key_pem,
        "certificate_pem": material.keypair.certificate_pem,
        "apiv3_key": material.apiv3_key,
        "wechatpay_public_key_id": material.public_key_id,
        "wechatpay_public_key_pem": material.public_key_pem,
        "platform_certificates_pem": material.platform_certificate_pem,
    }
    return parse_credentials(**{**fields, **overrides})


@pytest.fixture
def merchant(db) -> Merchant:
    return Merchant.objects.create(mchid="1900000109", name="Merchant A")


@pytest.fixture
def merchant_with_credentials(merchant, material) -> Merchant:
    credential_add(merchant=merchant, parsed=parsed_from(material))
    return merchant
