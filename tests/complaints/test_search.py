"""Search in Chinese over everything a complaint holds, scoped like every list.

The corpus is written through the real services (ingest, notes, replies). The same module runs
on SQLite too (tests/complaints/test_search_sqlite.py), where search is a plain scan.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from complaints.selectors import QueueFilters, queue_page
from complaints.services import complaint_ingest, note_add
from messaging.services.replies import reply_submit
from tests.complaints.conftest import (
    make_complaint,
    make_merchant,
    wechat_complaint,
    wechat_history,
)

pytestmark = pytest.mark.django_db


def said(merchant, text: str, **fields):
    return make_complaint(merchant, complaint_detail=text, problem_description="", **fields)


def ingested(merchant, text: str, *messages: tuple[str, str]):
    """A complaint that arrived through ingestion with these (operate_type, text) entries."""
    history = [
        wechat_history(f"log-{uuid.uuid4().hex[:12]}", kind, operate_details=body)
        for kind, body in messages
    ]
    data = wechat_complaint(complaint_detail=text, problem_description="", complaint_order_info=[])
    return complaint_ingest(merchant=merchant, data=data, history=history)


def replied(merchant, user, text: str, payload: dict, endpoint: str = "response"):
    complaint = said(merchant, text)
    reply_submit(
        complaint=complaint, author=user, endpoint=endpoint, payload=payload,
        idempotent_id=uuid.uuid4(),
    )  # fmt: skip
    return complaint


@pytest.fixture
def corpus(working_agent, merchant):
    """Name -> complaint. Each of the five words is in some places, and in another merchant's
    complaint that the agent may not see."""
    m, agent = merchant, working_agent
    rows = {
        "refund_text": said(m, "我申请退款三天了，钱还没到账"),
        "ship_text": said(m, "下单五天了还没发货"),
        "debit_text": said(m, "没有消费却被扣款了"),
        "takeout_text": said(m, "点的外卖一直没送到"),
        "member_text": said(m, "开通会员后权益没有生效"),
        "refund_message": ingested(m, "充电宝归还后仍在计费", ("USER_RESPONSE", "我要求全额退款")),
        "member_platform": ingested(
            m, "客服一直不回复", ("PLATFORM_RESPONSE", "平台已介入，请商家尽快处理会员问题")
        ),
        "ship_reply": replied(m, agent, "商品质量太差", {"response_content": "已为您安排发货"}),
        "takeout_refund_reply": replied(
            m,
            agent,
            "配送超时一个小时",
            {"message": {"blocks": [{"type": "TEXT", "text": {"text": "外卖订单已为您退款"}}]}},
            endpoint="response-immediate-service",
        ),
        "debit_note": said(m, "客服不理人"),
        # Near misses: the characters are there, but not next to each other.
        "split_words": said(m, "外 卖，退。款；扣 款 发-货 会_员"),
    }
    note_add(complaint=rows["debit_note"], author=agent, text="用户说被扣款两次，已核实")
    other = make_merchant()
    said(other, "退款 发货 扣款 外卖 会员 别家独有词")
    return rows


def found(agent, q: str, **filters) -> set[str]:
    page = queue_page(agent, QueueFilters(q=q, **filters), page_size=100)
    return {row.complaint_id for row in page.rows}


def names(corpus, *keys: str) -> set[str]:
    return {corpus[key].complaint_id for key in keys}


@pytest.mark.parametrize(
    "word, expected",
    [
        ("退款", ["refund_text", "refund_message", "takeout_refund_reply"]),
        ("发货", ["ship_text", "ship_reply"]),
        ("扣款", ["debit_text", "debit_note"]),
        ("外卖", ["takeout_text", "takeout_refund_reply"]),
        ("会员", ["member_text", "member_platform"]),
    ],
)
def test_each_two_character_word_finds_exactly_the_complaints_containing_it(
    working_agent, corpus, word, expected
):
    assert found(working_agent, word) == names(corpus, *expected)


@pytest.mark.parametrize("common_from", [1, 1000])
def test_common_and_rare_searches_find_the_same_complaints(
    working_agent, corpus, settings, common_from
):
    """A search matching many documents walks the queue's order instead of the GIN index
    (PostgreSQL); either way the same complaints."""
    settings.COMPLAINTS_SEARCH_COMMON_MATCHES = common_from

    assert found(working_agent, "退款 外卖") == names(corpus, "takeout_refund_reply")
    assert found(working_agent, "全额退款") == names(corpus, "refund_message")
    assert found(working_agent, "扣款两次") == names(corpus, "debit_note")


@pytest.mark.parametrize("common_from", [1, 1000])
def test_many_documents_with_the_pairs_but_not_the_phrase(
    working_agent, merchant, settings, common_from
):
    """Every pair of 蓝牙耳机 in eleven complaints, the word itself in one: with few matches
    among many candidates the probe stops counting and the queue's order is walked; either
    way exactly the one complaint."""
    settings.COMPLAINTS_SEARCH_COMMON_MATCHES = common_from
    for n in range(11):
        said(merchant, f"蓝牙，牙耳，耳机 第{n}单")
    wanted = said(merchant, "蓝牙耳机没声音")

    assert found(working_agent, "蓝牙耳机") == {wanted.complaint_id}
    assert found(working_agent, '"蓝牙 耳机"') == set()


def test_search_works_when_the_cache_is_down(working_agent, corpus, settings, caplog):
    """The common-or-rare answer is cached; without a cache it is asked every time."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }

    assert found(working_agent, "全额退款") == names(corpus, "refund_message")
    # Only PostgreSQL asks (SQLite always scans).
    probed = connection.vendor == "postgresql"
    assert ("search probe cache unavailable" in caplog.text) == probed


