"""Signed-call throughput and client CPU: this client vs the wechatpayv3 SDK 2.0.4.

Starts the sandbox (a WeChat Pay simulator) in its own process, registers the test merchant, and
sends N immediate-service replies with each client (public-key mode, alternating blocks so both
see the same machine noise). Prints calls per second and the client process's CPU time per call,
next to the floor measured in the same run: one RSA-2048 sign plus one verify.

    .venv/bin/python bench/client.py [--calls 1000] [--block 100]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/ holds queue.py (another bench): never let it shadow the standard library's queue.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from wechatpayv3 import WeChatPay, WeChatPayType  # noqa: E402
from wechatpayv3.type import RequestType  # noqa: E402

from wechatpay import Client, MerchantCredentials, Verifier, crypto  # noqa: E402

VECTORS = ROOT / "tests" / "vectors"
MCHID = "1900000109"
MESSAGE = {
    "blocks": [
        {
            "type": "TEXT",
            "text": {"text": "您好，我们已收到您的投诉，正在为您处理。", "color": "DEFAULT"},
        },
        {
            "type": "BUTTON",
            "button": {
                "text": "已解决",
                "action": {
                    "action_type": "ACTION_TYPE_SEND_MESSAGE",
                    "message_info": {"content": "我的问题已解决"},
                    "action_id": "resolved",
                },
            },
        },
    ],
    "sender_identity": "MANUAL",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(data_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--data-dir", data_dir,
         "--no-rate-limits"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"sandbox exited with {process.returncode}")
        try:
            if requests.get(base + "/_sandbox/health", timeout=1).ok:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("sandbox did not become healthy within 30 s")


def setup_merchant(base: str) -> tuple[dict[str, str], dict[str, str], list[str]]:
    vectors = json.loads((VECTORS / "vectors.json").read_text())
    merchant = {
        "mchid": MCHID,
        "serial_no": vectors["merchant"]["serial_no"],
        "private_key_pem": (VECTORS / vectors["merchant"]["private_key"]).read_text(),
        "apiv3_key": vectors["apiv3_key"],
    }
    control = requests.Session()
    platform_keys = control.post(
        base + "/_sandbox/merchants",
        json={
            "mchid": MCHID,
            "certificate_serial": merchant["serial_no"],
            "certificate_pem": (VECTORS / vectors["merchant"]["certificate"]).read_text(),
            "apiv3_key": merchant["apiv3_key"],
        },
        timeout=30,
    ).json()
    answer = control.post(
        base + "/_sandbox/complaints",
        json={"complainted_mchid": MCHID, "count": 20, "need_immediate_service": True},
        timeout=30,
    ).json()
    return merchant, platform_keys, answer["complaint_ids"]


def our_sender(
    base: str, merchant: dict[str, str], keys: dict[str, str]
) -> Callable[[str, str], str]:
    client = Client(
        MerchantCredentials(**merchant),
        Verifier(public_keys={keys["public_key_id"]: keys["public_key_pem"]}),
        base_url=base,
        backup_url=None,
        user_agent="complaint-console-bench/0.1",
    )

    def send(complaint_id: str, idempotent_id: str) -> str:
        return client.respond_immediate_service(
            complaint_id, complainted_mchid=MCHID, message=MESSAGE, idempotent_id=idempotent_id
        )

    return send


def sdk_sender(
    base: str, merchant: dict[str, str], keys: dict[str, str]
) -> Callable[[str, str], str]:
    sdk = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=MCHID,
        private_key=merchant["private_key_pem"],
        cert_serial_no=merchant["serial_no"],
        appid="wxd678efh567hg6787",
        apiv3_key=merchant["apiv3_key"],
        public_key=keys["public_key_pem"],
        public_key_id=keys["public_key_id"],
        timeout=(3.05, 10.0),
    )
    sdk._core._gate_way = base

    def send(complaint_id: str, idempotent_id: str) -> str:
        path = f"/v3/merchant-service/complaints-v2/{complaint_id}/response-immediate-service"
        data = {"complainted_mchid": MCHID, "message": MESSAGE, "idempotent_id": idempotent_id}
        code, text = sdk._core.request(path, method=RequestType.POST, data=data)
        if code != 200:
            raise RuntimeError(f"SDK call failed: {code} {text}")
        return json.loads(text)["log_id"]

    return send


def measure_floor(merchant: dict[str, str], calls: int) -> float:
    """CPU seconds of one RSA-2048 sign (request) plus one verify (response)."""
    key = crypto.load_private_key(merchant["private_key_pem"])
    public = key.public_key()
    message = crypto.request_message("POST", "/v3/x", "1796000000", "N" * 32, json.dumps(MESSAGE))
    signature = crypto.sign(key, message)
    start = time.process_time()
    for _ in range(calls):
        crypto.sign(key, message)
        crypto.verify(public, message, signature)
    return (time.process_time() - start) / calls


def run(calls: int, block: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        process, base = start_sandbox(data_dir)
        try:
            merchant, keys, complaints = setup_merchant(base)
            senders = {
                "wechatpay": our_sender(base, merchant, keys),
                "wechatpayv3": sdk_sender(base, merchant, keys),
            }
            cpu = dict.fromkeys(senders, 0.0)
            wall = dict.fromkeys(senders, 0.0)
            for name, send in senders.items():  # warm up: imports, pools, first connections
                for i in range(20):
                    send(complaints[i % len(complaints)], f"warm-{name}-{i}")
            done = 0
            while done < calls:
                size = min(block, calls - done)
                for name, send in senders.items():
                    c0, w0 = time.process_time(), time.perf_counter()
                    for i in range(done, done + size):
                        send(complaints[i % len(complaints)], f"{name}-{i}")
                    cpu[name] += time.process_time() - c0
                    wall[name] += time.perf_counter() - w0
                done += size
            floor = measure_floor(merchant, calls)
        finally:
            process.terminate()
            process.wait(timeout=10)

    print(f"machine: cpus={os.cpu_count()} python={platform.python_version()} "
          f"{platform.platform()} loadavg={os.getloadavg()[0]:.2f} "
          f"date={datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}")  # fmt: skip
    print(
        f"server: sandbox in a separate process at {base}; {calls} signed immediate-service "
        "replies per client, verified responses, alternating blocks of {block}".format(block=block)
    )
    for name in senders:
        rate, per_call = calls / wall[name], cpu[name] / calls * 1000
        print(f"{name:12s} {rate:8.1f} calls/s  {per_call:6.3f} ms CPU/call")
    floor_ms = floor * 1000
    print(f"{'floor':12s} {'':8s}          {floor_ms:6.3f} ms CPU (one RSA-2048 sign + one verify)")
    ours, sdk = cpu["wechatpay"] / calls, cpu["wechatpayv3"] / calls
    print(f"cpu_vs_floor={ours / floor:.2f} cpu_vs_wechatpayv3={ours / sdk:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--block", type=int, default=100)
    args = parser.parse_args()
    run(args.calls, args.block)


if __name__ == "__main__":
    main()
