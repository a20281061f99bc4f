"""Request verification (§5.1, §9 steps 1-2) and response signing (§5.2)."""

from __future__ import annotations

import json
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fixtures.sandbox import register_vector_merchant
from tests.sandbox.signing import USER_AGENT, Signer, verify_response
from wechatpay import crypto

LIST = "/v3/merchant-service/complaints-v2"


def list_target() -> str:
    today = time.strftime("%Y-%m-%d")
    return f"{LIST}?limit=10&offset=0&begin_date={today}&end_date={today}"


def assert_error(answer: requests.Response, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    return body


def test_request_signed_with_the_vector_key_is_accepted(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", list_target())

    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == []


def test_missing_authorization_is_a_sign_error(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    answer = signer.http.get(
        sandbox_merchant.base_url + list_target(), headers=signer.headers(None)
    )

    assert_error(answer, 401, "SIGN_ERROR")


def test_missing_user_agent_or_accept_is_an_incomplete_header_error(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    target = list_target()
    for missing in ("User-Agent", "Accept"):
        headers = signer.headers(signer.authorization("GET", target, ""))
        headers[missing] = ""
        answer = signer.http.get(sandbox_merchant.base_url + target, headers=headers)
        body = assert_error(answer, 400, "INVALID_REQUEST")
        assert body["message"] == "头部信息不完整"


def test_malformed_authorization_is_a_sign_error(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    for header in ("Bearer abc", 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="x"'):
        answer = signer.http.get(
            sandbox_merchant.base_url + list_target(), headers=signer.headers(header)
        )
        assert_error(answer, 401, "SIGN_ERROR")


def test_tampered_body_is_rejected(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    target = f"{LIST}/{cid}/response"
    signed = json.dumps(
        {"complainted_mchid": sandbox_merchant.mchid, "response_content": "好的"},
        ensure_ascii=False,
    )
    sent = signed.replace("好的", "不好")
    headers = signer.headers(signer.authorization("POST", target, signed))

    answer = signer.http.post(
        sandbox_merchant.base_url + target, data=sent.encode(), headers=headers
    )

    body = assert_error(answer, 401, "SIGN_ERROR")
    assert body["detail"]["sign_information"]["url"] == target
    assert sandbox.control.replies(complaint_id=cid) == []


def test_tampered_query_is_rejected(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    target = list_target()
    headers = signer.headers(signer.authorization("GET", target, ""))

    answer = signer.http.get(
        sandbox_merchant.base_url + target.replace("limit=10", "limit=11"), headers=headers
    )

    assert_error(answer, 401, "SIGN_ERROR")


@pytest.mark.parametrize("offset", [-301, 301])
def test_timestamp_more_than_five_minutes_away_is_rejected(sandbox_merchant, offset):
    answer = Signer(sandbox_merchant).call(
        "GET", list_target(), timestamp=int(time.time()) + offset
    )

    body = assert_error(answer, 401, "SIGN_ERROR")
    assert "5分钟" in body["message"]


def test_timestamp_within_the_window_is_accepted(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", list_target(), timestamp=int(time.time()) - 240)

    assert answer.status_code == 200


def test_millisecond_timestamp_is_rejected(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", list_target(), timestamp=int(time.time() * 1000))

    assert_error(answer, 401, "SIGN_ERROR")


def test_signature_by_another_key_is_rejected(sandbox_merchant):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    answer = Signer(sandbox_merchant).call("GET", list_target(), private_key=stranger)

    body = assert_error(answer, 401, "SIGN_ERROR")
    assert body["message"] == "错误的签名，验签失败"


def test_unknown_certificate_serial_is_rejected(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", list_target(), serial_no="ABCDEF0123456789")

    assert_error(answer, 401, "SIGN_ERROR")


def test_unregistered_mchid_is_rejected(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", list_target(), mchid="1234567890")

    assert_error(answer, 401, "SIGN_ERROR")


def test_another_merchants_complaint_is_no_auth(sandbox, sandbox_merchant):
    other = register_vector_merchant(sandbox)
    [cid] = sandbox.control.create_complaints(other.mchid)
    signer = Signer(sandbox_merchant)

    detail = signer.call("GET", f"{LIST}/{cid}")
    reply = signer.call(
        "POST",
        f"{LIST}/{cid}/response",
        {"complainted_mchid": sandbox_merchant.mchid, "response_content": "您好"},
    )

    assert_error(detail, 403, "NO_AUTH")
    assert_error(reply, 403, "NO_AUTH")
    assert sandbox.control.replies(complaint_id=cid) == []


def test_listing_another_merchants_complaints_is_no_auth(sandbox, sandbox_merchant):
    other = register_vector_merchant(sandbox)

    answer = Signer(sandbox_merchant).call(
        "GET", list_target() + f"&complainted_mchid={other.mchid}"
    )

    assert_error(answer, 403, "NO_AUTH")


def test_partner_acts_for_its_sub_merchants(sandbox, sandbox_merchant):
    sub = register_vector_merchant(sandbox)
    partner = register_vector_merchant(sandbox)
    sandbox.control.register_merchant(
        mchid=partner.mchid,
        certificate_serial=partner.serial_no,
        certificate_pem=partner.certificate_pem,
        apiv3_key=partner.apiv3_key,
        kind="partner",
        sub_mchids=[sub.mchid],
    )
    [cid] = sandbox.control.create_complaints(sub.mchid)
    signer = Signer(partner)

    listed = signer.call("GET", list_target() + f"&complainted_mchid={sub.mchid}")
    detail = signer.call("GET", f"{LIST}/{cid}")

    assert [c["complaint_id"] for c in listed.json()["data"]] == [cid]
    assert detail.status_code == 200


def test_unknown_complaint_is_not_found(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", f"{LIST}/200201820990101080000000000")

    assert_error(answer, 404, "RESOURCE_NOT_EXISTS")


def test_rotated_certificate_and_the_old_one_are_both_accepted(sandbox, sandbox_merchant):
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sandbox.control.register_merchant(
        mchid=sandbox_merchant.mchid,
        certificate_serial="7A7A7A7A7A7A7A7A",
        public_key_pem=crypto.public_key_pem(new_key.public_key()),
        apiv3_key=sandbox_merchant.apiv3_key,
    )
    signer = Signer(sandbox_merchant)

    new = signer.call("GET", list_target(), serial_no="7A7A7A7A7A7A7A7A", private_key=new_key)
    old = signer.call("GET", list_target())

    assert (new.status_code, old.status_code) == (200, 200)


def test_response_is_signed_with_the_public_key_when_the_request_names_it(sandbox_merchant):
    answer = Signer(sandbox_merchant, public_key_mode=True).call("GET", list_target())

    assert answer.headers["Wechatpay-Serial"] == sandbox_merchant.platform_public_key_id
    assert answer.headers["Wechatpay-Serial"].startswith("PUB_KEY_ID_")
    assert len(answer.headers["Wechatpay-Serial"]) == len("PUB_KEY_ID_") + 34
    assert verify_response(answer, sandbox_merchant)


def test_response_is_signed_with_the_platform_certificate_otherwise(sandbox_merchant):
    answer = Signer(sandbox_merchant, public_key_mode=False).call("GET", list_target())

    assert answer.headers["Wechatpay-Serial"] == sandbox_merchant.platform_certificate_serial
    assert verify_response(answer, sandbox_merchant)


def test_public_key_and_certificate_are_different_keys(sandbox_merchant):
    answer = Signer(sandbox_merchant, public_key_mode=True).call("GET", list_target())
    cert_key = crypto.load_public_key(sandbox_merchant.platform_certificate_pem)
    message = crypto.response_message(
        answer.headers["Wechatpay-Timestamp"], answer.headers["Wechatpay-Nonce"], answer.content
    )

    assert not crypto.verify(cert_key, message, answer.headers["Wechatpay-Signature"])


def test_response_headers_are_complete(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", list_target())

    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["Wechatpay-Signature-Type"] == "WECHATPAY2-SHA256-RSA2048"
    assert answer.headers["Request-ID"]
    assert len(answer.headers["Wechatpay-Nonce"]) == 32
    assert abs(int(answer.headers["Wechatpay-Timestamp"]) - time.time()) < 10


def test_error_responses_are_signed_too(sandbox_merchant):
    answer = Signer(sandbox_merchant).call("GET", f"{LIST}?limit=10")

    assert answer.status_code == 400
    assert verify_response(answer, sandbox_merchant)


def test_platform_certificates_decrypt_with_the_apiv3_key(sandbox_merchant):
    answer = Signer(sandbox_merchant, public_key_mode=False).call("GET", "/v3/certificates")

    assert verify_response(answer, sandbox_merchant)
    [item] = answer.json()["data"]
    sealed = item["encrypt_certificate"]
    assert sealed["algorithm"] == "AEAD_AES_256_GCM"
    assert sealed["associated_data"] == "certificate"
    pem = crypto.aead_decrypt(
        sandbox_merchant.apiv3_key, sealed["nonce"], "certificate", sealed["ciphertext"]
    )
    assert pem.decode() == sandbox_merchant.platform_certificate_pem
    assert item["serial_no"] == sandbox_merchant.platform_certificate_serial
    assert crypto.certificate_serial(crypto.load_certificate(pem)) == item["serial_no"]


def test_unknown_path_and_wrong_method(sandbox_merchant):
    signer = Signer(sandbox_merchant)

    assert signer.call("GET", "/v3/merchant-service/nothing-here").status_code == 404
    assert signer.call("DELETE", LIST).status_code == 405


def test_control_api_requires_no_signature(sandbox):
    answer = requests.get(sandbox.base_url + "/_sandbox/health", headers={"User-Agent": USER_AGENT})

    assert answer.json()["status"] == "ok"
