"""Who may act for which merchant. Every merchant-scoped query starts here."""

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from console.roles import AGENT, SUPERVISOR
from merchants.models import CredentialSet, Merchant

SECRET_FIELDS = {
    "private_key_pem",
    "certificate_pem",
    "apiv3_key",
    "wechatpay_public_key_pem",
    "platform_certificates_pem",
}


def merchants_visible_to(user) -> QuerySet[Merchant]:
    """The merchants a user works for: only by assignment (admins included)."""
    if not user.is_authenticated:
        return Merchant.objects.none()
    return Merchant.objects.filter(assignments__user=user)


def merchant_ids_visible_to(user) -> QuerySet:
    return merchants_visible_to(user).values("pk")


def merchant_list() -> QuerySet[Merchant]:
    """Every merchant with its active credential set's summary (admins' list page)."""
    active = CredentialSet.objects.filter(
        merchant=OuterRef("pk"), status=CredentialSet.Status.ACTIVE
    )
    return Merchant.objects.annotate(
        active_serial=Subquery(active.values("certificate_serial")[:1]),
        active_not_after=Subquery(active.values("certificate_not_after")[:1]),
        usable_sets=Count(
            "credentials",
            filter=~Q(credentials__status=CredentialSet.Status.RETIRED),
            distinct=True,
        ),
        assigned_users=Count("assignments", distinct=True),
    )


def credential_sets_of(merchant: Merchant) -> QuerySet[CredentialSet]:
    """Newest first, without loading (or decrypting) any secret column."""
    return merchant.credentials.only(
        *(f.name for f in CredentialSet._meta.concrete_fields if f.name not in SECRET_FIELDS)
    )


def assignments_of(merchant: Merchant) -> QuerySet:
    return merchant.assignments.select_related("user").order_by("user__username")


def console_users() -> QuerySet:
    """Users with their roles and merchants, for the assignment pages."""
    return (
        get_user_model()
        .objects.prefetch_related("groups", "merchant_assignments__merchant")
        .order_by("username")
    )


def assignable_users(merchant: Merchant) -> QuerySet:
    """Agents and supervisors not yet assigned to this merchant."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[AGENT, SUPERVISOR], is_active=True)
        .exclude(merchant_assignments__merchant=merchant)
        .distinct()
        .order_by("username")
    )
