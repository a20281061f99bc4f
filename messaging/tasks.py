"""Celery tasks of the messaging app: thin wrappers that load ids and call services.

Names are stable (a test pins them): renaming a task strands the messages already queued.
"""

from __future__ import annotations

from celery import shared_task

from messaging.services import images
from messaging.services.delivery import reply_deliver
from messaging.services.sweeper import DELIVER_TASK, reply_sweep


@shared_task(
    name=DELIVER_TASK,
    acks_late=True,  # safe: a delivered reply is skipped, and the idempotent_id never changes
    reject_on_worker_lost=True,  # a killed child puts the message back instead of dropping it
    ignore_result=True,
)
def deliver_reply(reply_id: int) -> str:
    return reply_deliver(reply_id=reply_id)


@shared_task(name="messaging.sweep_replies", ignore_result=True)
def sweep_replies() -> int:
    return reply_sweep()


@shared_task(name=images.UPLOAD_TASK, ignore_result=True)
def upload_image(asset_id: int) -> None:
    """Upload one pending library image to WeChat Pay (queued once per move to "pending")."""
    images.image_upload(asset_id=asset_id)
