"""List, detail and history answers: fields, pagination, encrypted phone (§3.1-3.3, §6)."""

from __future__ import annotations

import time

from tests.sandbox.helpers import LIST
from tests.sandbox.signing import Signer
from wechatpay import crypto

COMPLAINT_FIELDS = {
    "complaint_id", "complaint_time", "complaint_detail", "complaint_state", "complainted_mchid",
    "payer_phone", "complaint_order_info", "complaint_media_list", "complaint_full_refunded",
    "incoming_user_response", "problem_description", "user_complaint_times", "problem_type",
    "user_tag_list", "in_platform_service", "need_immediate_service", "is_agent_mode",
}  # fmt: skip


def today_list(query: str = "") -> str:
    today = time.strftime("%Y-%m-%d")
    return f"{LIST}?begin_date={today}&end_date={today}{query}"


def test_list_pages_and_counts_only_on_the_first_page(sandbox, sandbox_merchant):
    ids = sandbox.control.create_complaints(sandbox_merchant.mchid, 5)
    signer = Signer(sandbox_merchant)

    first = signer.call("GET", today_list("&limit=2&offset=0")).json()
    rest = signer.call("GET", today_list("&limit=10&offset=2")).json()

    assert (first["limit"], first["offset"], first["total_count"]) == (2, 0, 5)
    assert "total_count" not in rest
    listed = [c["complaint_id"] for c in first["data"] + rest["data"]]
    assert sorted(listed) == sorted(ids)


def test_list_items_have_every_field_but_the_openid(sandbox, sandbox_merchant):
    sandbox.control.create_complaints(sandbox_merchant.mchid, problem_type="REFUND")

    [item] = Signer(sandbox_merchant).call("GET", today_list()).json()["data"]

    assert set(item) >= COMPLAINT_FIELDS
    assert "payer_openid" not in item
    assert item["apply_refund_amount"] == item["complaint_order_info"][0]["amount"]


def test_list_filters_by_creation_date(sandbox, sandbox_merchant):
    sandbox.control.create_complaints(sandbox_merchant.mchid)

    answer = Signer(sandbox_merchant).call(
        "GET", f"{LIST}?begin_date=2020-01-01&end_date=2020-01-30"
    )

    assert answer.json()["data"] == []


def test_backdated_complaints_are_listed_on_their_complaint_date(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(
        sandbox_merchant.mchid, complaint_time="2026-03-05T23:30:00.000+08:00"
    )
    signer = Signer(sandbox_merchant)

    day = signer.call("GET", f"{LIST}?begin_date=2026-03-05&end_date=2026-03-05").json()
    next_day = signer.call("GET", f"{LIST}?begin_date=2026-03-06&end_date=2026-03-06").json()

    assert [c["complaint_id"] for c in day["data"]] == [cid]
    assert next_day["data"] == []


def test_detail_has_openid_and_a_phone_encrypted_for_the_merchant_key(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, payer_phone="13912345678")

    detail = Signer(sandbox_merchant).call("GET", f"{LIST}/{cid}").json()

    assert set(detail) >= COMPLAINT_FIELDS
    assert detail["payer_openid"]
    assert len(detail["payer_phone"]) == 344
    key = crypto.load_private_key(sandbox_merchant.private_key_pem)
    assert crypto.oaep_decrypt(key, detail["payer_phone"]) == "13912345678"


def test_detail_content_is_realistic_chinese(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)

    detail = Signer(sandbox_merchant).call("GET", f"{LIST}/{cid}").json()

    assert len(detail["complaint_id"]) == 27
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["complaint_detail"])
    assert detail["complaint_time"].endswith("+08:00")
    assert detail["complaint_order_info"][0]["transaction_id"].startswith("42")


