"""Admins' pages: merchants, their credentials, notification URL and who works for them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from console.http import client_ip
from console.lockout import locked_usernames, login_lock_state
from console.people import person_name
from console.roles import ROLE_PERMISSIONS, perm, roles_of
from console.services import login_unlock
from merchants import selectors, services
from merchants.forms import (
    AssignmentForm,
    CredentialForm,
    MerchantForm,
    UserCreateForm,
    UserRolesForm,
)
from merchants.models import CredentialSet, Merchant

# Never shown on error pages or in error reports, even with DEBUG on.
SECRET_POST_FIELDS = ("private_key", "apiv3_key", "certificate", "wechatpay_public_key")
manage_merchants = permission_required(perm("manage_merchants"), raise_exception=True)


def _merchant(pk: int) -> Merchant:
    return get_object_or_404(Merchant, pk=pk)


@manage_merchants
def merchant_list(request: HttpRequest) -> HttpResponse:
    return render(request, "merchants/list.html", {"merchants": selectors.merchant_list()})


@manage_merchants
def merchant_create(request: HttpRequest) -> HttpResponse:
    form = MerchantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        merchant = services.merchant_create(
            by=request.user, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, _("Merchant %(mchid)s added.") % {"mchid": merchant.mchid})
        return redirect("merchants:detail", pk=merchant.pk)
    return render(request, "merchants/merchant_form.html", {"form": form, "merchant": None})


@manage_merchants
def merchant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(pk)
    form = MerchantForm(request.POST or None, instance=merchant)
    if request.method == "POST" and form.is_valid():
        services.merchant_update(
            merchant=_merchant(pk), by=request.user, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, _("Merchant saved."))
        return redirect("merchants:detail", pk=pk)
    return render(request, "merchants/merchant_form.html", {"form": form, "merchant": merchant})


@manage_merchants
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(pk)
    context = {
        "merchant": merchant,
        "credential_sets": selectors.credential_sets_of(merchant),
        "assignments": selectors.assignments_of(merchant),
        "assignment_form": AssignmentForm(users=selectors.assignable_users(merchant)),
        "notification_url": services.notification_url(merchant),
        "notification_url_problem": services.notification_url_problem(merchant),
    }
    return render(request, "merchants/detail.html", context)


@manage_merchants
@sensitive_post_parameters(*SECRET_POST_FIELDS)
@sensitive_variables("form")
def credential_add(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(pk)
    form = CredentialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        credential_set = services.credential_add(
            merchant=merchant, parsed=form.parsed, by=request.user, ip=client_ip(request)
        )
        if credential_set.status == CredentialSet.Status.ACTIVE:
            messages.success(request, _("Credentials saved and activated."))
        else:
            messages.success(
                request,
                _("Credentials saved. Activate them when WeChat Pay knows the new certificate."),
            )
        return redirect("merchants:detail", pk=pk)
    return render(request, "merchants/credential_form.html", {"form": form, "merchant": merchant})


def _credential_step(request: HttpRequest, pk: int, credential_id: int, step, done: str):
    credential_set = get_object_or_404(CredentialSet, pk=credential_id, merchant_id=pk)
    try:
        step(credential_set=credential_set, by=request.user, ip=client_ip(request))
    except services.CredentialStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"serial": credential_set.certificate_serial})
    return redirect("merchants:detail", pk=pk)


@manage_merchants
@require_POST
def credential_activate(request: HttpRequest, pk: int, credential_id: int) -> HttpResponse:
    return _credential_step(
        request,
        pk,
        credential_id,
        services.credential_activate,
        _("Certificate %(serial)s is now active; the previous set stays usable until retired."),
    )


@manage_merchants
@require_POST
def credential_retire(request: HttpRequest, pk: int, credential_id: int) -> HttpResponse:
    return _credential_step(
        request,
        pk,
        credential_id,
        services.credential_retire,
        _("Certificate %(serial)s is retired."),
    )


def _report(request: HttpRequest, result: services.CallResult, success: str) -> None:
    if result.ok:
        messages.success(request, success)
        return
    messages.error(request, result.explain())


@manage_merchants
@require_POST
def test_connection(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(pk)
    result = services.merchant_test_connection(
        merchant=merchant, by=request.user, ip=client_ip(request)
    )
    _report(request, result, result.message)
    return redirect("merchants:detail", pk=pk)


@manage_merchants
@require_POST
def callback(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(pk)
    action = request.POST.get("action")
    problem = services.notification_url_problem(merchant)
    if action == "register" and problem and request.POST.get("confirm_unreachable") != "1":
        # Warn before calling: WeChat Pay would accept the URL and then never reach it.
        messages.warning(
            request,
            problem + " " + _("Nothing was registered; tick the box to register it anyway."),
        )
    elif action == "register":
        result = services.callback_register(
            merchant=merchant, by=request.user, ip=client_ip(request)
        )
        _report(request, result, _("Notification URL registered with WeChat Pay."))
    elif action == "delete":
        result = services.callback_delete(merchant=merchant, by=request.user, ip=client_ip(request))
        _report(request, result, _("Notification URL deleted at WeChat Pay."))
    else:
        result = services.callback_query(merchant=merchant)
        if result.ok or result.code == "RESOURCE_NOT_EXISTS":
            merchant.refresh_from_db()
            messages.info(
                request,
                _("Notification URL status: %(status)s")
                % {"status": merchant.get_callback_status_display()},
            )
        else:
            _report(request, result, "")
    return redirect("merchants:detail", pk=pk)


@manage_merchants
@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(pk)
    form = AssignmentForm(request.POST, users=selectors.assignable_users(merchant))
    if form.is_valid():
        user = form.cleaned_data["user"]
        services.assignment_add(
            merchant=merchant, user=user, by=request.user, ip=client_ip(request)
        )
        messages.success(
            request, _("%(user)s now works for this merchant.") % {"user": person_name(user)}
        )
    else:
        messages.error(request, _("Choose an agent or supervisor who is not assigned yet."))
    return redirect("merchants:detail", pk=pk)


@manage_merchants
@require_POST
def assignment_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    merchant = _merchant(pk)
    user = get_object_or_404(get_user_model(), pk=user_id)
    services.assignment_remove(merchant=merchant, user=user, by=request.user, ip=client_ip(request))
    messages.success(
        request, _("%(user)s no longer works for this merchant.") % {"user": person_name(user)}
    )
    return redirect("merchants:detail", pk=pk)


@manage_merchants
def user_list(request: HttpRequest) -> HttpResponse:
    locked = locked_usernames()
    users = [
        {
            "user": user,
            "roles": [g.name for g in user.groups.all() if g.name in ROLE_PERMISSIONS],
            "locked": user.username in locked,
        }
        for user in selectors.console_users()
    ]
    return render(request, "merchants/users.html", {"users": users})


@manage_merchants
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=user_id)
    current = list(user.merchant_assignments.values_list("merchant_id", flat=True))
    form = UserRolesForm(
        request.POST or None, initial={"roles": roles_of(user), "merchants": current}
    )
    if request.method == "POST" and form.is_valid():
        _save_user(request, user, form.cleaned_data, set(current))
        messages.success(
            request, _("Roles and merchants of %(user)s saved.") % {"user": person_name(user)}
        )
        return redirect("merchants:users")
    context = {"form": form, "subject": user, "lock": login_lock_state(user.username)}
    return render(request, "merchants/user_form.html", context)


def _save_user(request: HttpRequest, user, data: dict, current: set[int]) -> None:
    if sorted(data["roles"]) != roles_of(user):
        services.user_roles_set(
            user=user, roles=data["roles"], by=request.user, ip=client_ip(request)
        )
    wanted = {merchant.pk: merchant for merchant in data["merchants"]}
    for merchant in wanted.values():
        if merchant.pk not in current:
            services.assignment_add(
                merchant=merchant, user=user, by=request.user, ip=client_ip(request)
            )
    for merchant in Merchant.objects.filter(pk__in=current - set(wanted)):
        services.assignment_remove(
            merchant=merchant, user=user, by=request.user, ip=client_ip(request)
        )


@manage_merchants
@never_cache
def user_create(request: HttpRequest) -> HttpResponse:
    """A new console user; the generated password is shown on this answer only."""
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, password = services.user_create(
            username=data["username"], name=data["name"], roles=data["roles"],
            merchants=list(data["merchants"]), by=request.user, ip=client_ip(request),
        )  # fmt: skip
        context = {"subject": user, "password": password}
        return render(request, "merchants/user_password.html", context)
    return render(request, "merchants/user_create.html", {"form": form})


@manage_merchants
@never_cache
@require_POST
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=user_id)
    password = services.user_password_reset(user=user, by=request.user, ip=client_ip(request))
    context = {"subject": user, "password": password, "reset": True}
    return render(request, "merchants/user_password.html", context)


@manage_merchants
@require_POST
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=user_id)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(user=user, active=active, by=request.user, ip=client_ip(request))
    except services.CannotDeactivateSelf:
        messages.error(request, _("You cannot deactivate yourself."))
        return redirect("merchants:user_edit", user_id=user.pk)
    if active:
        messages.success(request, _("%(user)s can log in again.") % {"user": person_name(user)})
    else:
        messages.success(request, _("%(user)s can no longer log in.") % {"user": person_name(user)})
    return redirect("merchants:users")


@manage_merchants
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    """Lift the failed-login lockouts of a user, from every address (audited)."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    login_unlock(username=user.username, by=request.user, ip=client_ip(request))
    messages.success(request, _("%(user)s can try to log in again.") % {"user": user})
    return redirect("merchants:user_edit", user_id=user.pk)
