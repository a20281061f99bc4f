"""Composer views: who may use them, the confirmation, the stale-reply guard, double submits."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from complaints.models import HistoryEntry
from messaging.models import Draft, Reply, ReplyTemplate
from messaging.services.drafts import draft_save
from tests.messaging.conftest import PNG, logged_in

MESSAGE = {"blocks": [{"type": "TEXT", "text": {"text": "We are on it."}}]}
CONTENT = {"content": json.dumps(MESSAGE)}


def composer_requests(complaint, template, merchant):
    """(method, url, data) for every composer-facing view, scoped to the complaint's merchant."""
    pk = complaint.pk
    return [
        ("get", reverse("messaging:composer", args=[pk]), None),
        ("get", reverse("messaging:composer_page", args=[pk]), None),
        ("post", reverse("messaging:draft_save", args=[pk]), CONTENT),
        ("post", reverse("messaging:draft_discard", args=[pk]), {}),
        ("post", reverse("messaging:composer_preview", args=[pk]), CONTENT),
        ("post", reverse("messaging:composer_confirm", args=[pk]), CONTENT),
        ("post", reverse("messaging:composer_send", args=[pk]), CONTENT),
        ("get", reverse("messaging:template_insert", args=[pk, template.pk]), None),
        ("get", reverse("messaging:image_library", args=[merchant.pk]), None),
        ("post", reverse("messaging:image_upload", args=[merchant.pk]), {}),
    ]


def template_requests(template, merchant):
    return [
        ("get", reverse("messaging:template_create", args=[merchant.pk]), None),
        ("get", reverse("messaging:template_edit", args=[template.pk]), None),
        ("get", reverse("messaging:template_delete", args=[template.pk]), None),
    ]


def call(client: Client, method: str, url: str, data):
    return getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)


@pytest.fixture
def template(merchant):
    return ReplyTemplate.objects.create(merchant=merchant, name="Hello", blocks=MESSAGE["blocks"])


def test_anonymous_users_are_sent_to_login(complaint, template, merchant):
    requests = composer_requests(complaint, template, merchant)
    requests += template_requests(template, merchant)
    for method, url, data in requests:
        answer = call(Client(), method, url, data)
        assert answer.status_code == 302, url
        assert answer["Location"].startswith(reverse("login")), url


def test_agent_of_another_merchant_gets_404(complaint, template, merchant, agent_b):
    client = logged_in(agent_b)
    for method, url, data in composer_requests(complaint, template, merchant):
        assert call(client, method, url, data).status_code == 404, url
    assert not Reply.objects.exists() and not Draft.objects.exists()


def test_supervisor_of_another_merchant_gets_404_on_templates(template, merchant, supervisor_b):
    client = logged_in(supervisor_b)
    for method, url, data in template_requests(template, merchant):
        assert call(client, method, url, data).status_code == 404, url


def test_admin_without_the_agent_permission_is_forbidden(complaint, template, merchant, admin_a):
    client = logged_in(admin_a)
    for method, url, data in composer_requests(complaint, template, merchant):
        assert call(client, method, url, data).status_code == 403, url


def test_agent_may_not_manage_templates(template, merchant, agent_a):
    client = logged_in(agent_a)
    assert client.get(reverse("messaging:templates")).status_code == 403
    for method, url, data in template_requests(template, merchant):
        assert call(client, method, url, data).status_code == 403, url


def test_agent_of_the_merchant_may_use_every_composer_view(complaint, template, merchant, agent_a):
    client = logged_in(agent_a)
    for method, url, data in composer_requests(complaint, template, merchant):
        if url.endswith("/upload/"):
            data = {"file": _png_file()}
        if url.endswith("/send/"):
            continue  # covered below with its hidden fields
        status = call(client, method, url, data).status_code
        assert status in (200, 202), url  # 202: the image's upload to WeChat Pay is queued


def _png_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.png", PNG)


def composer_form(client, complaint) -> dict:
    """The hidden fields the composer rendered (idempotent_id, seen version, opened_at)."""
    html = client.get(reverse("messaging:composer", args=[complaint.pk])).content.decode()
    fields = {}
    for name in ("idempotent_id", "seen_activity_version", "opened_at"):
        marker = f'name="{name}" value="'
        start = html.index(marker) + len(marker)
        fields[name] = html[start : html.index('"', start)]
    return fields


def test_composer_carries_a_fresh_idempotent_id_and_the_seen_activity(complaint, agent_a):
    complaint.activity_version = 4
    complaint.save()
    client = logged_in(agent_a)
    first, second = composer_form(client, complaint), composer_form(client, complaint)

    assert first["seen_activity_version"] == "4"
    assert uuid.UUID(first["idempotent_id"]) != uuid.UUID(second["idempotent_id"])


def test_confirmation_summarises_what_goes_out(complaint, agent_a):
    client = logged_in(agent_a)
    form = composer_form(client, complaint)
    url = reverse("messaging:composer_confirm", args=[complaint.pk])
    answer = client.post(url, {**form, **CONTENT})

    html = answer.content.decode()
    assert 'data-testid="confirm-dialog"' in html
    assert complaint.complaint_id in html
    assert "We are on it." in html  # the preview of exactly what is sent
    assert 'data-testid="confirm-send"' in html


