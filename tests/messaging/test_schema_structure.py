"""NormalMessage validation: structure errors (shapes, unknown and missing fields, enums, block and
action sub-objects), each with its exact error path."""

import pytest

from messaging.schema import (
    ACTION_TARGET,
    BLOCK_CONTENT,
    ActionType,
    BlockType,
    validate_normal_message,
)
from tests.messaging.schema_payloads import (
    ACTIONS,
    block,
    delete_at,
    english,  # noqa: F401 (autouse: messages in English)
    message,
    only_error,
    set_at,
)

# --- invalid messages: structure ------------------------------------------------------------

STRUCTURE_ERRORS = [
    ("not an object", ["blocks"], "", "Must be an object."),
    ("no blocks key", {}, "blocks", "This field is required."),
    ("blocks not a list", {"blocks": {"0": {}}}, "blocks", "Must be a list."),
    ("no blocks", {"blocks": []}, "blocks", "At least 1 required."),
    ("block not an object", {"blocks": ["TEXT"]}, "blocks.0", "Must be an object."),
    ("unknown top-level key", message(block("TEXT"), colour="red"), "colour",
     "This field is not allowed: remove it."),
    ("unknown block key", message({**block("TEXT"), "style": 1}), "blocks.0.style",
     "This field is not allowed: remove it."),
    ("unknown nested key", set_at(message(block("BUTTON")), "blocks.0.button.action.url", "x"),
     "blocks.0.button.action.url", "This field is not allowed: remove it."),
    ("missing type", delete_at(message(block("TEXT")), "blocks.0.type"), "blocks.0.type",
     "This field is required."),
    ("unknown type", set_at(message(block("TEXT")), "blocks.0.type", "VIDEO"), "blocks.0.type",
     "Must be one of 'TEXT', 'IMAGE', 'LINK', 'FAQ_LIST', 'BUTTON' or 'BUTTON_GROUP'."),
    ("lower-case type", set_at(message(block("TEXT")), "blocks.0.type", "text"), "blocks.0.type",
     "Must be one of 'TEXT', 'IMAGE', 'LINK', 'FAQ_LIST', 'BUTTON' or 'BUTTON_GROUP'."),
    ("sub-object not an object", set_at(message(block("TEXT")), "blocks.0.text", "hi"),
     "blocks.0.text", "Must be an object."),
    ("text not a string", set_at(message(block("TEXT")), "blocks.0.text.text", 5),
     "blocks.0.text.text", "Must be text."),
    ("is_bold a string", set_at(message(block("TEXT")), "blocks.0.text.is_bold", "true"),
     "blocks.0.text.is_bold", "Must be true or false."),
    ("is_bold a number", set_at(message(block("TEXT")), "blocks.0.text.is_bold", 1),
     "blocks.0.text.is_bold", "Must be true or false."),
    ("unknown color", set_at(message(block("TEXT")), "blocks.0.text.color", "RED"),
     "blocks.0.text.color", "Must be one of 'DEFAULT' or 'SECONDARY'."),
    ("unknown image style", set_at(message(block("IMAGE")), "blocks.0.image.image_style_type",
     "WIDE"), "blocks.0.image.image_style_type",
     "Must be one of 'IMAGE_STYLE_TYPE_NARROW' or 'IMAGE_STYLE_TYPE_WIDE'."),
    ("missing media_id", delete_at(message(block("IMAGE")), "blocks.0.image.media_id"),
     "blocks.0.image.media_id", "This field is required."),
    ("unknown layout", set_at(message(block("BUTTON_GROUP")), "blocks.0.button_group.button_layout",
     "GRID"), "blocks.0.button_group.button_layout",
     "Must be one of 'LAYOUT_UNKNOWN', 'LAYOUT_HORIZONTAL' or 'LAYOUT_VERTICAL'."),
    ("buttons not a list", set_at(message(block("BUTTON_GROUP")), "blocks.0.button_group.buttons",
     "x"), "blocks.0.button_group.buttons", "Must be a list."),
    ("missing link text", delete_at(message(block("LINK")), "blocks.0.link.text"),
     "blocks.0.link.text", "This field is required."),
    ("missing link action", delete_at(message(block("LINK")), "blocks.0.link.action"),
     "blocks.0.link.action", "This field is required."),
    ("missing faq title", delete_at(message(block("FAQ_LIST")),
     "blocks.0.faq_list.faqs.0.faq_title"), "blocks.0.faq_list.faqs.0.faq_title",
     "This field is required."),
    ("missing faq action", delete_at(message(block("FAQ_LIST")),
     "blocks.0.faq_list.faqs.0.action"), "blocks.0.faq_list.faqs.0.action",
     "This field is required."),
    ("faq with invalid_info", set_at(message(block("FAQ_LIST")),
     "blocks.0.faq_list.faqs.0.invalid_info", {}), "blocks.0.faq_list.faqs.0.invalid_info",
     "This field is not allowed: remove it."),
    ("missing button text", delete_at(message(block("BUTTON")), "blocks.0.button.text"),
     "blocks.0.button.text", "This field is required."),
    ("missing group button action", delete_at(message(block("BUTTON_GROUP")),
     "blocks.0.button_group.buttons.1.action"), "blocks.0.button_group.buttons.1.action",
     "This field is required."),
    ("missing action type", delete_at(message(block("BUTTON")),
     "blocks.0.button.action.action_type"), "blocks.0.button.action.action_type",
     "This field is required."),
    ("unknown action type", set_at(message(block("BUTTON")), "blocks.0.button.action.action_type",
     "SEND_MESSAGE"), "blocks.0.button.action.action_type",
     "Must be one of 'ACTION_TYPE_SEND_MESSAGE', 'ACTION_TYPE_JUMP_URL' or "
     "'ACTION_TYPE_JUMP_MINI_PROGRAM'."),
    ("missing message content", delete_at(message(block("FAQ_LIST")),
     "blocks.0.faq_list.faqs.0.action.message_info.content"),
     "blocks.0.faq_list.faqs.0.action.message_info.content", "This field is required."),
    ("missing appid", delete_at(message(block("BUTTON")),
     "blocks.0.button.action.mini_program_jump_info.appid"),
     "blocks.0.button.action.mini_program_jump_info.appid", "This field is required."),
    ("missing mini program path", delete_at(message(block("BUTTON")),
     "blocks.0.button.action.mini_program_jump_info.path"),
     "blocks.0.button.action.mini_program_jump_info.path", "This field is required."),
    ("multi_clickable a string", set_at(message(block("LINK")),
     "blocks.0.link.invalid_info.multi_clickable", "no"),
     "blocks.0.link.invalid_info.multi_clickable", "Must be true or false."),
    ("unknown sender identity", message(block("TEXT"), sender_identity="BOT"), "sender_identity",
     "Must be one of 'UNKNOWN', 'MANUAL' or 'MACHINE'."),
    ("custom_data a number", message(block("TEXT"), custom_data=7), "custom_data", "Must be text."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "path", "text"),
    [row[1:] for row in STRUCTURE_ERRORS],
    ids=[row[0] for row in STRUCTURE_ERRORS],
)
def test_structure_errors_name_the_field(payload, path, text):
    assert only_error(validate_normal_message(payload)) == (path, text)