def test_a_word_only_in_another_merchants_complaint_is_not_found(working_agent, corpus):
    assert found(working_agent, "别家独有词") == set()
    assert found(working_agent, "独有") == set()


def test_several_terms_narrow(working_agent, corpus):
    assert found(working_agent, "退款 外卖") == names(corpus, "takeout_refund_reply")
    assert found(working_agent, "退款　外卖 不存在") == set()  # ideographic space splits too


def test_search_combines_with_the_views_and_filters(working_agent, corpus):
    corpus["ship_text"].assignee = working_agent
    corpus["ship_text"].save()

    assert found(working_agent, "发货", view="mine") == names(corpus, "ship_text")
    assert found(working_agent, "发货", view="done") == set()


def test_a_quoted_phrase_matches_as_a_phrase(working_agent, merchant):
    together = said(merchant, "蓝牙耳机坏了")
    apart = said(merchant, "蓝牙音箱和耳机都坏了")

    assert found(working_agent, '"蓝牙耳机"') == {together.complaint_id}
    assert found(working_agent, "“蓝牙耳机”") == {together.complaint_id}
    assert found(working_agent, "蓝牙 耳机") == {together.complaint_id, apart.complaint_id}


def test_punctuation_around_a_term_is_ignored(working_agent, merchant):
    wanted = said(merchant, "请尽快退款！！！谢谢。")

    for q in ("退款！", "，退款。", "【退款】", "退款?", '"退款"'):
        assert found(working_agent, q) == {wanted.complaint_id}, q


def test_full_width_digits_and_one_character_with_a_digit(working_agent, merchant):
    third = said(merchant, "我３号下的单，到现在还没到")
    thirtieth = said(merchant, "30号之前必须给我答复")

    assert found(working_agent, "3号") == {third.complaint_id}
    assert found(working_agent, "３号") == {third.complaint_id}
    assert found(working_agent, "0号") == {thirtieth.complaint_id}
    assert found(working_agent, "号") == {third.complaint_id, thirtieth.complaint_id}


def test_mixed_chinese_and_ascii(working_agent, merchant):
    wanted = said(merchant, "买的iPhone充电器用了两天就坏了，ＶＩＰ会员也没用")
    said(merchant, "充电宝不能用")

    for q in ("iphone充电", "IPHONE", "phone充", "vip会员", "ＶＩＰ"):
        assert found(working_agent, q) == {wanted.complaint_id}, q


