"""Small builders shared by the sandbox tests."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from sandbox.seed import png

LIST = "/v3/merchant-service/complaints-v2"


def assert_error(answer: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def assert_param_error(answer: requests.Response, field: str) -> None:
    body = assert_error(answer, 400, "PARAM_ERROR")
    assert body["detail"]["field"] == field, body
    assert field in body["message"]


def text_message(text: str = "您好，已为您处理。", **extra: Any) -> dict[str, Any]:
    return {"blocks": [{"type": "TEXT", "text": {"text": text}}], **extra}


def immediate(mchid: str, message: dict[str, Any], idempotent_id: str | None = None) -> dict:
    return {
        "complainted_mchid": mchid,
        "message": message,
        "idempotent_id": idempotent_id or uuid.uuid4().hex,
    }


def upload_png(signer: Any) -> str:
    answer = signer.upload("evidence.png", png(8, 8))
    assert answer.status_code == 200, answer.text
    return answer.json()["media_id"]
