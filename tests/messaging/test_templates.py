"""Reply templates: variables filled from the complaint, unknown ones left visible; management."""

from __future__ import annotations

import json

from django.urls import reverse

from messaging.models import ReplyTemplate
from messaging.services.templates import fill_placeholders, template_variables
from tests.messaging.conftest import logged_in

TEXT = "Order {{ order_number }}: {{amount}} yuan, {{hours_waited}} h"
TRACK = {
    "action_type": "ACTION_TYPE_JUMP_URL",
    "jump_url": "https://shop.example/o/{{order_number}}",
}
BLOCKS = [
    {"type": "TEXT", "text": {"text": TEXT}},
    {"type": "BUTTON", "button": {"text": "Track", "action": TRACK}},
]


def make_template(merchant, name="Apology", blocks=None) -> ReplyTemplate:
    return ReplyTemplate.objects.create(merchant=merchant, name=name, blocks=blocks or BLOCKS)


def test_known_variables_are_filled_from_the_complaint(complaint):
    filled = fill_placeholders(BLOCKS, template_variables(complaint))

    assert filled[0]["text"]["text"] == "Order ORDER-7788: 12.34 yuan, 5 h"
    assert filled[1]["button"]["action"]["jump_url"] == "https://shop.example/o/ORDER-7788"


def test_unknown_variable_stays_visible(complaint):
    filled = fill_placeholders("Dear {{ customer_nickname }}, order {{order_number}}",
                               template_variables(complaint))  # fmt: skip

    assert filled == "Dear {{ customer_nickname }}, order ORDER-7788"


def test_known_variable_without_a_value_stays_visible(merchant):
    from tests.messaging.conftest import make_complaint

    complaint = make_complaint(merchant, out_trade_no="", amount=None)
    filled = fill_placeholders("Order {{order_number}} of {{ amount }} yuan",
                               template_variables(complaint))  # fmt: skip

    assert filled == "Order {{order_number}} of {{ amount }} yuan"


def test_insert_returns_the_blocks_filled_for_this_complaint(complaint, agent_a):
    template = make_template(complaint.merchant)
    url = reverse("messaging:template_insert", args=[complaint.pk, template.pk])
    answer = logged_in(agent_a).get(url)

    assert answer.status_code == 200
    assert answer.json()["blocks"][0]["text"]["text"] == "Order ORDER-7788: 12.34 yuan, 5 h"


def test_another_merchants_template_cannot_be_inserted(complaint, agent_a, other_merchant):
    foreign = make_template(other_merchant)
    url = reverse("messaging:template_insert", args=[complaint.pk, foreign.pk])

    assert logged_in(agent_a).get(url).status_code == 404


def test_supervisor_creates_a_template_with_placeholders(supervisor_a, merchant):
    url = reverse("messaging:template_create", args=[merchant.pk])
    answer = logged_in(supervisor_a).post(
        url, {"name": "Refund", "description": "", "blocks": json.dumps({"blocks": BLOCKS})}
    )

    assert answer.status_code == 302
    template = ReplyTemplate.objects.get(merchant=merchant, name="Refund")
    assert template.blocks == BLOCKS  # kept with its placeholders, filled only on insert


def test_invalid_template_blocks_are_refused_with_their_paths(supervisor_a, merchant):
    action = {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "ftp://nope"}
    bad = [{"type": "BUTTON", "button": {"text": "Go", "action": action}}]
    url = reverse("messaging:template_create", args=[merchant.pk])
    answer = logged_in(supervisor_a).post(url, {"name": "Bad", "blocks": json.dumps(bad)})

    assert answer.status_code == 200
    assert "blocks.0.button.action.jump_url" in answer.content.decode()
    assert not ReplyTemplate.objects.exists()


def test_duplicate_template_name_is_refused(supervisor_a, merchant):
    make_template(merchant, name="Refund")
    url = reverse("messaging:template_create", args=[merchant.pk])
    answer = logged_in(supervisor_a).post(url, {"name": "Refund", "blocks": json.dumps(BLOCKS)})

    assert answer.status_code == 200
    assert ReplyTemplate.objects.count() == 1


def test_supervisor_edits_and_deletes_a_template(supervisor_a, merchant):
    template = make_template(merchant)
    client = logged_in(supervisor_a)
    edit = client.post(
        reverse("messaging:template_edit", args=[template.pk]),
        {"name": "Apology v2", "blocks": json.dumps(BLOCKS[:1])},
    )
    assert edit.status_code == 302
    template.refresh_from_db()
    assert (template.name, len(template.blocks)) == ("Apology v2", 1)

    delete = client.post(reverse("messaging:template_delete", args=[template.pk]))
    assert delete.status_code == 302
    assert not ReplyTemplate.objects.exists()


def test_a_template_an_auto_rule_sends_cannot_be_deleted_and_says_which_rule(
    supervisor_a, merchant
):
    from automation.models import AutoReplyRule

    template = make_template(merchant)
    AutoReplyRule.objects.create(merchant=merchant, name="夜间自动致歉", template=template)
    client = logged_in(supervisor_a)

    answer = client.post(reverse("messaging:template_delete", args=[template.pk]), follow=True)

    assert answer.status_code == 200
    assert "夜间自动致歉" in answer.content.decode()
    assert ReplyTemplate.objects.filter(pk=template.pk).exists()


def test_template_list_shows_only_the_supervisors_merchants(supervisor_a, merchant, other_merchant):
    make_template(merchant, name="Ours")
    make_template(other_merchant, name="Theirs")
    answer = logged_in(supervisor_a).get(reverse("messaging:templates"))

    assert answer.status_code == 200
    assert "Ours" in answer.content.decode()
    assert "Theirs" not in answer.content.decode()


def test_template_preview_fills_sample_values(supervisor_a):
    answer = logged_in(supervisor_a).post(
        reverse("messaging:template_preview"), {"content": json.dumps({"blocks": BLOCKS})}
    )

    assert answer.status_code == 200
    assert answer.json()["errors"] == []
    assert "ORDER123456" in answer.json()["preview"]
