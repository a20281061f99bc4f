"""The one place the console turns stored credentials into a WeChat Pay client or verifier."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

import wechatpay
from merchants.credentials import CERT_BLOCK as _CERT_BLOCK
from merchants.models import CredentialSet, Merchant
from wechatpay.crypto import CryptoError, load_private_key

USER_AGENT = "complaint-console/0.1"
TIMEOUT = (3.05, 10.0)
Status = CredentialSet.Status
# "Last successful call" is written at most this often per merchant and process (busy workers
# would otherwise update the merchant row on every delivered reply).
SUCCESS_WRITE_INTERVAL = 10.0
logger = logging.getLogger(__name__)


class NoActiveCredentials(Exception):
    """The merchant has no active credential set, so nothing can be signed."""

    def __init__(self, merchant: Merchant) -> None:
        self.mchid = merchant.mchid
        super().__init__(
            _("Merchant %(mchid)s has no active API credentials: add and activate a set first.")
            % {"mchid": merchant.mchid}
        )


@dataclass
class _Cached:
    version: tuple
    client: wechatpay.Client


_lock = threading.Lock()
_clients: dict[int, _Cached] = {}
# Parsed private keys by (set, last change): parsing a PEM RSA key costs ~50 ms, and a sync
# decrypts one payer_phone per complaint.
_private_keys: dict[tuple[int, object], object] = {}


def _usable_sets(merchant: Merchant) -> list[CredentialSet]:
    """Non-retired sets, active first, then newest first."""
    sets = list(merchant.credentials.exclude(status=Status.RETIRED).order_by("-created_at", "-id"))
    return sorted(sets, key=lambda s: s.status != Status.ACTIVE)


def _version(merchant: Merchant) -> tuple:
    """Changes whenever a set is added, activated or retired, or the merchant's hosts change."""
    sets = (
        merchant.credentials.exclude(status=Status.RETIRED)
        .order_by("pk")
        .values_list("pk", "status", "updated_at")
    )
    return (merchant.mchid, merchant.api_base_url, merchant.backup_api_base_url, *sets)


def split_certificates(bundle: str) -> list[str]:
    return [m.group(0) + "\n" for m in _CERT_BLOCK.finditer(bundle or "")]


def build_verifier(sets: list[CredentialSet]) -> wechatpay.Verifier:
    """WeChat Pay public keys and platform certificates of every given set (rotation overlap).

    `sets` come active first. The verifier names its first public key id (or its last platform
    certificate) as the preferred `Wechatpay-Serial`, so the active set's keys are placed there.
    """
    verifier = wechatpay.Verifier()
    for credential_set in sets:
        key_id = credential_set.wechatpay_public_key_id
        if key_id and not verifier.knows(key_id):
            verifier.add_public_key(key_id, credential_set.wechatpay_public_key_pem)
    for credential_set in reversed(sets):
        for pem in split_certificates(credential_set.platform_certificates_pem):
            verifier.add_certificate(pem)
    return verifier


@sensitive_variables()
def _build_client(merchant: Merchant, sets: list[CredentialSet]) -> wechatpay.Client:
    if not sets or sets[0].status != Status.ACTIVE:
        raise NoActiveCredentials(merchant)
    active = sets[0]
    credentials = wechatpay.MerchantCredentials(
        mchid=merchant.mchid,
        serial_no=active.certificate_serial,
        private_key_pem=active.private_key_pem,
        apiv3_key=active.apiv3_key,
    )
    return wechatpay.Client(
        credentials,
        build_verifier(sets),
        base_url=merchant.api_base_url,
        backup_url=merchant.backup_api_base_url or None,
        timeout=TIMEOUT,
        user_agent=USER_AGENT,
        on_success=_success_recorder(merchant.pk),
    )


def wechatpay_client(merchant: Merchant) -> wechatpay.Client:
    """The merchant's client, signing with the active set and verifying with every
    non-retired set's keys. Cached per process; a rotation or host change builds a new one."""
    version = _version(merchant)
    with _lock:
        cached = _clients.get(merchant.pk)
        if cached is not None and cached.version == version:
            return cached.client
    client = _build_client(merchant, _usable_sets(merchant))
    with _lock:
        old = _clients.get(merchant.pk)
        _clients[merchant.pk] = _Cached(version, client)
    if old is not None and old.client is not client:
        old.client.close()  # calls in flight keep their connection; the pool just closes
    return client


def merchant_verifier(merchant: Merchant) -> wechatpay.Verifier:
    """For the webhook: WeChat Pay public keys and platform certificates of all non-retired sets,
    so a notification signed with either key verifies during a rotation."""
    return build_verifier(_usable_sets(merchant))


@sensitive_variables()
def merchant_apiv3_keys(merchant: Merchant) -> list[str]:
    """APIv3 keys of all non-retired sets, active first (try each to decrypt a notification)."""
    keys: list[str] = []
    for credential_set in _usable_sets(merchant):
        if credential_set.apiv3_key not in keys:
            keys.append(credential_set.apiv3_key)
    return keys


def merchant_apiv3_key(merchant: Merchant) -> str:
    """The active set's APIv3 key (older callers; prefer merchant_apiv3_keys)."""
    keys = merchant_apiv3_keys(merchant)
    if not keys:
        raise NoActiveCredentials(merchant)
    return keys[0]


@sensitive_variables()
def decrypt_payer_phone(merchant: Merchant, ciphertext: str) -> str:
    """Decrypt a complaint's payer_phone with the active key, then the other non-retired keys
    (WeChat may have encrypted it for the certificate that was current then). Never log it."""
    sets = _usable_sets(merchant)
    if not sets:
        raise NoActiveCredentials(merchant)
    error: wechatpay.PayerPhoneDecryptError | None = None
    for credential_set in sets:
        try:
            return wechatpay.decrypt_payer_phone(_private_key(credential_set), ciphertext)
        except wechatpay.PayerPhoneDecryptError as exc:
            error = exc
    assert error is not None
    raise error


@sensitive_variables()
def _private_key(credential_set: CredentialSet) -> object:
    """The set's parsed private key, cached per process until the set changes; an unreadable
    PEM is returned as it is, so decryption reports it as it always has."""
    version = (credential_set.pk, credential_set.updated_at)
    with _lock:
        key = _private_keys.get(version)
    if key is None:
        try:
            key = load_private_key(credential_set.private_key_pem)
        except CryptoError:
            return credential_set.private_key_pem
        with _lock:
            stale = [k for k in _private_keys if k[0] == credential_set.pk]
            for k in stale:
                del _private_keys[k]
            _private_keys[version] = key
    return key


def merchant_record_success(merchant: Merchant) -> None:
    """Note a verified answer from WeChat Pay (shown as "last successful call")."""
    now = timezone.now()
    Merchant.objects.filter(pk=merchant.pk).update(last_success_at=now)
    merchant.last_success_at = now


_success_lock = threading.Lock()
_success_written: dict[int, float] = {}


def _success_recorder(merchant_id: int):
    """The client's hook: every successful call (deliveries, sync, refreshes, uploads, tests)
    moves the merchant's "last successful call", throttled; a failure here never fails the call."""

    def record() -> None:
        now = time.monotonic()
        with _success_lock:
            last = _success_written.get(merchant_id)
            if last is not None and now - last < SUCCESS_WRITE_INTERVAL:
                return
            _success_written[merchant_id] = now
        try:
            Merchant.objects.filter(pk=merchant_id).update(last_success_at=timezone.now())
        except Exception:  # the call itself succeeded; the timestamp is a courtesy
            logger.exception("could not record merchant %s's last successful call", merchant_id)

    return record
