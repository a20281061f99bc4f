"""NormalMessage validation: lengths and counts at and over the defaults of MessageLimits."""

import pytest

from devtools.schema_strategies import example_blocks
from messaging.schema import validate_normal_message
from tests.messaging.schema_payloads import (
    block,
    english,  # noqa: F401 (autouse: messages in English)
    message,
    only_error,
    set_at,
)

# --- invalid messages: lengths and counts (the defaults of MessageLimits) ------------------

# (block, path inside the message, limit, unit): each value is accepted at the limit, refused above.
LENGTH_LIMITS = [
    ("TEXT", "blocks.0.text.text", 500, "chars"),
    ("LINK", "blocks.0.link.text", 50, "chars"),
    ("BUTTON", "blocks.0.button.text", 16, "chars"),
    ("BUTTON_GROUP", "blocks.0.button_group.buttons.1.text", 16, "chars"),
    ("FAQ_LIST", "blocks.0.faq_list.faqs.0.faq_title", 50, "chars"),
    ("FAQ_LIST", "blocks.0.faq_list.faqs.0.faq_id", 64, "chars"),
    ("FAQ_LIST", "blocks.0.faq_list.faqs.0.action.action_id", 64, "chars"),
    ("FAQ_LIST", "blocks.0.faq_list.faqs.0.action.message_info.content", 200, "chars"),
    ("FAQ_LIST", "blocks.0.faq_list.faqs.0.action.message_info.custom_data", 1024, "bytes"),
    ("BUTTON", "blocks.0.button.action.mini_program_jump_info.path", 512, "chars"),
    ("BUTTON", "blocks.0.button.action.mini_program_jump_info.text", 10, "chars"),
    ("IMAGE", "blocks.0.image.media_id", 512, "bytes"),
]


def _string_of(length, unit):
    # Chinese text measures 1 character but 3 bytes: a bytes limit is met with 3-byte characters.
    return "好" * length if unit == "chars" else "好" * (length // 3) + "a" * (length % 3)


@pytest.mark.parametrize(("kind", "path", "limit", "unit"), LENGTH_LIMITS)
def test_a_string_at_its_limit_is_accepted(kind, path, limit, unit):
    payload = set_at(message(block(kind)), path, _string_of(limit, unit))

    assert validate_normal_message(payload).ok


@pytest.mark.parametrize(("kind", "path", "limit", "unit"), LENGTH_LIMITS)
def test_a_string_over_its_limit_is_refused_with_both_lengths(kind, path, limit, unit):
    payload = set_at(message(block(kind)), path, _string_of(limit, unit) + "a")

    expected = (
        f"At most {limit} characters (now {limit + 1})."
        if unit == "chars"
        else f"At most {limit} bytes in UTF-8 (now {limit + 1})."
    )
    assert only_error(validate_normal_message(payload)) == (path, expected)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("blocks.0.link.action.jump_url", "https://example.com/" + "a" * 492),
        ("custom_data", "好" * 1365 + "a"),
    ],
)
def test_jump_urls_and_custom_data_are_counted_in_bytes_up_to_their_limit(path, value):
    assert validate_normal_message(set_at(message(block("LINK")), path, value)).ok


@pytest.mark.parametrize(
    ("path", "value", "text"),
    [
        ("blocks.0.link.action.jump_url", "https://example.com/" + "a" * 493,
         "At most 512 bytes in UTF-8 (now 513)."),
        ("blocks.0.link.action.jump_url", "https://example.com/" + "好" * 165,
         "At most 512 bytes in UTF-8 (now 515)."),
        ("custom_data", "a" * 4097, "At most 4096 bytes in UTF-8 (now 4097)."),
        ("custom_data", "好" * 1366, "At most 4096 bytes in UTF-8 (now 4098)."),
    ],
)  # fmt: skip
def test_jump_urls_and_custom_data_over_their_byte_limit_are_refused(path, value, text):
    payload = set_at(message(block("LINK")), path, value)

    assert only_error(validate_normal_message(payload)) == (path, text)


def test_twenty_blocks_are_accepted_and_twenty_one_refused():
    assert validate_normal_message(message(*[block("TEXT")] * 20)).ok
    assert only_error(validate_normal_message(message(*[block("TEXT")] * 21))) == (
        "blocks",
        "At most 20 allowed (now 21).",
    )


@pytest.mark.parametrize(
    ("kind", "path", "item", "limit"),
    [
        ("BUTTON_GROUP", "blocks.0.button_group.buttons", "button_group.buttons.0", 4),
        ("FAQ_LIST", "blocks.0.faq_list.faqs", "faq_list.faqs.0", 10),
    ],
)
def test_lists_inside_blocks_have_a_maximum_and_a_minimum_of_one(kind, path, item, limit):
    one = example_blocks()[kind]
    for key in item.split(".")[:-1]:
        one = one[key]
    one = one[0]
    at_limit = set_at(message(block(kind)), path, [one] * limit)
    over = set_at(message(block(kind)), path, [one] * (limit + 1))
    empty = set_at(message(block(kind)), path, [])

    assert validate_normal_message(at_limit).ok
    assert only_error(validate_normal_message(over)) == (
        path,
        f"At most {limit} allowed (now {limit + 1}).",
    )
    assert only_error(validate_normal_message(empty)) == (path, "At least 1 required.")