def test_confirmation_lists_errors_and_offers_no_send_button(complaint, agent_a):
    client = logged_in(agent_a)
    url = reverse("messaging:composer_confirm", args=[complaint.pk])
    answer = client.post(url, {"content": json.dumps({"blocks": []})})

    html = answer.content.decode()
    assert "<li>Blocks: At least 1 required.</li>" in html
    assert 'data-testid="confirm-send"' not in html


def send(client, complaint, form, content=MESSAGE):
    url = reverse("messaging:composer_send", args=[complaint.pk])
    return client.post(url, {**form, "content": json.dumps(content)})


def test_send_submits_the_normal_message_and_clears_the_draft(complaint, agent_a):
    client = logged_in(agent_a)
    draft_save(complaint=complaint, author=agent_a, content=MESSAGE)
    form = composer_form(client, complaint)
    answer = send(client, complaint, form)

    assert answer.status_code == 200
    assert answer["HX-Retarget"] == f"#composer-{complaint.pk}"
    assert answer["HX-Reswap"] == "outerHTML"
    assert json.loads(answer["HX-Trigger"]) == {"complaint-replied": {}}  # the timeline re-reads
    reply = Reply.objects.get(complaint=complaint)
    assert reply.endpoint == Reply.Endpoint.IMMEDIATE
    assert reply.payload == {
        "complainted_mchid": complaint.complainted_mchid,
        "message": MESSAGE,
        "idempotent_id": form["idempotent_id"],
    }
    assert str(reply.idempotent_id) == form["idempotent_id"]
    assert not Draft.objects.exists()


def test_plain_complaint_sends_a_plain_response(plain_complaint, agent_a):
    client = logged_in(agent_a)
    form = composer_form(client, plain_complaint)
    send(client, plain_complaint, form, {"response_content": "Refund sent."})

    reply = Reply.objects.get(complaint=plain_complaint)
    assert reply.endpoint == Reply.Endpoint.RESPONSE
    assert reply.payload == {
        "complainted_mchid": plain_complaint.complainted_mchid,
        "response_content": "Refund sent.",
    }


def test_double_submit_yields_one_reply(complaint, agent_a):
    client = logged_in(agent_a)
    form = composer_form(client, complaint)
    send(client, complaint, form)
    send(client, complaint, form)

    assert Reply.objects.filter(complaint=complaint).count() == 1


def test_invalid_content_is_never_sent(complaint, agent_a):
    client = logged_in(agent_a)
    form = composer_form(client, complaint)
    answer = send(client, complaint, form, {"blocks": [{"type": "TEXT", "text": {"text": ""}}]})

    html = answer.content.decode()
    assert "<li>Block 1 · Text: Must not be empty.</li>" in html
    assert "blocks.0.text.text" not in html  # paths are for API callers and logs
    assert not Reply.objects.exists()


def test_stale_reply_guard_refuses_and_shows_the_new_activity(complaint, agent_a):
    client = logged_in(agent_a)
    form = composer_form(client, complaint)
    # Meanwhile the user wrote again: ingestion stores it and bumps the activity version.
    HistoryEntry.objects.create(
        complaint=complaint,
        log_id="LOG-NEW-1",
        operator="user",
        operate_time=complaint.complaint_time,
        operate_type="USER_RESPONSE",
        operate_details="Still waiting for my refund!",
    )
    complaint.activity_version += 1
    complaint.save()

    answer = send(client, complaint, form)

    html = answer.content.decode()
    assert not Reply.objects.exists()
    assert 'data-testid="stale-warning"' in html
    assert "Still waiting for my refund!" in html
    assert f'name="seen_activity_version" value="{complaint.activity_version}"' in html


def test_agent_can_send_after_reviewing_the_new_activity(complaint, agent_a):
    client = logged_in(agent_a)
    form = composer_form(client, complaint)
    complaint.activity_version += 1
    complaint.save()
    send(client, complaint, form)  # refused
    reviewed = {**form, "seen_activity_version": str(complaint.activity_version)}

    answer = send(client, complaint, reviewed)

    assert answer.status_code == 200
    assert Reply.objects.filter(complaint=complaint).count() == 1


def test_out_of_date_form_is_refused_with_a_message(complaint, agent_a):
    client = logged_in(agent_a)
    answer = send(client, complaint, {"idempotent_id": "nope", "seen_activity_version": "x"})

    assert "reload the page" in answer.content.decode()
    assert not Reply.objects.exists()


def test_a_processed_complaint_warns_that_wechat_may_refuse_replies(complaint, agent_a):
    client = logged_in(agent_a)
    open_page = client.get(reverse("messaging:composer", args=[complaint.pk])).content.decode()
    complaint.complaint_state = "PROCESSED"
    complaint.save(update_fields=["complaint_state"])

    page = client.get(reverse("messaging:composer", args=[complaint.pk])).content.decode()

    assert 'data-testid="processed-notice"' not in open_page
    assert 'data-testid="processed-notice"' in page
    assert 'data-testid="composer-send"' in page  # a warning, not a block: the rule is inferred
