"""The console's own limits: defaults, explicit limits, and MESSAGE_LIMITS from settings."""

import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import translation

from devtools.schema_strategies import example_blocks
from messaging.schema import (
    DEFAULT_LIMITS,
    MessageLimits,
    limits_from_settings,
    normal_message_json_schema,
    validate_normal_message,
)

DOCUMENTED_DEFAULTS = {
    "max_blocks": 20,
    "text_max_chars": 500,
    "link_text_max_chars": 50,
    "button_text_max_chars": 16,
    "max_buttons_per_group": 4,
    "max_faqs_per_list": 10,
    "faq_title_max_chars": 50,
    "faq_id_max_chars": 64,
    "action_id_max_chars": 64,
    "action_jump_url_max_bytes": 512,
    "message_info_content_max_chars": 200,
    "message_info_custom_data_max_bytes": 1024,
    "mini_program_path_max_chars": 512,
    "mini_program_text_max_chars": 10,
    "appid_pattern": r"wx[0-9A-Za-z]{16}",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_defaults_are_the_documented_ones():
    assert dataclasses.asdict(DEFAULT_LIMITS) == DOCUMENTED_DEFAULTS


def test_limits_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_blocks = 3


@pytest.mark.parametrize("bad", [0, -1, "5", 2.5, True])
def test_a_limit_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="max_blocks must be a positive integer"):
        MessageLimits(max_blocks=bad)


def test_the_appid_pattern_must_be_a_regular_expression():
    with pytest.raises(ValueError, match="appid_pattern"):
        MessageLimits(appid_pattern="wx[")


def test_explicit_limits_apply_to_validation():
    limits = MessageLimits(max_blocks=2, button_text_max_chars=4)
    button = example_blocks()["BUTTON"]
    long_text = {**button, "button": {**button["button"], "text": "联系客服呀"}}

    assert validate_normal_message({"blocks": [long_text]}, limits=limits).errors == [
        ("blocks.0.button.text", "At most 4 characters (now 5).")
    ]
    assert validate_normal_message({"blocks": [button] * 3}, limits=limits).errors == [
        ("blocks", "At most 2 allowed (now 3).")
    ]


def test_a_custom_appid_pattern_is_used_in_full():
    limits = MessageLimits(appid_pattern=r"wx[0-9a-f]{16}")
    payload = {"blocks": [example_blocks()["BUTTON"]]}  # appid wxd678efh567hg6787 is not hex

    assert validate_normal_message(payload).ok
    assert validate_normal_message(payload, limits=limits).errors == [
        (
            "blocks.0.button.action.mini_program_jump_info.appid",
            "Must be a mini program AppID such as wx1234567890abcdef.",
        )
    ]


def test_without_the_setting_the_defaults_apply():
    with override_settings():
        from django.conf import settings

        if hasattr(settings, "MESSAGE_LIMITS"):
            del settings.MESSAGE_LIMITS
        assert limits_from_settings() == DEFAULT_LIMITS


@override_settings(MESSAGE_LIMITS={"max_blocks": 1, "text_max_chars": 3})
def test_settings_override_the_defaults_for_validation_and_export():
    payload = {"blocks": [{"type": "TEXT", "text": {"text": "四个字呢"}}] * 2}

    assert limits_from_settings() == MessageLimits(max_blocks=1, text_max_chars=3)
    assert validate_normal_message(payload).errors == [
        ("blocks.0.text.text", "At most 3 characters (now 4)."),
        ("blocks.1.text.text", "At most 3 characters (now 4)."),
    ]
    schema = normal_message_json_schema()
    assert schema["properties"]["blocks"]["maxItems"] == 1
    assert schema["$defs"]["TextContent"]["properties"]["text"]["maxLength"] == 3


@override_settings(MESSAGE_LIMITS={"max_block": 5})
def test_a_misspelt_setting_is_refused_not_ignored():
    with pytest.raises(ImproperlyConfigured, match=r"unknown names \['max_block'\]"):
        limits_from_settings()


@override_settings(MESSAGE_LIMITS={"max_blocks": 0})
def test_a_bad_setting_value_is_refused():
    with pytest.raises(ImproperlyConfigured, match="max_blocks must be a positive integer"):
        limits_from_settings()
