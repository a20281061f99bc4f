"""NormalMessage validation: blank text, 4-byte characters, control characters and lone
surrogates."""

import pytest
from django.utils import translation

from messaging.schema import validate_normal_message
from tests.messaging.schema_payloads import (
    block,
    english,  # noqa: F401 (autouse: messages in English)
    message,
    only_error,
    set_at,
)

# --- invalid messages: content rules ----------------------------------------------------------

REQUIRED_TEXT_PATHS = [
    ("TEXT", "blocks.0.text.text"),
    ("LINK", "blocks.0.link.text"),
    ("BUTTON", "blocks.0.button.text"),
    ("FAQ_LIST", "blocks.0.faq_list.faqs.0.faq_title"),
    ("FAQ_LIST", "blocks.0.faq_list.faqs.0.action.message_info.content"),
    ("IMAGE", "blocks.0.image.media_id"),
]


@pytest.mark.parametrize(("kind", "path"), REQUIRED_TEXT_PATHS)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t", "\u3000"])
def test_blank_text_is_refused(kind, path, blank):
    payload = set_at(message(block(kind)), path, blank)

    assert only_error(validate_normal_message(payload)) == (path, "Must not be empty.")


def test_blank_custom_data_is_accepted_as_opaque_pass_through():
    assert validate_normal_message(message(block("TEXT"), custom_data="")).ok


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("TEXT", "blocks.0.text.text"),
        ("BUTTON_GROUP", "blocks.0.button_group.buttons.0.text"),
        ("FAQ_LIST", "blocks.0.faq_list.faqs.0.action.message_info.custom_data"),
        ("LINK", "blocks.0.link.action.jump_url"),
        ("BUTTON", "blocks.0.button.action.mini_program_jump_info.path"),
        ("IMAGE", "blocks.0.image.media_id"),
    ],
)
def test_a_four_byte_character_is_refused_and_named_wherever_it_is(kind, path):
    value = "https://example.com/😀" if path.endswith("jump_url") else "谢谢😀"
    payload = set_at(message(block(kind)), path, value)

    assert only_error(validate_normal_message(payload)) == (
        path,
        "4-byte characters such as emoji are not supported: 😀",
    )


def test_every_distinct_four_byte_character_is_named_once():
    payload = set_at(message(block("TEXT")), "blocks.0.text.text", "好😀👍🏽😀𠀀")

    assert only_error(validate_normal_message(payload)) == (
        "blocks.0.text.text",
        "4-byte characters such as emoji are not supported: 😀 👍 🏽 𠀀",
    )


def test_four_byte_characters_in_custom_data_are_refused_too():
    assert only_error(validate_normal_message(message(block("TEXT"), custom_data="🙂"))) == (
        "custom_data",
        "4-byte characters such as emoji are not supported: 🙂",
    )


def test_the_four_byte_message_is_translated_for_the_chinese_ui():
    with translation.override("zh-hans"):
        (path, text) = only_error(
            validate_normal_message(set_at(message(block("TEXT")), "blocks.0.text.text", "😀"))
        )
    # Until locale/ has a zh_Hans catalogue the English source is shown; either way it names 😀.
    assert path == "blocks.0.text.text"
    assert text in {
        "4-byte characters such as emoji are not supported: 😀",
        "不支持表情等四字节字符：😀",
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a\x00b", "Control characters are not allowed (U+0000)."),
        ("a\x1bb", "Control characters are not allowed (U+001B)."),
        ("a\x7fb", "Control characters are not allowed (U+007F)."),
        ("a\x85b", "Control characters are not allowed (U+0085)."),
        ("a\ud83db", "Contains an invalid character (U+D83D)."),
    ],
)
def test_control_characters_and_lone_surrogates_are_refused(value, text):
    payload = set_at(message(block("TEXT")), "blocks.0.text.text", value)

    assert only_error(validate_normal_message(payload)) == ("blocks.0.text.text", text)
