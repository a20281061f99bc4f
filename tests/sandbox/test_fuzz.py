"""Random JSON at every write endpoint of the sandbox's WeChat surface: a 4xx in WeChat's error
shape, never a 500 (a real client must be able to trust that a 5xx means 'try again')."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.helpers import LIST
from tests.sandbox.signing import Signer

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from([
    "complainted_mchid", "response_content", "response_images", "jump_url", "jump_url_text",
    "mini_program_jump_info", "idempotent_id", "message", "blocks", "action", "launch_refund_day",
    "reject_reason", "reject_media_list", "remark", "url", "sender_identity",
])  # fmt: skip
BODIES = JSON | st.dictionaries(KEYS, JSON, max_size=6)
WRITE_PATHS = [
    "response", "response-immediate-service", "complete", "update-refund-progress",
]  # fmt: skip


@pytest.fixture(scope="module")
def target(sandbox):
    from tests.fixtures.sandbox import register_vector_merchant

    merchant = register_vector_merchant(sandbox)
    sandbox.control.settings(rate_limits=False)
    [cid] = sandbox.control.create_complaints(merchant.mchid, problem_type="REFUND")
    yield Signer(merchant), cid
    sandbox.control.settings(rate_limits=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(WRITE_PATHS), body=BODIES)
def test_random_bodies_get_a_4xx_in_wechats_shape(target, path, body):
    signer, cid = target

    answer = signer.call("POST", f"{LIST}/{cid}/{path}", body)

    assert answer.status_code < 500, (path, body, answer.text)
    if answer.status_code >= 400:
        error = answer.json()
        assert error["code"] and error["message"]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_random_notification_urls_get_a_4xx_in_wechats_shape(target, body):
    signer, _ = target

    answer = signer.call("POST", "/v3/merchant-service/complaint-notifications", body)

    assert answer.status_code < 500, (body, answer.text)