@pytest.mark.parametrize("kind", [t.value for t in BlockType])
def test_a_block_without_the_sub_object_of_its_type_is_refused(kind):
    field = BLOCK_CONTENT[BlockType(kind)]
    payload = delete_at(message(block("TEXT"), block(kind)), f"blocks.1.{field}")

    assert only_error(validate_normal_message(payload)) == (
        f"blocks.1.{field}",
        "This field is required.",
    )


@pytest.mark.parametrize(
    ("kind", "other"), [(a.value, b.value) for a in BlockType for b in BlockType if a != b]
)
def test_a_block_carrying_another_types_sub_object_is_refused(kind, other):
    other_field = BLOCK_CONTENT[BlockType(other)]
    payload = message({**block(kind), other_field: block(other)[other_field]})

    assert only_error(validate_normal_message(payload)) == (
        f"blocks.0.{other_field}",
        f"Not used by {kind} blocks: remove it.",
    )


@pytest.mark.parametrize("action_type", list(ActionType))
def test_an_action_without_its_target_is_refused(action_type):
    action = {"action_type": action_type.value}
    payload = set_at(message(block("BUTTON")), "blocks.0.button.action", action)

    assert only_error(validate_normal_message(payload)) == (
        f"blocks.0.button.action.{ACTION_TARGET[action_type]}",
        "This field is required.",
    )


@pytest.mark.parametrize(
    ("action_type", "other"), [(a, b) for a in ActionType for b in ActionType if a != b]
)
def test_an_action_carrying_another_actions_target_is_refused(action_type, other):
    action = {
        "action_type": action_type.value,
        ACTION_TARGET[action_type]: ACTIONS[action_type],
        ACTION_TARGET[other]: ACTIONS[other],
    }
    payload = set_at(message(block("LINK")), "blocks.0.link.action", action)

    assert only_error(validate_normal_message(payload)) == (
        f"blocks.0.link.action.{ACTION_TARGET[other]}",
        f"Not used by {action_type.value} actions: remove it.",
    )


def test_every_error_in_the_message_is_reported_in_order():
    payload = message(
        set_at(block("TEXT"), "text.text", ""),
        block("IMAGE"),
        set_at(block("BUTTON"), "button.action.jump_url", "https://x.cn"),
        custom_data=1,
    )

    assert validate_normal_message(payload).errors == [
        ("blocks.0.text.text", "Must not be empty."),
        ("blocks.2.button.action.jump_url", "Not used by ACTION_TYPE_JUMP_MINI_PROGRAM actions: "
                                            "remove it."),
        ("custom_data", "Must be text."),
    ]  # fmt: skip
