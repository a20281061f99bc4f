"""Housekeeping of the console itself."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(name="console.prune_live_events")
def prune_live_events() -> int:
    """Forget live events older than the resume window: a browser away longer re-reads its page."""
    from console.models import LiveEvent

    cutoff = timezone.now() - timedelta(hours=settings.LIVE_EVENTS_KEEP_HOURS)
    deleted, _ = LiveEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
