"""Every validation rule answers 400 PARAM_ERROR naming the field (§3, §7.2, §7.5)."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import (
    LIST,
    assert_error,
    assert_param_error,
    immediate,
    text_message,
    upload_png,
)
from tests.sandbox.signing import Signer

HTTPS = "https://shop.example.com/orders/1"


@pytest.fixture
def reply_to(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    signer = Signer(sandbox_merchant)

    def send(extra: dict, *, drop: tuple[str, ...] = ()):
        body = {"complainted_mchid": sandbox_merchant.mchid, "response_content": "您好", **extra}
        for name in drop:
            body.pop(name)
        return signer.call("POST", f"{LIST}/{cid}/response", body)

    return send


@pytest.fixture
def send_message(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, need_immediate_service=True)
    signer = Signer(sandbox_merchant)

    def send(message, **top):
        body = {**immediate(sandbox_merchant.mchid, message), **top}
        return signer.call("POST", f"{LIST}/{cid}/response-immediate-service", body)

    send.signer = signer
    return send


# --- /response ---------------------------------------------------------------


def test_response_content_is_required(reply_to):
    assert_param_error(reply_to({}, drop=("response_content",)), "response_content")


def test_complainted_mchid_is_required(reply_to):
    assert_param_error(reply_to({}, drop=("complainted_mchid",)), "complainted_mchid")


def test_response_content_up_to_500_characters(reply_to):
    assert reply_to({"response_content": "好" * 500}).status_code == 204
    assert_param_error(reply_to({"response_content": "好" * 501}), "response_content")


def test_at_most_four_response_images(reply_to, sandbox_merchant):
    media = [upload_png(Signer(sandbox_merchant)) for _ in range(5)]

    assert_param_error(reply_to({"response_images": media}), "response_images")
    assert reply_to({"response_images": media[:4]}).status_code == 204


def test_unknown_media_id_in_a_reply_is_a_param_error(reply_to):
    assert_param_error(reply_to({"response_images": ["NOPE.png"]}), "response_images[0]")


def test_another_merchants_media_id_is_unknown(sandbox, reply_to):
    from tests.fixtures.sandbox import register_vector_merchant

    stranger = upload_png(Signer(register_vector_merchant(sandbox)))

    assert_param_error(reply_to({"response_images": [stranger]}), "response_images[0]")


def test_jump_url_and_its_text_go_together(reply_to):
    assert_param_error(reply_to({"jump_url": HTTPS}), "jump_url_text")
    assert_param_error(reply_to({"jump_url_text": "查看订单"}), "jump_url")
    assert reply_to({"jump_url": HTTPS, "jump_url_text": "查看订单"}).status_code == 204


def test_jump_url_must_be_https(reply_to):
    answer = reply_to({"jump_url": "http://shop.example.com", "jump_url_text": "查看"})
    assert_param_error(answer, "jump_url")


def test_jump_url_text_up_to_ten_characters(reply_to):
    answer = reply_to({"jump_url": HTTPS, "jump_url_text": "查" * 11})
    assert_param_error(answer, "jump_url_text")


def test_jump_url_up_to_512(reply_to):
    answer = reply_to({"jump_url": HTTPS + "x" * 512, "jump_url_text": "查看"})
    assert_param_error(answer, "jump_url")


def test_mini_program_jump_info_needs_appid_path_and_text(reply_to):
    answer = reply_to({"mini_program_jump_info": {"appid": "wx1234", "path": "pages/i"}})
    assert_param_error(answer, "mini_program_jump_info.text")


def test_four_byte_characters_are_refused(reply_to):
    assert_param_error(reply_to({"response_content": "谢谢😀"}), "response_content")


def test_body_must_be_json(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    target = f"{LIST}/{cid}/response"
    headers = signer.headers(signer.authorization("POST", target, "not json"))

    answer = signer.http.post(sandbox_merchant.base_url + target, data=b"not json", headers=headers)

    assert_error(answer, 400, "PARAM_ERROR")


# --- /response-immediate-service and NormalMessage -----------------------------


def test_idempotent_id_is_required_and_at_most_128(send_message):
    assert_param_error(send_message(text_message(), idempotent_id=""), "idempotent_id")
    assert_param_error(send_message(text_message(), idempotent_id="x" * 129), "idempotent_id")
    assert send_message(text_message(), idempotent_id="x" * 128).status_code == 200


def test_message_needs_blocks(send_message):
    assert_param_error(send_message({"blocks": []}), "message.blocks")


def test_unknown_keys_are_refused_at_every_level(send_message):
    assert_param_error(send_message(text_message(colour="red")), "message.colour")
    block = {"type": "TEXT", "text": {"text": "hi", "font": "big"}}
    assert_param_error(send_message({"blocks": [block]}), "message.blocks[0].text.font")


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"blocks": [{"type": "VIDEO"}]}, "message.blocks[0].type"),
        (text_message(sender_identity="ROBOT"), "message.sender_identity"),
        (
            {"blocks": [{"type": "TEXT", "text": {"text": "a", "color": "RED"}}]},
            "message.blocks[0].text.color",
        ),
        (
            {"blocks": [{"type": "TEXT", "text": {"text": "a", "is_bold": "yes"}}]},
            "message.blocks[0].text.is_bold",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "BUTTON_GROUP",
                        "button_group": {
                            "button_layout": "GRID",
                            "buttons": [
                                {
                                    "text": "a",
                                    "action": {
                                        "action_type": "ACTION_TYPE_SEND_MESSAGE",
                                        "message_info": {"content": "a"},
                                    },
                                }
                            ],
                        },
                    }
                ]
            },
            "message.blocks[0].button_group.button_layout",
        ),
    ],
)
def test_enums_are_checked(send_message, message, field):
    assert_param_error(send_message(message), field)


def test_block_needs_the_member_its_type_names(send_message):
    assert_param_error(send_message({"blocks": [{"type": "TEXT"}]}), "message.blocks[0].text")


def test_text_block_needs_text(send_message):
    answer = send_message({"blocks": [{"type": "TEXT", "text": {"color": "DEFAULT"}}]})
    assert_param_error(answer, "message.blocks[0].text.text")


def test_image_block_needs_an_uploaded_media_id(send_message):
    answer = send_message({"blocks": [{"type": "IMAGE", "image": {"media_id": "unknown.png"}}]})
    assert_param_error(answer, "message.blocks[0].image.media_id")
    media_id = upload_png(send_message.signer)
    image = {"media_id": media_id, "image_style_type": "IMAGE_STYLE_TYPE_WIDE"}
    assert send_message({"blocks": [{"type": "IMAGE", "image": image}]}).status_code == 200


def link(action: dict) -> dict:
    return {"blocks": [{"type": "LINK", "link": {"text": "查看", "action": action}}]}


def test_action_members_follow_the_action_type(send_message):
    path = "message.blocks[0].link.action"
    answer = send_message(link({"action_type": "ACTION_TYPE_JUMP_URL"}))
    assert_param_error(answer, f"{path}.jump_url")
    answer = send_message(link({"action_type": "ACTION_TYPE_SEND_MESSAGE"}))
    assert_param_error(answer, f"{path}.message_info")
    answer = send_message(
        link({"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"custom_data": "x"}})
    )
    assert_param_error(answer, f"{path}.message_info.content")
    answer = send_message(
        link({"action_type": "ACTION_TYPE_JUMP_MINI_PROGRAM", "mini_program_jump_info": {}})
    )
    assert_param_error(answer, f"{path}.mini_program_jump_info.appid")
    answer = send_message(link({"jump_url": HTTPS}))
    assert_param_error(answer, f"{path}.action_type")


def test_action_jump_url_must_be_https(send_message):
    answer = send_message(link({"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "http://a.cn"}))
    assert_param_error(answer, "message.blocks[0].link.action.jump_url")


def test_mini_program_needs_only_appid(send_message):
    action = {
        "action_type": "ACTION_TYPE_JUMP_MINI_PROGRAM",
        "mini_program_jump_info": {"appid": "wx8888888888888888"},
    }
    assert send_message(link(action)).status_code == 200


def test_custom_data_up_to_4096(send_message):
    assert send_message(text_message(custom_data="c" * 4096)).status_code == 200
    assert_param_error(send_message(text_message(custom_data="c" * 4097)), "message.custom_data")
    action = {
        "action_type": "ACTION_TYPE_SEND_MESSAGE",
        "message_info": {"content": "a", "custom_data": "c" * 4097},
    }
    answer = send_message(link(action))
    assert_param_error(answer, "message.blocks[0].link.action.message_info.custom_data")


def test_invalid_info_expired_time_must_be_rfc3339(send_message):
    message = {
        "blocks": [
            {
                "type": "BUTTON",
                "button": {
                    "text": "联系客服",
                    "action": {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": HTTPS},
                    "invalid_info": {"expired_time": "tomorrow", "multi_clickable": True},
                },
            }
        ]
    }
    assert_param_error(send_message(message), "message.blocks[0].button.invalid_info.expired_time")
    message["blocks"][0]["button"]["invalid_info"]["expired_time"] = "2030-05-20T13:29:35+08:00"
    assert send_message(message).status_code == 200


def test_four_byte_characters_are_refused_inside_blocks(send_message):
    answer = send_message(text_message("好的👍"))
    assert_param_error(answer, "message.blocks[0].text.text")


def test_block_counts_are_not_limited(send_message):
    faqs = [{"faq_id": str(i), "faq_title": f"问题{i}"} for i in range(30)]
    blocks = [{"type": "TEXT", "text": {"text": f"第{i}段"}} for i in range(40)]
    blocks.append({"type": "FAQ_LIST", "faq_list": {"faqs": faqs}})

    assert send_message({"blocks": blocks}).status_code == 200


def test_every_block_type_together_is_accepted(send_message):
    media_id = upload_png(send_message.signer)
    send = {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "已收到"}}
    jump = {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": HTTPS, "action_id": "open"}
    message = {
        "sender_identity": "MACHINE",
        "custom_data": "ticket-1",
        "blocks": [
            {"type": "TEXT", "text": {"text": "您好", "color": "SECONDARY", "is_bold": True}},
            {"type": "IMAGE", "image": {"media_id": media_id}},
            {"type": "LINK", "link": {"text": "订单详情", "action": jump}},
            {"type": "FAQ_LIST", "faq_list": {"faqs": [{"faq_title": "如何退款", "action": send}]}},
            {"type": "BUTTON", "button": {"text": "已解决", "action": send}},
            {
                "type": "BUTTON_GROUP",
                "button_group": {
                    "button_layout": "LAYOUT_HORIZONTAL",
                    "buttons": [{"text": "是", "action": send}, {"text": "否", "action": send}],
                },
            },
        ],
    }
    assert send_message(message).status_code == 200, send_message(message).text


# --- other endpoints -----------------------------------------------------------


def test_refund_progress_rules(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, problem_type="REFUND")
    signer = Signer(sandbox_merchant)
    target = f"{LIST}/{cid}/update-refund-progress"

    assert_param_error(signer.call("POST", target, {}), "action")
    assert_param_error(signer.call("POST", target, {"action": "MAYBE"}), "action")
    answer = signer.call("POST", target, {"action": "REJECT", "launch_refund_day": 1})
    assert_param_error(answer, "launch_refund_day")
    answer = signer.call("POST", target, {"action": "APPROVE", "launch_refund_day": -1})
    assert_param_error(answer, "launch_refund_day")
    answer = signer.call("POST", target, {"action": "REJECT", "reject_reason": "理" * 201})
    assert_param_error(answer, "reject_reason")
    answer = signer.call("POST", target, {"action": "REJECT", "remark": "备" * 201})
    assert_param_error(answer, "remark")
    answer = signer.call("POST", target, {"action": "REJECT", "reject_media_list": ["x.png"]})
    assert_param_error(answer, "reject_media_list[0]")


def test_list_query_rules(sandbox_merchant):
    signer = Signer(sandbox_merchant)

    def get(query: str):
        return signer.call("GET", f"{LIST}?{query}")

    assert_param_error(get("end_date=2026-11-01"), "begin_date")
    assert_param_error(get("begin_date=2026-11-01"), "end_date")
    assert_param_error(get("begin_date=2026/11/01&end_date=2026-11-02"), "begin_date")
    assert_param_error(get("begin_date=2026-10-01&end_date=2026-11-01"), "end_date")
    assert get("begin_date=2026-10-01&end_date=2026-10-31").status_code == 200
    assert_param_error(get("begin_date=2026-11-02&end_date=2026-11-01"), "end_date")
    assert_param_error(get("begin_date=2026-11-01&end_date=2026-11-01&limit=51"), "limit")
    assert_param_error(get("begin_date=2026-11-01&end_date=2026-11-01&limit=0"), "limit")
    assert_param_error(get("begin_date=2026-11-01&end_date=2026-11-01&offset=-1"), "offset")


def test_history_limit_is_1_to_300(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid)
    signer = Signer(sandbox_merchant)
    target = f"{LIST}/{cid}/negotiation-historys"

    assert signer.call("GET", f"{target}?limit=300").status_code == 200
    assert_param_error(signer.call("GET", f"{target}?limit=301"), "limit")
