"""The console's WSGI application with one fault: a web process that dies after the reply row is
committed and before the browser hears back.

When the file named by FAULT_WEB_DIE_FLAG exists, the next reply send that succeeds removes it
and SIGKILLs the whole web server (its process group: gunicorn's master and workers) after the
view returned, so after the transaction committed and its on-commit work ran, before a byte of
the response is written. Used by tests/delivery/test_fault_web_and_database.py.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from typing import Any

from console.wsgi import application as console

DIE_FLAG = os.environ.get("FAULT_WEB_DIE_FLAG", "")


def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    started: list[tuple] = []
    body = console(environ, lambda *args: started.append(args))
    sent_a_reply = (
        environ["REQUEST_METHOD"] == "POST"
        and environ["PATH_INFO"].endswith("/send/")
        and started[0][0].startswith("200")
    )
    if sent_a_reply and DIE_FLAG and os.path.exists(DIE_FLAG):
        os.remove(DIE_FLAG)
        os.killpg(os.getpgid(0), signal.SIGKILL)
    start_response(*started[0])
    return body
