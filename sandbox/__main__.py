"""Command line: `python -m sandbox [serve] ...` runs the simulator; `python -m sandbox seed ...`
registers a merchant with a running sandbox and creates demo complaints.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090
DEFAULT_DATA_DIR = "var/sandbox"
DEFAULT_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"


def _serve_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help="state and platform keys")
    parser.add_argument("--no-rate-limits", action="store_true", help="switch rate limits off")
    parser.add_argument(
        "--notify-time-scale",
        type=float,
        default=1.0,
        help="multiply notification retry delays (0.01 = 100x faster)",
    )
    parser.add_argument(
        "--push-merchant-actions",
        action="store_true",
        help="also notify for the merchant's own replies/completions (WeChat no longer does)",
    )
    parser.add_argument(
        "--notification-signer", choices=("public_key", "certificate"), default="public_key"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")


def _seed_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=DEFAULT_URL, help="base URL of the running sandbox")
    parser.add_argument(
        "--vectors",
        default=None,
        help="tests/vectors directory: take mchid, serial, certificate and APIv3 key from it",
    )
    parser.add_argument("--mchid")
    parser.add_argument("--certificate", help="merchant API certificate PEM file")
    parser.add_argument("--public-key", help="merchant API public key PEM file (instead)")
    parser.add_argument("--serial", help="merchant API certificate serial (hex)")
    parser.add_argument("--apiv3-key")
    parser.add_argument("--count", type=int, default=8, help="ordinary complaints to create")
    parser.add_argument(
        "--immediate", type=int, default=3, help="complaints that need immediate service"
    )
    parser.add_argument("--refund", type=int, default=2, help="refund-request complaints")


def serve(args: argparse.Namespace) -> None:
    from sandbox.app import Sandbox, Settings
    from sandbox.server import SandboxHTTPServer

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    settings = Settings(
        rate_limits=not args.no_rate_limits,
        push_merchant_actions=args.push_merchant_actions,
        notify_time_scale=args.notify_time_scale,
        notification_signer=args.notification_signer,
    )
    app = Sandbox(Path(args.data_dir), settings)
    server = SandboxHTTPServer((args.host, args.port), app)
    app.start()
    host, port = server.server_address[:2]
    logging.getLogger("sandbox").info(
        "WeChat Pay sandbox on http://%s:%s (data dir %s, public key id %s)",
        host,
        port,
        args.data_dir,
        app.platform.public_key_id,
    )
    # `kill -USR1` writes every thread's stack to stderr: how a stuck sandbox explains itself.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # SIGTERM must stop serve_forever from another thread, or shutdown() deadlocks.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.stop()


def _post(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    import requests

    answer = requests.post(url, json=payload, timeout=30)
    if answer.status_code != 200:
        sys.exit(f"the sandbox refused {url}: {answer.status_code} {answer.text}")
    return answer.json()


def _merchant_from_args(args: argparse.Namespace) -> dict[str, Any]:
    merchant: dict[str, Any] = {}
    if args.vectors:
        root = Path(args.vectors)
        vectors = json.loads((root / "vectors.json").read_text())
        merchant = {
            "mchid": vectors["merchant"]["mchid"],
            "certificate_serial": vectors["merchant"]["serial_no"],
            "certificate_pem": (root / vectors["merchant"]["certificate"]).read_text(),
            "apiv3_key": vectors["apiv3_key"],
        }
    if args.mchid:
        merchant["mchid"] = args.mchid
    if args.certificate:
        merchant["certificate_pem"] = Path(args.certificate).read_text()
    if args.public_key:
        merchant["public_key_pem"] = Path(args.public_key).read_text()
    if args.serial:
        merchant["certificate_serial"] = args.serial
    if args.apiv3_key:
        merchant["apiv3_key"] = args.apiv3_key
    missing = {"mchid", "apiv3_key"} - set(merchant)
    if missing or not ({"certificate_pem", "public_key_pem"} & set(merchant)):
        sys.exit("seed needs --vectors DIR, or --mchid, --apiv3-key and --certificate/--public-key")
    return merchant


def seed(args: argparse.Namespace) -> None:
    base = args.url.rstrip("/")
    merchant = _merchant_from_args(args)
    platform = _post(base + "/_sandbox/merchants", merchant)
    created: list[str] = []
    batches = [
        {"count": args.count},
        {"count": args.immediate, "need_immediate_service": True},
        {"count": args.refund, "problem_type": "REFUND"},
    ]
    for batch in batches:
        if batch["count"] > 0:
            answer = _post(
                base + "/_sandbox/complaints", {"complainted_mchid": merchant["mchid"], **batch}
            )
            created += answer["complaint_ids"]
    print(json.dumps({**platform, "complaint_ids": created}, ensure_ascii=False, indent=2))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    _serve_parser(commands.add_parser("serve", help="run the simulator (the default)"))
    _seed_parser(commands.add_parser("seed", help="register a merchant and create complaints"))
    if not argv or argv[0] not in ("serve", "seed", "-h", "--help"):
        argv.insert(0, "serve")
    args = parser.parse_args(argv)
    if args.command == "seed":
        seed(args)
    else:
        serve(args)


if __name__ == "__main__":
    main()
