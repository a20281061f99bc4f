"""Create one demo user per role (passwords printed once) and the demo merchant, with API
credentials registered at the sandbox (a generated merchant key and self-signed certificate,
stored encrypted) and its notification URL."""

import datetime
import secrets

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from automation.services import rule_save
from complaints.services.sync import merchant_sync
from console.roles import ADMIN, AGENT, SUPERVISOR
from console.services import user_set_roles
from devtools.demo_sandbox import sandbox_running
from devtools.keygen import generate_apiv3_key, generate_merchant_keypair
from merchants.credentials import CredentialError, parse_credentials
from merchants.models import CredentialSet, Merchant, MerchantAssignment
from merchants.services import (
    callback_register,
    credential_activate,
    credential_add,
    credential_retire,
)
from messaging.services.templates import template_save, template_validate

DEMO_USERS = [
    ("agent", "演示客服", AGENT),
    ("agent2", "演示客服二", AGENT),
    ("supervisor", "演示主管", SUPERVISOR),
    ("admin", "演示管理员", ADMIN),
]
DEMO_MCHID = "1900000109"


# Reply templates for the demo merchant (name, description, NormalMessage blocks).
DEMO_TEMPLATES = [
    (
        "首次致歉",
        "第一次回复：致歉并说明处理时限",
        [
            {"type": "TEXT", "text": {"text": "您好，很抱歉给您带来不便。"}},
            {
                "type": "TEXT",
                "text": {
                    "text": "我们已收到您关于订单 {{ order_number }} 的投诉，专员正在核实，"
                    "将在 24 小时内给您答复。",
                },
            },
            {
                "type": "BUTTON",
                "button": {
                    "text": "问题已解决",
                    "action": {
                        "action_type": "ACTION_TYPE_SEND_MESSAGE",
                        "message_info": {"content": "我的问题已解决"},
                        "action_id": "resolved",
                    },
                },
            },
        ],
    ),
    (
        "退款说明",
        "申请退款：金额与到账时间",
        [
            {
                "type": "TEXT",
                "text": {
                    "text": "您申请的 {{ refund_amount }} 元退款已受理，"
                    "预计 1–3 个工作日原路退回。",
                    "is_bold": True,
                },
            },
            {
                "type": "FAQ_LIST",
                "faq_list": {
                    "faqs": [
                        {
                            "faq_id": "refund-when",
                            "faq_title": "退款多久到账？",
                            "action": {
                                "action_type": "ACTION_TYPE_SEND_MESSAGE",
                                "message_info": {"content": "退款多久到账？"},
                                "action_id": "refund-when",
                            },
                        },
                        {
                            "faq_id": "refund-where",
                            "faq_title": "退款退到哪里？",
                            "action": {
                                "action_type": "ACTION_TYPE_SEND_MESSAGE",
                                "message_info": {"content": "退款退到哪里？"},
                                "action_id": "refund-where",
                            },
                        },
                    ]
                },
            },
        ],
    ),
]
# Demo complaints created at the sandbox on first setup: (count, need_immediate_service, type)
DEMO_COMPLAINTS = [(8, False, "OTHERS"), (3, True, "SERVICE_NOT_WORK"), (2, False, "REFUND")]


