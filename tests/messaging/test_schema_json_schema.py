"""The exported JSON Schema is valid draft 2020-12 and agrees with the server's validator."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from devtools.schema_strategies import example_blocks, valid_normal_messages, valid_plain_replies
from messaging.schema import (
    MessageLimits,
    normal_message_json_schema,
    plain_reply_json_schema,
    validate_normal_message,
    validate_plain_reply,
)


def browser_validator(schema):
    # A JSON round trip first: the browser receives JSON, not Python objects.
    return Draft202012Validator(json.loads(json.dumps(schema)))


@pytest.fixture(scope="module")
def message_schema():
    return browser_validator(normal_message_json_schema(DEFAULT))


@pytest.fixture(scope="module")
def reply_schema():
    return browser_validator(plain_reply_json_schema(DEFAULT))


DEFAULT = MessageLimits()


@pytest.mark.parametrize("export", [normal_message_json_schema, plain_reply_json_schema])
def test_the_export_is_valid_draft_2020_12_json_schema(export):
    schema = export()

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_the_export_carries_the_limits_in_force():
    schema = normal_message_json_schema(MessageLimits(max_blocks=3, button_text_max_chars=6))

    assert schema["properties"]["blocks"] == {
        "items": {"$ref": "#/$defs/Block"},
        "maxItems": 3,
        "minItems": 1,
        "title": "Blocks",
        "type": "array",
    }
    assert schema["$defs"]["ButtonContent"]["properties"]["text"]["maxLength"] == 6


def test_byte_limits_are_exported_beside_the_character_limit():
    custom_data = normal_message_json_schema()["properties"]["custom_data"]["anyOf"][0]

    assert custom_data["maxLength"] == 4096
    assert custom_data["x-maxBytes"] == 4096


def _message(*blocks, **fields):
    return {"blocks": list(blocks), **fields}


def _with(payload, path, value):
    payload = copy.deepcopy(payload)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = payload
    for key in parents:
        target = target[key]
    target[last] = value
    return payload


BLOCKS = example_blocks()
MESSAGE_EXAMPLES = {
    "every block": _message(*BLOCKS.values(), sender_identity="MANUAL"),
    "placeholders": _with(_message(BLOCKS["TEXT"]), "blocks.0.text.text", "a\n{{ order_no }}"),
    "placeholder in a link": _with(
        _message(BLOCKS["LINK"]), "blocks.0.link.action.jump_url", "https://a.cn/{{ x }}"
    ),
    "single braces": _with(_message(BLOCKS["TEXT"]), "blocks.0.text.text", "{ 1 } {{}}"),
    "no blocks": _message(),
    "twenty one blocks": _message(*[BLOCKS["TEXT"]] * 21),
    "unknown key": _message(BLOCKS["TEXT"], colour="red"),
    "unknown block type": _with(_message(BLOCKS["TEXT"]), "blocks.0.type", "VIDEO"),
    "missing sub-object": _message({"type": "IMAGE"}),
    "other type's sub-object": _message({**BLOCKS["TEXT"], "image": {"media_id": "m"}}),
    "action without target": _with(
        _message(BLOCKS["BUTTON"]),
        "blocks.0.button.action",
        {"action_type": "ACTION_TYPE_JUMP_URL"},
    ),
    "action with other target": _with(
        _message(BLOCKS["LINK"]), "blocks.0.link.action.message_info", {"content": "x"}
    ),
    "text too long": _with(_message(BLOCKS["TEXT"]), "blocks.0.text.text", "好" * 501),
    "http link": _with(_message(BLOCKS["LINK"]), "blocks.0.link.action.jump_url", "http://a.cn"),
    "emoji": _with(_message(BLOCKS["BUTTON"]), "blocks.0.button.text", "好😀"),
    "control character": _with(_message(BLOCKS["TEXT"]), "blocks.0.text.text", "a\x00"),
    "bad appid": _with(
        _message(BLOCKS["BUTTON"]), "blocks.0.button.action.mini_program_jump_info.appid", "wx1"
    ),
    "expiry without offset": _with(
        _message(BLOCKS["LINK"]), "blocks.0.link.invalid_info.expired_time", "2026-05-20T13:29:35"
    ),
    "five buttons": _with(
        _message(BLOCKS["BUTTON_GROUP"]),
        "blocks.0.button_group.buttons",
        BLOCKS["BUTTON_GROUP"]["button_group"]["buttons"] * 3,
    ),
    "is_bold as string": _with(_message(BLOCKS["TEXT"]), "blocks.0.text.is_bold", "true"),
}


@pytest.mark.parametrize("payload", MESSAGE_EXAMPLES.values(), ids=MESSAGE_EXAMPLES.keys())
def test_browser_and_server_agree_on_message_examples(message_schema, payload):
    assert message_schema.is_valid(payload) == validate_normal_message(payload, DEFAULT).ok


REPLY_EXAMPLES = {
    "text": {"response_content": "好"},
    "link": {"response_content": "好", "jump_url": "https://a.cn", "jump_url_text": "看"},
    "images": {"response_content": "好", "response_images": ["a", "b"]},
    "five images": {"response_content": "好", "response_images": list("abcde")},
    "too long": {"response_content": "好" * 501},
    "http link": {"response_content": "好", "jump_url": "http://a.cn", "jump_url_text": "看"},
    "long link text": {
        "response_content": "好",
        "jump_url": "https://a.cn",
        "jump_url_text": "好" * 11,
    },
    "emoji": {"response_content": "好😀"},
    "merchant id": {"response_content": "好", "complainted_mchid": "1900012181"},
}


@pytest.mark.parametrize("payload", REPLY_EXAMPLES.values(), ids=REPLY_EXAMPLES.keys())
def test_browser_and_server_agree_on_reply_examples(reply_schema, payload):
    assert reply_schema.is_valid(payload) == validate_plain_reply(payload, DEFAULT).ok


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_normal_messages(max_blocks=4))
def test_every_generated_valid_message_passes_the_browser_schema(message_schema, payload):
    assert message_schema.is_valid(payload)


@settings(max_examples=40, deadline=None)
@given(valid_plain_replies())
def test_every_generated_valid_reply_passes_the_browser_schema(reply_schema, payload):
    assert reply_schema.is_valid(payload)
