"""The one NormalMessage renderer: every block type, actions, validity, unknown blocks, escaping."""

from __future__ import annotations

from django.template.loader import render_to_string

SEND = {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "我要退款"}}
JUMP = {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "https://shop.example/o/1"}
MINI = {
    "action_type": "ACTION_TYPE_JUMP_MINI_PROGRAM",
    "mini_program_jump_info": {"appid": "wx1234567890abcdef", "path": "pages/index"},
}
WIDE = "IMAGE_STYLE_TYPE_WIDE"
MESSAGE = {
    "blocks": [
        {"type": "TEXT", "text": {"text": "第一行\n第二行", "color": "SECONDARY", "is_bold": True}},
        {"type": "IMAGE", "image": {"media_id": "MEDIA/1=", "image_style_type": WIDE}},
        {"type": "LINK", "link": {"text": "查看订单", "action": JUMP,
                                  "invalid_info": {"expired_time": "2030-01-01T10:00:00+08:00",
                                                   "multi_clickable": False}}},
        {"type": "FAQ_LIST", "faq_list": {"faqs": [{"faq_title": "如何退款？", "action": SEND}]}},
        {"type": "BUTTON", "button": {"text": "联系客服", "action": MINI}},
        {"type": "BUTTON_GROUP", "button_group": {"button_layout": "LAYOUT_VERTICAL", "buttons": [
            {"text": "同意", "action": SEND}, {"text": "拒绝", "action": SEND}]}},
    ],
    "sender_identity": "MACHINE",
}  # fmt: skip


def render(message) -> str:
    return render_to_string("messaging/_normal_message.html", {"message": message})


def test_every_block_type_is_rendered_in_order():
    html = render(MESSAGE)

    kinds = ["TEXT", "IMAGE", "LINK", "FAQ_LIST", "BUTTON", "BUTTON_GROUP"]
    positions = [html.index(f'data-block-type="{kind}"') for kind in kinds]
    assert positions == sorted(positions)


def test_text_style_and_line_breaks():
    html = render(MESSAGE)

    assert "nm-text--secondary" in html and "nm-text--bold" in html
    assert "第一行<br>第二行" in html


def test_image_points_at_the_library_by_media_id():
    html = render(MESSAGE)

    assert "/messaging/images/media/?media_id=MEDIA%2F1%3D" in html
    assert "nm-image--wide" in html


def test_actions_and_validity_are_described():
    html = render(MESSAGE)

    assert "https://shop.example/o/1" in html
    assert "wx1234567890abcdef" in html
    assert "我要退款" in html
    assert "Valid until 2030-01-01 10:00" in html  # in the console's zone, as people read it
    assert "nm-button-group--vertical" in html


def test_an_expiry_in_another_offset_is_shown_in_beijing_time():
    link = {"text": "看", "action": {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "https://a.cn"},
            "invalid_info": {"expired_time": "2030-01-01T02:00:00+00:00"}}  # fmt: skip

    html = render({"blocks": [{"type": "LINK", "link": link}]})

    assert "Valid until 2030-01-01 10:00" in html


def test_unknown_block_type_is_shown_as_such():
    html = render({"blocks": [{"type": "CAROUSEL", "carousel": {}}]})

    assert "CAROUSEL" in html
    assert "nm-unknown" in html


def test_text_is_escaped():
    html = render({"blocks": [{"type": "TEXT", "text": {"text": "<script>alert(1)</script>"}}]})

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_empty_or_malformed_message_renders_without_error():
    assert "nm-empty" in render({})
    assert "nm-empty" in render({"blocks": []})
