"""A test run reaches only ports it chose: never `make run`'s console (:8000) or sandbox (:8090),
which a developer may be running beside `make test`."""

import io
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.fixtures.sandbox import FOREIGN_PORTS, foreign_notify_urls, port_of


def test_the_consoles_public_url_in_tests_is_a_port_the_run_holds_and_never_answers():
    url = urlsplit(settings.CONSOLE_PUBLIC_URL)

    assert url.hostname == "127.0.0.1" and url.port not in FOREIGN_PORTS
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.settimeout(5)
        probe.connect(("127.0.0.1", url.port))
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", url.port))  # held: nothing else can start there


@pytest.mark.django_db
def test_the_test_sandbox_notifies_nothing_on_the_ports_of_make_run(sandbox, settings):
    settings.SANDBOX_URL = sandbox.base_url
    call_command("demo_setup", stdout=io.StringIO())  # registers the demo merchant
    sandbox.control.create_complaints("1900000109")  # and has it notified

    assert foreign_notify_urls(sandbox) == set()
    urls = {n["url"] for n in sandbox.control.notifications(mchid="1900000109")}
    assert urls and all(port_of(url) not in FOREIGN_PORTS for url in urls)


def test_the_guard_sees_a_notification_url_on_port_8000(sandbox, sandbox_merchant):
    """The check the session's sandbox runs at the end of every run can fail."""
    from tests.sandbox.signing import Signer

    notify = "/v3/merchant-service/complaint-notifications"
    signer = Signer(sandbox_merchant)
    assert signer.call("POST", notify, {"url": "http://127.0.0.1:8000/hook"}).status_code == 200
    try:
        assert foreign_notify_urls(sandbox) == {"http://127.0.0.1:8000/hook"}
    finally:
        assert signer.call("DELETE", notify).status_code == 204

    assert foreign_notify_urls(sandbox) == set()
