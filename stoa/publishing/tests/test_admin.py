"""The editorial back office, driven as an administrator through the admin's own forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from stoa.members.roles import Role
from stoa.publishing.models import Page, Post, PostStatus, PostVisibility, can_change_post
from stoa.publishing.tests.factories import (
    CategoryFactory,
    EditorFactory,
    PageFactory,
    PersonFactory,
    PostFactory,
    SuperuserFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UNSAFE_BODY = '<script>alert(1)</script><p onclick="x()">Hi <a href="javascript:evil()">x</a></p>'
EMPTIED_BODY_ERROR = "Nothing is left of the body once unsafe markup is removed"


@pytest.fixture
def superuser_client(client):
    client.force_login(SuperuserFactory())
    return client


@pytest.fixture
def filing():
    return PersonFactory(name="Ada Quill"), CategoryFactory(name="Clinical Practice")


def post_form(filing, **fields) -> dict:
    """What the admin's add form posts for a draft."""
    person, category = filing
    data = {
        "title": "Safe Words",
        "slug": "safe-words",
        "dek": "",
        "body": "<p>Hello</p>",
        "excerpt": "",
        "authors": [person.pk],
        "categories": [category.pk],
        "status": PostStatus.DRAFT,
        "visibility": PostVisibility.PUBLIC,
        "published_at_0": "",
        "published_at_1": "",
        "comments_open": "on",
        "_save": "Save",
    }
    return data | fields


# --- Changelists ------------------------------------------------------------------------------


