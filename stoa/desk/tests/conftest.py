from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from stoa.members.roles import Role
from stoa.members.tests.factories import UserFactory
from stoa.publishing.tests.factories import PersonFactory


@pytest.fixture
def committed(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list]],
) -> Callable[[], AbstractContextManager[list]]:
    """A block whose changes count as committed when it ends (revisions and tasks are written
    on commit; each test runs inside a transaction that is never committed)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def editor():
    user = UserFactory(role=Role.EDITOR, email="editor@example.com")
    PersonFactory(name="Eda Editor", user=user)
    return user


@pytest.fixture
def author():
    user = UserFactory(role=Role.AUTHOR, email="author@example.com")
    PersonFactory(name="Ada Quill", user=user)
    return user


@pytest.fixture
def editor_client(client, editor) -> Iterator:
    client.force_login(editor)
    return client
