from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from console.models import AuditEvent


def audit_events(*, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if filters.get("action"):
        events = events.filter(action__startswith=filters["action"])
    if filters.get("actor"):
        events = events.filter(actor_label__icontains=filters["actor"])
    if filters.get("mchid"):
        events = events.filter(mchid=filters["mchid"])
    if filters.get("since"):
        events = events.filter(created_at__date__gte=filters["since"])
    if filters.get("until"):
        events = events.filter(created_at__date__lte=filters["until"])
    return events


def paginate(queryset: QuerySet, page_number: str | None, per_page: int = 50) -> Page:
    return Paginator(queryset, per_page).get_page(page_number)