def test_identifiers_phone_suffix_and_amount(working_agent, merchant):
    wanted = make_complaint(
        merchant, transaction_id="4200000001202603011234567890", out_trade_no="SHOP2026A0001",
        payer_phone_last4="8000", payer_phone_masked="138****8000", amount=19900,
    )  # fmt: skip
    make_complaint(merchant, amount=100)

    for q in (
        wanted.complaint_id,
        wanted.transaction_id,
        "SHOP2026A0001",
        "8000",
        "¥199",
        "199.00",
    ):
        assert found(working_agent, q) == {wanted.complaint_id}, q


@pytest.mark.parametrize("common_from", [1, 1000])
def test_short_order_numbers_and_the_end_of_any_number(
    working_agent, merchant, settings, common_from
):
    """Any number of four digits or more finds the complaints whose complaint, transaction or
    order number ends with it (a whole number is its own end) or whose phone ends with it;
    from eight characters, also a piece from inside a number. Case does not matter. A number
    matching many documents walks the queue's order instead of the trigram index (PostgreSQL);
    either way the same complaints."""
    settings.COMPLAINTS_SEARCH_COMMON_MATCHES = common_from
    short = make_complaint(
        merchant, transaction_id="4200000001202603015550001234", out_trade_no="A0001",
        payer_phone_last4="7777", payer_phone_masked="138****7777",
    )  # fmt: skip
    other = make_complaint(
        merchant, transaction_id="4200000002202603016660009999", out_trade_no="XA0001B",
        payer_phone_last4="1234", payer_phone_masked="139****1234",
    )  # fmt: skip
    make_complaint(make_merchant(), out_trade_no="A0001", transaction_id="99991234")

    def ids(q: str) -> set[str]:
        return found(working_agent, q)

    assert ids("A0001") == ids("a0001") == {short.complaint_id}  # not XA0001B: not its end
    assert ids("0001") == {short.complaint_id}
    assert ids("1234") == {short.complaint_id, other.complaint_id}  # order end, phone
    assert ids("7777") == {short.complaint_id}  # the phone only
    assert ids("001234") == {short.complaint_id}
    assert ids("202603015550") == {short.complaint_id}  # a piece from inside, 8+ characters
    assert ids("20260301") == {short.complaint_id, other.complaint_id}
    assert ids("0301555") == set()  # shorter than eight: only the end counts
    assert ids(short.complaint_id[-6:]) == {short.complaint_id}
    assert ids("A0001 7777") == {short.complaint_id}  # with another term: AND
    assert ids("A0001 1234") == {short.complaint_id}
    assert ids("A0001 9999") == set()
    assert ids("XA0001B") == {other.complaint_id}
    assert ids("A0001 退款") == set()
    # A whole number finds its own complaint, not the longer numbers it is a piece of.
    longer = make_complaint(merchant, out_trade_no="X" + short.transaction_id)
    assert ids(short.transaction_id) == {short.complaint_id}
    assert ids(short.transaction_id[1:]) == {short.complaint_id, longer.complaint_id}
    assert ids("A0001 计费") == {short.complaint_id}  # the factory's text


def test_a_number_search_says_which_number_matched(client, working_agent, merchant):
    make_complaint(
        merchant, transaction_id="4200000001202603015550001234", out_trade_no="A0001",
        payer_phone_last4="1234", payer_phone_masked="138****1234",
    )  # fmt: skip
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")

    page = client.get(reverse("complaints:queue"), {"q": "1234"}).content.decode()
    assert 'data-where="phone"' in page and "138****1234" in page
    assert "420000000120260301555000<mark>1234</mark>" in page
    page = client.get(reverse("complaints:queue"), {"q": "20260301"}).content.decode()
    assert "4200000001<mark>20260301</mark>5550001234" in page


