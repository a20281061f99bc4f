"""Views of the complaints app (queue, detail, actions, webhook)."""

from complaints.views.webhook import webhook

__all__ = ["webhook"]
