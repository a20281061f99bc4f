"""Property tests: any JSON gives a result, never an exception; generated messages validate."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.schema_strategies import valid_normal_messages, valid_plain_replies
from messaging.schema import (
    BLOCK_CONTENT,
    ActionType,
    BlockType,
    ValidationResult,
    to_wechat_payload,
    validate_normal_message,
    validate_plain_reply,
)

# Keys and values of the schema's own vocabulary, so random payloads reach the deep validators
# instead of stopping at "unknown field" on the first key.
KEYS = sorted(
    {
        "blocks", "type", "sender_identity", "custom_data", "action", "action_type", "jump_url",
        "mini_program_jump_info", "message_info", "action_id", "appid", "path", "text", "content",
        "invalid_info", "expired_time", "multi_clickable", "media_id", "image_style_type",
        "faqs", "faq_id", "faq_title", "buttons", "button_layout", "color", "is_bold",
        "response_content", "response_images", "jump_url_text", *BLOCK_CONTENT.values(),
    }
)  # fmt: skip
WORDS = (
    [t.value for t in BlockType]
    + [a.value for a in ActionType]
    + [
        "https://a.cn",
        "http://a.cn",
        "wxd678efh567hg6787",
        "2026-05-20T13:29:35+08:00",
        "MANUAL",
        "DEFAULT",
        "😀",
        "\x00",
        "\ud800",
        "",
        " ",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from(WORDS)
)
JSONISH = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=40,
)


def contains_null(value):
    if isinstance(value, dict):
        return any(contains_null(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_null(v) for v in value)
    return value is None


def assert_well_formed(result):
    assert isinstance(result, ValidationResult)
    if result.ok:
        assert result.message is not None
    else:
        assert result.message is None and result.errors
        for path, text in result.errors:
            assert isinstance(path, str) and isinstance(text, str) and text


@settings(max_examples=200, deadline=None)
@given(JSONISH)
def test_any_json_value_gives_a_result_not_an_exception(payload):
    assert_well_formed(validate_normal_message(payload))
    assert_well_formed(validate_plain_reply(payload))


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({"blocks": st.lists(JSONISH, max_size=4)}, optional={"x": JSONISH}))
def test_any_blocks_give_a_result_not_an_exception(payload):
    assert_well_formed(validate_normal_message(payload))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_normal_messages(max_blocks=4), st.data())
def test_a_valid_message_with_one_value_replaced_gives_a_result(payload, data):
    # Replace one leaf (or subtree) somewhere deep inside a valid message with random JSON.
    target, path = payload, []
    while isinstance(target, dict | list) and target and data.draw(st.booleans()):
        key = data.draw(
            st.sampled_from(list(target) if isinstance(target, dict) else range(len(target)))
        )
        path.append(key)
        if not isinstance(target[key], dict | list):
            break
        target = target[key]
    if path:
        parent = payload
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = data.draw(JSONISH)

    assert_well_formed(validate_normal_message(payload))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_normal_messages(max_blocks=6))
def test_generated_messages_validate_and_serialize_back_to_themselves(payload):
    result = validate_normal_message(payload)

    assert result.ok, result.errors
    sent = to_wechat_payload(result.message)
    assert sent == payload
    assert not contains_null(sent)
    json.dumps(sent, allow_nan=False)  # plain JSON all the way down


@settings(max_examples=100, deadline=None)
@given(valid_plain_replies())
def test_generated_replies_validate_and_serialize_back_to_themselves(payload):
    result = validate_plain_reply(payload)

    assert result.ok, result.errors
    assert to_wechat_payload(result.message) == payload
