"""What went wrong with a call to WeChat Pay, in the admin's language, with what to check.

A failure on our side of the wire (DNS, TLS, timeout, refused port) is never presented as an
answer from WeChat Pay; WeChat Pay's own error codes are quoted with their Request-ID.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

import wechatpay
from wechatpay.client_images import OFFICIAL_HOSTS

# CallResult.kind: who failed.
WECHAT = "wechat"  # WeChat Pay answered with an error code
CREDENTIALS = "credentials"  # nothing to sign with
VERIFICATION = "verification"  # an answer came but is not provably from WeChat Pay
INVALID = "invalid"  # refused locally before sending

TRANSPORT_CODES = {
    wechatpay.TransportError.DNS: "DNS_FAILED",
    wechatpay.TransportError.TLS: "TLS_FAILED",
    wechatpay.TransportError.TIMEOUT: "TIMEOUT",
    wechatpay.TransportError.REFUSED: "CONNECTION_REFUSED",
    wechatpay.TransportError.NETWORK: "CONNECTION_FAILED",
}


def transport_message(kind: str, host: str) -> str:
    """Our side could not talk to `host`: say what failed and what to check."""
    host = urlsplit(host).netloc or host or _("the API host")
    if kind == wechatpay.TransportError.DNS:
        text = _(
            "The host name %(host)s could not be resolved (DNS), so nothing reached WeChat Pay. "
            "Check this server's DNS and network settings, and the merchant's API host."
        )
    elif kind == wechatpay.TransportError.TLS:
        text = _(
            "A secure (TLS) connection to %(host)s could not be set up: its certificate was not "
            "accepted or the handshake failed. Check the merchant's API host, any proxy that "
            "intercepts HTTPS, this server's clock and its CA certificates."
        )
    elif kind == wechatpay.TransportError.TIMEOUT:
        text = _(
            "%(host)s did not answer in time. Check this server's outbound network, firewall "
            "and proxy, then try again."
        )
    elif kind == wechatpay.TransportError.REFUSED:
        text = _(
            "%(host)s refused the connection. Check the merchant's API host and port, and any "
            "firewall between this server and WeChat Pay."
        )
    else:
        text = _(
            "The connection to %(host)s failed. Check this server's outbound network, then "
            "try again."
        )
    return text % {"host": host}


def wechat_hint(code: str, status: int | None) -> str:
    """What to check for WeChat Pay's common error codes ("" when we have nothing useful)."""
    hints = {
        "SIGN_ERROR": _(
            "Check the certificate serial and the private key of the active credential set."
        ),
        "NO_AUTH": _(
            "Check in WeChat Pay's merchant platform that this merchant may use the complaint API."
        ),
        "INVALID_REQUEST": _("Check the merchant ID and the credential set."),
        "FREQUENCY_LIMITED": _("Too many calls: wait a minute, then try again."),
        "RATELIMIT_EXCEEDED": _("Too many calls: wait a minute, then try again."),
    }
    if code in hints:
        return hints[code]
    if status is not None and status >= 500:
        return _("WeChat Pay had a problem of its own: try again later.")
    return ""


def notification_url_problem(api_base_url: str, url: str) -> str:
    """Why WeChat Pay (the real one) could not post to `url`; "" when it looks reachable.

    Only a merchant that talks to WeChat Pay's own hosts is checked: the sandbox and test hosts
    happily post to a local console."""
    if urlsplit(api_base_url).hostname not in OFFICIAL_HOSTS:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        return _(
            "WeChat Pay only posts notifications to HTTPS addresses, and %(url)s is not one. "
            "Set CONSOLE_PUBLIC_URL to this console's public https:// address."
        ) % {"url": url}
    if _is_internal(host):
        return _(
            "%(host)s is not reachable from the internet, so WeChat Pay cannot post to %(url)s. "
            "Set CONSOLE_PUBLIC_URL to this console's public address."
        ) % {"host": host, "url": url}
    return ""


def _is_internal(host: str) -> bool:
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare intranet name
    return not address.is_global
