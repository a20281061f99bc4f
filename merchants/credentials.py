"""Parse and check a merchant's credential material before anything is stored.

Pure functions over the PEM text a merchant uploads or pastes: every problem is reported with a
message that says what is wrong and what to do, keyed by the form field it belongs to.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from wechatpay import crypto

RSA_BITS = 2048
APIV3_KEY_LENGTH = 32
CERT_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class CredentialError(Exception):
    """What is wrong with submitted credentials: {field name: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


@dataclass
class PlatformCertificate:
    serial: str
    not_after: datetime
    fingerprint: str
    pem: str


@dataclass
class ParsedCredentials:
    """Everything derived from valid input; the secrets are only held in memory."""

    private_key_pem: str
    certificate_pem: str
    certificate_serial: str
    certificate_not_after: datetime
    private_key_fingerprint: str
    apiv3_key: str
    wechatpay_public_key_id: str = ""
    wechatpay_public_key_pem: str = ""
    wechatpay_public_key_fingerprint: str = ""
    platform_certificates: list[PlatformCertificate] = field(default_factory=list)

    @property
    def apiv3_key_last4(self) -> str:
        return self.apiv3_key[-4:]


def normalize_pem(text: str | bytes | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text + "\n" if text else ""


def public_key_fingerprint(key: rsa.RSAPublicKey) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex (what `openssl pkey -pubout |
    openssl dgst -sha256` shows for the DER form)."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def _not_after(cert: x509.Certificate) -> datetime:
    return cert.not_valid_after_utc


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


@sensitive_variables()
def _private_key(pem: str, errors: _Collector) -> rsa.RSAPrivateKey | None:
    if not pem:
        errors.add(
            "private_key", _("Upload or paste the merchant API private key (apiclient_key.pem).")
        )
        return None
    if "BEGIN CERTIFICATE" in pem:
        errors.add(
            "private_key",
            _("This is a certificate, not a private key: use apiclient_key.pem here."),
        )
        return None
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except TypeError:
        errors.add(
            "private_key",
            _("The private key is password-protected: export it without a password."),
        )
        return None
    except ValueError:
        errors.add(
            "private_key",
            _("The private key does not parse: it must be a PEM block "
              "(-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)."),
        )  # fmt: skip
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        errors.add(
            "private_key", _("The private key is not an RSA key; WeChat Pay uses RSA-2048 keys.")
        )
        return None
    if key.key_size != RSA_BITS:
        errors.add(
            "private_key",
            _("The private key is RSA-%(bits)s; WeChat Pay merchant keys are RSA-2048.")
            % {"bits": key.key_size},
        )
        return None
    return key


def _certificate(pem: str, errors: _Collector, now: datetime) -> x509.Certificate | None:
    if not pem:
        errors.add(
            "certificate",
            _("Upload or paste the merchant API certificate (apiclient_cert.pem)."),
        )
        return None
    if "PRIVATE KEY" in pem:
        errors.add(
            "certificate",
            _("This is a private key, not a certificate: use apiclient_cert.pem here."),
        )
        return None
    try:
        cert = crypto.load_certificate(pem)
    except crypto.CryptoError:
        errors.add(
            "certificate",
            _("The certificate does not parse: it must be a PEM block "
              "(-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)."),
        )  # fmt: skip
        return None
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        errors.add("certificate", _("The certificate does not hold an RSA key."))
        return None
    if _not_after(cert) <= now:
        errors.add(
            "certificate",
            _("The certificate expired on %(date)s: download a new one from the merchant platform.")
            % {"date": f"{_not_after(cert):%Y-%m-%d}"},
        )
        return None
    return cert


def _apiv3_key(value: str, errors: _Collector) -> None:
    if len(value) != APIV3_KEY_LENGTH:
        errors.add(
            "apiv3_key",
            _("The APIv3 key must be exactly 32 characters; this one has %(count)s.")
            % {"count": len(value)},
        )
    elif not all(0x21 <= ord(ch) <= 0x7E for ch in value):
        errors.add(
            "apiv3_key",
            _("The APIv3 key may contain only letters, digits and ASCII punctuation (no spaces)."),
        )


def _wechatpay_public_key(key_id: str, pem: str, errors: _Collector) -> str:
    if not key_id and not pem:
        return ""
    if not key_id:
        errors.add(
            "wechatpay_public_key_id",
            _("Enter the public key ID (PUB_KEY_ID_…) shown next to the WeChat Pay public key."),
        )
    elif not re.fullmatch(r"PUB_KEY_ID_[0-9A-Za-z_]+", key_id):
        errors.add(
            "wechatpay_public_key_id",
            _("A WeChat Pay public key ID starts with PUB_KEY_ID_ followed by letters and digits."),
        )
    if not pem:
        errors.add(
            "wechatpay_public_key",
            _("Upload or paste the WeChat Pay public key (pub_key.pem) that belongs to this ID."),
        )
        return ""
    try:
        key = crypto.load_public_key(pem)
    except crypto.CryptoError:
        errors.add(
            "wechatpay_public_key",
            _("The WeChat Pay public key does not parse as an RSA public key in PEM form."),
        )
        return ""
    return public_key_fingerprint(key)


def _platform_certificates(
    bundle: str, errors: _Collector, now: datetime
) -> list[PlatformCertificate]:
    if not bundle:
        return []
    blocks = CERT_BLOCK.findall(bundle)
    if not blocks:
        errors.add(
            "platform_certificates",
            _("No PEM certificate found: paste one or more -----BEGIN CERTIFICATE----- blocks."),
        )
        return []
    found = []
    for number, block in enumerate(blocks, start=1):
        try:
            cert = crypto.load_certificate(block)
            key = cert.public_key()
            if not isinstance(key, rsa.RSAPublicKey):
                raise crypto.CryptoError("not RSA")
        except crypto.CryptoError:
            errors.add(
                "platform_certificates",
                _("Platform certificate %(number)s does not parse as an RSA certificate.")
                % {"number": number},
            )
            continue
        if _not_after(cert) <= now:
            errors.add(
                "platform_certificates",
                _("Platform certificate %(serial)s expired on %(date)s.")
                % {
                    "serial": crypto.certificate_serial(cert),
                    "date": f"{_not_after(cert):%Y-%m-%d}",
                },
            )
            continue
        found.append(
            PlatformCertificate(
                serial=crypto.certificate_serial(cert),
                not_after=_not_after(cert),
                fingerprint=public_key_fingerprint(key),
                pem=block + "\n",
            )
        )
    return found


@sensitive_variables()
def parse_credentials(
    *,
    private_key_pem: str,
    certificate_pem: str,
    apiv3_key: str,
    wechatpay_public_key_id: str = "",
    wechatpay_public_key_pem: str = "",
    platform_certificates_pem: str = "",
    now: datetime | None = None,
) -> ParsedCredentials:
    """Check every part; raise CredentialError listing every problem found."""
    now = now or datetime.now(UTC)
    errors = _Collector()
    private_key_pem = normalize_pem(private_key_pem)
    certificate_pem = normalize_pem(certificate_pem)
    wechatpay_public_key_pem = normalize_pem(wechatpay_public_key_pem)
    wechatpay_public_key_id = (wechatpay_public_key_id or "").strip()
    key = _private_key(private_key_pem, errors)
    cert = _certificate(certificate_pem, errors, now)
    if (
        key is not None
        and cert is not None
        and (public_key_fingerprint(cert.public_key()) != public_key_fingerprint(key.public_key()))
    ):
        errors.add(
            "certificate",
            _("The certificate does not match the private key: they come from different key "
              "pairs (serial %(serial)s). Upload the certificate issued for this key.")
            % {"serial": crypto.certificate_serial(cert)},
        )  # fmt: skip
    _apiv3_key(apiv3_key or "", errors)
    public_fingerprint = _wechatpay_public_key(
        wechatpay_public_key_id, wechatpay_public_key_pem, errors
    )
    platform = _platform_certificates(normalize_pem(platform_certificates_pem), errors, now)
    if not (wechatpay_public_key_id or wechatpay_public_key_pem or platform_certificates_pem):
        errors.add(
            "wechatpay_public_key",
            _("Add the WeChat Pay public key with its ID, or at least one platform certificate: "
              "without them WeChat Pay's answers cannot be verified."),
        )  # fmt: skip
    if errors.errors:
        raise CredentialError(errors.errors)
    assert key is not None and cert is not None  # for type checkers: no errors means both parsed
    return ParsedCredentials(
        private_key_pem=private_key_pem,
        certificate_pem=certificate_pem,
        certificate_serial=crypto.certificate_serial(cert),
        certificate_not_after=_not_after(cert),
        private_key_fingerprint=public_key_fingerprint(key.public_key()),
        apiv3_key=apiv3_key,
        wechatpay_public_key_id=wechatpay_public_key_id,
        wechatpay_public_key_pem=wechatpay_public_key_pem if public_fingerprint else "",
        wechatpay_public_key_fingerprint=public_fingerprint,
        platform_certificates=platform,
    )
