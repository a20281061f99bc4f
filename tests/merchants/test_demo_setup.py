import socket
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from merchants.models import CredentialSet, Merchant
from merchants.services import merchant_test_connection

pytestmark = pytest.mark.django_db


def run_demo_setup() -> str:
    out = StringIO()
    call_command("demo_setup", stdout=out)
    return out.getvalue()


def test_demo_setup_gives_the_demo_merchant_working_sandbox_credentials(sandbox, settings):
    settings.SANDBOX_URL = sandbox.base_url

    output = run_demo_setup()

    merchant = Merchant.objects.get(mchid="1900000109")
    active = merchant.credentials.get(status=CredentialSet.Status.ACTIVE)
    assert merchant.api_base_url == sandbox.base_url
    assert active.wechatpay_public_key_id.startswith("PUB_KEY_ID_")
    assert "credentials stored" in output
    assert merchant_test_connection(merchant=merchant).ok
    merchant.refresh_from_db()
    assert merchant.callback_status == "registered"
    assert merchant.callback_url.startswith(settings.CONSOLE_PUBLIC_URL)  # the run's own port


def test_demo_setup_run_again_keeps_the_same_credentials(sandbox, settings):
    settings.SANDBOX_URL = sandbox.base_url
    run_demo_setup()
    first = CredentialSet.objects.get()

    output = run_demo_setup()

    assert list(CredentialSet.objects.all()) == [first]
    assert "registered at" in output


def test_demo_setup_without_a_sandbox_says_so_and_still_creates_users(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.SANDBOX_URL = f"http://127.0.0.1:{port}"

    output = run_demo_setup()

    assert "is not reachable" in output
    assert "run `manage.py demo_setup` again" in output
    assert get_user_model().objects.filter(username="agent").exists()
    assert not CredentialSet.objects.exists()


def test_demo_setup_gives_supervisors_templates_and_a_switched_off_rule_once(sandbox, settings):
    from automation.models import AutoReplyRule
    from automation.services.rules import rule_content_errors
    from messaging.models import ReplyTemplate

    settings.SANDBOX_URL = sandbox.base_url
    run_demo_setup()
    run_demo_setup()

    merchant = Merchant.objects.get(mchid="1900000109")
    names = set(ReplyTemplate.objects.filter(merchant=merchant).values_list("name", flat=True))
    assert names == {"首次致歉", "退款说明"}
    (rule,) = AutoReplyRule.objects.filter(merchant=merchant)
    assert not rule.enabled
    assert rule.template.name == "首次致歉"
    assert (
        rule_content_errors(
            template=rule.template, response_text=rule.response_text, immediate=rule.immediate
        )
        == []
    )
