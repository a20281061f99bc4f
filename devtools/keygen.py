"""Make a merchant RSA-2048 key and a self-signed certificate (demo data and tests).

Real merchants get their certificate from WeChat Pay's certificate tool; the sandbox accepts any
certificate registered with it, so a self-signed one is enough there.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

APIV3_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True, repr=False)
class KeyPair:
    private_key_pem: str
    certificate_pem: str
    serial: str


def generate_apiv3_key() -> str:
    return "".join(secrets.choice(APIV3_ALPHABET) for _ in range(32))


def generate_merchant_keypair(
    mchid: str,
    *,
    bits: int = 2048,
    serial: int | None = None,
    valid_days: int = 5 * 365,
    private_key: rsa.RSAPrivateKey | None = None,
    not_before: datetime | None = None,
) -> KeyPair:
    key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, mchid),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Complaint Console demo"),
        ]
    )
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii"),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        serial=format(cert.serial_number, "X"),
    )
