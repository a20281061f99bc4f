"""Test connection: each kind of failure is told as what it is, in the UI language, with what to
check. Real failures only: an unresolvable host, a closed port, a TLS server whose certificate is
not trusted, a server that never answers."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation

from console.models import AuditEvent
from devtools.keygen import generate_merchant_keypair
from merchants.models import Merchant
from merchants.services import clients, credential_add, merchant_test_connection
from tests.merchants.conftest import parsed_from
from tests.merchants.test_sandbox_calls import parsed_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick_timeouts(monkeypatch):
    monkeypatch.setattr(clients, "TIMEOUT", (1.0, 1.0))


def merchant_at(material, base_url: str) -> Merchant:
    merchant = Merchant.objects.create(
        mchid="1900000109", name="Merchant A", api_base_url=base_url, backup_api_base_url=""
    )
    credential_add(merchant=merchant, parsed=parsed_from(material))
    return merchant


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections (the kernel's backlog does) and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def untrusted_tls_server(tmp_path) -> Iterator[int]:
    """A TLS server with a self-signed certificate that no CA vouches for."""
    pair = generate_merchant_keypair("1900000109")
    (tmp_path / "cert.pem").write_text(pair.certificate_pem)
    (tmp_path / "key.pem").write_text(pair.private_key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(10)

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        try:
            with context.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass  # the client rejects our certificate: that is the point

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()
    thread.join(timeout=5)


def explained(merchant: Merchant) -> tuple[str, str]:
    with translation.override("zh-hans"):
        result = merchant_test_connection(merchant=merchant)
        assert not result.ok
        return result.code, result.explain()


def assert_plain(text: str) -> None:
    for raw in ("HTTPSConnectionPool", "HTTPConnectionPool", "NameResolutionError", "Errno"):
        assert raw not in text
    assert "微信支付返回" not in text  # our side failed: never blame WeChat Pay


def test_an_unresolvable_host_is_a_dns_failure_on_our_side(material):
    merchant = merchant_at(material, "https://wechatpay-host.invalid")

    code, text = explained(merchant)

    assert code == "DNS_FAILED"
    assert "wechatpay-host.invalid" in text and "DNS" in text and "检查" in text
    assert_plain(text)
    event = AuditEvent.objects.get(action="merchant.connection_tested")
    assert event.changes["code"] == "DNS_FAILED"


def test_a_closed_port_is_a_refused_connection(material):
    merchant = merchant_at(material, f"http://127.0.0.1:{closed_port()}")

    code, text = explained(merchant)

    assert code == "CONNECTION_REFUSED"
    assert "拒绝" in text and "检查" in text
    assert_plain(text)


def test_a_server_that_never_answers_is_a_timeout(material, silent_server, quick_timeouts):
    merchant = merchant_at(material, f"http://127.0.0.1:{silent_server}")

    code, text = explained(merchant)

    assert code == "TIMEOUT"
    assert "未在规定时间内" in text and "检查" in text
    assert_plain(text)


def test_an_untrusted_certificate_is_a_tls_failure(material, untrusted_tls_server):
    merchant = merchant_at(material, f"https://127.0.0.1:{untrusted_tls_server}")

    code, text = explained(merchant)

    assert code == "TLS_FAILED"
    assert "TLS" in text and "证书" in text
    assert_plain(text)


def test_wechat_pays_own_error_code_is_quoted_with_what_to_check(sandbox_merchant):
    wrong = generate_merchant_keypair(
        sandbox_merchant.mchid, serial=int(sandbox_merchant.serial_no, 16)
    )
    merchant = Merchant.objects.create(
        mchid=sandbox_merchant.mchid, name="Wrong key",
        api_base_url=sandbox_merchant.base_url, backup_api_base_url="",
    )  # fmt: skip
    credential_add(
        merchant=merchant,
        parsed=parsed_for(
            sandbox_merchant,
            private_key_pem=wrong.private_key_pem,
            certificate_pem=wrong.certificate_pem,
        ),
    )

    code, text = explained(merchant)

    assert code == "SIGN_ERROR"
    assert text.startswith("微信支付返回 SIGN_ERROR")
    assert "Request-ID" in text and "私钥" in text


def test_the_page_says_the_failure_in_chinese(client, admin_user, material):
    merchant = merchant_at(material, "https://wechatpay-host.invalid")
    client.force_login(admin_user)

    response = client.post(reverse("merchants:test_connection", args=[merchant.pk]), follow=True)

    body = response.content.decode()
    assert response.status_code == 200
    assert "DNS" in body and "wechatpay-host.invalid" in body
    assert_plain(body)


# --- notification URL: warn before registering an address WeChat Pay cannot reach -----------


@pytest.fixture
def real_host_merchant(db) -> Merchant:
    return Merchant.objects.create(mchid="1900000109", name="Merchant A")  # WeChat Pay's host


@pytest.mark.parametrize(
    "public_url",
    ["http://console.example.com", "https://127.0.0.1:8000", "https://10.1.2.3", "https://console"],
)
def test_registering_an_unreachable_url_with_real_wechat_warns_and_calls_nothing(
    client, admin_user, real_host_merchant, public_url, settings
):
    settings.CONSOLE_PUBLIC_URL = public_url
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("merchants:callback", args=[real_host_merchant.pk])

    response = client.post(url, {"action": "register"}, follow=True)

    body = response.content.decode()
    assert "Nothing was registered" in body
    assert not AuditEvent.objects.filter(action="merchant.callback_registered").exists()
    assert 'data-testid="callback-problem"' in body


def test_registering_anyway_after_the_warning_makes_the_call(
    client, admin_user, real_host_merchant
):
    client.force_login(admin_user)
    url = reverse("merchants:callback", args=[real_host_merchant.pk])

    client.post(url, {"action": "register", "confirm_unreachable": "1"})

    # No credentials, so the call stops before the network, but it was attempted and audited.
    event = AuditEvent.objects.get(action="merchant.callback_registered")
    assert event.changes["code"] == "NO_CREDENTIALS"


def test_a_public_https_url_or_a_sandbox_host_gets_no_warning(
    client, admin_user, real_host_merchant, settings
):
    settings.CONSOLE_PUBLIC_URL = "https://console.example.com"
    client.force_login(admin_user)
    detail = reverse("merchants:detail", args=[real_host_merchant.pk])
    assert 'data-testid="callback-problem"' not in client.get(detail).content.decode()

    settings.CONSOLE_PUBLIC_URL = "http://127.0.0.1:8000"
    Merchant.objects.filter(pk=real_host_merchant.pk).update(api_base_url="http://127.0.0.1:8090")
    assert 'data-testid="callback-problem"' not in client.get(detail).content.decode()
