"""Two transactions inserting the same new complaint (the webhook's follow-up and the sync): the
one that loses the insert updates the winner's row instead of failing with IntegrityError."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from complaints.models import Complaint, HistoryEntry
from complaints.services import complaint_ingest
from tests.complaints.conftest import wechat_complaint, wechat_history

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(call: Callable[[], object], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_until_a_query_waits_for_a_lock(timeout: float = 10.0) -> None:
    """PostgreSQL makes the second insert of a unique key wait for the first transaction."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second insert never waited for the first")


def test_the_loser_of_a_first_insert_updates_the_winners_row(merchant):
    first = wechat_complaint()
    second = first.model_copy(update={"incoming_user_response": True})
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def winner() -> None:
        with transaction.atomic():
            complaint_ingest(merchant=merchant, data=first)
            inserted.set()
            release.wait(timeout=20)  # hold the uncommitted row while the other one inserts

    def loser() -> None:
        complaint_ingest(merchant=merchant, data=second, history=[wechat_history("L1")])

    threads = [in_thread(winner, errors)]
    assert inserted.wait(timeout=20)
    threads.append(in_thread(loser, errors))
    wait_until_a_query_waits_for_a_lock()
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    complaint = Complaint.objects.get(complaint_id=first.complaint_id)
    assert complaint.incoming_user_response  # the loser's newer view was applied
    assert HistoryEntry.objects.filter(complaint=complaint, log_id="L1").exists()
    assert complaint.activity_version == 1


def test_many_simultaneous_first_inserts_all_succeed(merchant):
    data = wechat_complaint()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def ingest() -> None:
        barrier.wait(timeout=20)
        complaint_ingest(merchant=merchant, data=data, history=[wechat_history("L1")])

    threads = [in_thread(ingest, errors) for _ in range(4)]
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Complaint.objects.filter(complaint_id=data.complaint_id).count() == 1
    assert HistoryEntry.objects.filter(complaint__complaint_id=data.complaint_id).count() == 1
