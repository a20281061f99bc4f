"""The draft-save endpoint never answers 500, whatever the browser (or anyone) posts."""

from __future__ import annotations

import json

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.schema_strategies import valid_normal_messages
from tests.messaging.conftest import logged_in

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["blocks", "type", "text", "image", "link", "faq_list", "button",
                         "button_group", "action", "action_type", "faqs", "buttons",
                         "response_content", "response_images", "sender_identity"])
        | st.text(max_size=8),
        children,
        max_size=5,
    ),
    max_leaves=20,
)  # fmt: skip
block_like = st.fixed_dictionaries(
    {"blocks": st.lists(st.dictionaries(st.sampled_from(["type", "text", "link"]), json_values))}
)
raw_content = (
    json_values.map(json.dumps)
    | block_like.map(json.dumps)
    | valid_normal_messages().map(json.dumps)
    | st.text(max_size=50)
)
form_data = st.one_of(
    st.fixed_dictionaries({"content": raw_content}),
    st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=form_data)
def test_draft_save_never_fails_with_a_server_error(complaint, agent_a, data):
    client = logged_in(agent_a)
    answer = client.post(reverse("messaging:draft_save", args=[complaint.pk]), data)

    assert answer.status_code in (200, 400, 413)
    body = answer.json()
    assert ("preview" in body) if answer.status_code == 200 else body["error"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=form_data)
def test_confirm_and_send_never_fail_with_a_server_error(complaint, agent_a, data):
    client = logged_in(agent_a)
    for name in ("composer_confirm", "composer_send"):
        answer = client.post(reverse(f"messaging:{name}", args=[complaint.pk]), data)
        assert answer.status_code == 200
