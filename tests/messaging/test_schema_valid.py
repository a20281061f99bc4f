"""NormalMessage validation: valid messages of every block and action type, and the text that
passes as-is or is refused as an unfilled template variable."""

import pytest

from devtools.schema_strategies import example_blocks
from messaging.schema import (
    ACTION_TARGET,
    ActionType,
    BlockType,
    NormalMessage,
    to_wechat_payload,
    validate_normal_message,
)
from tests.messaging.schema_payloads import (
    ACTION_CONTAINERS,
    ACTIONS,
    block,
    english,  # noqa: F401 (autouse: messages in English)
    message,
    only_error,
    set_at,
)

# --- valid messages -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [t.value for t in BlockType])
def test_every_block_type_is_accepted_and_serialized_unchanged(kind):
    payload = message(block(kind))

    result = validate_normal_message(payload)

    assert result.ok, result.errors
    assert isinstance(result.message, NormalMessage)
    assert result.errors == [] and result.warnings == []
    assert to_wechat_payload(result.message) == payload


@pytest.mark.parametrize("kind", list(ACTION_CONTAINERS))
@pytest.mark.parametrize("action_type", list(ActionType))
def test_every_action_type_is_accepted_in_every_block_with_an_action(kind, action_type):
    action = {"action_type": action_type.value, ACTION_TARGET[action_type]: ACTIONS[action_type]}
    payload = set_at(message(block(kind)), f"blocks.0.{ACTION_CONTAINERS[kind]}", action)

    result = validate_normal_message(payload)

    assert result.ok, result.errors
    assert to_wechat_payload(result.message) == payload


def test_a_message_with_every_block_type_and_the_optional_fields_is_accepted():
    payload = message(*example_blocks().values(), sender_identity="MANUAL", custom_data="ref=7")

    assert validate_normal_message(payload).ok


def test_minimal_blocks_need_only_their_required_fields():
    payload = message(
        {"type": "TEXT", "text": {"text": "好"}},
        {"type": "IMAGE", "image": {"media_id": "m1"}},
        {"type": "LINK", "link": {"text": "链接", "action": {"action_type": "ACTION_TYPE_JUMP_URL",
                                                             "jump_url": "https://a.cn"}}},
        {"type": "FAQ_LIST", "faq_list": {"faqs": [{"faq_title": "问", "action": {
            "action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "问"}}}]}},
        {"type": "BUTTON", "button": {"text": "按钮", "action": {
            "action_type": "ACTION_TYPE_JUMP_MINI_PROGRAM",
            "mini_program_jump_info": {"appid": "wx1234567890abcdef", "path": "p"}}}},
        {"type": "BUTTON_GROUP", "button_group": {"buttons": [{"text": "是", "action": {
            "action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "是"}}}]}},
    )  # fmt: skip

    assert validate_normal_message(payload).ok


@pytest.mark.parametrize("identity", ["UNKNOWN", "MANUAL", "MACHINE"])
def test_every_sender_identity_is_accepted(identity):
    assert validate_normal_message(message(block("TEXT"), sender_identity=identity)).ok


def test_unfilled_template_variables_are_refused_and_named_in_every_text_field():
    payload = message(
        set_at(block("TEXT"), "text.text", "订单 {{ order_no }} 金额 {{amount}} 元"),
        set_at(block("BUTTON"), "button.text", "{{ label }}"),
    )

    assert validate_normal_message(payload).errors == [
        (
            "blocks.0.text.text",
            "The template variable {{ order_no }} {{amount}} has no value here: replace it with "
            "the words to send.",
        ),
        (
            "blocks.1.button.text",
            "The template variable {{ label }} has no value here: replace it with the words to "
            "send.",
        ),
    ]


def test_single_braces_and_broken_placeholders_are_ordinary_text():
    text = "{ 1 } {{ 2x }} {{}} {{ a b }}"
    assert validate_normal_message(message(set_at(block("TEXT"), "text.text", text))).ok


def test_an_unfilled_variable_in_a_link_is_refused_before_its_format():
    url = "https://shop.example.com/o/{{ order_number }}"
    payload = set_at(message(block("LINK")), "blocks.0.link.action.jump_url", url)

    path, text = only_error(validate_normal_message(payload))
    assert path == "blocks.0.link.action.jump_url"
    assert "{{ order_number }}" in text


def test_tab_newline_and_carriage_return_are_accepted():
    assert validate_normal_message(message(set_at(block("TEXT"), "text.text", "a\tb\r\nc"))).ok


def test_null_reads_as_absent_and_is_never_serialized():
    payload = message(
        {"type": "TEXT", "text": {"text": "好", "color": None}, "image": None, "button": None},
        sender_identity=None,
    )

    result = validate_normal_message(payload)

    assert result.ok, result.errors
    assert to_wechat_payload(result.message) == {
        "blocks": [{"type": "TEXT", "text": {"text": "好"}}]
    }


def test_custom_data_may_use_all_4096_bytes():
    assert validate_normal_message(message(block("TEXT"), custom_data="好" * 1365 + "a")).ok
