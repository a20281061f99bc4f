"""A queue row's HTML (written in Python for speed) escapes everything that is not already safe
HTML: the complaint's text, names, presence, errors, the search and its hits."""

from __future__ import annotations

from django.utils.html import format_html

from complaints.search.query import Hit
from complaints.views.row_html import row_html
from complaints.views.rows import QueueRow

EVIL = '<script>alert("x")</script>&\''


def row(**fields) -> QueueRow:
    values = {
        "pk": 7, "key": "7", "complaint_id": "200" + EVIL, "detail_url": "/complaints/7/",
        "claim_url": "/complaints/7/claim/", "summary": EVIL, "money": EVIL, "merchant": EVIL,
        "state": EVIL, "flags": [("urgent", EVIL)], "due_text": EVIL, "due_at": EVIL,
        "badge": "warn", "assignee": "", "presence": EVIL, "error": EVIL, "search": EVIL,
        "hits": [
            Hit("note", EVIL, format_html("用户说被<mark>{}</mark>", EVIL)),
            Hit("phone", EVIL, EVIL),
        ],
    }  # fmt: skip
    values.update(fields)
    return QueueRow(**values)


def test_every_value_is_escaped_and_only_the_marks_are_markup():
    html = row_html(row(), csrf_token='tok"en', claim_label=EVIL)

    assert "<script>" not in html and "<script" not in html.replace("&lt;script", "")
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;"
    # summary, money, merchant, state, flag, countdown, deadline, presence, error, claim
    # label, two hit labels, the phone hit, the marked hit, the complaint id, the search
    assert html.count(escaped) == 16
    assert f'<input type="hidden" name="q" value="{escaped}">' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok&quot;en">' in html
    assert f"用户说被<mark>{escaped}</mark>" in html


def test_an_assigned_row_has_no_claim_form():
    html = row_html(row(assignee=EVIL, search=""), csrf_token="t", claim_label="Claim")

    assert "<form" not in html and 'name="q"' not in html
    assert 'data-testid="assignee" data-user-content>&lt;script&gt;' in html
