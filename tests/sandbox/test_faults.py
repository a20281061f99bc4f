"""Injected faults (control API) and the published rate limits (§7.1)."""

from __future__ import annotations

import time

import pytest
import requests

from tests.sandbox.helpers import LIST, assert_error, immediate, text_message
from tests.sandbox.signing import Signer, verify_response


def list_target() -> str:
    today = time.strftime("%Y-%m-%d")
    return f"{LIST}?begin_date={today}&end_date={today}"


def test_system_error_for_the_next_n_requests(sandbox, sandbox_merchant):
    sandbox.control.set_faults({"mode": "system_error", "count": 2})
    signer = Signer(sandbox_merchant)

    first, second, third = (signer.call("GET", list_target()) for _ in range(3))

    assert_error(first, 500, "SYSTEM_ERROR")
    assert verify_response(first, sandbox_merchant)
    assert_error(second, 500, "SYSTEM_ERROR")
    assert third.status_code == 200


def test_rate_limited_fault_by_path_prefix(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    sandbox.control.set_faults({"mode": "rate_limited", "count": 1, "path_prefix": f"{LIST}/{cid}"})
    signer = Signer(sandbox_merchant)

    listed = signer.call("GET", list_target())
    limited = signer.call("GET", f"{LIST}/{cid}")

    assert listed.status_code == 200
    assert_error(limited, 429, "FREQUENCY_LIMITED")


def test_fraction_applies_to_a_share_of_requests(sandbox, sandbox_merchant):
    sandbox.control.set_faults({"mode": "system_error", "fraction": 0.5})
    signer = Signer(sandbox_merchant)

    statuses = [signer.call("GET", list_target()).status_code for _ in range(40)]

    assert 5 <= statuses.count(500) <= 35
    assert set(statuses) == {200, 500}


def test_delay_outlasts_a_client_timeout(sandbox, sandbox_merchant):
    sandbox.control.set_faults({"mode": "delay", "seconds": 1.0, "count": 1})
    signer = Signer(sandbox_merchant)
    target = list_target()
    headers = signer.headers(signer.authorization("GET", target, ""))

    with pytest.raises(requests.Timeout):
        requests.get(sandbox_merchant.base_url + target, headers=headers, timeout=0.3)
    assert signer.call("GET", list_target()).status_code == 200


def test_drop_after_commit_records_the_reply_but_never_answers(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    sandbox.control.set_faults({"mode": "drop_after_commit", "count": 1})
    signer = Signer(sandbox_merchant)
    body = immediate(sandbox_merchant.mchid, text_message(), idempotent_id="drop-1")
    target = f"{LIST}/{cid}/response-immediate-service"

    with pytest.raises(requests.ConnectionError):
        signer.call("POST", target, body)

    [recorded] = sandbox.control.replies(complaint_id=cid)
    retry = signer.call("POST", target, body)
    assert retry.json()["log_id"] == recorded["log_id"]
    assert len(sandbox.control.replies(complaint_id=cid)) == 1


def test_clearing_faults(sandbox, sandbox_merchant):
    sandbox.control.set_faults({"mode": "system_error"})
    sandbox.control.clear_faults()

    assert Signer(sandbox_merchant).call("GET", list_target()).status_code == 200


def test_unknown_fault_mode_is_refused(sandbox):
    answer = requests.post(sandbox.base_url + "/_sandbox/faults", json={"mode": "explode"})

    assert answer.status_code == 400


def test_reply_rate_limit_is_60_per_minute(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = {"complainted_mchid": sandbox_merchant.mchid, "response_content": "您好"}

    statuses = [signer.call("POST", f"{LIST}/{cid}/response", body).status_code for _ in range(61)]

    assert statuses[:60] == [204] * 60
    assert statuses[60] == 429
    limited = signer.call("POST", f"{LIST}/{cid}/response", body)
    assert_error(limited, 429, "FREQUENCY_LIMITED")
    assert len(sandbox.control.replies(complaint_id=cid)) == 60


def test_rate_limits_are_per_endpoint(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = {"complainted_mchid": sandbox_merchant.mchid, "response_content": "您好"}
    for _ in range(60):
        signer.call("POST", f"{LIST}/{cid}/response", body)

    assert signer.call("GET", f"{LIST}/{cid}/negotiation-historys").status_code == 200


def test_rate_limits_can_be_switched_off(sandbox, sandbox_merchant):
    sandbox.control.settings(rate_limits=False)
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    body = {"complainted_mchid": sandbox_merchant.mchid, "response_content": "您好"}

    statuses = {signer.call("POST", f"{LIST}/{cid}/response", body).status_code for _ in range(70)}

    assert statuses == {204}
