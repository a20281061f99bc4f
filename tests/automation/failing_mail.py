"""An e-mail backend whose server is down (the SMTP failure we cannot cause otherwise)."""

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionError("mail server unreachable")
