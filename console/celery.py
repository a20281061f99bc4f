"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

from console.broker import survive_bad_message_files, survive_broker_restart

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings.local")

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
survive_broker_restart()
survive_bad_message_files()
