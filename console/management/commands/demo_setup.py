"""Create one demo user per role (passwords printed once) and the demo merchant."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from console.roles import ADMIN, AGENT, SUPERVISOR
from console.services import user_set_roles
from merchants.models import Merchant, MerchantAssignment

DEMO_USERS = [
    ("agent", "演示坐席", AGENT),
    ("agent2", "演示坐席二", AGENT),
    ("supervisor", "演示主管", SUPERVISOR),
    ("admin", "演示管理员", ADMIN),
]
DEMO_MCHID = "1900000109"


class Command(BaseCommand):
    help = "Create the demo users (one per role) and the demo merchant. Safe to run again."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            merchant, _ = Merchant.objects.get_or_create(
                mchid=DEMO_MCHID, defaults={"name": "演示商户"}
            )
            created = [
                self._user(username, name, role, merchant) for username, name, role in DEMO_USERS
            ]
        created = [row for row in created if row]
        if created:
            self.stdout.write(self.style.SUCCESS("Demo users (passwords are shown only once):"))
            for username, password, role in created:
                self.stdout.write(f"  {role:<11} {username:<11} {password}")
        else:
            self.stdout.write("Demo users already exist (passwords were printed when created).")

    def _user(self, username: str, name: str, role: str, merchant: Merchant):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            return None
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(
            username=username, password=password, first_name=name, is_staff=(role == ADMIN)
        )
        user_set_roles(user=user, roles=[role])
        if role in (AGENT, SUPERVISOR):
            MerchantAssignment.objects.create(user=user, merchant=merchant)
        return username, password, role
