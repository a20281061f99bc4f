"""Each failure class leads to the right state, against the sandbox over real HTTP."""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation

import wechatpay
from complaints.models import Complaint, TimelineEvent
from messaging.models import Reply, ReplyAttempt
from messaging.services.delivery import reply_deliver
from messaging.services.replies import reply_failure_explanation, reply_submit
from tests.delivery.conftest import sandbox_complaint

FAST = {"backoff_base": 0.001, "backoff_cap": 0.001, "max_attempts": 4}
MESSAGE = {"blocks": [{"type": "TEXT", "text": {"text": "您好，已为您处理退款。"}}]}


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.REPLY_DELIVERY = FAST
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False


def immediate(complaint, author=None, **extra) -> Reply:
    return reply_submit(
        complaint=complaint,
        author=author,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"message": MESSAGE, **extra},
        idempotent_id=uuid.uuid4(),
    )


def text_reply(complaint, author=None, text="我们已经为您退款。") -> Reply:
    return reply_submit(
        complaint=complaint,
        author=author,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"response_content": text},
        idempotent_id=uuid.uuid4(),
    )


def attempts(reply: Reply) -> list[ReplyAttempt]:
    return list(reply.attempts.order_by("number"))


def test_delivered_reply_records_log_id_and_moves_the_complaint(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=True)
    reply = immediate(complaint, agent)

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED

    reply.refresh_from_db()
    (sent,) = sandbox.control.replies(complaint_id=complaint.complaint_id)
    assert reply.status == Reply.Status.DELIVERED
    assert reply.log_id == sent["log_id"]
    assert sent["idempotent_id"] == str(reply.idempotent_id)
    (attempt,) = attempts(reply)
    assert attempt.http_status == 200 and attempt.request_id and attempt.duration_ms is not None
    complaint.refresh_from_db()
    assert complaint.complaint_state == Complaint.State.PROCESSING
    assert complaint.first_replied_at == reply.delivered_at
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert TimelineEvent.Kind.REPLY_DELIVERED in kinds
    assert TimelineEvent.Kind.STATE_CHANGED in kinds


def test_answering_a_new_user_message_clears_the_flag_as_wechat_does(sandbox, wired, agent):
    from complaints.services import complaint_refresh

    complaint = sandbox_complaint(sandbox, wired)
    sandbox.control.user_action(complaint.complaint_id, "message", content="什么时候处理？")
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint.complaint_id)
    assert complaint.incoming_user_response

    assert reply_deliver(reply_id=text_reply(complaint, agent).pk) == "delivered"

    complaint.refresh_from_db()
    assert not complaint.incoming_user_response
    wechat = complaint_refresh(merchant=wired, complaint_id=complaint.complaint_id)
    assert not wechat.incoming_user_response  # the sandbox, like WeChat, agrees


def test_automatic_reply_does_not_count_as_first_human_reply(sandbox, wired):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=True)
    reply = reply_submit(
        complaint=complaint,
        author=None,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"message": MESSAGE},
        idempotent_id=uuid.uuid4(),
        is_automatic=True,
    )
    reply_deliver(reply_id=reply.pk)

    complaint.refresh_from_db()
    assert complaint.complaint_state == Complaint.State.PROCESSING
    assert complaint.first_replied_at is None


def test_a_delivered_reply_is_never_sent_again(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=True)
    reply = immediate(complaint, agent)
    reply_deliver(reply_id=reply.pk)

    assert reply_deliver(reply_id=reply.pk) == "skipped"
    assert reply.attempts.count() == 1
    assert len(sandbox.control.replies(complaint_id=complaint.complaint_id)) == 1


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [("system_error", 500, "SYSTEM_ERROR"), ("rate_limited", 429, "FREQUENCY_LIMITED")],
)
def test_server_error_and_429_are_retried_with_the_same_idempotent_id(
    sandbox, wired, agent, mode, status, code
):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=True)
    sandbox.control.set_faults({"mode": mode, "count": 1})
    reply = immediate(complaint, agent)

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.RETRYABLE
    reply.refresh_from_db()
    assert reply.status == Reply.Status.RETRYING
    assert reply.next_attempt_at is not None
    (failed,) = attempts(reply)
    assert (failed.http_status, failed.wechat_code) == (status, code)
    assert failed.request_id

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED
    (sent,) = sandbox.control.replies(complaint_id=complaint.complaint_id)
    assert sent["idempotent_id"] == str(reply.idempotent_id)


def test_dropped_answer_is_retried_and_wechat_keeps_one_reply(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=True)
    sandbox.control.set_faults({"mode": "drop_after_commit", "count": 1})
    reply = immediate(complaint, agent)

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.UNKNOWN
    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED

    reply.refresh_from_db()
    (sent,) = sandbox.control.replies(complaint_id=complaint.complaint_id)
    assert reply.log_id == sent["log_id"]


def test_timeout_is_an_unknown_outcome_and_is_retried(sandbox, sandbox_merchant, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=True)
    sandbox.control.set_faults({"mode": "delay", "seconds": 1.5, "count": 1})
    reply = immediate(complaint, agent)

    account = sandbox_merchant

    def impatient_client(merchant):  # the real client, with a read timeout below the delay
        return wechatpay.Client(
            wechatpay.MerchantCredentials(
                mchid=sandbox_merchant.mchid,
                serial_no=sandbox_merchant.serial_no,
                private_key_pem=sandbox_merchant.private_key_pem,
                apiv3_key=sandbox_merchant.apiv3_key,
            ),
            wechatpay.Verifier(
                public_keys={account.platform_public_key_id: account.platform_public_key_pem}
            ),
            base_url=sandbox_merchant.base_url,
            backup_url=None,
            timeout=(1.0, 0.5),
        )

    first = reply_deliver(reply_id=reply.pk, client_factory=impatient_client)
    assert first == ReplyAttempt.Outcome.UNKNOWN
    assert "0.5 s" in attempts(reply)[0].error
    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED
    assert len(sandbox.control.replies(complaint_id=complaint.complaint_id)) == 1


