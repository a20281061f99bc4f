"""The embedded worker (kombu's filesystem transport) survives any file in its queue folder:
empty, truncated, garbage or foreign files are quarantined, and every real task runs once."""

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from console.broker import KOMBU_CHECKED, kombu_checked
from console.celery import app
from tests.console.filesystem_broker import transport_options

ROOT = Path(__file__).resolve().parents[2]
QUEUE = f"fsbroker-{os.getpid()}"
TASKS = 500
UNREADABLE_KINDS = 8  # the first kinds of bad_files: no message at all, whatever reads them


def bad_files(queue: str) -> list[bytes]:
    """What a half-written, foreign or hostile file in the queue folder may hold."""
    envelope = {
        "body": base64.b64encode(b'[[1, "/tmp"], {}, {}]').decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {"task": "tests.record_run", "id": "x" * 36},
        "properties": {
            "body_encoding": "base64",
            "delivery_tag": "t-1",
            "delivery_info": {"exchange": queue, "routing_key": queue},
        },
    }
    whole = json.dumps(envelope).encode()
    unknown_task = dict(envelope, headers={"task": "no.such.task", "id": "y" * 36})
    garbage_body = dict(envelope, body="%%% not base64 %%%")
    properties = envelope["properties"]
    odd_shapes = [
        dict(envelope, properties=dict(properties, delivery_info="x")),
        dict(envelope, headers=["task"]),
        dict(envelope, properties=dict(properties, body_encoding="rot13")),
        dict(envelope, **{"content-type": "application/x-python-serialize"}),
        dict(envelope, properties=[1]),
        dict(envelope, properties=dict(properties, delivery_info={"exchange": 5})),
        dict(envelope, body=12),
        dict(envelope, headers={"task": "tests.record_run"}),  # a known task, no id
        dict(envelope, headers={"task": "tests.record_run", "id": 5, "eta": "garbage"}),
        dict(envelope, headers={"task": "tests.record_run", "id": "z", "timelimit": "x"}),
        dict(envelope, headers={"task": "tests.record_run", "id": "z", "expires": [1]}),
        dict(envelope, body=base64.b64encode(b"not json").decode()),
        dict(envelope, body=base64.b64encode(b'{"args": 5}').decode()),
    ]
    return [
        b"",  # created, not yet written: what kombu's own writer leaves for a moment
        whole[: len(whole) // 2],  # truncated
        os.urandom(300),  # binary garbage, not even UTF-8
        b"{not json",
        b"[1, 2, 3]",
        b'"just a string"',
        b"{}",
        b'{"properties": {}}',
        json.dumps(garbage_body).encode(),
        *(json.dumps(odd).encode() for odd in odd_shapes),
        json.dumps(unknown_task).encode(),  # last: readable, refused by celery, not quarantined
    ]


def drop_bad_files(queue_folder: Path, stop: threading.Event, dropped: list[str]) -> None:
    kinds = bad_files(QUEUE)
    i = 0
    while not stop.is_set():
        name = f"{int(round(time.monotonic() * 1000))}_bad-{i}.{QUEUE}.msg"
        content = kinds[i % len(kinds)]
        if i % 7 == 3:  # a writer that dies mid-write leaves a file growing, then abandoned
            with open(queue_folder / name, "wb") as f:
                f.write(content[:5])
                f.flush()
                time.sleep(0.01)
                f.write(content[5:])
        else:
            (queue_folder / name).write_bytes(content)
        dropped.append(name)
        i += 1
        time.sleep(0.01)
    (queue_folder / f"{int(round(time.monotonic() * 1000))}_dir.{QUEUE}.msg").mkdir()


@pytest.fixture
def broker(tmp_path):
    folder = tmp_path / "broker"
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True)
    runs = tmp_path / "runs"
    runs.mkdir()
    log = tmp_path / "worker.log"
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.console.filesystem_broker",
            "TEST_BROKER_DIR": str(folder),
            "CELERY_QUEUE": QUEUE,
        }
    )
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "console", "worker", "--loglevel=INFO",
             "-I", "tests.console.filesystem_broker", "-Q", QUEUE, "-c", "2",
             "-n", f"fs-{os.getpid()}@%h", "--without-mingle", "--without-gossip",
             "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in log.read_bytes():
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        yield folder, runs, worker, log
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def send(connection, number: int, runs: Path) -> None:
    app.send_task("tests.record_run", args=[number, str(runs)], queue=QUEUE, connection=connection)


def wait_for_runs(runs: Path, count: int, worker, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while len([p for p in runs.iterdir() if p.name.isdigit()]) < count:
        assert worker.poll() is None, f"the worker died:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"only {len(list(runs.iterdir()))} ran"
        time.sleep(0.1)


def test_every_task_runs_once_and_the_worker_lives_through_bad_files_in_the_queue(broker):
    folder, runs, worker, log = broker
    stop, dropped = threading.Event(), []
    dropper = threading.Thread(target=drop_bad_files, args=(folder / "queue", stop, dropped))
    dropper.start()
    try:
        with app.connection_for_write(
            "filesystem://localhost//", transport_options=transport_options(folder)
        ) as connection:
            for number in range(TASKS):
                send(connection, number, runs)
            wait_for_runs(runs, TASKS, worker, log)
            stop.set()
            dropper.join()
            send(connection, TASKS, runs)  # after the last bad file: still consuming
            wait_for_runs(runs, TASKS + 1, worker, log)
    finally:
        stop.set()
        dropper.join()

    time.sleep(1)  # let a duplicate, if any, land
    assert sorted(p.name for p in runs.iterdir()) == sorted(str(n) for n in range(TASKS + 1))
    assert worker.poll() is None
    quarantined = {p.name for p in (folder / "quarantine").iterdir()}
    kinds = len(bad_files(QUEUE))
    unreadable = {n for i, n in enumerate(dropped) if i % kinds < UNREADABLE_KINDS}
    assert len(dropped) > 50
    assert unreadable <= quarantined
    assert not [p for p in (folder / "queue").iterdir() if p.name.endswith(".msg")]
    assert b"unreadable broker message" in log.read_bytes()
    assert b"refused by the consumer" in log.read_bytes()  # e.g. a known task without an id


def test_messages_are_written_whole_under_their_final_name(tmp_path):
    folder = tmp_path / "broker"
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True)
    seen: list[bytes] = []
    stop = threading.Event()

    def watch() -> None:  # reads every message file as soon as it appears under its name
        while not stop.is_set():
            for path in (folder / "queue").glob(f"*.{QUEUE}.msg"):
                seen.append(path.read_bytes())
                path.unlink()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with app.connection_for_write(
            "filesystem://localhost//", transport_options=transport_options(folder)
        ) as connection:
            for number in range(200):
                send(connection, number, tmp_path)
    finally:
        time.sleep(0.2)
        stop.set()
        watcher.join()

    assert len(seen) == 200
    assert all(json.loads(raw)["headers"]["task"] == "tests.record_run" for raw in seen)
    assert not list((folder / "queue").iterdir())  # no temporary file left behind


def test_the_kombu_patches_are_on_for_the_installed_release():
    """Upgrading kombu turns the workarounds off: check them, then widen KOMBU_CHECKED."""
    from kombu.transport import filesystem, redis

    assert kombu_checked(), f"kombu release not checked against {KOMBU_CHECKED}"
    assert filesystem.Channel._console_workaround
    assert redis.QoS._console_workaround
    assert not kombu_checked((6, 0, 0))
