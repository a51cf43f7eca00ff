"""factory_boy factories for accounts: a member (with a role, if asked) and a superuser.

Not about publishing, so here; stoa.publishing.tests.factories passes them on to the apps
above it, beside its own editor."""

from __future__ import annotations

from typing import Any

import factory

from stoa.members.models import User
from stoa.members.roles import Role, assign_role


class UserFactory(factory.django.DjangoModelFactory):
    """A member: an account with no back-office rights (or ``role=``'s)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Mia"
    last_name = factory.Sequence(lambda n: f"Member{n}")
    password = factory.django.Password("a-long-test-password")
    is_active = True

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: Any) -> None:
        """``role=Role.AUTHOR`` and so on: that role's group, as assign_role gives it."""
        if create and extracted is not None:
            assign_role(user=self, role=extracted)


class SuperuserFactory(UserFactory):
    """An administrator."""

    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True
