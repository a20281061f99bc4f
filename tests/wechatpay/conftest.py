"""Fixtures for the wechatpay client tests: the known-answer vectors, their keys, and a local
recording HTTP server that answers like WeChat Pay (signed with the test platform key)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.wechatpay.recording_server import RecordingServer
from wechatpay import Client, MerchantCredentials, Verifier, crypto

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"


def read_key(relative: str) -> str:
    return (VECTORS_DIR / relative).read_text()


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    return json.loads((VECTORS_DIR / "vectors.json").read_text())


@pytest.fixture(scope="session")
def merchant_pem(vectors: dict[str, Any]) -> str:
    return read_key(vectors["merchant"]["private_key"])


@pytest.fixture(scope="session")
def credentials(vectors: dict[str, Any], merchant_pem: str) -> MerchantCredentials:
    merchant = vectors["merchant"]
    return MerchantCredentials(
        mchid=merchant["mchid"],
        serial_no=merchant["serial_no"],
        private_key_pem=merchant_pem,
        apiv3_key=vectors["apiv3_key"],
    )


@pytest.fixture(scope="session")
def platform_private_key(vectors: dict[str, Any]) -> Any:
    return crypto.load_private_key(read_key("keys/platform_private_key.pem"))


@pytest.fixture(scope="session")
def public_key_id(vectors: dict[str, Any]) -> str:
    return vectors["platform"]["public_key_id"]


def make_verifier(
    vectors: dict[str, Any], clock: Any = time.time, *, certs: bool = True
) -> Verifier:
    platform = vectors["platform"]
    return Verifier(
        public_keys={platform["public_key_id"]: read_key(platform["public_key"])},
        certificates={platform["certificate_serial_no"]: read_key(platform["certificate"])}
        if certs
        else None,
        clock=clock,
    )


@pytest.fixture
def verifier(vectors: dict[str, Any]) -> Verifier:
    return make_verifier(vectors)


@pytest.fixture
def server(platform_private_key: Any, public_key_id: str) -> Iterator[RecordingServer]:
    srv = RecordingServer(platform_private_key, public_key_id).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(
    credentials: MerchantCredentials, verifier: Verifier, server: RecordingServer
) -> Iterator[Client]:
    with Client(
        credentials,
        verifier,
        base_url=server.base_url,
        backup_url=None,
        timeout=(2.0, 5.0),
        user_agent="complaint-console-tests/0.1",
    ) as c:
        yield c


# The sandbox process and its per-test merchant (tests/fixtures/sandbox.py), for the end-to-end
# tests. Imported here rather than listed in pytest_plugins, which only the root conftest may do.
from tests.fixtures.sandbox import SandboxMerchant  # noqa: E402, F401


def sandbox_client(merchant: SandboxMerchant, *, public_key: bool = True, **kwargs: Any) -> Client:
    verifier = Verifier(
        public_keys={merchant.platform_public_key_id: merchant.platform_public_key_pem}
        if public_key
        else None,
        certificates={merchant.platform_certificate_serial: merchant.platform_certificate_pem},
    )
    credentials = MerchantCredentials(
        mchid=merchant.mchid,
        serial_no=kwargs.pop("serial_no", merchant.serial_no),
        private_key_pem=merchant.private_key_pem,
        apiv3_key=merchant.apiv3_key,
    )
    kwargs.setdefault("backup_url", None)
    kwargs.setdefault("user_agent", "complaint-console-tests/0.1")
    return Client(credentials, verifier, base_url=merchant.base_url, **kwargs)