def test_keyless_reply_with_unknown_outcome_is_found_in_history_not_resent(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired)
    sandbox.control.set_faults({"mode": "drop_after_commit", "count": 1})
    reply = text_reply(complaint, agent)

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.UNKNOWN
    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED

    reply.refresh_from_db()
    (sent,) = sandbox.control.replies(complaint_id=complaint.complaint_id)
    assert reply.log_id == sent["log_id"]
    assert "not sent again" in attempts(reply)[1].wechat_message


def test_keyless_reply_after_500_that_did_not_land_is_sent_again(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired)
    sandbox.control.set_faults({"mode": "system_error", "count": 1})
    reply = text_reply(complaint, agent)

    reply_deliver(reply_id=reply.pk)
    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED

    (sent,) = sandbox.control.replies(complaint_id=complaint.complaint_id)
    reply.refresh_from_db()
    assert reply.log_id == sent["log_id"]  # 204 has no log_id: read back from the history


def test_final_error_fails_at_once_and_is_not_retried(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=False)
    reply = immediate(complaint, agent)  # WeChat refuses: this complaint needs no immediate reply

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.FINAL
    assert reply_deliver(reply_id=reply.pk) == "skipped"

    reply.refresh_from_db()
    assert reply.status == Reply.Status.FAILED
    assert reply.error_code == "INVALID_REQUEST"
    assert reply.attempts.count() == 1
    assert reply.next_attempt_at is None
    assert complaint.events.filter(kind=TimelineEvent.Kind.REPLY_FAILED).exists()
    reason, fix = reply_failure_explanation(reply)
    assert reply.error_message in reason and fix
    assert not sandbox.control.replies(complaint_id=complaint.complaint_id)


def test_another_merchants_complaint_is_a_final_no_auth(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired)
    reply = text_reply(complaint, agent)
    Reply.objects.filter(pk=reply.pk).update(
        payload={"complainted_mchid": "1900000000", "response_content": "x"}
    )

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.FINAL
    reply.refresh_from_db()
    assert (reply.status, reply.error_code) == (Reply.Status.FAILED, "NO_AUTH")


def test_retries_stop_after_max_attempts(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, need_immediate_service=True)
    sandbox.control.set_faults({"mode": "system_error", "count": 10})
    reply = immediate(complaint, agent)

    outcomes = [reply_deliver(reply_id=reply.pk) for _ in range(5)]

    assert outcomes == [ReplyAttempt.Outcome.RETRYABLE] * 4 + ["skipped"]
    reply.refresh_from_db()
    assert (reply.status, reply.error_code) == (Reply.Status.FAILED, "RETRIES_EXHAUSTED")
    assert reply.attempts.count() == FAST["max_attempts"]


def test_complete_marks_the_complaint_processed(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired)
    reply = reply_submit(
        complaint=complaint,
        author=agent,
        endpoint=Reply.Endpoint.COMPLETE,
        payload={},
        idempotent_id=uuid.uuid4(),
    )

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED

    complaint.refresh_from_db()
    reply.refresh_from_db()
    assert complaint.complaint_state == Complaint.State.PROCESSED
    assert complaint.completed_at is not None
    assert reply.log_id  # found in the negotiation history


def test_merchant_without_credentials_fails_with_a_configuration_reason(agent):
    from tests.delivery.conftest import make_complaint, make_merchant

    complaint = make_complaint(make_merchant(), need_immediate_service=True)
    reply = immediate(complaint, agent)

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.FINAL
    reply.refresh_from_db()
    assert reply.error_code == "CONFIGURATION"
    with translation.override("en"):
        assert "credentials" in reply_failure_explanation(reply)[0]


def test_refund_rejection_is_delivered_with_its_log_id(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, problem_type="REFUND")
    reply = reply_submit(
        complaint=complaint,
        author=agent,
        endpoint=Reply.Endpoint.REFUND,
        payload={"action": "REJECT", "reject_reason": "订单已完成服务"},
        idempotent_id=uuid.uuid4(),
    )

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.DELIVERED

    reply.refresh_from_db()
    (sent,) = sandbox.control.replies(complaint_id=complaint.complaint_id)
    assert reply.log_id == sent["log_id"]


def test_payload_the_endpoint_does_not_take_fails_without_retrying(sandbox, wired, agent):
    complaint = sandbox_complaint(sandbox, wired, problem_type="REFUND")
    reply = reply_submit(
        complaint=complaint,
        author=agent,
        endpoint=Reply.Endpoint.REFUND,
        payload={"action": "REJECT", "complainted_mchid": wired.mchid},
        idempotent_id=uuid.uuid4(),
    )

    assert reply_deliver(reply_id=reply.pk) == ReplyAttempt.Outcome.FINAL
    reply.refresh_from_db()
    assert (reply.status, reply.error_code) == (Reply.Status.FAILED, "INVALID_PAYLOAD")
