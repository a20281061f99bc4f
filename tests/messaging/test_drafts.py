"""Drafts: saved as the agent types, restored on reload, one per agent and complaint."""

from __future__ import annotations

import html
import json
import re

from django.urls import reverse

from messaging.models import Draft
from messaging.services.drafts import DRAFT_MAX_BYTES, draft_save
from tests.messaging.conftest import assign, logged_in, make_user

MESSAGE = {
    "blocks": [{"type": "TEXT", "text": {"text": "Sorry for the wait, order ORDER-7788"}}],
    "sender_identity": "MANUAL",
}


def save(client, complaint, content) -> dict:
    url = reverse("messaging:draft_save", args=[complaint.pk])
    answer = client.post(url, {"content": json.dumps(content)})
    assert answer.status_code == 200, answer.content
    return answer.json()


def initial_content(client, complaint) -> dict:
    """The draft the composer starts from (a JSON attribute the controller reads)."""
    answer = client.get(reverse("messaging:composer", args=[complaint.pk]))
    assert answer.status_code == 200
    match = re.search(r'data-composer-initial-value="([^"]*)"', answer.content.decode())
    return json.loads(html.unescape(match.group(1)))


def test_saved_draft_is_restored_when_the_composer_is_opened_again(complaint, agent_a):
    client = logged_in(agent_a)
    answer = save(client, complaint, MESSAGE)

    assert answer["saved_at"]  # "hh:mm:ss", shown as "saved at"
    assert initial_content(logged_in(agent_a), complaint) == MESSAGE


def test_saving_again_replaces_the_draft_and_counts_the_revision(complaint, agent_a):
    client = logged_in(agent_a)
    save(client, complaint, MESSAGE)
    newer = {"blocks": [{"type": "TEXT", "text": {"text": "second version"}}]}
    answer = save(client, complaint, newer)

    draft = Draft.objects.get(complaint=complaint, author=agent_a)
    assert draft.content == newer
    assert draft.revision == answer["revision"] == 2


def test_each_agent_keeps_their_own_draft(complaint, agent_a, merchant):
    colleague = make_user("colleague", "agent")
    assign(colleague, merchant)
    save(logged_in(agent_a), complaint, MESSAGE)
    save(logged_in(colleague), complaint, {"blocks": []})

    assert initial_content(logged_in(agent_a), complaint) == MESSAGE
    assert Draft.objects.filter(complaint=complaint).count() == 2


def test_draft_survives_new_activity_on_the_complaint(complaint, agent_a):
    save(logged_in(agent_a), complaint, MESSAGE)
    complaint.activity_version += 3  # a user message and replies arrived meanwhile
    complaint.save()

    assert initial_content(logged_in(agent_a), complaint) == MESSAGE


def test_save_answers_with_the_preview_and_field_errors(complaint, agent_a):
    action = {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "http://insecure.example"}
    half_typed = {"blocks": [{"type": "LINK", "link": {"text": "Track", "action": action}}]}
    answer = save(logged_in(agent_a), complaint, half_typed)

    paths = [path for path, _message, _line in answer["errors"]]
    assert "blocks.0.link.action.jump_url" in paths
    assert "Track" in answer["preview"]  # the half-typed draft is still previewed
    assert Draft.objects.get(author=agent_a).content == half_typed  # and still saved


def test_valid_draft_preview_uses_the_normal_message_renderer(complaint, agent_a):
    answer = save(logged_in(agent_a), complaint, MESSAGE)

    assert answer["errors"] == []
    assert 'data-testid="normal-message"' in answer["preview"]
    assert "Sorry for the wait" in answer["preview"]


def test_plain_complaint_drafts_are_plain_replies(plain_complaint, agent_a):
    answer = save(logged_in(agent_a), plain_complaint, {"response_content": "x" * 501})

    assert Draft.objects.get(author=agent_a).kind == Draft.Kind.PLAIN
    assert [path for path, *_ in answer["errors"]] == ["response_content"]
    assert 'data-testid="plain-reply"' in answer["preview"]


def test_draft_that_is_not_json_is_refused_with_a_message(complaint, agent_a):
    url = reverse("messaging:draft_save", args=[complaint.pk])
    answer = logged_in(agent_a).post(url, {"content": "{not json"})

    assert answer.status_code == 400
    assert answer.json()["error"]
    assert not Draft.objects.exists()


def test_oversized_draft_is_refused(complaint, agent_a):
    url = reverse("messaging:draft_save", args=[complaint.pk])
    huge = {"blocks": [], "padding": "x" * (DRAFT_MAX_BYTES + 1)}
    answer = logged_in(agent_a).post(url, {"content": json.dumps(huge)})

    assert answer.status_code == 413
    assert not Draft.objects.exists()


def test_discard_forgets_the_draft(complaint, agent_a):
    draft_save(complaint=complaint, author=agent_a, content=MESSAGE)
    answer = logged_in(agent_a).post(reverse("messaging:draft_discard", args=[complaint.pk]))

    assert answer.status_code == 200
    assert answer.json()["content"] == {"blocks": [], "sender_identity": "MANUAL"}
    assert not Draft.objects.exists()


def test_draft_with_non_json_numbers_is_refused(complaint, agent_a):
    url = reverse("messaging:draft_save", args=[complaint.pk])
    answer = logged_in(agent_a).post(url, {"content": '{"blocks": [], "x": Infinity}'})

    assert answer.status_code == 400
    assert not Draft.objects.exists()


def test_draft_with_characters_the_database_cannot_store_is_refused(complaint, agent_a):
    url = reverse("messaging:draft_save", args=[complaint.pk])
    client = logged_in(agent_a)
    for raw in ('{"blocks": [], "x": "a\\u0000b"}', '{"blocks": [], "x": "\\ud800"}'):
        assert client.post(url, {"content": raw}).status_code == 400
    assert not Draft.objects.exists()
