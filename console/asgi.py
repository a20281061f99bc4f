"""ASGI entry point: the console is served by uvicorn, so live streams (Server-Sent Events from
an async view) hold no thread while they wait."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings.local")

application = get_asgi_application()