class Command(BaseCommand):
    help = "Create the demo users (one per role) and the demo merchant. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--start-sandbox",
            action="store_true",
            help="start the sandbox (var/sandbox) for the length of the setup if it is not running",
        )

    def handle(self, *args, **options) -> None:
        if not options["start_sandbox"]:
            self._setup()
            return
        with sandbox_running(settings.SANDBOX_URL, settings.VAR_DIR / "sandbox") as up:
            if not up:
                self.stdout.write(
                    self.style.WARNING(f"Could not start the sandbox at {settings.SANDBOX_URL}.")
                )
            self._setup()
            if up:
                self._demo_complaints()

    def _demo_complaints(self) -> None:
        """Create demo complaints at the sandbox once, then sync them in right away."""
        merchant = Merchant.objects.get(mchid=DEMO_MCHID)
        if merchant.complaints.exists() or not merchant.credentials.exists():
            return
        url = settings.SANDBOX_URL.rstrip("/") + "/_sandbox/complaints"
        for count, immediate, problem_type in DEMO_COMPLAINTS:
            requests.post(
                url,
                timeout=30,
                json={
                    "complainted_mchid": merchant.mchid,
                    "count": count,
                    "need_immediate_service": immediate,
                    "problem_type": problem_type,
                },
            ).raise_for_status()
        result = merchant_sync(merchant=merchant)
        self.stdout.write(self.style.SUCCESS(f"Demo complaints synced: {result.changed}."))

    def _setup(self) -> None:
        with transaction.atomic():
            merchant, _ = Merchant.objects.get_or_create(
                mchid=DEMO_MCHID, defaults={"name": "演示商户"}
            )
            # The demo merchant talks to the sandbox, never to WeChat Pay itself.
            merchant.api_base_url = settings.SANDBOX_URL
            merchant.backup_api_base_url = ""
            merchant.save(update_fields=["api_base_url", "backup_api_base_url", "updated_at"])
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
        self._reply_library(merchant)
        self._credentials(merchant)

    def _reply_library(self, merchant: Merchant) -> None:
        """Two reply templates and an automatic acknowledgement rule, switched off (a supervisor
        tries it on past complaints and switches it on), the first time only."""
        if merchant.reply_templates.exists():
            return
        supervisor = get_user_model().objects.filter(username="supervisor").first()
        templates = []
        for name, description, blocks in DEMO_TEMPLATES:
            result = template_validate(blocks)
            if not result.ok:  # a demo template that fails the schema is a bug here
                raise CommandError(f"demo template {name}: {result.errors}")
            templates.append(
                template_save(
                    merchant=merchant, name=name, description=description, blocks=blocks,
                    user=supervisor,
                )
            )  # fmt: skip
        rule_save(
            merchant=merchant,
            user=supervisor,
            values={
                "name": "需即时服务：立即致歉", "priority": 10, "immediate": "yes",
                "problem_types": [], "refund": "any", "keywords": "", "hours": "any",
                "work_start": datetime.time(9, 0), "work_end": datetime.time(18, 0),
                "work_days": [0, 1, 2, 3, 4], "template": templates[0], "response_text": "",
            },
        )  # fmt: skip
        self.stdout.write("Demo reply templates and an automatic reply rule (switched off).")

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

    def _credentials(self, merchant: Merchant) -> None:
        """Register the merchant's key with the sandbox and store what it answers.

        Safe to run again: an existing active set is re-registered (the sandbox may have been
        reset), and if the sandbox's platform keys changed, a new set replaces it (rotation).
        """
        active = merchant.credentials.filter(status=CredentialSet.Status.ACTIVE).first()
        if active is not None:
            private_key_pem, certificate_pem = active.private_key_pem, active.certificate_pem
            apiv3_key = active.apiv3_key
        else:
            pair = generate_merchant_keypair(merchant.mchid)
            private_key_pem, certificate_pem = pair.private_key_pem, pair.certificate_pem
            apiv3_key = generate_apiv3_key()
        platform = self._register(merchant, certificate_pem, apiv3_key)
        if platform is None:
            return
        if active is not None and self._same_platform(active, platform):
            self.stdout.write(
                f"Demo merchant credentials are registered at {settings.SANDBOX_URL}."
            )
        else:
            self._store(merchant, active, private_key_pem, certificate_pem, apiv3_key, platform)
        result = callback_register(merchant=merchant)
        if result.ok:
            self.stdout.write(f"Notification URL registered: {result.data['url']}")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Notification URL not registered: {result.code} {result.message}"
                )
            )

    def _register(self, merchant: Merchant, certificate_pem: str, apiv3_key: str):
        url = settings.SANDBOX_URL.rstrip("/") + "/_sandbox/merchants"
        body = {
            "mchid": merchant.mchid,
            "kind": "partner" if merchant.kind == Merchant.Kind.PROVIDER else "merchant",
            "sub_mchids": merchant.sub_mchids,
            "certificate_pem": certificate_pem,
            "apiv3_key": apiv3_key,
        }
        try:
            response = requests.post(url, json=body, timeout=10)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            self.stdout.write(
                self.style.WARNING(
                    f"The WeChat Pay sandbox at {settings.SANDBOX_URL} is not reachable ({exc}).\n"
                    "The demo merchant has no working API credentials yet: start the sandbox "
                    "(python -m sandbox) and run `manage.py demo_setup` again."
                )
            )
            return None

    @staticmethod
    def _same_platform(active: CredentialSet, platform: dict) -> bool:
        serials = {cert["serial"] for cert in active.platform_certificates}
        return (
            active.wechatpay_public_key_id == platform["public_key_id"]
            and platform["certificate_serial"] in serials
        )

    def _store(self, merchant, active, private_key_pem, certificate_pem, apiv3_key, platform):
        try:
            parsed = parse_credentials(
                private_key_pem=private_key_pem,
                certificate_pem=certificate_pem,
                apiv3_key=apiv3_key,
                wechatpay_public_key_id=platform["public_key_id"],
                wechatpay_public_key_pem=platform["public_key_pem"],
                platform_certificates_pem=platform["certificate_pem"],
            )
        except CredentialError as exc:
            self.stdout.write(self.style.ERROR(f"The sandbox's platform keys are unusable: {exc}"))
            return
        with transaction.atomic():
            new_set = credential_add(merchant=merchant, parsed=parsed)
            if active is not None:
                credential_activate(credential_set=new_set)
                credential_retire(credential_set=active)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo merchant {merchant.mchid} credentials stored (certificate "
                f"{parsed.certificate_serial}, "
                f"WeChat Pay public key {parsed.wechatpay_public_key_id})."
            )
        )
