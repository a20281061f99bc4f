"""The complaint endpoints' exact requests on the wire (method, target, headers, body): list,
detail, negotiation history, reply, complete, refund progress; captured by a local recording HTTP
server that answers like WeChat Pay, signed with the test platform key."""

from __future__ import annotations

import json
from datetime import date

from tests.wechatpay.recording_server import RecordingServer, Reply
from tests.wechatpay.request_checks import (
    CID,
    MCHID,
    VECTORS,
    assert_common_headers,
    assert_signed,
    complaint,
)
from wechatpay import Client, MerchantCredentials, Signer, crypto


def test_immediate_service_reply_sends_the_vector_bytes_exactly(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    vector = VECTORS["request_signatures"][3]
    body = json.loads(vector["body"])
    client.signer = Signer(
        credentials,
        clock=lambda: float(vector["timestamp"]),
        nonce_factory=lambda: vector["nonce_str"],
    )
    server.reply(Reply(200, {"log_id": "300285320261128170000071077"}))

    log_id = client.respond_immediate_service(
        CID,
        complainted_mchid=body["complainted_mchid"],
        message=body["message"],
        idempotent_id=body["idempotent_id"],
    )

    assert log_id == "300285320261128170000071077"
    sent = server.last
    assert (sent.method, sent.target) == ("POST", vector["request_target"])
    assert sent.body == vector["body"].encode("utf-8")
    assert sent.headers["Content-Type"] == "application/json"
    assert crypto.parse_authorization(sent.headers["Authorization"]) == crypto.parse_authorization(
        vector["authorization"]
    )
    assert_common_headers(sent)


def test_list_sends_documented_query_and_pages_until_total(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(
        Reply(
            200,
            {"data": [complaint("1"), complaint("2")], "limit": 2, "offset": 0, "total_count": 3},
        ),
        Reply(200, {"data": [complaint("3", new_field={"x": 1})], "limit": 2, "offset": 2}),
    )

    found = list(
        client.iter_complaints(
            begin=date(2026, 11, 1), end=date(2026, 11, 28), complainted_mchid=MCHID, page_size=2
        )
    )

    assert [c.complaint_id for c in found] == ["1", "2", "3"]
    assert found[2].model_extra == {"new_field": {"x": 1}}
    first, second = server.requests
    assert first.target == (
        "/v3/merchant-service/complaints-v2?limit=2&offset=0&begin_date=2026-11-01"
        "&end_date=2026-11-28&complainted_mchid=1900000109"
    )
    assert second.target.startswith("/v3/merchant-service/complaints-v2?limit=2&offset=2&")
    assert first.method == "GET" and first.body == b""
    assert "Content-Type" not in first.headers
    assert_common_headers(first)
    assert_signed(first, credentials, b"")


def test_list_splits_long_ranges_into_30_day_windows(
    client: Client, server: RecordingServer
) -> None:
    server.default = Reply(200, {"data": [], "limit": 50, "offset": 0, "total_count": 0})

    assert list(client.iter_complaints(begin=date(2026, 1, 1), end=date(2026, 3, 5))) == []

    windows = [r.target.split("begin_date=")[1] for r in server.requests]
    assert windows == [
        "2026-01-01&end_date=2026-01-30",
        "2026-01-31&end_date=2026-03-01",
        "2026-03-02&end_date=2026-03-05",
    ]


def test_list_yields_a_complaint_once_when_pages_shift(
    client: Client, server: RecordingServer
) -> None:
    server.reply(
        Reply(
            200,
            {"data": [complaint("1"), complaint("2")], "limit": 2, "offset": 0, "total_count": 4},
        ),
        Reply(200, {"data": [complaint("2"), complaint("3")], "limit": 2, "offset": 2}),
    )
    found = [
        c.complaint_id
        for c in client.iter_complaints(date(2026, 1, 1), date(2026, 1, 2), page_size=2)
    ]
    assert found == ["1", "2", "3"]


def test_detail_tolerates_unknown_enum_values_and_fields(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(
        Reply(
            200,
            complaint(
                CID,
                complaint_state="SOMETHING_NEW",
                problem_type="BRAND_NEW",
                user_tag_list=["TRUSTED", "UNHEARD_OF"],
                payer_openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                complaint_media_list=[{"media_type": "USER_COMPLAINT_IMAGE", "media_url": ["u"]}],
                is_agent_mode=True,
                service_order_info=None,
                future={"nested": [1, 2]},
            ),
        )
    )

    result = client.get_complaint(CID)

    assert result.complaint_state == "SOMETHING_NEW"
    assert result.problem_type == "BRAND_NEW"
    assert result.user_tag_list == ["TRUSTED", "UNHEARD_OF"]
    assert result.complaint_media_list[0].media_url == ["u"]
    assert result.service_order_info == []
    assert result.model_extra == {"future": {"nested": [1, 2]}}
    assert (server.last.method, server.last.target) == (
        "GET",
        f"/v3/merchant-service/complaints-v2/{CID}",
    )
    assert_signed(server.last, credentials, b"")


def test_negotiation_history_pages_with_documented_query(
    client: Client, server: RecordingServer
) -> None:
    entry = {
        "log_id": "300285320210322170000071077",
        "operator": "投诉人",
        "operate_time": "2026-11-28T10:00:00+08:00",
        "operate_type": "USER_CREATE_COMPLAINT",
        "complaint_media_list": {"media_type": "USER_COMPLAINT_IMAGE", "media_url": ["u"]},
    }
    server.reply(
        Reply(200, {"data": [entry], "limit": 1, "offset": 0, "total_count": 2}),
        Reply(
            200,
            {
                "data": [{**entry, "log_id": "2", "operate_type": "NEW_TYPE"}],
                "limit": 1,
                "offset": 1,
            },
        ),
    )

    entries = list(client.iter_negotiation_history(CID, page_size=1))

    assert [e.operate_type for e in entries] == ["USER_CREATE_COMPLAINT", "NEW_TYPE"]
    assert entries[0].complaint_media_list is not None
    assert [r.target for r in server.requests] == [
        f"/v3/merchant-service/complaints-v2/{CID}/negotiation-historys?limit=1&offset=0",
        f"/v3/merchant-service/complaints-v2/{CID}/negotiation-historys?limit=1&offset=1",
    ]


def test_respond_posts_compact_json_without_nulls(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(Reply(204))

    assert (
        client.respond(
            CID,
            complainted_mchid=MCHID,
            response_content="您好，已为您退款",
            response_images=["file752398_7983424"],
            jump_url="https://shop.example.com/o/1",
            jump_url_text="查看订单",
        )
        is None
    )

    sent = server.last
    assert (sent.method, sent.target) == (
        "POST",
        f"/v3/merchant-service/complaints-v2/{CID}/response",
    )
    assert (
        sent.body
        == (
            '{"complainted_mchid":"1900000109","response_content":"您好，已为您退款",'
            '"response_images":["file752398_7983424"],"jump_url":"https://shop.example.com/o/1",'
            '"jump_url_text":"查看订单"}'
        ).encode()
    )
    assert sent.headers["Content-Type"] == "application/json"
    assert_signed(sent, credentials, sent.body)


def test_complete_posts_complainted_mchid(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    client.complete(CID, complainted_mchid=MCHID)
    sent = server.last
    assert (sent.method, sent.target) == (
        "POST",
        f"/v3/merchant-service/complaints-v2/{CID}/complete",
    )
    assert sent.body == b'{"complainted_mchid":"1900000109"}'
    assert_signed(sent, credentials, sent.body)


def test_update_refund_progress_posts_only_given_fields(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    client.update_refund_progress(
        CID, action="REJECT", reject_reason="已发货", reject_media_list=["m1"]
    )
    sent = server.last
    assert sent.target == f"/v3/merchant-service/complaints-v2/{CID}/update-refund-progress"
    assert (
        sent.body
        == '{"action":"REJECT","reject_reason":"已发货","reject_media_list":["m1"]}'.encode()
    )
    assert_signed(sent, credentials, sent.body)

    client.update_refund_progress(CID, action="APPROVE", launch_refund_day=0)
    assert server.last.body == b'{"action":"APPROVE","launch_refund_day":0}'
