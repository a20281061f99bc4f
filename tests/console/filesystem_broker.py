"""Test settings for a worker on kombu's filesystem transport (the embedded `make run` broker),
in a folder of the test's own (TEST_BROKER_DIR), plus the task it runs.

Worker: DJANGO_SETTINGS_MODULE and `-I` both name this module.
"""

import os
import uuid
from pathlib import Path

from celery import shared_task

from console.settings.test import *  # noqa: F403
from console.settings.test import env

TEST_BROKER_DIR = Path(env("TEST_BROKER_DIR", default="/nonexistent-test-broker"))


def transport_options(folder: Path) -> dict:
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "quarantine_folder": str(folder / "quarantine"),
        "polling_interval": 0.02,
    }


CELERY_BROKER_URL = "filesystem://localhost//"
CELERY_BROKER_TRANSPORT_OPTIONS = transport_options(TEST_BROKER_DIR)


@shared_task(name="tests.record_run")
def record_run(number: int, folder: str) -> None:
    """Leave one file per run: a second run of the same number leaves a second file."""
    try:
        os.close(os.open(Path(folder) / str(number), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        (Path(folder) / f"{number}.again-{uuid.uuid4()}").touch()
