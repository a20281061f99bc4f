"""Celery tasks of the automation app. Names are stable (a test pins them)."""

from __future__ import annotations

from celery import shared_task

from automation.services import alerts_sweep, digest_send, supervisor_scan


@shared_task(name="automation.scan_supervisor_events", ignore_result=True)
def scan_supervisor_events() -> int:
    """Beat: record complaints due soon / overdue and replies that failed for good."""
    return supervisor_scan()


@shared_task(name="automation.send_digest", ignore_result=True)
def send_digest() -> int:
    """Beat: one e-mail per supervisor with the events not yet digested."""
    digest = digest_send()
    return digest.event_count if digest else 0


@shared_task(name="automation.sweep_alerts", ignore_result=True)
def sweep_alerts() -> int:
    """Beat: clear agents' alerts whose reason is gone that no hook cleared (safety net)."""
    return alerts_sweep()
