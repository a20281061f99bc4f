"""The platform's key material: generated on first run into the data dir, then reused.

WeChat Pay signs with two different keys depending on the mode a merchant uses: the WeChat Pay
public key (identified by a PUB_KEY_ID_…) and the platform certificate. The sandbox keeps them as
two distinct RSA keys so that a client verifying with the wrong one fails, as it would for real.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from wechatpay import crypto

PUBLIC_KEY_FILE = "platform_public_key_private.pem"
CERT_KEY_FILE = "platform_certificate_private.pem"
CERT_FILE = "platform_certificate.pem"
INFO_FILE = "platform.json"


@dataclass(frozen=True)
class PlatformKeys:
    public_key_id: str
    public_key_private: rsa.RSAPrivateKey
    certificate: x509.Certificate
    certificate_private: rsa.RSAPrivateKey

    @property
    def certificate_serial(self) -> str:
        return crypto.certificate_serial(self.certificate)

    @property
    def public_key_pem(self) -> str:
        return crypto.public_key_pem(self.public_key_private.public_key())

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def signer_for(self, requested_serial: str | None) -> tuple[str, rsa.RSAPrivateKey]:
        """Pick (serial, key) as WeChat does: public-key mode only when the caller asked for it."""
        if requested_serial and requested_serial.startswith(crypto.PUBLIC_KEY_ID_PREFIX):
            return self.public_key_id, self.public_key_private
        return self.certificate_serial, self.certificate_private


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tenpay.com (sandbox)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (sandbox)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )


def _new_public_key_id() -> str:
    return crypto.PUBLIC_KEY_ID_PREFIX + "".join(secrets.choice("0123456789") for _ in range(34))


def generate(directory: Path) -> PlatformKeys:
    directory.mkdir(parents=True, exist_ok=True)
    pub_key, cert_key = _new_key(), _new_key()
    cert = _self_signed(cert_key)
    (directory / PUBLIC_KEY_FILE).write_bytes(_private_pem(pub_key))
    (directory / CERT_KEY_FILE).write_bytes(_private_pem(cert_key))
    (directory / CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / INFO_FILE).write_text(json.dumps({"public_key_id": _new_public_key_id()}))
    for name in (PUBLIC_KEY_FILE, CERT_KEY_FILE):
        (directory / name).chmod(0o600)
    return load(directory)


def load(directory: Path) -> PlatformKeys:
    info = json.loads((directory / INFO_FILE).read_text())
    return PlatformKeys(
        public_key_id=info["public_key_id"],
        public_key_private=crypto.load_private_key((directory / PUBLIC_KEY_FILE).read_bytes()),
        certificate=crypto.load_certificate((directory / CERT_FILE).read_bytes()),
        certificate_private=crypto.load_private_key((directory / CERT_KEY_FILE).read_bytes()),
    )


def load_or_generate(directory: Path) -> PlatformKeys:
    if (directory / INFO_FILE).exists():
        return load(directory)
    return generate(directory)
