"""Celery tasks of the messaging app: thin wrappers that load ids and call services.

Names are stable (a test pins them): renaming a task strands the messages already queued.
"""

from __future__ import annotations

import logging

from celery import shared_task

from messaging.services.delivery import reply_deliver, reply_sweep

logger = logging.getLogger(__name__)


def _survive_broker_restart() -> None:
    """Work around a worker crash in kombu/celery 5.7 when Redis goes away (the lead may move
    this to console/celery.py).

    On a lost connection the consumer first `collect()`s the connection, then closes it again;
    the second close restores unacked messages through a transport whose client is already None
    and raises AttributeError ("Unrecoverable error ... 'hostname'"), so the worker exits instead
    of reconnecting. Skipping that restore is safe: the messages stay in Redis' unacked hash
    (restored after the visibility timeout), and if Redis lost them the sweeper re-enqueues
    their replies. Checked by tests/delivery/test_fault_delivery.py (Redis restarted mid-run).
    """
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "_console_workaround", False):
        return

    def restore_unacked(self, client=None):
        transport = getattr(self.channel, "connection", None)
        if client is None and (transport is None or transport.client is None):
            logger.warning("broker connection gone: %d unacked message(s) left to Redis and "
                           "the reply sweeper", len(self._delivered))  # fmt: skip
            self._delivered.clear()
            return None
        return original(self, client)

    restore_unacked._console_workaround = True
    kombu_redis.QoS.restore_unacked = restore_unacked


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
