"""The plain /response reply (spec §3.4): text, up to 4 images, a link or a mini program."""

import pytest
from django.utils import translation

from messaging.schema import PlainReply, to_wechat_payload, validate_plain_reply

LINK = {"jump_url": "https://shop.example.com/refund", "jump_url_text": "退款进度"}
MINI_PROGRAM = {
    "mini_program_jump_info": {"appid": "wxd678efh567hg6787", "path": "pages/a", "text": "订单"}
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def reply(**fields):
    return {"response_content": "您好，已为您退款，请查收。", **fields}


def only_error(result):
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


@pytest.mark.parametrize(
    "payload",
    [
        reply(),
        reply(response_images=["m1", "m2", "m3", "m4"]),
        reply(response_images=[]),
        reply(**LINK),
        reply(**MINI_PROGRAM, response_images=["m1"]),
        reply(response_content="订单 {1} 已处理"),
    ],
    ids=["text only", "four images", "no images", "link", "mini program", "single braces"],
)
def test_valid_replies_are_accepted_and_serialized_unchanged(payload):
    result = validate_plain_reply(payload)

    assert result.ok, result.errors
    assert isinstance(result.message, PlainReply)
    assert to_wechat_payload(result.message) == payload


def test_500_characters_are_accepted_without_a_contradicting_warning():
    result = validate_plain_reply(reply(response_content="好" * 500))

    assert result.ok
    assert result.warnings == []


def test_501_characters_are_refused_with_the_one_rule():
    result = validate_plain_reply(reply(response_content="好" * 501))

    assert only_error(result) == ("response_content", "At most 500 characters (now 501).")


def test_an_unfilled_template_variable_is_refused():
    result = validate_plain_reply(reply(response_content="退款 {{ refund_amount }} 元已受理"))

    assert only_error(result) == (
        "response_content",
        "The template variable {{ refund_amount }} has no value here: replace it with the words "
        "to send.",
    )


PLAIN_REPLY_ERRORS = [
    ("no content", {}, "response_content", "This field is required."),
    ("blank content", reply(response_content=" \n"), "response_content", "Must not be empty."),
    ("emoji", reply(response_content="好的👌"), "response_content",
     "4-byte characters such as emoji are not supported: 👌"),
    ("five images", reply(response_images=["a", "b", "c", "d", "e"]), "response_images",
     "At most 4 allowed (now 5)."),
    ("images not a list", reply(response_images="m1"), "response_images", "Must be a list."),
    ("blank image id", reply(response_images=["m1", ""]), "response_images.1",
     "Must not be empty."),
    ("image id too long", reply(response_images=["m" * 513]), "response_images.0",
     "At most 512 bytes in UTF-8 (now 513)."),
    ("http link", reply(**{**LINK, "jump_url": "http://shop.example.com"}), "jump_url",
     "Must be an HTTPS link starting with https://."),
    ("link over 512 bytes", reply(**{**LINK, "jump_url": "https://a.cn/" + "a" * 500}),
     "jump_url", "At most 512 bytes in UTF-8 (now 513)."),
    ("link text over 10", reply(**{**LINK, "jump_url_text": "查看退款进度和详细说明"}),
     "jump_url_text", "At most 10 characters (now 11)."),
    ("link without text", reply(jump_url="https://a.cn"), "jump_url_text",
     "Give the link text as well, or remove the link."),
    ("text without link", reply(jump_url_text="查看"), "jump_url",
     "Give the link as well, or remove the link text."),
    ("link and mini program", reply(**LINK, **MINI_PROGRAM), "mini_program_jump_info",
     "Use either a link or a mini program, not both."),
    ("mini program without text", reply(mini_program_jump_info={
        "appid": "wxd678efh567hg6787", "path": "pages/a"}), "mini_program_jump_info.text",
     "This field is required."),
    ("mini program without path", reply(mini_program_jump_info={
        "appid": "wxd678efh567hg6787", "text": "订单"}), "mini_program_jump_info.path",
     "This field is required."),
    ("bad appid", reply(mini_program_jump_info={**MINI_PROGRAM["mini_program_jump_info"],
                                                "appid": "1900012181"}),
     "mini_program_jump_info.appid", "Must be a mini program AppID such as wx1234567890abcdef."),
    ("merchant id belongs to the caller", reply(complainted_mchid="1900012181"),
     "complainted_mchid", "This field is not allowed: remove it."),
    ("not an object", "hello", "", "Must be an object."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "path", "text"),
    [row[1:] for row in PLAIN_REPLY_ERRORS],
    ids=[row[0] for row in PLAIN_REPLY_ERRORS],
)
def test_plain_reply_errors_name_the_field(payload, path, text):
    assert only_error(validate_plain_reply(payload)) == (path, text)


def test_link_pairing_is_checked_only_once_the_fields_themselves_are_valid():
    # An invalid link is reported for what it is, not also as "missing its text".
    result = validate_plain_reply(reply(jump_url="http://a.cn"))

    assert result.errors == [("jump_url", "Must be an HTTPS link starting with https://.")]
