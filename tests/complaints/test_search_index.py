"""The search index: normal form, query parsing, excerpts, writes that keep it current, and the
management command that indexes existing complaints."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from complaints.models import ComplaintSearch
from complaints.search.text import Term, excerpt, normalize, parse_query, tokens_of
from complaints.selectors import QueueFilters, queue_page
from complaints.services import note_add
from tests.complaints.conftest import make_complaint


def test_the_normal_form_folds_width_and_case_and_drops_punctuation():
    assert normalize("ＶＩＰ会员，３号！ iPhone_15%") == "vip会员 3号 iphone 15"
    assert normalize("“退款”\n\t——还没到") == "退款 还没到"
    assert normalize("%_\\'\"") == ""


def test_tokens_are_characters_and_pairs_within_words():
    assert tokens_of("退款 ab") == {"退", "款", "退款", "a", "b", "ab"}


def test_a_query_is_split_into_typed_terms():
    assert parse_query('退款，发货 "蓝牙 耳机" 8000 ¥199.5 OT2026A0001 4200000001 iphone15') == [
        Term("text", "退款"),
        Term("text", "发货"),
        Term("text", "蓝牙 耳机"),
        Term("identifier", "8000"),
        Term("amount", "19950"),
        Term("identifier", "ot2026a0001"),
        Term("identifier", "4200000001"),
        Term("text", "iphone15"),
    ]
    assert parse_query("A0001 a_12-34 ８０００ 123 x100") == [
        Term("identifier", "a0001"),
        Term("identifier", "a_12-34"),
        Term("identifier", "8000"),  # full-width digits
        Term("text", "123"),  # fewer than four digits: text
        Term("text", "x100"),
    ]
    assert parse_query("%%% ___ \\\\") == []
    assert parse_query("12.00 ¥0.5") == [Term("amount", "1200"), Term("amount", "50")]
    assert len(parse_query(" ".join(f"词{n}" for n in range(50)))) == 8


def test_an_excerpt_highlights_the_original_text_and_escapes_the_rest():
    text = "前面很长的一段话" * 5 + "<b>请ＶＩＰ会员</b>尽快处理" + "后面" * 30

    html = excerpt(text, ["vip会员"])

    assert "&lt;b&gt;请<mark>ＶＩＰ会员</mark>&lt;/b&gt;尽快处理" in html
    assert html.startswith("…") and html.endswith("…")
    assert "<b>" not in html


@pytest.mark.django_db
def test_a_note_is_searchable_as_soon_as_it_is_written(working_agent, merchant):
    complaint = make_complaint(merchant, complaint_detail="无关内容", problem_description="")
    assert not queue_page(working_agent, QueueFilters(q="扣款")).rows

    note_add(complaint=complaint, author=working_agent, text="重复扣款")

    assert [row.pk for row in queue_page(working_agent, QueueFilters(q="扣款")).rows] == [
        complaint.pk
    ]


@pytest.mark.django_db
def test_saving_a_complaint_keeps_its_search_document(working_agent, merchant):
    complaint = make_complaint(merchant, complaint_detail="外卖没送到", problem_description="")

    complaint.assignee = working_agent
    complaint.save()

    assert queue_page(working_agent, QueueFilters(q="外卖")).rows == [complaint]


@pytest.mark.django_db
def test_the_command_indexes_existing_complaints_with_a_progress_bar(working_agent, merchant):
    complaints = [make_complaint(merchant, complaint_detail=f"第{n}次会员扣费") for n in range(7)]
    ComplaintSearch.objects.all().delete()  # as after upgrading: nothing indexed yet
    assert not queue_page(working_agent, QueueFilters(q="会员")).rows
    out, err = io.StringIO(), io.StringIO()

    call_command("search_index", "--missing", "--batch", "3", stdout=out, stderr=err)

    assert "7 complaints indexed" in out.getvalue()
    assert "7/7" in err.getvalue()  # tqdm's bar
    found = queue_page(working_agent, QueueFilters(q="会员")).rows
    assert sorted(row.pk for row in found) == sorted(c.pk for c in complaints)
    call_command("search_index", "--missing", stdout=out, stderr=err)
    assert "0 complaints indexed" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_bad_batch_size():
    with pytest.raises(CommandError, match="--batch"):
        call_command("search_index", "--batch", "0")


@pytest.mark.django_db
def test_the_migration_fills_ids_as_a_refresh_writes_them(merchant):
    """Migration 0005 fills `ids` of existing documents in one statement (per database): the
    same text a refresh writes."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("complaints.migrations.0005_complaint_search_ids")
    make_complaint(merchant, transaction_id="4200A", out_trade_no="Ot-1", payer_phone_last4="8000")
    make_complaint(merchant, transaction_id="", out_trade_no="", payer_phone_last4="")
    written = sorted(ComplaintSearch.objects.values_list("ids", flat=True))
    ComplaintSearch.objects.update(ids="")

    fill = migration.FILL_POSTGRES if connection.vendor == "postgresql" else migration.FILL_SQLITE
    with connection.cursor() as cursor:
        cursor.execute(fill)

    assert sorted(ComplaintSearch.objects.values_list("ids", flat=True)) == written
    assert any(" 4200a ot-1 8000 " in ids for ids in written)


@pytest.mark.django_db(transaction=True)
def test_a_search_that_cannot_answer_in_time_gives_a_normal_page_and_never_holds_the_queue(
    client, working_agent, merchant, settings
):
    """The search table held by someone else (a long lock here, a pathological query in
    life): a search is cut off after COMPLAINTS_SEARCH_TIMEOUT_MS with a message, and the queue
    without a search never waits for it."""
    import psycopg
    from django.db import connection
    from django.urls import reverse

    settings.COMPLAINTS_SEARCH_TIMEOUT_MS = 300
    wanted = make_complaint(merchant, complaint_detail="申请退款", problem_description="")
    client.force_login(working_agent, backend="django.contrib.auth.backends.ModelBackend")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    queue = reverse("complaints:queue")
    with psycopg.connect(**params) as other:
        other.execute("LOCK TABLE complaints_complaintsearch IN ACCESS EXCLUSIVE MODE")

        for fragment in ({}, {"fragment": "rows"}):
            response = client.get(queue, {"q": "退款", **fragment})
            assert response.status_code == 200
            page = response.content.decode()
            assert 'data-testid="search-error"' in page and wanted.complaint_id not in page
        page = client.get(queue, {"fragment": "rows"}).content.decode()
        assert wanted.complaint_id in page and "search-error" not in page

    page = client.get(queue, {"q": "退款"}).content.decode()
    assert wanted.complaint_id in page and "search-error" not in page
