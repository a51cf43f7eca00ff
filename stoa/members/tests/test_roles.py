"""The roles themselves, as members' data migration makes them, and assign_role. What each
role may do across the apps (the roles × actions matrix) is the assembled site's:
stoa/tests/test_roles.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from stoa.members.roles import STAFF_ROLES, Role, assign_role
from stoa.members.tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.parametrize("role", list(Role))
def test_assign_role_gives_exactly_that_role_and_the_staff_flag(role: Role) -> None:
    user = SuperuserFactory()
    user.groups.add(Group.objects.get(name=Role.EDITOR.value))

    assign_role(user=user, role=role)

    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [role.value]
    assert user.is_staff is (role in STAFF_ROLES)
    assert user.is_superuser is False


def test_a_member_is_not_staff() -> None:
    member = UserFactory(role=Role.MEMBER)
    assert not member.is_staff
    assert not member.get_all_permissions()
