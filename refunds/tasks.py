"""Celery tasks of the refunds app: thin wrappers that load ids and call services.

Names are stable (a test pins them): renaming a task strands the messages already queued."""

from __future__ import annotations

from celery import shared_task

from refunds.services import order_fetch, refund_deliver, refund_query, refund_sweep


@shared_task(
    name="refunds.send_refund",
    acks_late=True,  # safe: the out_refund_no never changes, and WeChat answers a repeat with it
    reject_on_worker_lost=True,  # a killed child puts the message back instead of dropping it
    ignore_result=True,
)
def send_refund(refund_id: int) -> str:
    return refund_deliver(refund_id=refund_id)


@shared_task(name="refunds.query_refund", acks_late=True, ignore_result=True)
def query_refund(refund_id: int) -> str:
    return refund_query(refund_id=refund_id)


@shared_task(name="refunds.fetch_order", ignore_result=True)
def fetch_order(complaint_pk: int) -> str:
    return order_fetch(complaint_pk=complaint_pk)


@shared_task(name="refunds.sweep", ignore_result=True)
def sweep() -> tuple[int, int]:
    return refund_sweep()
