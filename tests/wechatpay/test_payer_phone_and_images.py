"""payer_phone decryption failures and local image checks."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from wechatpay import (
    InvalidArgumentError,
    MerchantCredentials,
    PayerPhoneDecryptError,
    crypto,
    decrypt_payer_phone,
)
from wechatpay.images import MAX_IMAGE_BYTES, build_upload, detect_image_type


def test_payer_phone_accepts_credentials_and_loaded_key(
    credentials: MerchantCredentials, vectors: dict[str, Any]
) -> None:
    vector = vectors["payer_phone"][0]
    assert decrypt_payer_phone(credentials, vector["ciphertext"]) == vector["plaintext"]
    assert decrypt_payer_phone(credentials.private_key, vector["ciphertext"]) == vector["plaintext"]


def test_payer_phone_with_wrong_key_raises_clear_error(vectors: dict[str, Any]) -> None:
    from tests.wechatpay.conftest import read_key

    wrong = read_key("keys/platform_private_key.pem")
    with pytest.raises(PayerPhoneDecryptError, match="API private key"):
        decrypt_payer_phone(wrong, vectors["payer_phone"][0]["ciphertext"])


def test_payer_phone_is_never_logged(
    credentials: MerchantCredentials, vectors: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    vector = vectors["payer_phone"][0]
    decrypt_payer_phone(credentials, vector["ciphertext"])
    assert vector["plaintext"] not in caplog.text


def test_credentials_repr_hides_key_material(credentials: MerchantCredentials) -> None:
    text = repr(credentials)
    assert "PRIVATE" not in text and credentials.apiv3_key not in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xd8\xff\xe0" + b"0" * 10, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 10, "image/png"),
        (b"BM" + b"0" * 10, "image/bmp"),
    ],
)
def test_image_type_is_judged_by_content(content: bytes, expected: str) -> None:
    assert detect_image_type(content)[0] == expected


def test_gif_named_png_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="JPG, PNG or BMP"):
        build_upload(b"GIF89a" + b"0" * 10, "fake.png")


def test_png_named_jpg_is_refused(vectors: dict[str, Any]) -> None:
    png = base64.b64decode(vectors["upload"]["file_base64"])
    with pytest.raises(InvalidArgumentError, match=".png"):
        build_upload(png, "photo.jpg")


def test_image_over_2_mb_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="2 MB"):
        build_upload(b"\x89PNG\r\n\x1a\n" + b"0" * MAX_IMAGE_BYTES, "big.png")


def test_image_of_exactly_2_mb_is_accepted() -> None:
    content = b"\x89PNG\r\n\x1a\n" + b"0" * (MAX_IMAGE_BYTES - 8)
    assert build_upload(content, "BIG.PNG").sha256


def test_wrong_apiv3_key_length_is_refused(merchant_pem: str) -> None:
    with pytest.raises(InvalidArgumentError, match="32"):
        MerchantCredentials(
            mchid="1", serial_no="AB", private_key_pem=merchant_pem, apiv3_key="short"
        )


def test_unreadable_private_key_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="private key"):
        MerchantCredentials(mchid="1", serial_no="AB", private_key_pem="nope", apiv3_key="K" * 32)


def test_signtest_prefix_never_verifies(platform_private_key: Any) -> None:
    assert not crypto.verify(platform_private_key.public_key(), b"m", "WECHATPAY/SIGNTEST/AAAA")
