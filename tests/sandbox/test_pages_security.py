"""The sandbox's pages (used in demos) render hostile complaint content as text, under the
console's strict CSP: nothing a complaint holds can run in the browser."""

import pytest
import requests
from django.conf import settings
from playwright.sync_api import expect

from sandbox import pages

SCRIPT = '<script>document.title="pwned-script"</script>'
IMG = "<img src=x id=xss-img onerror=\"document.title='pwned-img'\">"
ATTR = '"><svg id=xss-svg onload="document.title=\'pwned-svg\'">'
MESSAGE = "<b id=xss-b>bold?</b><script>document.title='pwned-message'</script>"


def hostile_complaint(sandbox, mchid: str) -> str:
    [cid] = sandbox.control.create_complaints(
        mchid,
        problem_description=SCRIPT,
        user_complaint_times=IMG,
        complaint_state=ATTR,
        complaint_order_info=[{"amount": IMG, "transaction_id": SCRIPT}],
        payer_phone=IMG,
    )
    sandbox.control.user_action(cid, "message", content=MESSAGE)
    return cid


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in policy.split(";") if part.strip())
    return {name: sorted(values) for name, *values in parsed}


def assert_strict_page(answer: requests.Response) -> None:
    assert answer.headers["Content-Security-Policy"] == pages.CSP
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "<style" not in answer.text and "<script" not in answer.text
    assert " style=" not in answer.text


def test_the_sandbox_pages_send_the_consoles_csp():
    console = {
        name: sorted(values)
        for name, values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()
    }

    assert directives(pages.CSP) == console
    assert "'unsafe-inline'" not in pages.CSP and "'unsafe-eval'" not in pages.CSP


def test_a_hostile_complaint_is_shown_as_text(sandbox, sandbox_merchant):
    cid = hostile_complaint(sandbox, sandbox_merchant.mchid)

    page = requests.get(f"{sandbox.base_url}/_sandbox/complaints/{cid}", timeout=10)
    index = requests.get(f"{sandbox.base_url}/_sandbox/?mchid={sandbox_merchant.mchid}", timeout=10)

    assert page.status_code == index.status_code == 200
    for answer in (page, index):
        assert_strict_page(answer)
        assert "<img src=x" not in answer.text and "<svg" not in answer.text
    assert "&lt;script&gt;document.title=&quot;pwned-script&quot;&lt;/script&gt;" in page.text
    assert "投诉次数 &lt;img src=x id=xss-img" in page.text  # user_complaint_times
    assert "&lt;b id=xss-b&gt;" in page.text  # the consumer's message
    assert "&quot;&gt;&lt;svg id=xss-svg" in index.text  # complaint_state


def test_the_style_sheet_is_served_from_the_sandbox(sandbox):
    answer = requests.get(f"{sandbox.base_url}{pages.STYLE_PATH}", timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/css")
    assert ".bubble" in answer.text


def test_fields_of_any_json_type_render_without_an_error(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(
        sandbox_merchant.mchid,
        user_complaint_times={"<b>": "<i>"},
        complaint_order_info=[{"amount": "<u>"}],
        problem_description=["<s>"],
        complaint_state=None,
        complaint_media_list=[{"media_type": "<p>", "media_url": ["javascript:alert(1)", 5]}],
    )

    page = requests.get(f"{sandbox.base_url}/_sandbox/complaints/{cid}", timeout=10)
    index = requests.get(f"{sandbox.base_url}/_sandbox/?mchid={sandbox_merchant.mchid}", timeout=10)

    assert page.status_code == index.status_code == 200
    for answer in (page, index):
        assert_strict_page(answer)
        for raw in ("<b>", "<i>", "<u>", "<s>", '"javascript:'):
            assert raw not in answer.text
    assert "&lt;b&gt;" in page.text and "&lt;s&gt;" in index.text


@pytest.mark.parametrize(
    "overrides",
    [
        {"complaint_media_list": {"media_url": []}},
        {"complaint_order_info": "<u>"},
        {"service_order_info": [1, 2]},
    ],
)
def test_list_fields_that_are_not_lists_of_objects_are_refused(sandbox, overrides):
    body = {"complainted_mchid": "1900000109", "count": 1, "overrides": overrides}

    answer = requests.post(f"{sandbox.base_url}/_sandbox/complaints", json=body, timeout=10)

    assert answer.status_code == 400
    assert answer.json()["code"] == "PARAM_ERROR" and next(iter(overrides)) in answer.text


def test_a_complaint_without_media_files_and_shows(sandbox, sandbox_merchant):
    [cid] = sandbox.control.create_complaints(sandbox_merchant.mchid, complaint_media_list=[])

    page = requests.get(f"{sandbox.base_url}/_sandbox/complaints/{cid}", timeout=10)

    assert page.status_code == 200 and "投诉图片" not in page.text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_script_of_a_hostile_complaint_runs_in_chromium(sandbox, sandbox_merchant, page):
    cid = hostile_complaint(sandbox, sandbox_merchant.mchid)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))

    page.goto(f"{sandbox.base_url}/_sandbox/complaints/{cid}")

    main = page.locator("main")
    expect(main).to_contain_text(SCRIPT)  # shown as text, not run
    expect(main).to_contain_text(f"投诉次数 {IMG}")
    expect(main).to_contain_text(MESSAGE)
    expect(page.locator("#xss-img, #xss-svg, #xss-b, main script")).to_have_count(0)
    expect(page).to_have_title(f"投诉单 {cid}")
    bubble = page.locator(".bubble").first  # the style sheet applies: bubbles are white cards
    expect(bubble).to_have_css("border-radius", "6px")
    page.goto(f"{sandbox.base_url}/_sandbox/?mchid={sandbox_merchant.mchid}")
    expect(page.locator("main")).to_contain_text(ATTR)
    expect(page.locator("#xss-svg")).to_have_count(0)
    expect(page).to_have_title("投诉单列表")
    assert not [v for v in violations if "Content Security Policy" in v]


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x"])
def test_a_jump_url_that_is_not_a_web_address_is_not_a_link(url):
    action = {"action_type": "ACTION_TYPE_JUMP_URL", "jump_url": url}
    button = {"type": "BUTTON", "button": {"text": "点我", "action": action}}
    web = {
        "type": "LINK",
        "link": {"text": "官网", "action": {**action, "jump_url": "https://a.cn/"}},
    }

    assert "href" not in pages.render_block(button) and "点我" in pages.render_block(button)
    assert 'href="https://a.cn/"' in pages.render_block(web)
