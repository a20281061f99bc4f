"""Broker workarounds applied to every Celery process (see console/celery.py)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def survive_broker_restart() -> None:
    """Work around worker crashes in kombu/celery 5.7 when Redis goes away.

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