@pytest.mark.parametrize(
    "q",
    ['"', "'", "%", "_", "\\", "%%", "__", "\\%", "'; DROP TABLE x; --", '"unclosed', "%_\\'\"",
     "<>&", "a" * 10_000, "退" * 10_000, "\x00", "退款\x00", "😀", "\u200b"],
)  # fmt: skip
def test_hostile_input_gives_a_normal_page(client, working_agent, corpus, q):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(reverse("complaints:queue"), {"q": q})
    assert response.status_code == 200
    response = client.get(reverse("complaints:queue"), {"q": q, "fragment": "rows"})
    assert response.status_code == 200


def test_like_wildcards_match_nothing_instead_of_everything(working_agent, corpus):
    for q in ("%", "_", "\\", "%_%", "\\%"):
        assert found(working_agent, q) == set(), q
    assert found(working_agent, "退%款") == found(working_agent, "退 款")  # two terms
    assert found(working_agent, "退款%") == found(working_agent, "退款")


def test_a_long_query_keeps_the_other_filters(client, working_agent, merchant):
    done = said(merchant, "早就发货了", complaint_state="PROCESSED")
    still_open = said(merchant, "还没发货")
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")

    q = "发货" + " " * 10_000 + "x"  # only its first 200 characters are read
    page = client.get(reverse("complaints:queue"), {"q": q, "view": "done"}).content.decode()
    assert done.complaint_id in page
    assert still_open.complaint_id not in page


def test_results_say_where_the_term_was_found_with_it_highlighted(client, working_agent, corpus):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")

    page = client.get(reverse("complaints:queue"), {"q": "退款"}).content.decode()
    assert 'data-where="complaint"' in page and "我申请<mark>退款</mark>三天了" in page
    assert 'data-where="message"' in page and "我要求全额<mark>退款</mark>" in page
    assert 'data-where="reply"' in page and "外卖订单已为您<mark>退款</mark>" in page
    page = client.get(reverse("complaints:queue"), {"q": "扣款"}).content.decode()
    assert 'data-where="note"' in page and "用户说被<mark>扣款</mark>两次" in page


def test_a_claimed_row_still_says_where_the_term_was_found(client, working_agent, corpus):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("complaints:queue"), {"q": "扣款"}).content.decode()
    assert '<input type="hidden" name="q" value="扣款">' in page

    response = client.post(
        reverse("complaints:claim", args=[corpus["debit_note"].pk]),
        {"fragment": "row", "q": "扣款"},
        HTTP_HX_REQUEST="true",
    )

    row = response.content.decode()
    assert 'data-testid="assignee"' in row
    assert 'data-where="note"' in row and "用户说被<mark>扣款</mark>两次" in row
    response = client.post(  # without a search, no hits (and no error)
        reverse("complaints:claim", args=[corpus["debit_text"].pk]),
        {"fragment": "row"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "search-hit" not in response.content.decode()


def test_highlighting_escapes_the_text_around_the_term(client, working_agent, merchant):
    said(merchant, '<img src=x onerror="alert(1)">退款<script>alert(2)</script>')
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")

    page = client.get(reverse("complaints:queue"), {"q": "退款"}).content.decode()
    assert "<mark>退款</mark>&lt;script&gt;alert(2)" in page
    assert "<script>alert" not in page and "<img src=x" not in page


def test_keyset_pages_of_a_search_cover_every_match_once(working_agent, merchant):
    wanted = {said(merchant, f"第{n}次申请退款").complaint_id for n in range(12)}
    for n in range(5):
        said(merchant, f"第{n}次催发货")
    seen: list[str] = []
    cursor = ""
    while True:
        page = queue_page(working_agent, QueueFilters(q="退款"), cursor, page_size=5)
        seen += [row.complaint_id for row in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor

    assert sorted(seen) == sorted(wanted)


def test_a_search_page_runs_a_constant_number_of_queries(
    client, working_agent, merchant, django_assert_max_num_queries
):
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    ingested(merchant, "申请退款", ("USER_RESPONSE", "退款还没到"))
    url = reverse("complaints:queue") + "?q=退款"
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(15):
        complaint = ingested(
            merchant, f"第{n}单退款", ("USER_RESPONSE", "快点退款"), ("MERCHANT_RESPONSE", "已退款")
        )
        note_add(complaint=complaint, author=working_agent, text="退款已核实")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="queue-row"') == 16
