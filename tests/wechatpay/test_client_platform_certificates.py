"""Platform certificates: downloaded once when a public-key-only verifier meets a certificate
signature, added at run time, refused when sealed with another APIv3 key; against a local
recording HTTP server that answers like WeChat Pay."""

from __future__ import annotations

from typing import Any

import pytest

from tests.wechatpay.recording_server import RecordingServer, Reply
from tests.wechatpay.request_checks import CID, MCHID
from wechatpay import Client, MerchantCredentials, Verifier, crypto


def test_public_key_only_verifier_accepts_certificate_signed_answer_after_refresh(
    credentials: MerchantCredentials, server: RecordingServer, vectors: dict[str, Any]
) -> None:
    """Migration period: we hold only the public key; WeChat signs with a platform certificate we
    have never seen, so the client downloads /v3/certificates once and verifies with it."""
    from tests.wechatpay.conftest import make_verifier, read_key

    verifier = make_verifier(vectors, certs=False)
    cert_serial = vectors["platform"]["certificate_serial_no"]
    cert_pem = read_key(vectors["platform"]["certificate"])
    nonce = "0123456789ab"
    sealed = crypto.aead_encrypt(vectors["apiv3_key"], nonce, "certificate", cert_pem.encode())
    certificates = {
        "data": [
            {
                "serial_no": cert_serial,
                "effective_time": "2026-01-01T00:00:00+08:00",
                "expire_time": "2031-01-01T00:00:00+08:00",
                "encrypt_certificate": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "nonce": nonce,
                    "associated_data": "certificate",
                    "ciphertext": sealed,
                },
            }
        ]
    }
    server.reply(
        Reply(204, serial=cert_serial),
        Reply(200, certificates, serial=cert_serial),
        Reply(204, serial=cert_serial),
    )
    with Client(credentials, verifier, base_url=server.base_url, backup_url=None) as client:
        client.complete(CID, complainted_mchid=MCHID)
        client.complete(CID, complainted_mchid=MCHID)

    assert [r.target for r in server.requests] == [
        f"/v3/merchant-service/complaints-v2/{CID}/complete",
        "/v3/certificates",
        f"/v3/merchant-service/complaints-v2/{CID}/complete",
    ]
    assert verifier.knows(cert_serial)


def test_verifier_accepts_new_certificate_at_run_time(vectors: dict[str, Any]) -> None:
    from tests.wechatpay.conftest import make_verifier, read_key

    verifier: Verifier = make_verifier(vectors, certs=False)
    assert not verifier.knows(vectors["platform"]["certificate_serial_no"])
    serial = verifier.add_certificate(read_key(vectors["platform"]["certificate"]))
    assert serial == vectors["platform"]["certificate_serial_no"]
    assert verifier.knows(serial)


def test_certificate_sealed_with_another_apiv3_key_is_refused(
    client: Client, server: RecordingServer, vectors: dict[str, Any]
) -> None:
    from tests.wechatpay.conftest import read_key
    from wechatpay import ApiError

    sealed = crypto.aead_encrypt(
        "Z" * 32,
        "0123456789ab",
        "certificate",
        read_key(vectors["platform"]["certificate"]).encode(),
    )
    item = {
        "serial_no": vectors["platform"]["certificate_serial_no"],
        "encrypt_certificate": {
            "algorithm": "AEAD_AES_256_GCM",
            "nonce": "0123456789ab",
            "associated_data": "certificate",
            "ciphertext": sealed,
        },
    }
    server.reply(Reply(200, {"data": [item]}))

    with pytest.raises(ApiError, match="APIv3 key") as caught:
        client.refresh_platform_certificates()
    assert caught.value.code == "UNEXPECTED_RESPONSE"
