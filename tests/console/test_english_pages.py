"""An English reader sees English: every page and main fragment, as each role, with seeded data,
holds no Han character outside what users wrote (marked data-user-content) and outside text
deliberately in Chinese (marked lang="zh-…")."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.page_text import han_snippets, readable_parts
from tests.pages_world import build_world
from tests.test_url_permissions import ALLOW, EXPECTED, PUBLIC

ROLES = ["agent_a", "supervisor_a", "admin"]


def pages(role: str) -> list:
    return sorted(
        (name, row)
        for name, row in EXPECTED.items()
        if row.method == "GET" and row.expect[role] in (ALLOW, PUBLIC)
    )


def english(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def world(db):
    return build_world()


def rendered(world, role: str) -> dict[str, str]:
    client = english(world.users[role])
    out = {}
    for name, row in pages(role):
        response = client.get(reverse(name, kwargs=row.kwargs(world)), row.query or None)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            out[name] = response.content.decode()
    return out


@pytest.mark.parametrize("role", ROLES)
def test_english_pages_show_no_chinese_of_ours(world, role):
    found = {
        name: snippets
        for name, html in rendered(world, role).items()
        if (snippets := han_snippets(html))
    }

    assert not found, "\n".join(f"{name}: {snips}" for name, snips in found.items())


def test_the_walk_covers_the_main_pages(world):
    walked = set(rendered(world, "supervisor_a")) | set(rendered(world, "admin"))

    for name in (
        "complaints:queue",
        "complaints:detail",
        "complaints:timeline",
        "messaging:history",
        "messaging:kpis",
        "automation:supervisor",
        "console:audit",
        "merchants:detail",
        "merchants:users",
    ):
        assert name in walked


def test_the_check_finds_chinese_and_ignores_marked_user_data():
    page = '<p>Hello</p><p data-user-content>你好</p><button lang="zh-Hans">中文</button>'

    assert han_snippets(page) == []
    assert han_snippets(page + '<p title="删除">x</p>') == ["[title] 删除"]
    assert readable_parts("<ul><li>a<br>b</li></ul><input value=x type=submit>") == [
        "a",
        "b",
        "[value] x",
    ]
