"""What the agent reads: unfilled template variables are refused by the server (the browser is
not the authority), and errors name the block by position and kind, never by path."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from messaging.models import Reply, ReplyTemplate
from messaging.schema import validate_normal_message
from messaging.schema.places import for_agents, place_of
from tests.messaging.conftest import logged_in
from tests.messaging.test_composer_views import composer_form

GAP_EN = "The template variable {{ refund_amount }} has no value here"
GAP_ZH = "模板变量 {{ refund_amount }} 在这里没有值"


def send(client, complaint, content):
    form = composer_form(client, complaint)
    url = reverse("messaging:composer_send", args=[complaint.pk])
    return client.post(url, {**form, "content": json.dumps(content)})


def test_a_rich_reply_with_an_unfilled_variable_is_refused_and_the_variable_named(
    complaint, agent_a
):
    text = "退款 {{ refund_amount }} 元将原路退回"
    message = {"blocks": [{"type": "TEXT", "text": {"text": text}}]}

    answer = send(logged_in(agent_a), complaint, message)

    html = answer.content.decode()
    assert f"<li>Block 1 · Text: {GAP_EN}" in html
    assert 'data-testid="confirm-send"' not in html
    assert not Reply.objects.exists()


def test_a_plain_reply_with_an_unfilled_variable_is_refused_in_chinese(plain_complaint, agent_a):
    content = {"response_content": "您申请的 {{ refund_amount }} 元已受理"}

    answer = send(logged_in(agent_a, "zh-hans"), plain_complaint, content)

    html = answer.content.decode()
    assert f"<li>回复内容：{GAP_ZH}" in html
    assert not Reply.objects.exists()


def test_the_confirm_step_names_the_unfilled_variable(complaint, agent_a):
    url = reverse("messaging:composer_confirm", args=[complaint.pk])
    message = {"blocks": [{"type": "TEXT", "text": {"text": "好"}}, _button("{{ refund_amount }}")]}

    answer = logged_in(agent_a).post(url, {"content": json.dumps(message)})

    assert f"<li>Block 2 · Button · Button text: {GAP_EN}" in answer.content.decode()


def _button(text):
    action = {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "好"}}
    return {"type": "BUTTON", "button": {"text": text, "action": action}}


def test_a_template_inserted_on_a_complaint_without_the_value_keeps_the_gap_for_the_preview(
    complaint, agent_a, merchant
):
    assert complaint.apply_refund_amount is None
    template = ReplyTemplate.objects.create(
        merchant=merchant,
        name="退款",
        blocks=[{"type": "TEXT", "text": {"text": "退款 {{ refund_amount }} 元"}}],
    )
    client = logged_in(agent_a)
    inserted = client.get(reverse("messaging:template_insert", args=[complaint.pk, template.pk]))
    blocks = inserted.json()["blocks"]

    preview = client.post(
        reverse("messaging:composer_preview", args=[complaint.pk]),
        {"content": json.dumps({"blocks": blocks})},
    ).json()

    assert '<mark class="nm-gap"' in preview["preview"]
    assert preview["errors"] == [
        [
            "blocks.0.text.text",
            f"{GAP_EN}: replace it with the words to send.",
            f"Block 1 · Text: {GAP_EN}: replace it with the words to send.",
        ]
    ]


@pytest.mark.parametrize(
    ("path", "english", "chinese"),
    [
        ("blocks", "Blocks", "消息块"),
        (
            "blocks.1.link.action.jump_url",
            "Block 2 · Link · Link (HTTPS)",
            "第 2 块·链接·链接（HTTPS）",
        ),
        ("blocks.0.text.text", "Block 1 · Text", "第 1 块·文本"),
        ("blocks.2.image.media_id", "Block 3 · Image · Image", "第 3 块·图片·图片"),
        (
            "blocks.3.faq_list.faqs.1.faq_title",
            "Block 4 · Suggested questions · Question 2",
            "第 4 块·推荐问题·第 2 个问题",
        ),
        (
            "blocks.3.faq_list.faqs",
            "Block 4 · Suggested questions · Questions",
            "第 4 块·推荐问题·问题",
        ),
        (
            "blocks.5.button_group.buttons.1.action.message_info.content",
            "Block 6 · Button group · Button 2 · Message sent as the user",
            "第 6 块·按钮组·第 2 个按钮·以用户身份发送的消息",
        ),
        (
            "blocks.4.button.action.mini_program_jump_info.appid",
            "Block 5 · Button · Mini program AppID",
            "第 5 块·按钮·小程序 AppID",
        ),
        (
            "blocks.2.link.invalid_info.expired_time",
            "Block 3 · Link · Expires at (Beijing time)",
            "第 3 块·链接·失效时间（北京时间）",
        ),
        ("response_content", "Reply text", "回复内容"),
        ("response_images.1", "Image 2", "第 2 张图片"),
        ("jump_url_text", "Link text", "链接文字"),
        ("", "", ""),
    ],
)
def test_an_error_path_is_named_by_block_position_and_kind_in_both_languages(
    path, english, chinese
):
    with translation.override("en"):
        assert place_of(path) == english
    with translation.override("zh-hans"):
        assert place_of(path) == chinese


def test_a_block_whose_path_stops_at_it_is_named_by_its_kind_from_the_content():
    content = {"blocks": [{"type": "TEXT", "text": {"text": "好"}}, {"type": "LINK"}]}

    with translation.override("zh-hans"):
        assert place_of("blocks.1", content) == "第 2 块·链接"


def test_agents_get_the_place_and_the_message_while_the_path_is_kept():
    action = {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "http://a.cn"}
    link = {"type": "LINK", "link": {"text": "看", "action": action}}
    message = {"blocks": [{"type": "TEXT", "text": {"text": "好"}}, link]}
    with translation.override("zh-hans"):
        result = validate_normal_message(message)
        (entry,) = for_agents(result.errors, message)

    assert entry == [
        "blocks.1.link.action.jump_url",
        "须为以 https:// 开头的 HTTPS 链接。",
        "第 2 块·链接·链接（HTTPS）：须为以 https:// 开头的 HTTPS 链接。",
    ]
