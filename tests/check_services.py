"""Stop `make test` at once, with a clear message, when PostgreSQL or Redis is not answering."""

import os
import socket
import sys
from urllib.parse import urlparse

SERVICES = {
    "PostgreSQL": (
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/console",
        5432,
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    "Redis": (
        "REDIS_URL",
        "redis://127.0.0.1:6379/0",
        6379,
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    ),
}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    down = []
    for name, (variable, default, default_port, how) in SERVICES.items():
        url = urlparse(os.environ.get(variable) or default)
        host, port = url.hostname or "127.0.0.1", url.port or default_port
        if not reachable(host, port):
            down.append(
                f"{name} is not answering at {host}:{port} ({variable}). Start it with:\n"
                f"    {how}\n  or point {variable} at a running server."
            )
    for message in down:
        print(f"make test: {message}", file=sys.stderr)
    return 1 if down else 0


if __name__ == "__main__":
    sys.exit(main())