def test_overrides_set_fields(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(
        sandbox_merchant.mchid, complaint_detail="自定义投诉内容", user_tag_list=["TRUSTED"]
    )

    detail = Signer(sandbox_merchant).call("GET", f"{LIST}/{cid}").json()

    assert detail["complaint_detail"] == "自定义投诉内容"
    assert detail["user_tag_list"] == ["TRUSTED"]


def test_history_pages(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    for n in range(4):
        sandbox.control.user_action(cid, "message", content=f"第{n}条留言")
    signer = Signer(sandbox_merchant)
    target = f"{LIST}/{cid}/negotiation-historys"

    first = signer.call("GET", f"{target}?limit=2&offset=0").json()
    second = signer.call("GET", f"{target}?limit=2&offset=2").json()

    assert first["total_count"] == 5
    assert "total_count" not in second
    assert [h["operate_details"] for h in second["data"]] == ["第1条留言", "第2条留言"]
    assert first["data"][0]["operate_type"] == "USER_CREATE_COMPLAINT"


def test_conversation_page_renders_both_sides(sandbox, sandbox_merchant):
    import requests

    from tests.sandbox.helpers import immediate

    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    send = {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "已解决"}}
    message = {
        "blocks": [
            {"type": "TEXT", "text": {"text": "<b>您好</b>", "is_bold": True}},
            {"type": "FAQ_LIST", "faq_list": {"faqs": [{"faq_title": "如何退款", "action": send}]}},
            {
                "type": "BUTTON_GROUP",
                "button_group": {"buttons": [{"text": "问题已解决", "action": send}]},
            },
        ]
    }
    Signer(sandbox_merchant).call(
        "POST",
        f"{LIST}/{cid}/response-immediate-service",
        immediate(sandbox_merchant.mchid, message),
    )

    index = requests.get(f"{sandbox.base_url}/_sandbox/?mchid={sandbox_merchant.mchid}")
    page = requests.get(f"{sandbox.base_url}/_sandbox/complaints/{cid}")

    assert cid in index.text
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "&lt;b&gt;您好&lt;/b&gt;" in page.text  # consumer-visible text is escaped
    assert "如何退款" in page.text
    assert "问题已解决" in page.text
    assert "商家" in page.text


def test_the_conversation_page_lets_a_demo_play_the_consumer(sandbox, sandbox_merchant):
    import requests

    from tests.sandbox.helpers import immediate

    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    send = {
        "action_type": "ACTION_TYPE_SEND_MESSAGE",
        "message_info": {"content": "我的问题已解决"},
        "action_id": "solved",
    }
    message = {"blocks": [{"type": "BUTTON", "button": {"text": "已解决", "action": send}}]}
    Signer(sandbox_merchant).call(
        "POST", f"{LIST}/{cid}/response-immediate-service",
        immediate(sandbox_merchant.mchid, message),
    )  # fmt: skip
    page_url = f"{sandbox.base_url}/_sandbox/complaints/{cid}"
    act_url = f"{page_url}/act"

    page = requests.get(page_url, timeout=10).text
    said = requests.post(
        act_url, data={"action": "message", "content": "什么时候退款？"}, timeout=10
    )
    clicked = requests.post(act_url, data={"action": "click", "action_id": "solved"}, timeout=10)
    rated = requests.post(act_url, data={"action": "satisfaction", "score": "4"}, timeout=10)

    assert 'name="action_id" value="solved"' in page  # the button in the bubble is tappable
    assert said.history[0].status_code == 303 and said.url == page_url
    assert clicked.status_code == rated.status_code == 200
    history = [
        (entry["operate_type"], entry["operate_details"])
        for entry in Signer(sandbox_merchant)
        .call("GET", f"{LIST}/{cid}/negotiation-historys?limit=10&offset=0")
        .json()["data"]
    ]
    assert history[-3:] == [
        ("USER_RESPONSE", "什么时候退款？"),
        ("USER_CLICK_RESPONSE", "我的问题已解决"),
        ("USER_SUBMIT_SATISFACTION", "满意度：4星"),
    ]


def test_a_refused_consumer_action_on_the_page_says_why(sandbox, sandbox_merchant):
    import requests

    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    act_url = f"{sandbox.base_url}/_sandbox/complaints/{cid}/act"

    answer = requests.post(act_url, data={"action": "click", "action_id": "nope"}, timeout=10)

    assert answer.status_code == 400
    assert "action_id" in answer.text and 'role="alert"' in answer.text


def test_the_list_page_files_complaints_for_a_demo(sandbox, sandbox_merchant):
    import requests

    new = f"{sandbox.base_url}/_sandbox/complaints/new"
    form = {"complainted_mchid": sandbox_merchant.mchid, "problem_type": "REFUND",
            "need_immediate_service": "on", "count": "2"}  # fmt: skip

    page = requests.get(f"{sandbox.base_url}/_sandbox/", timeout=10).text
    filed = requests.post(new, data=form, timeout=10)
    refused = requests.post(new, data={**form, "count": "0"}, timeout=10)

    assert f'<option value="{sandbox_merchant.mchid}">' in page
    assert filed.history[0].status_code == 303
    listed = Signer(sandbox_merchant).call("GET", today_list()).json()["data"]
    assert len(listed) == 2
    assert all(c["need_immediate_service"] and c["problem_type"] == "REFUND" for c in listed)
    assert refused.status_code == 400 and "count" in refused.text
