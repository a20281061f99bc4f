"""An immediate-service complaint's history read as a conversation: who speaks each item, and
which merchant message each consumer button tap came from (complaints/conversation.py), and
the page that shows it (plain complaints keep the timeline list)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from complaints.conversation import CENTRE, MERCHANT, USER, conversation, tapped_label
from complaints.models import HistoryEntry, TimelineEvent
from complaints.selectors import complaint_timeline
from messaging.models import Reply
from tests.complaints.conftest import make_complaint, make_reply

pytestmark = pytest.mark.django_db

REFUND = {
    "action_type": "ACTION_TYPE_SEND_MESSAGE",
    "message_info": {"content": "我要退款"},
    "action_id": "refund",
}
WITH_BUTTON = {"blocks": [{"type": "BUTTON", "button": {"text": "申请退款", "action": REFUND}}]}
HOW_LONG = {"action_type": "ACTION_TYPE_SEND_MESSAGE", "message_info": {"content": "多久到账"}}
WITH_FAQ = {
    "blocks": [
        {
            "type": "FAQ_LIST",
            "faq_list": {"faqs": [{"faq_title": "多久到账？", "action": HOW_LONG}]},
        }
    ]
}


@pytest.fixture
def complaint(merchant):
    return make_complaint(merchant, need_immediate_service=True)


def entry(complaint, minute: int, operate_type: str, log_id: str, **fields) -> HistoryEntry:
    values = {"operator": "投诉人", "operate_details": f"{operate_type} {minute}"}
    values.update(fields)
    return HistoryEntry.objects.create(
        complaint=complaint,
        log_id=log_id,
        operate_time=complaint.complaint_time + timedelta(minutes=minute),
        operate_type=operate_type,
        **values,
    )


def tap(complaint, minute: int, log_id: str, clicked_log_id: str | None, **click) -> HistoryEntry:
    message = {"message_content": "我要退款", "action_id": "refund", **click}
    if clicked_log_id is not None:
        message["clicked_log_id"] = clicked_log_id
    return entry(complaint, minute, "USER_CLICK_RESPONSE", log_id, click_message=message)


def bubbles_of(complaint):
    return conversation(complaint_timeline(complaint))


def by_key(bubbles) -> dict:
    return {bubble.key: bubble for bubble in bubbles}


def test_the_consumer_speaks_left_the_merchant_right_platform_and_system_in_the_middle(
    complaint, agent
):
    filed = entry(complaint, 0, "USER_CREATE_COMPLAINT", "L0")
    system = entry(complaint, 1, "USER_CREATE_COMPLAINT_SYSTEM_MESSAGE", "L1", operator="系统")
    answered = entry(complaint, 2, "MERCHANT_RESPONSE", "L2", operator="商户")
    platform = entry(complaint, 3, "PLATFORM_RESPONSE", "L3", operator="微信支付客服")
    unknown = entry(complaint, 4, "BRAND_NEW_TYPE", "L4")
    asked = entry(complaint, 5, "USER_RESPONSE", "L5")
    note = TimelineEvent.objects.create(complaint=complaint, kind="note", data={"text": "先查单"})
    reply = make_reply(complaint, agent)

    sides = {bubble.key: bubble.side for bubble in bubbles_of(complaint)}

    assert sides == {
        f"history-{filed.pk}": USER,
        f"history-{system.pk}": CENTRE,
        f"history-{answered.pk}": MERCHANT,
        f"history-{platform.pk}": CENTRE,
        f"history-{unknown.pk}": CENTRE,
        f"history-{asked.pk}": USER,
        f"event-{note.pk}": CENTRE,
        f"reply-{reply.pk}": MERCHANT,
    }


def test_the_conversation_is_in_time_order_oldest_first(complaint):
    late = entry(complaint, 9, "USER_RESPONSE", "L9")
    early = entry(complaint, 1, "USER_RESPONSE", "L1")

    keys = [bubble.key for bubble in bubbles_of(complaint)]

    assert keys == [f"history-{early.pk}", f"history-{late.pk}"]


def test_a_tap_goes_under_the_message_it_names_not_the_newest(complaint):
    tapped = entry(complaint, 1, "MERCHANT_RESPONSE", "M1", normal_message=WITH_BUTTON)
    newer = entry(complaint, 2, "MERCHANT_RESPONSE", "M2", normal_message=WITH_FAQ)
    click = tap(complaint, 3, "U3", clicked_log_id="M1")

    bubbles = by_key(bubbles_of(complaint))

    assert f"history-{click.pk}" not in bubbles  # not a bubble of its own
    assert bubbles[f"history-{newer.pk}"].taps == []
    (shown,) = bubbles[f"history-{tapped.pk}"].taps
    assert (shown.key, shown.exact, shown.label, shown.content) == (
        f"history-{click.pk}",
        True,
        "申请退款",
        "我要退款",
    )


def test_a_tap_timed_before_its_message_still_goes_under_it(complaint, agent):
    """WeChat's times are whole seconds, a console reply is timed when it was written: the tap
    can sort first. It is linked by id all the same."""
    click = tap(complaint, 1, "U1", clicked_log_id="R1")
    reply = Reply.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        author=agent,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"message": WITH_BUTTON},
        status=Reply.Status.DELIVERED,
        log_id="R1",
    )
    Reply.objects.filter(pk=reply.pk).update(created_at=click.operate_time + timedelta(seconds=1))

    (bubble,) = bubbles_of(complaint)

    assert bubble.key == f"reply-{reply.pk}"
    assert [(t.key, t.exact) for t in bubble.taps] == [(f"history-{click.pk}", True)]


def test_a_tap_on_one_of_the_consoles_replies_goes_under_that_reply(complaint, agent):
    reply = Reply.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        author=agent,
        endpoint=Reply.Endpoint.IMMEDIATE,
        payload={"message": WITH_BUTTON},
        status=Reply.Status.DELIVERED,
        log_id="R1",
    )
    entry(complaint, 1, "MERCHANT_RESPONSE", "R1", normal_message=WITH_BUTTON)  # shown as the reply
    tap(complaint, 2, "U2", clicked_log_id="R1")

    bubbles = bubbles_of(complaint)

    assert [bubble.key for bubble in bubbles] == [f"reply-{reply.pk}"]
    (shown,) = bubbles[0].taps
    assert shown.exact and shown.label == "申请退款"


def test_a_tap_naming_no_known_message_goes_under_the_closest_earlier_message(complaint):
    older = entry(complaint, 1, "MERCHANT_RESPONSE", "M1", normal_message=WITH_BUTTON)
    closest = entry(complaint, 2, "MERCHANT_RESPONSE", "M2", normal_message=WITH_FAQ)
    entry(complaint, 3, "MERCHANT_CONFIRM_COMPLETE", "M3")  # nothing in it to tap
    unnamed = tap(complaint, 4, "U4", clicked_log_id=None, action_id="", message_content="多久到账")
    unknown = tap(complaint, 5, "U5", clicked_log_id="NOT-HELD")
    later = entry(complaint, 6, "MERCHANT_RESPONSE", "M6", normal_message=WITH_BUTTON)

    bubbles = by_key(bubbles_of(complaint))

    assert bubbles[f"history-{older.pk}"].taps == []
    assert bubbles[f"history-{later.pk}"].taps == []
    first, second = bubbles[f"history-{closest.pk}"].taps
    assert (first.key, first.exact, first.label) == (f"history-{unnamed.pk}", False, "多久到账？")
    assert (second.key, second.exact, second.label) == (f"history-{unknown.pk}", False, "")


def test_a_tap_with_no_merchant_message_before_it_stands_on_the_consumers_side(complaint):
    click = tap(complaint, 1, "U1", clicked_log_id="GONE")

    (bubble,) = bubbles_of(complaint)

    assert (bubble.key, bubble.side, bubble.taps) == (f"history-{click.pk}", USER, [])
    assert bubble.tap.content == "我要退款" and not bubble.tap.exact


# --- the page --------------------------------------------------------------------------------


def login(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def keys_by_side(page: str) -> list[tuple[str, str]]:
    return re.findall(r'data-item-key="([^"]+)" data-side="([^"]+)"', page)


def test_an_immediate_service_complaint_page_shows_the_conversation_and_taps(
    client, working_agent, complaint
):
    asked = entry(complaint, 1, "USER_RESPONSE", "U1", operate_details="还没退款")
    answered = entry(complaint, 2, "MERCHANT_RESPONSE", "M2", normal_message=WITH_BUTTON)
    click = tap(complaint, 3, "U3", clicked_log_id="M2")
    login(client, working_agent)

    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert 'data-testid="conversation"' in page and 'data-testid="timeline"' not in page
    assert 'data-controller="conversation"' in page
    assert keys_by_side(page) == [
        (f"history-{asked.pk}", "user"),
        (f"history-{answered.pk}", "merchant"),
        (f"history-{click.pk}", "user"),  # the tap, inside the merchant's bubble
    ]
    assert "用户点击了“申请退款”" in page and "发送了“我要退款”" in page
    assert page.index('data-testid="conversation"') < page.index('id="reply"')


def test_the_refreshed_history_of_an_immediate_service_complaint_is_the_conversation(
    client, working_agent, complaint
):
    asked = entry(complaint, 1, "USER_RESPONSE", "U1")
    login(client, working_agent)

    fragment = client.get(reverse("complaints:timeline", args=[complaint.pk])).content.decode()

    assert 'data-testid="conversation"' in fragment
    assert keys_by_side(fragment) == [(f"history-{asked.pk}", "user")]
    assert 'id="fact-state"' in fragment  # the facts still follow out of band


def test_a_plain_complaint_keeps_the_timeline_list(client, working_agent, merchant):
    plain = make_complaint(merchant)
    asked = entry(plain, 1, "USER_RESPONSE", "U1")
    login(client, working_agent)

    page = client.get(reverse("complaints:detail", args=[plain.pk])).content.decode()
    fragment = client.get(reverse("complaints:timeline", args=[plain.pk])).content.decode()

    for html in (page, fragment):
        assert 'data-testid="timeline"' in html and 'data-testid="conversation"' not in html
        assert f'data-item-key="history-{asked.pk}"' in html
    assert 'data-controller="conversation"' not in page


def test_a_tap_with_no_message_before_it_is_shown_on_its_own_on_the_consumers_side(
    client, working_agent, complaint
):
    click = tap(complaint, 1, "U1", clicked_log_id="GONE")
    login(client, working_agent)

    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert keys_by_side(page) == [(f"history-{click.pk}", "user")]  # one item, the tap in it
    assert 'data-linked="nearest"' in page and "用户点击了按钮" in page


def _action(action_id: str) -> dict:
    return {"action_type": "ACTION_TYPE_SEND_MESSAGE", "action_id": action_id,
            "message_info": {"content": f"sent by {action_id}"}}  # fmt: skip


EVERY_TAPPABLE = {"blocks": [
    {"type": "TEXT", "text": {"text": "您好"}},
    {"type": "LINK", "link": {"text": "查看订单", "action": _action("link")}},
    {"type": "FAQ_LIST", "faq_list": {"faqs": [
        {"faq_title": "多久到账？", "action": _action("faq-1")},
        {"faq_id": "f2", "faq_title": "怎么退？", "action": _action("faq-2")}]}},
    {"type": "BUTTON", "button": {"text": "联系客服", "action": _action("button")}},
    {"type": "BUTTON_GROUP", "button_group": {"buttons": [
        {"text": "已解决", "action": _action("yes")},
        {"text": "未解决", "action": _action("no")}]}},
]}  # fmt: skip


@pytest.mark.parametrize(
    ("action_id", "label"),
    [("link", "查看订单"), ("faq-2", "怎么退？"), ("button", "联系客服"), ("no", "未解决")],
)
def test_a_tap_is_named_by_the_element_of_any_block_kind(action_id, label):
    assert tapped_label(EVERY_TAPPABLE, {"action_id": action_id}) == label
    assert tapped_label(EVERY_TAPPABLE, {"message_content": f"sent by {action_id}"}) == label
    assert tapped_label(EVERY_TAPPABLE, {"action_id": "gone"}) == ""
