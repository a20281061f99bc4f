"""The control API and the seed command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from tests.fixtures.sandbox import ROOT, VECTORS
from tests.sandbox.helpers import LIST
from tests.sandbox.signing import Signer


def test_seed_registers_the_vector_merchant_and_creates_complaints(sandbox):
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "seed", "--url", sandbox.base_url,
         "--vectors", str(VECTORS), "--count", "2", "--immediate", "1", "--refund", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip

    printed = json.loads(done.stdout)
    assert printed["mchid"] == "1900000109"
    assert printed["public_key_id"].startswith("PUB_KEY_ID_")
    assert len(printed["complaint_ids"]) == 4
    html = requests.get(f"{sandbox.base_url}/_sandbox/?mchid=1900000109").text
    assert all(cid in html for cid in printed["complaint_ids"])


@pytest.mark.parametrize(
    ("action", "fields", "operate_type"),
    [
        ("platform_response", {"content": "请商户尽快处理"}, "PLATFORM_RESPONSE"),
        ("cancel_platform_service", {}, "USER_CANCEL_PLATFORM_SERVICE"),
        ("platform_service_finished", {}, "PLATFORM_SERVICE_FINISHED"),
        ("satisfaction", {"score": 4}, "USER_SUBMIT_SATISFACTION"),
        ("refund_received", {}, "COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE"),
    ],
)
def test_user_actions_append_history(sandbox, sandbox_merchant, action, fields, operate_type):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    entry = sandbox.control.user_action(cid, action, **fields)

    history = Signer(sandbox_merchant).call("GET", f"{LIST}/{cid}/negotiation-historys").json()
    assert history["data"][-1]["log_id"] == entry["log_id"]
    assert history["data"][-1]["operate_type"] == operate_type


def test_apply_platform_service_sets_the_flag(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    sandbox.control.user_action(cid, "apply_platform_service", content="商家不回复")

    detail = Signer(sandbox_merchant).call("GET", f"{LIST}/{cid}").json()
    assert detail["in_platform_service"] is True


def test_click_on_an_unknown_action_id_is_refused(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    url = f"{sandbox.base_url}/_sandbox/complaints/{cid}/user-actions"

    answer = requests.post(url, json={"action": "click", "action_id": "nope"})

    assert answer.status_code == 400
    assert "action_id" in answer.json()["message"]


@pytest.mark.parametrize(
    "merchant",
    [
        {"mchid": "abc", "apiv3_key": "k" * 32, "public_key_pem": "x", "certificate_serial": "A"},
        {"mchid": "1900000001", "apiv3_key": "short", "public_key_pem": "x"},
        {"mchid": "1900000001", "apiv3_key": "k" * 32, "certificate_serial": "AB"},
        {"mchid": "1900000001", "apiv3_key": "k" * 32, "public_key_pem": "garbage",
         "certificate_serial": "AB"},
    ],
)  # fmt: skip
def test_merchant_registration_is_validated(sandbox, merchant):
    answer = requests.post(f"{sandbox.base_url}/_sandbox/merchants", json=merchant)

    assert answer.status_code == 400
    assert answer.json()["message"]


def test_serial_is_derived_from_the_certificate(sandbox):
    certificate = (VECTORS / "keys" / "merchant_certificate.pem").read_text()

    answer = sandbox.control.register_merchant(
        mchid="1900000555", certificate_pem=certificate, apiv3_key="k" * 32
    )

    assert answer["merchant_certificate_serials"] == ["6B451CF0BF107B0B53F9E7C8C418FB3BD5B3BD94"]


def test_settings_are_validated(sandbox):
    url = f"{sandbox.base_url}/_sandbox/settings"

    assert requests.post(url, json={"rate_limits": "no"}).status_code == 400
    assert requests.post(url, json={"unknown": 1}).status_code == 400
    assert requests.post(url, json={"notification_signer": "magic"}).status_code == 400
    assert requests.get(url).json()["notification_signer"] == "public_key"
