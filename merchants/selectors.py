"""Who may act for which merchant. Every merchant-scoped query starts here."""

from django.db.models import QuerySet

from merchants.models import Merchant


def merchants_visible_to(user) -> QuerySet[Merchant]:
    """The merchants a user works for: only by assignment (admins included)."""
    if not user.is_authenticated:
        return Merchant.objects.none()
    return Merchant.objects.filter(assignments__user=user)


def merchant_ids_visible_to(user) -> QuerySet:
    return merchants_visible_to(user).values("pk")
