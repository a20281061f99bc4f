"""How a person is named on screen and in exports: their full name, else their login."""

from __future__ import annotations

from typing import Any

from django import forms


def person_name(user: Any) -> str:
    """`演示客服`, not `agent`; the login only when no name was given; "" for nobody."""
    if user is None:
        return ""
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or str(user)


def person_choice_label(user: Any) -> str:
    """In a list to pick from: "演示客服 (agent)", so two people of one name stay apart."""
    name = person_name(user)
    login = getattr(user, "username", "")
    return f"{name} ({login})" if login and name != login else name


class PersonChoiceField(forms.ModelChoiceField):
    """A user picker that shows people by name, with the login to tell them apart."""

    def label_from_instance(self, obj: Any) -> str:
        return person_choice_label(obj)
