"""Cryptographic primitives of WeChat Pay APIv3, shared by the client and the simulator.

Everything here is a pure function over bytes and keys: no I/O, no clocks, no HTTP.
"""

from __future__ import annotations

import base64
import re
import secrets
import string

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048"
SIGNATURE_TYPE = AUTH_SCHEMA
AUTH_FIELDS = ("mchid", "nonce_str", "timestamp", "serial_no", "signature")
PUBLIC_KEY_ID_PREFIX = "PUB_KEY_ID_"
SIGNTEST_PREFIX = "WECHATPAY/SIGNTEST/"

_NONCE_ALPHABET = string.ascii_uppercase + string.digits
_AUTH_PAIR = re.compile(r'\s*([a-z_]+)="([^"]*)"\s*(?:,|$)')


class CryptoError(Exception):
    """A key, ciphertext or signature could not be used."""


class DecryptionError(CryptoError):
    """AEAD or OAEP decryption failed (wrong key, bad tag, garbled input)."""


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


# --- keys -----------------------------------------------------------------


def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(_as_bytes(pem), password=None)
    except (ValueError, TypeError) as exc:
        raise CryptoError("private key is not a readable PEM") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CryptoError("private key is not an RSA key")
    return key


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """Accept a PEM public key or a PEM certificate and return its RSA public key."""
    data = _as_bytes(pem)
    try:
        if b"BEGIN CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise CryptoError("public key is not a readable PEM") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise CryptoError("public key is not an RSA key")
    return key


def load_certificate(pem: str | bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(_as_bytes(pem))
    except ValueError as exc:
        raise CryptoError("certificate is not a readable PEM") from exc


def certificate_serial(cert: x509.Certificate) -> str:
    """The serial as WeChat Pay writes it: uppercase hex without separators."""
    return format(cert.serial_number, "X")


def public_key_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


# --- messages and signatures ---------------------------------------------


def request_message(
    method: str, target: str, timestamp: str | int, nonce: str, body: str | bytes
) -> bytes:
    """The five-line message a merchant signs: method, raw target, timestamp, nonce, body."""
    head = f"{method.upper()}\n{target}\n{timestamp}\n{nonce}\n".encode()
    return head + _as_bytes(body) + b"\n"


def response_message(timestamp: str | int, nonce: str, body: str | bytes) -> bytes:
    """The three-line message WeChat Pay signs on responses and notifications."""
    return f"{timestamp}\n{nonce}\n".encode() + _as_bytes(body) + b"\n"


def sign(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    raw = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def verify(public_key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    """True only for a valid signature; probes and undecodable signatures are False."""
    if signature.startswith(SIGNTEST_PREFIX):
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def make_nonce(length: int = 32) -> str:
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(length))


def authorization_header(
    *, mchid: str, serial_no: str, timestamp: str | int, nonce: str, signature: str
) -> str:
    return (
        f'{AUTH_SCHEMA} mchid="{mchid}",nonce_str="{nonce}",'
        f'signature="{signature}",timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def parse_authorization(header: str) -> dict[str, str]:
    """Split an Authorization header into its five values; raise CryptoError if malformed."""
    schema, _, params = header.strip().partition(" ")
    if schema != AUTH_SCHEMA:
        raise CryptoError(f"authorization schema must be {AUTH_SCHEMA}")
    values: dict[str, str] = {}
    pos = 0
    while pos < len(params):
        match = _AUTH_PAIR.match(params, pos)
        if not match:
            raise CryptoError("authorization parameters are malformed")
        key, value = match.groups()
        if key in values:
            raise CryptoError(f"authorization repeats {key}")
        values[key] = value
        pos = match.end()
    missing = [field for field in AUTH_FIELDS if not values.get(field)]
    if missing:
        raise CryptoError(f"authorization lacks {', '.join(missing)}")
    return values


# --- AEAD_AES_256_GCM (notifications, platform certificates) -------------


def aead_encrypt(key: str | bytes, nonce: str, associated_data: str, plaintext: bytes) -> str:
    sealed = AESGCM(_as_bytes(key)).encrypt(
        _as_bytes(nonce), plaintext, _as_bytes(associated_data) or None
    )
    return base64.b64encode(sealed).decode("ascii")


def aead_decrypt(key: str | bytes, nonce: str, associated_data: str, ciphertext: str) -> bytes:
    key_bytes = _as_bytes(key)
    if len(key_bytes) != 32:
        raise DecryptionError("the APIv3 key must be 32 bytes")
    try:
        sealed = base64.b64decode(ciphertext, validate=True)
        return AESGCM(key_bytes).decrypt(
            _as_bytes(nonce), sealed, _as_bytes(associated_data) or None
        )
    except InvalidTag as exc:
        raise DecryptionError("AES-GCM tag does not match (wrong APIv3 key or tampered)") from exc
    except ValueError as exc:
        raise DecryptionError("ciphertext or nonce is malformed") from exc


# --- RSA-OAEP (payer_phone) ----------------------------------------------

_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303


def oaep_encrypt(public_key: rsa.RSAPublicKey, plaintext: str) -> str:
    return base64.b64encode(public_key.encrypt(plaintext.encode("utf-8"), _OAEP)).decode("ascii")


def oaep_decrypt(private_key: rsa.RSAPrivateKey, ciphertext: str) -> str:
    try:
        raw = base64.b64decode(ciphertext, validate=True)
        return private_key.decrypt(raw, _OAEP).decode("utf-8")
    except ValueError as exc:
        raise DecryptionError("payer_phone could not be decrypted with the merchant key") from exc
