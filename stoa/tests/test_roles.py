"""The roles, as the data migrations of every app fill them: each role (and an anonymous
reader, and a superuser) tries each back-office and site action through HTTP; the table says
who may. The roles × actions matrix runs across publishing, the discussion and webcasts, so it
is the assembled site's (the roles themselves, and assign_role, are tested with members).

A refusal is checked as precisely as an allowance: its status (the login page, 403, an
object that answers as if it did not exist, a form that will not take the value) and that
nothing changed in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.http import HttpResponse
from django.test import Client

from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.models import User
from stoa.members.roles import Role, assign_role
from stoa.members.tests.factories import SuperuserFactory, UserFactory
from stoa.publishing.models import Category, Post, PostStatus
from stoa.publishing.tests.factories import PersonFactory, PostFactory
from stoa.webcasts.models import Clip
from stoa.webcasts.tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db

SECRET = "Only members read this far."
ROLES = ("anonymous", "member", "author", "editor", "moderator", "administrator", "superuser")


# --- The site the actions run against ---------------------------------------------------------


@dataclass
class Site:
    """One of each thing the actions touch, and the author whose posts some of them are."""

    author: User
    own_draft: Post
    own_published: Post
    others_draft: Post
    open_post: Post
    members_post: Post
    held: Comment


@pytest.fixture
def site() -> Site:
    author = UserFactory(role=Role.AUTHOR)
    ada = PersonFactory(name="Ada Quill", user=author)
    open_post = PostFactory(title="Open Post")
    return Site(
        author=author,
        own_draft=PostFactory(title="Ada's Draft", authors=[ada], draft=True),
        own_published=PostFactory(title="Ada's Published Post", authors=[ada]),
        others_draft=PostFactory(title="Someone Else's Draft", draft=True),
        open_post=open_post,
        members_post=PostFactory(
            title="For Members", body=f"<p>{SECRET}</p>", excerpt="A teaser.", members_only=True
        ),
        held=CommentFactory(post=open_post, status=CommentStatus.PENDING),
    )


def user_for(role: str, site: Site) -> User | None:
    if role == "anonymous":
        return None
    if role == "author":
        return site.author
    if role == "superuser":
        return SuperuserFactory()
    return UserFactory(role=Role(role.capitalize()))


def client_for(role: str, site: Site) -> Client:
    client = Client()
    user = user_for(role, site)
    if user is not None:
        client.force_login(user)
    return client


# --- What the forms send ----------------------------------------------------------------------


def post_form(post: Post, **changes: Any) -> dict[str, Any]:
    """What the post's change page sends back, with some fields changed."""
    data = {
        "title": post.title,
        "slug": post.slug,
        "dek": post.dek,
        "body": post.body,
        "excerpt": post.excerpt,
        "authors": [person.pk for person in post.authors.all()],
        "categories": [category.pk for category in post.categories.all()],
        "tags": [tag.pk for tag in post.tags.all()],
        "status": post.status,
        "visibility": post.visibility,
        "published_at_0": "",
        "published_at_1": "",
        "comments_open": "on",
        "_save": "Save",
    }
    return data | changes


def settings_form(**changes: Any) -> dict[str, Any]:
    """What the discussion settings page sends back, with some fields changed."""
    current = DiscussionSettings.current()
    data = {
        field.name: getattr(current, field.name)
        for field in DiscussionSettings._meta.concrete_fields
        if field.name != "id"
    }
    data = {name: value for name, value in data.items() if value is not False}
    return data | changes | {"_save": "Save"}


def fresh(post: Post) -> Post:
    return Post.objects.get(pk=post.pk)


# --- The actions: each returns the response and whether its effect took place -----------------

Action = Callable[[Client, Site], tuple[HttpResponse, bool]]


