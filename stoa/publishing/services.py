"""Every change of state in publishing: the admin, the demo and the importer call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from stoa.core.text import plain_excerpt
from stoa.members.models import User
from stoa.publishing.models import (
    Category,
    Page,
    PageStatus,
    Person,
    Post,
    PostStatus,
    PostVisibility,
    Tag,
)
from stoa.publishing.sanitizers import clean_post_body

# First path segments that belong to other routes, so a page may not take them.
RESERVED_PAGE_SLUGS = frozenset(
    {"admin", "author", "category", "feed", "media", "preview", "static", "tag", "page"}
)


def unique_slug(model: type[models.Model], text: str, *, exclude_pk: int | None = None) -> str:
    """Slugify text and add -2, -3, ... until no other row of `model` has the slug."""
    base = (slugify(text) or "item")[:90]
    existing = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _normalise_schedule(post: Post, now: dt.datetime) -> None:
    """Give a published post its time, and file it as scheduled while that time is ahead."""
    if post.status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED, PostStatus.PRIVATE):
        post.published_at = post.published_at or now
    if post.status in Post.LIVE_STATUSES:
        assert post.published_at is not None  # noqa: S101 - set just above
        post.status = PostStatus.SCHEDULED if post.published_at > now else PostStatus.PUBLISHED


@transaction.atomic
def save_post(*, post: Post) -> Post:
    """Sanitise, schedule and save a post (its many-to-many relations are the caller's)."""
    post.title = post.title.strip()
    post.slug = post.slug or unique_slug(Post, post.title, exclude_pk=post.pk)
    post.body = clean_post_body(post.body)
    post.excerpt = post.excerpt.strip()
    # A members-only post's body is for members: without an excerpt, nothing of it is derived
    # for listings and feeds, which show Post.teaser (a neutral line) instead.
    derived = "" if post.visibility == PostVisibility.MEMBERS else plain_excerpt(post.body)
    post.summary = post.excerpt or derived
    _normalise_schedule(post, timezone.now())
    post.full_clean(exclude=["authors", "categories", "tags"])
    post.save()
    return post


@transaction.atomic
def create_post(
    *,
    title: str,
    body: str,
    authors: Iterable[Person],
    categories: Iterable[Category],
    tags: Iterable[Tag] = (),
    dek: str = "",
    slug: str = "",
    excerpt: str = "",
    status: str = PostStatus.DRAFT,
    published_at: dt.datetime | None = None,
    is_featured: bool = False,
    is_sticky: bool = False,
    comments_open: bool = True,
    visibility: str = PostVisibility.PUBLIC,
) -> Post:
    """Write a new post with its authors, categories and tags."""
    authors, categories = list(authors), list(categories)
    if not authors:
        raise ValidationError({"authors": "A post needs at least one author."})
    if not categories:
        raise ValidationError({"categories": "A post needs at least one category."})
    post = Post(
        title=title,
        slug=slug,
        dek=dek,
        body=body,
        excerpt=excerpt,
        status=status,
        published_at=published_at,
        is_featured=is_featured,
        is_sticky=is_sticky,
        comments_open=comments_open,
        visibility=visibility,
    )
    save_post(post=post)
    post.authors.set(authors)
    post.categories.set(categories)
    post.tags.set(list(tags))
    return post


@transaction.atomic
def publish_post(*, post: Post, at: dt.datetime | None = None) -> Post:
    """Publish a post now, or schedule it for `at`."""
    post.status = PostStatus.PUBLISHED
    post.published_at = at or timezone.now()
    return save_post(post=post)


@transaction.atomic
def unpublish_post(*, post: Post) -> Post:
    """Take a post back to draft; its permalink stops answering readers."""
    post.status = PostStatus.DRAFT
    return save_post(post=post)


def _page_path(page: Page) -> str:
    """The URL path of a page: its ancestors' slugs and its own, joined by slashes."""
    parts, node, seen = [page.slug], page.parent, {page.pk}
    while node is not None:
        if node.pk in seen:
            raise ValidationError({"parent": "A page cannot be placed below itself."})
        seen.add(node.pk)
        parts.append(node.slug)
        node = node.parent
    return "/".join(reversed(parts))


def validate_page_placement(page: Page) -> None:
    """Refuse a slug that a site route owns and a parent that would make a loop."""
    if page.parent is None and (page.slug in RESERVED_PAGE_SLUGS or page.slug.isdigit()):
        raise ValidationError({"slug": f"“{page.slug}” is taken by the site's own addresses."})
    _page_path(page)


@transaction.atomic
def save_page(*, page: Page) -> Page:
    """Sanitise and save a page, and keep its children's paths in step with its own."""
    page.title = page.title.strip()
    page.slug = page.slug or slugify(page.title) or "page"
    validate_page_placement(page)
    page.body = clean_post_body(page.body)
    page.path = _page_path(page)
    page.full_clean()
    page.save()
    for child in page.children.all():
        save_page(page=child)
    return page


@transaction.atomic
def create_page(
    *,
    title: str,
    body: str,
    slug: str = "",
    parent: Page | None = None,
    status: str = PageStatus.PUBLISHED,
    menu_order: int = 0,
    show_in_menu: bool = False,
) -> Page:
    """Write a new static page."""
    page = Page(
        title=title,
        slug=slug,
        parent=parent,
        body=body,
        status=status,
        menu_order=menu_order,
        show_in_menu=show_in_menu,
    )
    return save_page(page=page)


@transaction.atomic
def create_person(*, name: str, bio: str = "", slug: str = "", user: User | None = None) -> Person:
    """Add an author or presenter."""
    person = Person(name=name.strip(), bio=bio, slug=slug or unique_slug(Person, name), user=user)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def create_category(
    *, name: str, slug: str = "", parent: Category | None = None, description: str = ""
) -> Category:
    """Add a section of the magazine."""
    category = Category(
        name=name.strip(),
        slug=slug or unique_slug(Category, name),
        parent=parent,
        description=description,
    )
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def get_or_create_tag(*, name: str) -> Tag:
    """Find a tag by name (case-insensitively) or add it."""
    name = " ".join(name.split())
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        tag = Tag(name=name, slug=unique_slug(Tag, name))
        tag.full_clean()
        tag.save()
    return tag


@transaction.atomic
def set_featured(*, post: Post, featured: bool) -> Post:
    """Add a post to the sidebar's featured teasers, or take it off."""
    post.is_featured = featured
    post.save(update_fields=["is_featured", "updated_at"])
    return post
