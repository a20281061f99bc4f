"""Celery tasks of the messaging app: thin wrappers that load ids and call services.

Names are stable (a test pins them): renaming a task strands the messages already queued.
"""

from __future__ import annotations

import logging

from celery import shared_task

from messaging.services.delivery import reply_deliver, reply_sweep

logger = logging.getLogger(__name__)


def _survive_broker_restart() -> None:
    """Work around worker crashes in kombu/celery 5.7 when Redis goes away (the lead may move
    this to console/celery.py).

    On a lost connection the consumer collects the old connection and closes it again; later
    calls on that dead channel (restoring unacked messages on close, acking a task that was
    still running when the connection dropped) reach a transport whose client is None and raise
    AttributeError ("Unrecoverable error ... 'hostname'" / "'client'"): the worker exits
    instead of reconnecting. Skipping those calls is safe here: the messages stay in Redis'
    unacked hash (restored after the visibility timeout, then skipped as already delivered),
    and if Redis lost them the sweeper re-enqueues their replies. Checked by
    tests/delivery/test_fault_delivery.py, which restarts Redis mid-run.
    """
    from kombu.transport import redis as kombu_redis
    from kombu.transport import virtual

    qos = kombu_redis.QoS
    if getattr(qos, "_console_workaround", False):
        return

    def dead(self) -> bool:
        transport = getattr(self.channel, "connection", None)
        return transport is None or transport.client is None

    original_restore, original_ack, original_reject = qos.restore_unacked, qos.ack, qos.reject

    def restore_unacked(self, client=None):
        if client is None and dead(self):
            logger.warning("broker connection gone: %d unacked message(s) left to Redis and "
                           "the reply sweeper", len(self._delivered))  # fmt: skip
            self._delivered.clear()
            return None
        return original_restore(self, client)

    def ack(self, delivery_tag):
        if dead(self):  # the message belongs to a connection that no longer exists
            logger.warning("ack of %s skipped: its broker connection is gone", delivery_tag)
            return virtual.QoS.ack(self, delivery_tag)
        return original_ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if dead(self):
            logger.warning("reject of %s skipped: its broker connection is gone", delivery_tag)
            return virtual.QoS.ack(self, delivery_tag)
        return original_reject(self, delivery_tag, requeue=requeue)

    qos.restore_unacked, qos.ack, qos.reject = restore_unacked, ack, reject
    qos._console_workaround = True


_survive_broker_restart()


@shared_task(
    name="messaging.deliver_reply",
    acks_late=True,  # safe: a delivered reply is skipped, and the idempotent_id never changes
    reject_on_worker_lost=True,  # a killed child puts the message back instead of dropping it
    ignore_result=True,
)
def deliver_reply(reply_id: int) -> str:
    return reply_deliver(reply_id=reply_id)


@shared_task(name="messaging.sweep_replies", ignore_result=True)
def sweep_replies() -> int:
    return reply_sweep()