def admin_index(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get("/admin/"), False


def post_changelist(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get("/admin/publishing/post/"), False


def change_others_post(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    post = site.others_draft
    url = f"/admin/publishing/post/{post.pk}/change/"
    response = client.post(url, post_form(post, title="Retitled"))
    return response, fresh(post).title == "Retitled"


def change_own_post(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    post = site.own_draft
    url = f"/admin/publishing/post/{post.pk}/change/"
    response = client.post(url, post_form(post, title="Retitled"))
    return response, fresh(post).title == "Retitled"


def publish_with_the_form(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    post = site.own_draft
    url = f"/admin/publishing/post/{post.pk}/change/"
    response = client.post(url, post_form(post, status=PostStatus.PUBLISHED))
    return response, fresh(post).status == PostStatus.PUBLISHED


def publish_with_the_action(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    post = site.own_draft
    response = client.post(
        "/admin/publishing/post/", {"action": "publish_now", "_selected_action": [post.pk]}
    )
    return response, fresh(post).status == PostStatus.PUBLISHED


def add_category(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    response = client.post(
        "/admin/publishing/category/add/",
        {"name": "Ethics", "slug": "ethics", "parent": "", "description": "", "_save": "Save"},
    )
    return response, Category.objects.filter(slug="ethics").exists()


def moderation_queue(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get("/admin/discussion/comment/"), False


def approve_comment(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    response = client.post(f"/admin/discussion/comment/{site.held.pk}/moderate/approve/")
    return response, Comment.objects.get(pk=site.held.pk).status == CommentStatus.APPROVED


def change_discussion_settings(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    DiscussionSettings.current()
    response = client.post(
        "/admin/discussion/discussionsettings/1/change/", settings_form(max_links="7")
    )
    return response, DiscussionSettings.objects.get(pk=1).max_links == 7


def user_admin(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get("/admin/members/user/"), False


def post_a_comment(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    # Signed in, the account is the author; anonymous, a guest gives a name and an address.
    guest = {"name": "Gus Guest", "email": "gus@example.org"}
    body = "A comment from this role."
    response = client.post(f"/comments/post/{site.open_post.pk}/", {"body": body, **guest})
    return response, Comment.objects.filter(post=site.open_post, text=body).exists()


def read_members_post(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    response = client.get(site.members_post.get_absolute_url())
    return response, SECRET in response.content.decode()


def preview_others_draft(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get(f"/preview/{site.others_draft.pk}/"), False


def preview_own_draft(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get(f"/preview/{site.own_draft.pk}/"), False


# --- What each may do -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a role gets: the status, where a redirect goes, and whether the effect happened."""

    name: str
    status: int
    done: bool
    location: str | None = None
    shows: str | None = None  # on the page it answers with
    absent: str | None = None  # from the page it answers with


OK = Outcome("shown", 200, False)
DONE = Outcome("done", 302, True)
LOGIN = Outcome("sent to log in", 302, False, "/admin/login/")
DENIED = Outcome("forbidden", 403, False)
# The admin answers for an object outside the user's queryset as for a missing one.
HIDDEN = Outcome("as if missing", 302, False, "/admin/")
# The form is shown again with an error: the value is not among the choices.
REFUSED = Outcome("refused by the form", 200, False, shows="Select a valid choice.")
# An action the user is not offered: the list is shown again, still without it.
IGNORED = Outcome("action not offered", 200, False, absent='value="publish_now"')
MISSING = Outcome("not found", 404, False)
WHOLE = Outcome("read whole", 200, True)
TEASER = Outcome("teaser only", 200, False)

ACTIONS: dict[str, Action] = {
    "open the admin index": admin_index,
    "open the post list": post_changelist,
    "change another's post": change_others_post,
    "change own post": change_own_post,
    "publish via the post form": publish_with_the_form,
    "publish via list action": publish_with_the_action,
    "add a category": add_category,
    "open the moderation queue": moderation_queue,
    "approve a held comment": approve_comment,
    "change discussion settings": change_discussion_settings,
    "open the user admin": user_admin,
    "post a comment": post_a_comment,
    "open a members-only post": read_members_post,
    "preview another's draft": preview_others_draft,
    "preview own draft": preview_own_draft,
}

# "Own" is the author's post: to every other role it is someone else's.
# fmt: off
MATRIX: dict[str, tuple[Outcome, ...]] = {
    #                              anonymous member   author   editor   moderator admin    superuser
    "open the admin index":       (LOGIN,    LOGIN,   OK,      OK,      OK,      OK,      OK),
    "open the post list":         (LOGIN,    LOGIN,   OK,      OK,      DENIED,  OK,      OK),
    "change another's post":      (LOGIN,    LOGIN,   HIDDEN,  DONE,    DENIED,  DONE,    DONE),
    "change own post":            (LOGIN,    LOGIN,   DONE,    DONE,    DENIED,  DONE,    DONE),
    "publish via the post form":  (LOGIN,    LOGIN,   REFUSED, DONE,    DENIED,  DONE,    DONE),
    "publish via list action":    (LOGIN,    LOGIN,   IGNORED, DONE,    DENIED,  DONE,    DONE),
    "add a category":             (LOGIN,    LOGIN,   DENIED,  DONE,    DENIED,  DONE,    DONE),
    "open the moderation queue":  (LOGIN,    LOGIN,   DENIED,  OK,      OK,      OK,      OK),
    "approve a held comment":     (LOGIN,    LOGIN,   DENIED,  DONE,    DONE,    DONE,    DONE),
    "change discussion settings": (LOGIN,    LOGIN,   DENIED,  DONE,    DENIED,  DONE,    DONE),
    "open the user admin":        (LOGIN,    LOGIN,   DENIED,  DENIED,  DENIED,  OK,      OK),
    "post a comment":             (DONE,     DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "open a members-only post":   (TEASER,   WHOLE,   WHOLE,   WHOLE,   WHOLE,   WHOLE,   WHOLE),
    "preview another's draft":    (MISSING,  MISSING, MISSING, OK,      MISSING, OK,      OK),
    "preview own draft":          (MISSING,  MISSING, OK,      OK,      MISSING, OK,      OK),
}
# fmt: on

CASES = [
    pytest.param(role, action, MATRIX[action][ROLES.index(role)], id=f"{role}: {action}")
    for action in ACTIONS
    for role in ROLES
]


def test_the_matrix_covers_every_action_for_every_role() -> None:
    assert set(MATRIX) == set(ACTIONS)
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


def assert_outcome(response: HttpResponse, done: bool, expected: Outcome) -> None:
    assert (response.status_code, done) == (expected.status, expected.done), expected.name
    if expected.location is not None:
        assert response["Location"].split("?")[0] == expected.location
    if expected.shows is not None:
        assert expected.shows in response.content.decode()
    if expected.absent is not None:
        assert expected.absent not in response.content.decode()


@pytest.mark.parametrize(("role", "action", "expected"), CASES)
def test_what_each_role_may_do(site: Site, role: str, action: str, expected: Outcome) -> None:
    client = client_for(role, site)

    response, done = ACTIONS[action](client, site)

    assert_outcome(response, done, expected)


# --- Webcasts: the series admin, and which article a clip may go on ---------------------------


def open_series_list(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get("/admin/webcasts/series/"), False


def open_new_series_form(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return client.get("/admin/webcasts/series/add/"), False


def attach_clip(client: Client, post: Post) -> tuple[HttpResponse, bool]:
    """Add a clip (a Vimeo embed) on `post` with the Clip admin's form."""
    response = client.post(
        "/admin/webcasts/clip/add/",
        {
            "title": "A clip",
            "description": "",
            "series": SeriesFactory().pk,
            "session": "",
            "starts_at": "",
            "post": post.pk,
            "video_url": "https://vimeo.com/76979871",
            "_save": "Save",
        },
    )
    return response, Clip.objects.filter(post=post).exists()


def clip_on_own_draft(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return attach_clip(client, site.own_draft)


def clip_on_own_published_post(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return attach_clip(client, site.own_published)


def clip_on_others_published_post(client: Client, site: Site) -> tuple[HttpResponse, bool]:
    return attach_clip(client, site.open_post)


WEBCAST_ACTIONS: dict[str, Action] = {
    "open the series list": open_series_list,
    "open the new series form": open_new_series_form,
    "clip on own draft": clip_on_own_draft,
    "clip on own published post": clip_on_own_published_post,
    "clip on another's published post": clip_on_others_published_post,
}
# An author adds clips to go with their article, and only to a post they may still change:
# their own draft, not a post an editor has published (theirs or anyone's).
# fmt: off
WEBCAST_MATRIX: dict[str, tuple[Outcome, ...]] = {
    #                                   anonymous member author   editor moderator admin superuser
    "open the series list":             (LOGIN,   LOGIN, OK,      OK,    DENIED,   OK,   OK),
    "open the new series form":         (LOGIN,   LOGIN, DENIED,  OK,    DENIED,   OK,   OK),
    "clip on own draft":                (LOGIN,   LOGIN, DONE,    DONE,  DENIED,   DONE, DONE),
    "clip on own published post":       (LOGIN,   LOGIN, REFUSED, DONE,  DENIED,   DONE, DONE),
    "clip on another's published post": (LOGIN,   LOGIN, REFUSED, DONE,  DENIED,   DONE, DONE),
}
# fmt: on


def test_the_webcast_matrix_covers_every_action_for_every_role() -> None:
    assert set(WEBCAST_MATRIX) == set(WEBCAST_ACTIONS)
    assert all(len(row) == len(ROLES) for row in WEBCAST_MATRIX.values())


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        pytest.param(role, action, row[ROLES.index(role)], id=f"{role}: {action}")
        for action, row in WEBCAST_MATRIX.items()
        for role in ROLES
    ],
)
def test_what_each_role_may_do_with_webcasts(
    site: Site, role: str, action: str, expected: Outcome
) -> None:
    client = client_for(role, site)

    response, done = WEBCAST_ACTIONS[action](client, site)

    assert_outcome(response, done, expected)


def admin_sections(client: Client) -> set[str]:
    return {app["app_label"] for app in client.get("/admin/").context["app_list"]}


def test_a_moderator_finds_the_discussion_in_the_admin_and_no_publishing() -> None:
    client = Client()
    client.force_login(UserFactory(role=Role.MODERATOR))

    sections = admin_sections(client)

    assert "discussion" in sections
    assert "publishing" not in sections


def test_an_author_finds_publishing_in_the_admin_and_no_discussion() -> None:
    client = Client()
    client.force_login(UserFactory(role=Role.AUTHOR))

    sections = admin_sections(client)

    assert "publishing" in sections
    assert "discussion" not in sections


# --- What each app's migrations grant the roles -----------------------------------------------


def test_a_moderator_holds_no_publishing_permission_nor_the_discussion_settings() -> None:
    moderator = UserFactory(role=Role.MODERATOR)
    assert {p for p in moderator.get_all_permissions() if p.startswith("publishing.")} == set()
    assert moderator.has_perm("discussion.change_comment")
    assert not moderator.has_perm("discussion.change_discussionsettings")


def test_an_author_may_not_publish_or_change_others_posts() -> None:
    author = UserFactory(role=Role.AUTHOR)
    assert author.has_perm("publishing.change_post")
    assert not author.has_perm("publishing.publish_post")
    assert not author.has_perm("publishing.change_others_post")
    assert not author.has_perm("publishing.delete_post")


def test_an_editor_holds_every_publishing_and_discussion_permission() -> None:
    editor = UserFactory(role=Role.EDITOR)
    for app in ("publishing", "discussion"):
        codenames = Permission.objects.filter(content_type__app_label=app).values_list(
            "codename", flat=True
        )
        assert all(editor.has_perm(f"{app}.{codename}") for codename in codenames), app
    assert not editor.has_perm("members.view_user")


def test_assign_role_takes_effect_on_the_same_user_object() -> None:
    user = UserFactory(role=Role.EDITOR)
    assert user.has_perm("publishing.publish_post")

    assign_role(user=user, role=Role.AUTHOR)

    assert not user.has_perm("publishing.publish_post")
    assert user.has_perm("publishing.add_post")
