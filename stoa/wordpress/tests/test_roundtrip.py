"""Out and back in: a populated site exported with `stoa export-wordpress` and imported with
`stoa import-wordpress` into an empty database comes back the same, field by field: people,
categories (nesting, descriptions), tags, posts in every status with their dates, flags,
authors and terms, pages (nesting, order), comments (threading, status, kind, author, address,
date) and media items."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from stoa.core.tests.test_images import photo
from stoa.discussion import services as discussion_services
from stoa.discussion.models import Comment, CommentKind, CommentStatus
from stoa.discussion.services import ImportedComment
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.models import User
from stoa.publishing import services as publishing_services
from stoa.publishing.models import Category, MediaItem, Page, Person, Post, PostStatus, Tag
from stoa.publishing.tests.factories import (
    CategoryFactory,
    PageFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
    UserFactory,
)
from stoa.wordpress.export import export_wordpress
from stoa.wordpress.services import import_wordpress

pytestmark = pytest.mark.django_db

BASE = "https://stoa.example"
SAMPLE = Path(__file__).resolve().parent / "data" / "sample-export.wordpress.xml"
WHEN = dt.datetime(2024, 3, 5, 15, 15, tzinfo=dt.UTC)


def at(days: int = 0, hours: int = 0) -> dt.datetime:
    return WHEN + dt.timedelta(days=days, hours=hours)


def populate() -> None:
    """A small magazine with one of everything the export carries."""
    maria = PersonFactory(
        name="María Ortega",
        slug="maria",
        user=UserFactory(email="maria@example.org", first_name="María", last_name="Ortega"),
    )
    publishing_services.set_person_photo(person=maria, data=photo((60, 48)), name="maria")
    tom = PersonFactory(name="Tom Baptiste", slug="tom")
    clinical = CategoryFactory(
        name="Clinical Practice", slug="clinical", description="In the room."
    )
    trauma = CategoryFactory(name="Trauma", slug="trauma", parent=clinical)
    greek = CategoryFactory(name="Ελληνικά", slug="greek")
    ethics, online = TagFactory(name="ethics", slug="ethics"), TagFactory(name="online work")

    first = PostFactory(
        title="Notes From a First Session",
        slug="notes-from-a-first-session",
        dek="What the intake form never tells you",
        excerpt="A short excerpt with ]]> inside.",
        body="<p>The first session is mostly listening.</p><p>A second paragraph.</p>",
        published_at=at(),
        authors=[maria, tom],
        categories=[clinical, trauma],
        tags=[ethics, online],
        is_sticky=True,
        is_featured=True,
    )
    PostFactory(title="A Draft", slug="a-draft", draft=True, authors=[tom], categories=[clinical])
    PostFactory(title="Pending Review", pending=True, authors=[tom], categories=[clinical])
    PostFactory(title="Staff Notes", private=True, published_at=at(1), categories=[clinical])
    PostFactory(title="Next Summer", scheduled=True, authors=[maria], categories=[greek])
    PostFactory(title="For Members", members_only=True, published_at=at(2), categories=[trauma])
    PostFactory(
        title="Κείμενο και نص عربي — “quotes” & more",
        body='<p>Κείμενο στα ελληνικά.</p><p dir="rtl">نص باللغة العربية.</p>',
        published_at=at(3),
        comments_open=False,
        categories=[greek],
    )

    about = PageFactory(title="About", slug="about", menu_order=1, show_in_menu=True)
    team = PageFactory(title="Team", slug="team", parent=about, menu_order=2)
    PageFactory(title="History", slug="history", parent=team, menu_order=3)
    PageFactory(title="Draft Page", slug="draft-page", status="draft")

    top = CommentFactory(
        post=first,
        author_name="Reader One",
        author_email="one@mail.example",
        author_url="https://one.example/",
        ip_address="203.0.113.7",
        text="Thank you for this.",
        created_at=at(1),
    )
    reply = CommentFactory(parent=top, text="Reply at depth 2.", created_at=at(1, 1))
    # Its writer edited it: readers see "(edited)".
    Comment.objects.filter(pk=reply.pk).update(edited_at=at(1, 1) + dt.timedelta(minutes=4))
    CommentFactory(parent=reply, text="Reply at depth 3.", created_at=at(1, 2))
    CommentFactory(post=first, status=CommentStatus.PENDING, text="Held.", created_at=at(1, 3))
    CommentFactory(post=first, status=CommentStatus.SPAM, text="Spam.", created_at=at(1, 4))
    CommentFactory(post=first, status=CommentStatus.TRASH, text="Trashed.", created_at=at(1, 5))
    CommentFactory(post=first, user=maria.user, text="The author replies.", created_at=at(1, 6))
    # A member who writes no posts: WordPress's files name no such account; Stoa's do.
    reader = UserFactory(email="reader@example.org", first_name="Ruth", last_name="Okafor")
    CommentFactory(post=first, user=reader, text="A member's view.", created_at=at(1, 7))
    discussion_services.import_comments(
        post=first,
        rows=[
            ImportedComment(
                key="ping",
                author_name="Another Blog",
                author_url="https://another-blog.example/post/",
                text="[…] a response […]",
                created_at=at(2),
                kind=CommentKind.PINGBACK,
            )
        ],
    )
    # A stored picture, the first post's featured image; a post kept out of the listings.
    picture = publishing_services.create_media_item(
        title="Waiting room",
        file=ContentFile(photo((40, 30))),
        file_name="waiting-room.jpg",
        alt_text="Four chairs by a window",
        created_at=at(),
    )
    publishing_services.set_featured_image(post=first, image=picture)
    PostFactory(title="An Embedded Thread", listed=False, published_at=at(4), categories=[greek])
    publishing_services.create_media_item(
        title="Two chairs",
        source_url="https://old.example/wp-content/uploads/2019/05/two-chairs.jpg",
        alt_text="Two chairs facing each other",
        caption="Before nine.",
        credit="Photo: Ana Lima",
        created_at=at(),
    )


def snapshot() -> dict[str, Any]:
    """Every field the move should keep, by natural keys (ids change on the way)."""

    def second(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.replace(microsecond=0) if moment else None

    posts = {}
    for post in Post.objects.prefetch_related("authors", "categories", "tags"):
        posts[post.slug] = {
            "title": post.title,
            "dek": post.dek,
            "body": post.body,
            "excerpt": post.excerpt,
            "status": post.status,
            "published_at": second(post.published_at),
            "is_sticky": post.is_sticky,
            "is_featured": post.is_featured,
            "comments_open": post.comments_open,
            "visibility": post.visibility,
            "listed": post.listed,
            "featured_image": post.featured_image.title if post.featured_image else None,
            "authors": sorted(a.slug for a in post.authors.all()),
            "categories": sorted(c.slug for c in post.categories.all()),
            "tags": sorted(t.slug for t in post.tags.all()),
            "comment_count": post.comment_count,
        }
    comments = {}
    for comment in Comment.objects.select_related("post", "parent", "user"):
        comments[(comment.post.slug, comment.text)] = {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": comment.author_url,
            "ip_address": comment.ip_address,
            "created_at": second(comment.created_at),
            "status": comment.status,
            "kind": comment.kind,
            "depth": comment.depth,
            "parent": comment.parent.text if comment.parent else None,
            "member": comment.user.email if comment.user else None,
            "is_by_post_author": comment.is_by_post_author,
            "edited_at": second(comment.edited_at),
        }
    return {
        "people": {
            p.slug: {
                "name": p.name,
                "bio": p.bio,
                # Every author comes back with an account (claimable by a password reset),
                # with the address the export gave, if any.
                "account": p.user.email if p.user else "",
                # The photo comes back through the image pipeline (a square, re-encoded).
                "photo": (p.photo.width, p.photo.height) if p.photo else None,
            }
            for p in Person.objects.select_related("user")
        },
        "categories": {
            c.slug: (c.name, c.description, c.parent.slug if c.parent else None)
            for c in Category.objects.select_related("parent")
        },
        "tags": {t.slug: t.name for t in Tag.objects.all()},
        "posts": posts,
        "pages": {
            p.path: {
                "title": p.title,
                "body": p.body,
                "status": p.status,
                "menu_order": p.menu_order,
                "show_in_menu": p.show_in_menu,
            }
            for p in Page.objects.all()
        },
        "comments": comments,
        "media": {
            m.title: {
                # A stored file comes back stored (copied from the old uploads folder).
                "stored": bool(m.file),
                "content_type": m.content_type,
                "source_url": m.source_url if not m.file else "",
                "alt_text": m.alt_text,
                "caption": m.caption,
                "credit": m.credit,
                "created_at": second(m.created_at),
            }
            for m in MediaItem.objects.all()
        },
    }


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Each field that did not come back as it left, one line each."""
    lines = []
    for part, objects in before.items():
        for key in objects.keys() | after[part].keys():
            if key not in after[part]:
                lines.append(f"{part}[{key!r}]: missing after the import")
            elif key not in objects:
                lines.append(f"{part}[{key!r}]: new after the import")
            elif isinstance(objects[key], dict):
                for field, value in objects[key].items():
                    if after[part][key].get(field) != value:
                        got = after[part][key].get(field)
                        lines.append(f"{part}[{key!r}].{field}: {value!r} -> {got!r}")
            elif objects[key] != after[part][key]:
                lines.append(f"{part}[{key!r}]: {objects[key]!r} -> {after[part][key]!r}")
    return sorted(lines)


