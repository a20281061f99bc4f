"""payer_phone decryption (§6): RSA-OAEP with SHA-1 under the merchant's API private key."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from wechatpay import crypto
from wechatpay.credentials import MerchantCredentials
from wechatpay.errors import PayerPhoneDecryptError


def decrypt_payer_phone(
    private_key_pem_or_key: str | bytes | rsa.RSAPrivateKey | MerchantCredentials, ciphertext: str
) -> str:
    """Return the consumer's phone number. Show it, never log or store it in clear."""
    key = private_key_pem_or_key
    if isinstance(key, MerchantCredentials):
        key = key.private_key
    elif isinstance(key, str | bytes):
        try:
            key = crypto.load_private_key(key)
        except crypto.CryptoError as exc:
            raise PayerPhoneDecryptError(f"merchant API private key: {exc}") from exc
    try:
        return crypto.oaep_decrypt(key, ciphertext)
    except crypto.DecryptionError as exc:
        raise PayerPhoneDecryptError(
            "payer_phone could not be decrypted with this merchant's API private key "
            "(wrong key, or not RSA-OAEP ciphertext)"
        ) from exc
