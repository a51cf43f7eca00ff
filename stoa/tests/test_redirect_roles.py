"""Who keeps the redirect table and the media library (issue 11), by role, as the migrations
grant them: editors and administrators see, search and edit every old address; authors and
moderators do not. Authors add files to the media library (WordPress's upload_files), editors
change them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from stoa.core.models import Redirect
from stoa.members.roles import Role
from stoa.members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_as(role: Role) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMINISTRATOR])
def test_editors_see_search_and_edit_the_redirect_table(role: Role) -> None:
    client = client_as(role)
    response = client.post(
        reverse("admin:core_redirect_add"),
        {"old_path": "/?p=12", "new_path": "/2024/03/a-post/", "note": "by hand"},
    )
    assert response.status_code == 302
    listing = client.get(reverse("admin:core_redirect_changelist"), {"q": "a-post"})
    assert listing.status_code == 200 and "/?p=12" in listing.content.decode()
    assert Redirect.objects.filter(old_path="/?p=12").exists()


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.MODERATOR, Role.MEMBER])
def test_others_cannot_open_the_redirect_table(role: Role) -> None:
    client = client_as(role)
    response = client.get(reverse("admin:core_redirect_changelist"))
    assert response.status_code in (302, 403)
    response = client.post(
        reverse("admin:core_redirect_add"), {"old_path": "/x/", "new_path": "/y/"}
    )
    assert response.status_code in (302, 403)
    assert not Redirect.objects.exists()


@pytest.mark.parametrize(
    ("role", "may_add", "may_change"),
    [
        (Role.AUTHOR, True, False),
        (Role.EDITOR, True, True),
        (Role.ADMINISTRATOR, True, True),
        (Role.MODERATOR, False, False),
    ],
)
def test_the_media_library_by_role(role: Role, may_add: bool, may_change: bool) -> None:
    user = UserFactory(role=role)
    assert user.has_perm("publishing.add_mediaitem") is may_add
    assert user.has_perm("publishing.change_mediaitem") is may_change
