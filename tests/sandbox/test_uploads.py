"""Image upload (signed over the meta, multipart) and download (unsigned), §3.8-3.9."""

from __future__ import annotations

import hashlib
import json

from sandbox.seed import png
from tests.sandbox.helpers import LIST, assert_param_error
from tests.sandbox.signing import Signer, verify_response

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
BMP = b"BM" + b"\x00" * 64


def test_upload_returns_a_media_id_in_a_signed_answer(sandbox_merchant):
    answer = Signer(sandbox_merchant).upload("evidence.png", png())

    assert answer.status_code == 200, answer.text
    assert answer.json()["media_id"]
    assert verify_response(answer, sandbox_merchant)


def test_upload_without_a_boundary_parameter_is_accepted(sandbox_merchant):
    answer = Signer(sandbox_merchant).upload("evidence.png", png(), boundary=False)

    assert answer.status_code == 200, answer.text


def test_jpeg_and_bmp_are_accepted_by_content(sandbox_merchant):
    signer = Signer(sandbox_merchant)

    assert signer.upload("a.JPG", JPEG).status_code == 200
    assert signer.upload("b.bmp", BMP).status_code == 200


def test_content_that_is_not_an_image_is_refused(sandbox_merchant):
    answer = Signer(sandbox_merchant).upload("fake.png", b"GIF89a" + b"\x00" * 40)

    assert_param_error(answer, "file")


def test_suffix_must_be_jpg_png_or_bmp(sandbox_merchant):
    assert_param_error(Signer(sandbox_merchant).upload("a.gif", png()), "meta.filename")


def test_filename_up_to_128(sandbox_merchant):
    assert_param_error(Signer(sandbox_merchant).upload("a" * 125 + ".png", png()), "meta.filename")


def test_sha256_must_match_the_file(sandbox_merchant):
    meta = json.dumps({"filename": "a.png", "sha256": hashlib.sha256(b"other").hexdigest()})

    answer = Signer(sandbox_merchant).upload("a.png", png(), meta=meta)

    assert_param_error(answer, "meta.sha256")


def test_file_over_2mb_is_refused(sandbox_merchant):
    big = png() + b"\x00" * (2 * 1024 * 1024)

    assert_param_error(Signer(sandbox_merchant).upload("big.png", big), "file")


def test_upload_is_signed_over_the_meta_not_the_multipart_body(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    content = png()
    meta = json.dumps({"filename": "a.png", "sha256": hashlib.sha256(content).hexdigest()})
    tampered = meta.replace("a.png", "b.png")
    target = "/v3/merchant-service/images/upload"
    headers = signer.headers(signer.authorization("POST", target, meta), json_body=False)
    files = [("meta", (None, tampered, "application/json")), ("file", ("b.png", content))]

    answer = signer.http.post(sandbox_merchant.base_url + target, files=files, headers=headers)

    assert answer.status_code == 401
    assert answer.json()["code"] == "SIGN_ERROR"


def test_complaint_images_download_unsigned_with_percent_encoded_ids(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    complaint = signer.call("GET", f"{LIST}/{cid}").json()
    urls = complaint["complaint_media_list"][0]["media_url"]
    assert all("%2F" in url and url.endswith("%3D") for url in urls)

    target = urls[0].removeprefix(sandbox_merchant.base_url)
    answer = signer.call("GET", target)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG")
    assert "Wechatpay-Signature" not in answer.headers


def test_images_of_another_merchant_cannot_be_downloaded(sandbox, sandbox_merchant):
    from tests.fixtures.sandbox import register_vector_merchant

    other = register_vector_merchant(sandbox)
    [cid] = sandbox.control.create_complaints(other.mchid)
    url = Signer(other).call("GET", f"{LIST}/{cid}").json()["complaint_media_list"][0]
    target = url["media_url"][0].removeprefix(sandbox_merchant.base_url)

    answer = Signer(sandbox_merchant).call("GET", target)

    assert answer.status_code == 403
    assert answer.json()["code"] == "NO_AUTH"


def test_uploaded_images_cannot_be_downloaded_back(sandbox_merchant):
    signer = Signer(sandbox_merchant)
    media_id = signer.upload("a.png", png()).json()["media_id"]

    answer = signer.call("GET", f"/v3/merchant-service/images/{media_id}")

    assert_param_error(answer, "media_id")