def test_the_post_changelist_lists_posts(superuser_client, filing) -> None:
    PostFactory(title="On Listening")
    PostFactory(title="Hard Cases", draft=True)
    response = superuser_client.get("/admin/publishing/post/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "On Listening" in page
    assert "Hard Cases" in page


def test_the_post_changelist_searches_titles(superuser_client, filing) -> None:
    PostFactory(title="On Listening")
    PostFactory(title="Hard Cases")
    response = superuser_client.get("/admin/publishing/post/", {"q": "listening"})
    assert response.status_code == 200
    results = list(response.context["cl"].result_list)
    assert [post.title for post in results] == ["On Listening"]
    assert "Hard Cases" not in response.content.decode()


def test_the_post_changelist_filters_by_status(superuser_client, filing) -> None:
    PostFactory(title="On Listening")
    PostFactory(title="Hard Cases", draft=True)
    PostFactory(title="Coming Soon", scheduled=True)
    response = superuser_client.get("/admin/publishing/post/", {"status__exact": "draft"})
    assert response.status_code == 200
    assert [post.title for post in response.context["cl"].result_list] == ["Hard Cases"]
    response = superuser_client.get("/admin/publishing/post/", {"status__exact": "scheduled"})
    assert [post.title for post in response.context["cl"].result_list] == ["Coming Soon"]


def test_the_post_changelist_filters_by_year_in_local_time(superuser_client, filing) -> None:
    zone = timezone.get_current_timezone()
    PostFactory(title="New Year", published_at=dt.datetime(2021, 1, 1, 0, 30, tzinfo=zone))
    PostFactory(title="Old Year", published_at=dt.datetime(2020, 12, 31, 23, 30, tzinfo=zone))
    PostFactory(title="Long Ago", published_at=dt.datetime(2017, 6, 1, 12, tzinfo=zone))
    PostFactory(title="Unwritten", draft=True)

    response = superuser_client.get("/admin/publishing/post/")
    years = [
        choice["display"]
        for choice in response.context["cl"].filter_specs[-1].choices(response.context["cl"])
    ]
    assert years == ["All", "2021", "2020", "2019", "2018", "2017"]

    def titles(year: str) -> list[str]:
        found = superuser_client.get("/admin/publishing/post/", {"year": year})
        return [post.title for post in found.context["cl"].result_list]

    assert titles("2021") == ["New Year"]
    assert titles("2020") == ["Old Year"]
    assert titles("2019") == []
    assert titles("0") == [] and titles("next") == []


def test_the_post_changelist_costs_the_same_queries_however_many_posts_there_are(
    superuser_client, filing
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert superuser_client.get("/admin/publishing/post/").status_code == 200
        return len(captured.captured_queries)

    PostFactory(published_at=timezone.now() - dt.timedelta(days=3 * 365))
    # Warm: the signed-in member is kept from their first request on (members.backends).
    cost()
    small = cost()
    for n in range(30):
        PostFactory(published_at=timezone.now() - dt.timedelta(days=40 * n))
    assert cost() == small


@pytest.mark.parametrize("model", ["person", "category", "tag", "page"])
def test_the_other_changelists_answer(superuser_client, model) -> None:
    PostFactory(tags=[TagFactory()])
    PageFactory()
    response = superuser_client.get(f"/admin/publishing/{model}/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["post", "person", "category", "tag", "page"])
def test_the_add_forms_answer(superuser_client, model) -> None:
    assert superuser_client.get(f"/admin/publishing/{model}/add/").status_code == 200


# --- Adding a post ----------------------------------------------------------------------------


def test_adding_a_post_strips_unsafe_markup_from_its_body(superuser_client, filing) -> None:
    response = superuser_client.post(
        "/admin/publishing/post/add/", post_form(filing, body=UNSAFE_BODY)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(slug="safe-words")
    assert "<script" not in post.body
    assert "alert(1)" not in post.body
    assert "onclick" not in post.body
    assert "javascript:" not in post.body
    assert "Hi" in post.body
    assert post.status == PostStatus.DRAFT
    assert post.published_at is None
    assert list(post.authors.all()) == [filing[0]]
    assert list(post.categories.all()) == [filing[1]]


def test_a_body_that_is_nothing_but_a_script_is_refused(superuser_client, filing) -> None:
    response = superuser_client.post(
        "/admin/publishing/post/add/", post_form(filing, body="<script>alert(1)</script>")
    )
    assert response.status_code == 200
    assert EMPTIED_BODY_ERROR in response.content.decode()
    assert not Post.objects.exists()


def test_adding_a_published_post_through_the_admin_gives_it_a_time(
    superuser_client, filing
) -> None:
    before = timezone.now()
    response = superuser_client.post(
        "/admin/publishing/post/add/", post_form(filing, status=PostStatus.PUBLISHED)
    )
    assert response.status_code == 302
    post = Post.objects.get(slug="safe-words")
    assert post.status == PostStatus.PUBLISHED
    assert post.published_at is not None and post.published_at >= before
    assert superuser_client.get(post.get_absolute_url()).status_code == 200


def test_adding_a_post_with_a_future_time_schedules_it(superuser_client, filing) -> None:
    later = timezone.localtime() + dt.timedelta(days=3)
    response = superuser_client.post(
        "/admin/publishing/post/add/",
        post_form(
            filing,
            status=PostStatus.PUBLISHED,
            published_at_0=f"{later:%Y-%m-%d}",
            published_at_1=f"{later:%H:%M:%S}",
        ),
    )
    assert response.status_code == 302
    assert Post.objects.get(slug="safe-words").status == PostStatus.SCHEDULED


# --- Actions ----------------------------------------------------------------------------------


def test_the_publish_now_action_publishes_the_selected_posts(superuser_client, filing) -> None:
    first, second = PostFactory(draft=True), PostFactory(pending=True)
    untouched = PostFactory(draft=True)
    response = superuser_client.post(
        "/admin/publishing/post/",
        {"action": "publish_now", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Published 2 post(s)." in response.content.decode()
    for post in (first, second):
        post.refresh_from_db()
        assert post.status == PostStatus.PUBLISHED
        assert post.is_live
        assert superuser_client.get(post.get_absolute_url()).status_code == 200
    untouched.refresh_from_db()
    assert untouched.status == PostStatus.DRAFT


def test_the_move_to_draft_action_unpublishes_the_selected_posts(superuser_client, filing) -> None:
    post = PostFactory()
    url = post.get_absolute_url()
    response = superuser_client.post(
        "/admin/publishing/post/",
        {"action": "move_to_draft", "_selected_action": [post.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Moved 1 post(s) to draft." in response.content.decode()
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    superuser_client.logout()
    assert superuser_client.get(url).status_code == 404


# --- View on site -----------------------------------------------------------------------------


def test_view_on_site_opens_the_preview_of_a_draft(superuser_client, filing) -> None:
    post = PostFactory(title="Draft Piece", draft=True)
    response = superuser_client.get(f"/admin/publishing/post/{post.pk}/change/")
    assert response.status_code == 200
    content_type = ContentType.objects.get_for_model(Post)
    view_on_site = f"/admin/r/{content_type.pk}/{post.pk}/"
    assert f'href="{view_on_site}"' in response.content.decode()
    assert "View on site" in response.content.decode()

    redirect = superuser_client.get(view_on_site)
    assert redirect.status_code == 302
    assert redirect["Location"].endswith(f"/preview/{post.pk}/")
    preview = superuser_client.get(f"/preview/{post.pk}/")
    assert preview.status_code == 200
    assert "Preview: this post is" in preview.content.decode()


def test_view_on_site_opens_the_permalink_of_a_published_post(superuser_client, filing) -> None:
    post = PostFactory()
    content_type = ContentType.objects.get_for_model(Post)
    redirect = superuser_client.get(f"/admin/r/{content_type.pk}/{post.pk}/")
    assert redirect["Location"].endswith(post.get_absolute_url())


# --- Pages ------------------------------------------------------------------------------------


def page_form(**fields) -> dict:
    data = {
        "title": "Category",
        "slug": "category",
        "parent": "",
        "body": "<p>What we file where.</p>",
        "status": "published",
        "menu_order": "0",
        "_save": "Save",
    }
    return data | fields


def test_a_top_level_page_may_not_take_a_site_address(superuser_client) -> None:
    response = superuser_client.post("/admin/publishing/page/add/", page_form())
    assert response.status_code == 200
    assert "is taken by the site" in response.content.decode()
    assert "slug" in response.context["adminform"].form.errors
    assert not Page.objects.exists()


def test_a_child_page_may_use_a_reserved_slug(superuser_client) -> None:
    about = PageFactory(title="About", slug="about")
    response = superuser_client.post("/admin/publishing/page/add/", page_form(parent=about.pk))
    assert response.status_code == 302
    assert Page.objects.get(slug="category").path == "about/category"


def test_adding_a_page_through_the_admin_sanitises_it_and_sets_its_path(superuser_client) -> None:
    response = superuser_client.post(
        "/admin/publishing/page/add/",
        page_form(title="Contact", slug="contact", body=UNSAFE_BODY),
    )
    assert response.status_code == 302
    page = Page.objects.get(slug="contact")
    assert page.path == "contact"
    assert "<script" not in page.body and "onclick" not in page.body
    assert superuser_client.get("/contact/").status_code == 200


# --- Editors who are not superusers -----------------------------------------------------------


def test_an_editor_with_publishing_permissions_can_use_the_post_admin(client, filing) -> None:
    client.force_login(EditorFactory())
    PostFactory(title="On Listening")
    response = client.get("/admin/publishing/post/")
    assert response.status_code == 200
    assert "On Listening" in response.content.decode()


# --- Authors: their own posts, submitted for review -------------------------------------------


@pytest.fixture
def author():
    """An account in the Author role, credited as the person Ada Quill."""
    user = UserFactory(role=Role.AUTHOR)
    PersonFactory(name="Ada Quill", user=user)
    return user


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def test_an_author_lists_only_the_posts_they_are_credited_on(author, author_client) -> None:
    own = PostFactory(title="Mine", authors=[author.person], draft=True)
    shared = PostFactory(title="Ours", authors=[author.person, PersonFactory()])
    PostFactory(title="Theirs")

    response = author_client.get("/admin/publishing/post/")

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {own, shared}


def test_a_new_post_is_credited_to_whoever_writes_it(author, author_client) -> None:
    form = author_client.get("/admin/publishing/post/add/").context["adminform"].form

    assert form.initial["authors"] == [str(author.person.pk)]


def test_an_editor_with_no_person_starts_a_post_with_no_author(client) -> None:
    client.force_login(EditorFactory())

    form = client.get("/admin/publishing/post/add/").context["adminform"].form

    assert "authors" not in form.initial


def test_an_author_may_only_save_a_draft_or_submit_it_for_review(author, author_client) -> None:
    form = author_client.get("/admin/publishing/post/add/").context["adminform"].form
    assert [value for value, label in form.fields["status"].choices] == ["draft", "pending"]
    for hidden in ("published_at", "is_featured", "is_sticky"):
        assert hidden not in form.fields

    response = author_client.post(
        "/admin/publishing/post/add/",
        post_form((author.person, CategoryFactory()), status=PostStatus.PENDING, is_featured="on"),
    )

    assert response.status_code == 302
    post = Post.objects.get(slug="safe-words")
    assert post.status == PostStatus.PENDING
    assert not post.is_featured
    assert post.published_at is None


def test_an_author_cannot_leave_their_own_post(author, author_client) -> None:
    post = PostFactory(title="Mine", authors=[author.person], draft=True)
    someone = PersonFactory(name="Ben Ort")

    response = author_client.post(
        f"/admin/publishing/post/{post.pk}/change/",
        post_form((someone, post.categories.get()), title="Mine", slug=post.slug),
    )

    assert response.status_code == 200
    assert "Keep yourself (Ada Quill) among the authors" in response.content.decode()
    assert list(post.authors.all()) == [author.person]


def test_an_author_not_linked_to_a_person_cannot_write_a_post(client, filing) -> None:
    client.force_login(UserFactory(role=Role.AUTHOR))

    response = client.post("/admin/publishing/post/add/", post_form(filing))

    assert response.status_code == 200
    assert "not linked to an author profile" in response.content.decode()
    assert not Post.objects.exists()


def test_an_authors_post_is_read_only_to_them_once_published(author, author_client) -> None:
    post = PostFactory(title="Mine", authors=[author.person])
    url = f"/admin/publishing/post/{post.pk}/change/"

    page = author_client.get(url)
    attempt = author_client.post(url, post_form(filing_of(post), title="Changed", slug=post.slug))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert attempt.status_code == 403
    post.refresh_from_db()
    assert post.title == "Mine"


def test_an_author_previews_their_own_drafts_but_no_one_elses(author, author_client) -> None:
    own = PostFactory(authors=[author.person], pending=True)
    others = PostFactory(pending=True)

    assert author_client.get(f"/preview/{own.pk}/").status_code == 200
    assert author_client.get(f"/preview/{others.pk}/").status_code == 404


def test_an_author_opens_their_own_private_post_but_no_one_elses(author, author_client) -> None:
    # As WordPress: private posts are read by editors, and by their own authors.
    own = PostFactory(title="My Private Note", authors=[author.person], private=True)
    others = PostFactory(title="Their Private Note", private=True)

    own_page = author_client.get(own.get_absolute_url())

    assert own_page.status_code == 200
    assert "Private: only staff can see this post." in own_page.content.decode()
    assert author_client.get(others.get_absolute_url()).status_code == 404


def filing_of(post: Post) -> tuple:
    return post.authors.get(), post.categories.get()


# --- Visibility -------------------------------------------------------------------------------


def test_an_editor_makes_a_post_members_only(superuser_client, filing) -> None:
    response = superuser_client.post(
        "/admin/publishing/post/add/", post_form(filing, visibility=PostVisibility.MEMBERS)
    )

    assert response.status_code == 302
    assert Post.objects.get(slug="safe-words").is_members_only


# --- Who changes which post: the rule other forms that point at a post use too ---------------

# The posts a user is asked about, as seen by the author Ada Quill ("own") and everyone else.
POST_KINDS = {
    "own draft": {"draft": True, "own": True},
    "own pending": {"pending": True, "own": True},
    "own published": {"own": True},
    "own scheduled": {"scheduled": True, "own": True},
    "others' draft": {"draft": True},
    "others' published": {},
}
CHANGERS = ("anonymous", "member", "author", "moderator", "editor", "superuser")
# fmt: off
CHANGES: dict[str, tuple[bool, ...]] = {
    #                     anonymous member author moderator editor superuser
    "own draft":         (False,    False, True,  False,    True,  True),
    "own pending":       (False,    False, True,  False,    True,  True),
    "own published":     (False,    False, False, False,    True,  True),
    "own scheduled":     (False,    False, False, False,    True,  True),
    "others' draft":     (False,    False, False, False,    True,  True),
    "others' published": (False,    False, False, False,    True,  True),
}
# fmt: on


def changer(kind: str, author: Any) -> Any:
    return {
        "anonymous": AnonymousUser,
        "member": UserFactory,
        "author": lambda: author,
        "moderator": lambda: UserFactory(role=Role.MODERATOR),
        "editor": EditorFactory,
        "superuser": SuperuserFactory,
    }[kind]()


def post_of_kind(kind: str, author: Any) -> Post:
    traits = dict(POST_KINDS[kind])
    own = traits.pop("own", False)
    return PostFactory(**traits, **({"authors": [author.person]} if own else {}))


def test_the_change_matrix_covers_every_post_and_user() -> None:
    assert set(CHANGES) == set(POST_KINDS)
    assert all(len(row) == len(CHANGERS) for row in CHANGES.values())


@pytest.mark.parametrize(
    ("post_kind", "who"), [(post, who) for post in POST_KINDS for who in CHANGERS]
)
def test_who_may_change_which_post(author, post_kind: str, who: str) -> None:
    post = post_of_kind(post_kind, author)
    user = changer(who, author)
    expected = CHANGES[post_kind][CHANGERS.index(who)]

    assert can_change_post(user, post) is expected
    # The same rule as a query, for forms that offer a choice of posts.
    assert (post in Post.objects.changeable_by(user)) is expected


def test_a_tag_renamed_in_the_admin_keeps_its_old_address(superuser_client) -> None:
    from stoa.core.models import Redirect

    tag = TagFactory(name="Grief", slug="grief")
    response = superuser_client.post(
        f"/admin/publishing/tag/{tag.pk}/change/", {"name": "Grief work", "slug": "grief-work"}
    )
    assert response.status_code == 302
    assert Redirect.objects.get(old_path="/tag/grief/").new_path == "/tag/grief-work/"
    assert superuser_client.get("/tag/grief/feed/")["Location"] == "/tag/grief-work/feed/"
