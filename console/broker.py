"""Broker workarounds applied to every Celery process (see console/celery.py).

Each one patches kombu internals, so each is applied only to the kombu releases it was checked
against (KOMBU_CHECKED): on another release it is left off with a warning, the system check
console.E001 (console/checks.py) stops every management command, migrate included, and the tests
that exercise it (named in each docstring) fail until someone checks the new release and widens
the range.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from time import monotonic

import kombu

logger = logging.getLogger(__name__)

# kombu (major, minor) releases whose internals these patches were checked against.
KOMBU_CHECKED = {(5, 7)}


def kombu_checked(version: tuple = tuple(kombu.VERSION)) -> bool:
    """Whether the installed kombu release is one the patches below were checked against."""
    return tuple(version[:2]) in KOMBU_CHECKED


def _skip_unchecked(patch: str) -> bool:
    if kombu_checked():
        return False
    logger.warning(
        "kombu %s is not a release %s was checked against: left off", kombu.__version__, patch
    )
    return True


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
    if getattr(qos, "_console_workaround", False) or _skip_unchecked("survive_broker_restart"):
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


def survive_bad_message_files() -> None:
    """Keep the embedded worker alive whatever lands in the filesystem broker's queue folder.

    kombu 5.7's filesystem transport creates a message file and then writes it, so a worker that
    polls in between reads an empty file; it also decodes whatever it finds there, and any error
    (an empty, truncated or foreign file) escapes to the worker as "Unrecoverable error" and the
    worker exits. Here messages are written atomically (a hidden temporary file, renamed into
    place once complete); a file that cannot be read as a message (not JSON, not the envelope
    kombu expects) is moved to the quarantine folder with a warning and the next one is read;
    and a message that reads well but makes Celery's consumer raise (a known task without an
    id, say) is acknowledged and written to the quarantine folder instead of stopping the
    worker (connection and channel errors still go to the worker's own handling). Checked by
    tests/console/test_filesystem_broker.py (500 tasks while bad files are dropped in the queue).
    """
    from kombu.exceptions import ChannelError
    from kombu.transport import filesystem
    from kombu.utils.encoding import bytes_to_str, str_to_bytes
    from kombu.utils.json import dumps, loads

    channel = filesystem.Channel
    if getattr(channel, "_console_workaround", False):
        return
    if _skip_unchecked("survive_bad_message_files"):
        return

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # Starts with a dot, ends in .tmp: never taken for a message of any queue.
        temporary = os.path.join(self.data_folder_out, f".{name}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(descriptor, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            folder = self.processed_folder if self.store_processed else tempfile.gettempdir()
            try:  # taking the file is the lock: whoever moves it first owns it
                shutil.move(os.path.join(self.data_folder_in, name), folder)
            except OSError:
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    payload = loads(bytes_to_str(f.read()))
                _check_envelope(payload)
                self.Message(payload, channel=self)  # what the consumer will build from it
            except Exception as exc:  # noqa: BLE001 — any unreadable file, never the worker
                _quarantine(self, path, name, exc)
                continue
            if not self.store_processed:
                with contextlib.suppress(OSError):
                    os.remove(path)
            return payload
        raise filesystem.Empty()

    def _get_and_deliver(self, queue, callback):
        payload = self._get(queue)
        try:
            callback(payload, queue)
        except self.connection.connection_errors + self.connection.channel_errors:
            raise  # the worker's own reconnect logic handles these
        except Exception as exc:  # noqa: BLE001 — a message Celery cannot take, never the worker
            self.qos.ack(payload["properties"]["delivery_tag"])  # not redelivered
            _quarantine_payload(self, queue, payload, exc)

    channel._put, channel._get, channel._get_and_deliver = _put, _get, _get_and_deliver
    channel._console_workaround = True


def _check_envelope(payload: object) -> None:
    """The shape the virtual transport and Celery's consumer rely on without checking (a wrong
    type there escapes to the worker's event loop): raises ValueError otherwise."""
    if not isinstance(payload, dict):
        raise ValueError("not an object")
    properties = payload.get("properties")
    if not isinstance(properties, dict) or not isinstance(properties.get("delivery_tag"), str):
        raise ValueError("properties.delivery_tag missing")
    delivery_info = properties.get("delivery_info") or {}
    if not isinstance(delivery_info, dict) or not all(
        isinstance(delivery_info.get(key, ""), str) for key in ("exchange", "routing_key")
    ):
        raise ValueError("properties.delivery_info malformed")
    if not isinstance(payload.get("headers") or {}, dict):
        raise ValueError("headers malformed")
    for key in ("body", "content-type", "content-encoding"):
        if not isinstance(payload.get(key) or "", str):
            raise ValueError(f"{key} malformed")


def _quarantine_folder(channel) -> str:
    folder = channel.transport_options.get("quarantine_folder") or os.path.join(
        os.path.dirname(os.path.normpath(channel.data_folder_in)), "quarantine"
    )
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def _quarantine_payload(channel, queue: str, payload: dict, error: Exception) -> None:
    """A message that read well but made Celery's consumer fail: kept for a look, with a warning."""
    from kombu.utils.json import dumps

    name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.rejected"
    try:
        folder = _quarantine_folder(channel)
        descriptor = os.open(
            os.path.join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
        )
        with open(descriptor, "w") as f:
            f.write(dumps(payload))
    except OSError as exc:
        logger.warning("broker message refused by the consumer dropped (%r): %r", error, exc)
        return
    logger.warning("broker message refused by the consumer moved to %s/%s: %r", folder, name, error)


def _quarantine(channel, path: str, name: str, error: Exception) -> None:
    try:
        folder = _quarantine_folder(channel)
        shutil.move(path, os.path.join(folder, name))
        logger.warning("unreadable broker message %s moved to %s: %r", name, folder, error)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(path)
        logger.warning(
            "unreadable broker message %s dropped (%r; quarantine failed: %r)", name, error, exc
        )
