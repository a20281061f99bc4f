import pytest
from django.contrib.auth.models import Group

from console.roles import ROLE_PERMISSIONS, perm
from tests.fixtures.users import make_user


def test_the_three_role_groups_exist_with_their_permissions(db):
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        assert set(group.permissions.values_list("codename", flat=True)) == set(codenames)


def test_an_agent_works_complaints_but_cannot_manage_merchants(db):
    agent = make_user("role_agent", "agent")

    assert agent.has_perm(perm("work_complaints"))
    assert not agent.has_perm(perm("manage_merchants"))
    assert not agent.has_perm(perm("review_replies"))


def test_a_supervisor_reviews_replies_and_an_admin_manages_merchants(db):
    supervisor = make_user("role_supervisor", "supervisor")
    admin = make_user("role_admin", "admin")

    assert supervisor.has_perm(perm("review_replies"))
    assert supervisor.has_perm(perm("reveal_phone"))
    assert admin.has_perm(perm("manage_merchants"))
    assert not admin.has_perm(perm("work_complaints"))


@pytest.mark.django_db(transaction=True)
def test_role_groups_come_back_after_a_flush():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    assert Group.objects.get(name="agent").permissions.filter(codename="work_complaints").exists()
