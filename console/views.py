from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from console import health, selectors
from console.context_processors import navigation
from console.filters import AuditFilter
from console.http import client_ip
from console.models import AuditEvent
from console.roles import perm
from console.services import audit_record


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = health.readiness()
    down = [name for name, ok in checks.items() if not ok]
    body = {"status": "down" if down else "ok", "checks": checks, "down": down}
    return JsonResponse(body, status=503 if down else 200)


def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the first page their role can use."""
    items = navigation(request)["nav_items"]
    if items:
        return redirect(items[0]["url"])
    return render(request, "console/home.html")


@permission_required(perm("view_audit"), raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    chain = AuditFilter(request.GET or None, queryset=AuditEvent.objects.none())
    # What could not be read is left out (the page names it); the other filters still apply.
    events = selectors.audit_events(user=request.user, filters=chain.valid_data())
    page = selectors.paginate(events, request.GET.get("page"))
    return render(request, "console/audit_log.html", {"form": chain.form, "page": page})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own form and checks; the change is audited (never the password)."""

    success_url = "/accounts/password/done/"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            action="user.password_changed",
            actor=self.request.user,
            ip=client_ip(self.request),
            target_type="user",
            target_id=self.request.user.pk,
        )
        return response
