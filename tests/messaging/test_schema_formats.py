"""NormalMessage validation: HTTPS jump links, mini program AppIDs and RFC 3339 expiry times."""

import pytest

from messaging.schema import validate_normal_message
from tests.messaging.schema_payloads import (
    block,
    delete_at,
    english,  # noqa: F401 (autouse: messages in English)
    message,
    only_error,
    set_at,
)


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("http://example.com/a", "Must be an HTTPS link starting with https://."),
        ("HTTPS://example.com/a", "Must be an HTTPS link starting with https://."),
        ("//example.com/a", "Must be an HTTPS link starting with https://."),
        ("weixin://dl/business", "Must be an HTTPS link starting with https://."),
        ("javascript:alert(1)", "Must be an HTTPS link starting with https://."),
        (" https://example.com", "Must be an HTTPS link starting with https://."),
        ("https://", "Must be a complete link such as https://example.com/page."),
        ("https:///path", "Must be a complete link such as https://example.com/page."),
        ("https://[::1/x", "Must be a complete link such as https://example.com/page."),
    ],
)
def test_jump_urls_must_be_complete_https_links(url, text):
    path = "blocks.0.button_group.buttons.1.action.jump_url"
    payload = set_at(message(block("BUTTON_GROUP")), path, url)

    assert only_error(validate_normal_message(payload)) == (path, text)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "https://例子.中国/路径?q=好",
        "https://shop.example.com:8443/o/1?from=wechat#top",
        "https://127.0.0.1/x",
    ],
)
def test_https_links_with_ports_queries_and_chinese_are_accepted(url):
    payload = set_at(message(block("LINK")), "blocks.0.link.action.jump_url", url)

    assert validate_normal_message(payload).ok


@pytest.mark.parametrize(
    "appid",
    [
        "wx123",
        "wxd678efh567hg6787 ",
        "gh_1234567890ab",
        "wxd678efh567hg6787a",
        "WXd678efh567hg6787",
    ],
)
def test_mini_program_appids_must_look_like_wechat_appids(appid):
    path = "blocks.0.button.action.mini_program_jump_info.appid"
    payload = set_at(message(block("BUTTON")), path, appid)

    assert only_error(validate_normal_message(payload)) == (
        path,
        "Must be a mini program AppID such as wx1234567890abcdef.",
    )


def test_the_mini_program_page_name_is_optional_in_a_normal_message():
    path = "blocks.0.button.action.mini_program_jump_info.text"

    assert validate_normal_message(delete_at(message(block("BUTTON")), path)).ok


@pytest.mark.parametrize(
    "expired_time",
    ["2015-05-20T13:29:35+08:00", "2026-12-31T23:59:59-05:00", "2024-02-29T00:00:00+00:00"],
)
def test_expiry_times_with_a_numeric_offset_are_accepted(expired_time):
    payload = set_at(
        message(block("LINK")), "blocks.0.link.invalid_info.expired_time", expired_time
    )

    assert validate_normal_message(payload).ok


@pytest.mark.parametrize(
    "expired_time",
    [
        "2026-05-20T13:29:35Z",  # WeChat documents and shows numeric offsets only
        "2026-05-20T13:29:35",  # no offset: ambiguous
        "2026-05-20 13:29:35+08:00",
        "2026-05-20T13:29:35.5+08:00",
        "2026-05-20T13:29+08:00",
        "2026-02-30T10:00:00+08:00",  # no such day
        "2025-02-29T10:00:00+08:00",  # not a leap year
        "2026-05-20T24:00:00+08:00",
        "2026-05-20T13:29:35+24:00",
        "1432099775",
        "２０２６-05-20T13:29:35+08:00",  # full-width digits
    ],
)
def test_expiry_times_must_be_rfc3339_with_a_numeric_offset(expired_time):
    path = "blocks.0.button_group.invalid_info.expired_time"
    payload = set_at(message(block("BUTTON_GROUP")), path, expired_time)

    assert only_error(validate_normal_message(payload)) == (
        path,
        "Must be a date and time with its UTC offset, such as 2015-05-20T13:29:35+08:00.",
    )


def test_expiry_time_given_as_a_number_is_refused_as_not_text():
    path = "blocks.0.link.invalid_info.expired_time"
    payload = set_at(message(block("LINK")), path, 1432099775)

    assert only_error(validate_normal_message(payload)) == (path, "Must be text.")