def empty_the_site() -> None:
    """What a fresh database holds of content: nothing (accounts are not content)."""
    Comment.objects.all().delete()
    Post.objects.all().delete()
    for page in Page.objects.order_by("-path"):
        page.delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()
    Person.objects.all().delete()
    MediaItem.objects.all().delete()
    User.objects.all().delete()


def export_and_import_back(tmp_path: Path, media: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    populate()
    before = snapshot()
    export = tmp_path / "site.wordpress.xml"
    with export.open("w", encoding="utf-8") as out:
        export_wordpress(out.write, base_url=BASE)
    empty_the_site()
    assert not Post.objects.exists() and not Comment.objects.exists()
    # The old uploads folder: the stored files, as the site that left had them.
    uploads = media / "uploads"
    import_wordpress(source=export, media_from=uploads)
    after = snapshot()
    # And the same file again changes nothing (the import is idempotent).
    import_wordpress(source=export, media_from=uploads)
    assert snapshot() == after
    return before, after


def test_a_site_exported_and_imported_into_an_empty_database_comes_back_the_same(
    tmp_path: Path, temporary_media: Path
) -> None:
    """Every field, Stoa's own included (dek, featured, members only, every author, pages in
    the menu, media credit, biographies: they ride in _stoa_* postmeta and <stoa:author_bio>)."""
    before, after = export_and_import_back(tmp_path, temporary_media)
    found = differences(before, after)
    assert found == [], "\n".join(found)
    assert PostStatus.SCHEDULED in {p["status"] for p in after["posts"].values()}
    assert {c["kind"] for c in after["comments"].values()} == {"comment", "pingback"}
    assert {c["depth"] for c in after["comments"].values()} == {1, 2, 3}
    # The fields the round trip exists for are set in the site that left, not left empty.
    assert after["posts"]["notes-from-a-first-session"]["dek"]
    assert after["posts"]["notes-from-a-first-session"]["is_featured"] is True
    assert len(after["posts"]["notes-from-a-first-session"]["authors"]) == 2
    assert "members" in {p["visibility"] for p in after["posts"].values()}
    assert after["pages"]["about"]["show_in_menu"] is True
    assert after["media"]["Two chairs"]["credit"]
    assert after["people"]["maria"]["bio"]
    assert after["people"]["maria"]["photo"] == before["people"]["maria"]["photo"] != None  # noqa: E711
    assert after["posts"]["notes-from-a-first-session"]["featured_image"] == "Waiting room"
    assert after["media"]["Waiting room"]["stored"] is True
    assert after["posts"]["an-embedded-thread"]["listed"] is False
    assert sum(c["edited_at"] is not None for c in after["comments"].values()) == 1
    members = {c["member"] for c in after["comments"].values()}
    assert members == {None, "maria@example.org", "reader@example.org"}


def test_a_site_moved_from_wordpress_leaves_again_as_it_came(tmp_path: Path) -> None:
    """WordPress's own export (the shared sample) imported, exported by Stoa, and imported
    into an empty database: the second import matches the first."""
    import_wordpress(source=SAMPLE)
    first = snapshot()
    export = tmp_path / "again.wordpress.xml"
    with export.open("w", encoding="utf-8") as out:
        export_wordpress(out.write, base_url=BASE)
    empty_the_site()
    import_wordpress(source=export)
    found = differences(first, snapshot())
    assert found == [], "\n".join(found)
    assert len(first["comments"]) > 10 and len(first["posts"]) > 5


def exported_site(tmp_path: Path) -> Path:
    export = tmp_path / "site.wordpress.xml"
    with export.open("w", encoding="utf-8") as out:
        export_wordpress(out.write, base_url=BASE)
    return export


def with_photo() -> Person:
    maria = PersonFactory(name="María Ortega", slug="maria")
    return publishing_services.set_person_photo(person=maria, data=photo((60, 48)), name="maria")


def test_an_authors_photo_that_is_no_picture_is_reported_and_the_author_kept(
    tmp_path: Path, temporary_media: Path
) -> None:
    with_photo()
    export = exported_site(tmp_path)
    text = export.read_text()
    start = text.index("<stoa:author_photo>") + len("<stoa:author_photo>")
    end = text.index("</stoa:author_photo>")
    for bad, why in (
        (base64.encodebytes(b"Plain text, not a picture.").decode(), "is not taken"),
        ("%%% not base64 %%%", "is not base64"),
    ):
        export.write_text(text[:start] + bad + text[end:])
        empty_the_site()
        report = import_wordpress(source=export)
        assert not Person.objects.get(slug="maria").photo
        [line] = [p for p in report.problems if "the photo" in p]
        assert line.startswith("line ") and "Author “maria”: the photo " + why in line


def test_a_dry_run_checks_an_authors_photo_and_stores_none(
    tmp_path: Path, temporary_media: Path
) -> None:
    with_photo()
    export = exported_site(tmp_path)
    empty_the_site()
    stored_before = sorted(p.name for p in temporary_media.rglob("*") if p.is_file())
    report = import_wordpress(source=export, dry_run=True)
    assert report.count("author", "created") == 1
    assert not Person.objects.exists()
    assert sorted(p.name for p in temporary_media.rglob("*") if p.is_file()) == stored_before


def test_a_newer_export_with_the_same_photo_stores_no_second_file(
    tmp_path: Path, temporary_media: Path
) -> None:
    maria = with_photo()
    maria.bio = "First."
    maria.save()
    export = exported_site(tmp_path)
    empty_the_site()
    import_wordpress(source=export)
    stored = Person.objects.get(slug="maria").photo.name
    files = sorted(p.name for p in (temporary_media / "people").iterdir())
    # The author's biography changed over there; the photo did not.
    export.write_text(export.read_text().replace("First.", "Second."))
    report = import_wordpress(source=export)
    assert report.count("author", "updated") == 1
    person = Person.objects.get(slug="maria")
    assert (person.bio, person.photo.name) == ("Second.", stored)
    assert sorted(p.name for p in (temporary_media / "people").iterdir()) == files
