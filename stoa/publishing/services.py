"""Every change of state in publishing: the admin, the demo and the importer call these."""

from __future__ import annotations

import datetime as dt
import functools
import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.text import slugify

from stoa.core import freshness
from stoa.core import services as core_services
from stoa.core.text import sanitised_excerpt
from stoa.members.models import User
from stoa.publishing import renditions, signals
from stoa.publishing.models import (
    Category,
    MediaItem,
    Page,
    PageStatus,
    Person,
    Post,
    PostStatus,
    PostVisibility,
    Tag,
    check_featured_image,
)
from stoa.publishing.sanitizers import clean_post_body
from stoa.publishing.validators import (
    PreparedMedia,
    prepare_media_file,
    reencode_person_photo,
    upload_limit,
)

# First path segments that belong to other routes, so a page may not take them: these, and
# whatever first segment a route of the site's URLconf starts with (reserved_page_slugs).
RESERVED_PAGE_SLUGS = frozenset(
    {"admin", "author", "category", "feed", "media", "preview", "static", "tag", "page"}
)


@functools.cache
def reserved_page_slugs() -> frozenset[str]:
    """RESERVED_PAGE_SLUGS and the literal first segment of every route the URLconf has
    (`series/`, `comments/`, an app added later such as `wordpress/`): a top-level page of
    that slug would never be reached, the route answering first. Read from the URLconf, so
    publishing names no app above it."""
    found = set(RESERVED_PAGE_SLUGS)

    def walk(patterns: Iterable[Any]) -> None:
        for entry in patterns:
            first = str(entry.pattern).lstrip("^").split("/", 1)[0]
            if first and not any(mark in first for mark in "<([\\$.?*+"):
                found.add(first)
            elif not first and isinstance(entry, URLResolver):
                walk(entry.url_patterns)  # an app included at the root: its own routes

    walk(get_resolver().url_patterns)
    return frozenset(found)


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


def _derived_summary(post: Post) -> str:
    """The listings' line for a post without an excerpt: the start of its body as plain text.
    A members-only post's body is for members: nothing of it is derived for listings and
    feeds, which show Post.teaser (a neutral line) instead. Worked out only when there is no
    excerpt, from the body as the sanitiser wrote it (the callers sanitise it first)."""
    return "" if post.visibility == PostVisibility.MEMBERS else sanitised_excerpt(post.body)


@transaction.atomic
def save_post(*, post: Post) -> Post:
    """Sanitise, schedule and save a post (its many-to-many relations are the caller's)."""
    post.title = post.title.strip()
    post.slug = post.slug or unique_slug(Post, post.title, exclude_pk=post.pk)
    post.body = clean_post_body(post.body)
    post.excerpt = post.excerpt.strip()
    post.summary = post.excerpt or _derived_summary(post)
    now = timezone.now()
    _normalise_schedule(post, now)
    post.full_clean(exclude=["authors", "categories", "tags"])
    before = _live_post_url(post.pk, now)
    post.save()
    if before is not None and post.is_live:
        _keep_old_link(before, post.get_absolute_url())
    if before is None and post.status in Post.LIVE_STATUSES:
        # Readers could not see it, and will: now, or at its time (signals.post_published).
        signals.post_published.send(sender=Post, post=post, at=post.published_at)
    return post


def _live_post_url(pk: int | None, now: dt.datetime) -> str | None:
    """The address readers had for this post before this save, if it was live."""
    if pk is None:
        return None
    saved = Post.objects.filter(pk=pk, status__in=Post.LIVE_STATUSES, published_at__lte=now)
    row = saved.values("slug", "status", "published_at").first()
    return Post(pk=pk, **row).get_absolute_url() if row else None


def _keep_old_link(old: str, new: str) -> None:
    """An address readers had keeps working when it changes (WordPress keeps a post's old
    slugs, _wp_old_slug, and redirects them): the old one answers a 301 to the new one, and
    the new one, live now, is nobody's old address any more."""
    if old == new:
        return
    core_services.remove_redirect(old_path=new)
    core_services.add_redirect(old_path=old, new_path=new, note="Address changed")


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
    featured_image: MediaItem | None = None,
    listed: bool = True,
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
        featured_image=featured_image,
        listed=listed,
    )
    save_post(post=post)
    post.authors.set(authors)
    post.categories.set(categories)
    post.tags.set(list(tags))
    return post


@transaction.atomic
def set_post_relations(
    *, post: Post, authors: Sequence[int], categories: Sequence[int], tags: Sequence[int]
) -> None:
    """Give a saved post its authors (people's ids, in the byline's order: the rows are
    written again in that order when it changes, as set() would keep the ones it has),
    categories and tags (their ids). Like create_post, a post needs an author and a
    category."""
    authors = list(dict.fromkeys(authors))
    if not authors:
        raise ValidationError({"authors": "A post needs at least one author."})
    if not categories:
        raise ValidationError({"categories": "A post needs at least one category."})
    through = Post.authors.through
    had = through.objects.filter(post=post).order_by("pk").values_list("person_id", flat=True)
    if list(had) != authors:
        post.authors.clear()
        through.objects.bulk_create([through(post_id=post.pk, person_id=pk) for pk in authors])
    post.categories.set(categories)
    post.tags.set(tags)


@transaction.atomic
def set_featured_image(*, post: Post, image: MediaItem | None) -> Post:
    """Give a post its featured image (a described picture of the library), or take it off."""
    post.featured_image = image
    return save_post(post=post)


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
    if page.parent is None and (page.slug in reserved_page_slugs() or page.slug.isdigit()):
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
    before = (
        Page.objects.filter(pk=page.pk, status=PageStatus.PUBLISHED)
        .values_list("path", flat=True)
        .first()
        if page.pk
        else None
    )
    page.save()
    if before is not None and page.status == PageStatus.PUBLISHED:
        _keep_old_link(Page(path=before).get_absolute_url(), page.get_absolute_url())
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


# The addresses of an author, a category or a tag, by route name: its archive and its feeds.
_ARCHIVE_ROUTES = {
    Person: ("publishing:author", "publishing:author_feed", "publishing:author_atom"),
    Category: ("publishing:category", "publishing:category_feed", "publishing:category_atom"),
    Tag: ("publishing:tag", "publishing:tag_feed", "publishing:tag_atom"),
}


def _save_keeping_links(obj: Person | Category | Tag) -> None:
    """Save an author, category or tag; when its slug changed, the addresses readers had (its
    archive and feeds, and every old address of an imported site that led there: the
    redirect table is kept one hop long) answer 301 to the new ones, as for posts."""
    before = (
        type(obj).objects.filter(pk=obj.pk).values_list("slug", flat=True).first()
        if obj.pk
        else None
    )
    obj.full_clean()
    obj.save()
    if before is not None and before != obj.slug:
        for name in _ARCHIVE_ROUTES[type(obj)]:
            _keep_old_link(
                reverse(name, kwargs={"slug": before}), reverse(name, kwargs={"slug": obj.slug})
            )


@transaction.atomic
def save_person(*, person: Person) -> Person:
    """Save an author or presenter edited in place (see _save_keeping_links)."""
    _save_keeping_links(person)
    return person


@transaction.atomic
def set_person_photo(*, person: Person, data: bytes, name: str) -> Person:
    """Give a person the photo in `data`, through the image pipeline as the admin's upload
    is (a square, re-encoded, its metadata gone); a ValidationError says why one is refused.
    `name` is the stored file's name before its extension."""
    person.photo = reencode_person_photo(data, name=name)
    return save_person(person=person)


@transaction.atomic
def save_category(*, category: Category) -> Category:
    """Save a category edited in place (see _save_keeping_links)."""
    _save_keeping_links(category)
    return category


@transaction.atomic
def save_tag(*, tag: Tag) -> Tag:
    """Save a tag edited in place (see _save_keeping_links)."""
    _save_keeping_links(tag)
    return tag


@transaction.atomic
def create_tag(*, name: str, slug: str = "") -> Tag:
    """Add a tag under its own slug (an imported one keeps its old site's), or one made from
    the name."""
    tag = Tag(name=" ".join(name.split()), slug=slug or unique_slug(Tag, name))
    tag.full_clean()
    tag.save()
    return tag


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


# ---------------------------------------------------------------------------- media library

MEDIA_TITLE_MAX = MediaItem._meta.get_field("title").max_length or 255


def _read_media(file: File, name: str) -> PreparedMedia:
    """The file checked and prepared (stoa.publishing.validators); its size is checked
    before it is read, so an oversized upload is never held in memory."""
    limit = max(upload_limit("image"), upload_limit("media"))
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                "file": f"This file is {size / 1048576:.1f} MB; files may be "
                f"{limit / 1048576:g} MB at most."
            },
            code="too_large",
        )
    file.seek(0)
    data = file.read(limit + 1)
    return prepare_media_file(data, name=name or getattr(file, "name", "") or "file")


def _delete_file_later(name: str) -> None:
    """Remove a replaced file once the change is committed (never while it may roll back)."""
    if name:
        storage = MediaItem._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def _media_title(title: str, fallback: str) -> str:
    title = " ".join(title.split()) or fallback
    return title[:MEDIA_TITLE_MAX]


def _store(item: MediaItem, prepared: PreparedMedia) -> None:
    item.content_type = prepared.content_type
    item.width, item.height = prepared.width, prepared.height
    item.file_size = len(prepared.data)
    item.checksum = prepared.checksum
    # save=False: the row is saved once, by the caller, after full_clean.
    item.file.save(prepared.name, ContentFile(prepared.data), save=False)
    # The srcset widths, made now from the stored re-encoding, once (issue 15).
    item.renditions = renditions.make_renditions(item)


def _check_alt_text(item: MediaItem, *, alt_required: bool) -> None:
    # A picture stored here: one still only at its old address is an import's, not shown
    # through the library until its file comes.
    if alt_required and item.file and item.is_image and not item.alt_text:
        raise ValidationError(
            {
                "alt_text": "Describe the picture for readers who cannot see it (what it "
                "shows, as you would tell someone on the phone)."
            },
            code="alt_required",
        )


def _clean_or_drop_file(item: MediaItem, *, stored: bool, alt_required: bool = False) -> None:
    """full_clean, removing the file (and renditions) just stored if the item is refused
    (nothing refers to it; a rolled-back transaction would never run an on_commit removal)."""
    try:
        _check_alt_text(item, alt_required=alt_required)
        item.full_clean()
    except ValidationError:
        if stored and item.file:
            renditions.delete_renditions(item, [str(r[2]) for r in item.renditions])
            item.file.storage.delete(item.file.name)
        raise


def _guess_type(url: str) -> str:
    return mimetypes.guess_type(urlsplit(url).path)[0] or ""


@transaction.atomic
def create_media_item(
    *,
    title: str,
    file: File | None = None,
    file_name: str = "",
    alt_text: str = "",
    caption: str = "",
    credit: str = "",
    source_url: str = "",
    created_at: dt.datetime | None = None,
    alt_required: bool = True,
) -> MediaItem:
    """Add a file to the media library: a picture goes through the image pipeline (checked,
    re-encoded, its size recorded, its srcset renditions made), a document is kept as it
    came; `file_name` names it (else the file's own name). Without a file, `source_url` is
    where it still lives (an import without the old uploads). A picture needs its
    alternative text, unless `alt_required` is False (an import: WordPress never required
    it; such a picture cannot be a featured image until it has one). ValidationError says
    what is wrong, nothing written."""
    prepared = _read_media(file, file_name) if file is not None else None
    if prepared is None and not source_url.strip():
        raise ValidationError({"file": "Give a file, or the address where the file is."})
    item = MediaItem(
        title=_media_title(title, PurePosixPath(file_name or source_url).stem or "Untitled"),
        alt_text=alt_text.strip(),
        caption=caption.strip(),
        credit=credit.strip(),
        source_url=source_url.strip(),
        created_at=created_at or timezone.now(),
        content_type="" if prepared else _guess_type(source_url),
    )
    if prepared is not None:
        _store(item, prepared)
    _clean_or_drop_file(item, stored=prepared is not None, alt_required=alt_required)
    item.save()
    return item


@transaction.atomic
def update_media_item(
    *,
    item: MediaItem,
    title: str | None = None,
    file: File | None = None,
    file_name: str = "",
    alt_text: str | None = None,
    caption: str | None = None,
    credit: str | None = None,
    source_url: str | None = None,
    created_at: dt.datetime | None = None,
    alt_required: bool = True,
) -> MediaItem:
    """Change a media item: each field given replaces the item's (None keeps it). A new file
    replaces the stored one and its renditions (removed once the change is committed),
    unless it is the very file stored already (same checksum: an import run again stores
    nothing). A picture keeps needing its alternative text (see create_media_item)."""
    prepared = _read_media(file, file_name) if file is not None else None
    if title is not None:
        item.title = _media_title(title, item.title)
    if alt_text is not None:
        item.alt_text = alt_text.strip()
    if caption is not None:
        item.caption = caption.strip()
    if credit is not None:
        item.credit = credit.strip()
    if source_url is not None:
        item.source_url = source_url.strip()
        if not item.file:
            item.content_type = _guess_type(item.source_url)
    if created_at is not None:
        item.created_at = created_at
    replaced, stored = "", False
    old_renditions = [str(r[2]) for r in item.renditions]
    if prepared is not None and not (item.file and prepared.checksum == item.checksum):
        replaced, stored = item.file.name, True
        _store(item, prepared)
    _clean_or_drop_file(item, stored=stored, alt_required=alt_required)
    item.save()
    if stored:
        for name in [replaced, *old_renditions]:
            _delete_file_later(name)
    return item


@transaction.atomic
def delete_media_item(*, item: MediaItem) -> None:
    """Delete a library item, and its stored file and renditions once that is committed (a
    rollback keeps them): WordPress's "Delete permanently" of an attachment removes its files
    too. A picture that is a post's or a series' featured image is protected
    (models.ProtectedError; the admin's confirmation page names what uses it)."""
    names = [item.file.name if item.file else "", *(str(r[2]) for r in item.renditions)]
    item.delete()
    for name in names:
        _delete_file_later(name)


@transaction.atomic
def make_missing_renditions(*, items: Iterable[MediaItem]) -> int:
    """Make the srcset renditions of stored pictures that have none (a file stored before
    renditions existed); the number of items given renditions."""
    done = 0
    for item in items:
        if item.renditions or not item.file or not item.is_image:
            continue
        item.renditions = renditions.make_renditions(item)
        if item.renditions:
            item.save(update_fields=["renditions", "updated_at"])
            done += 1
    return done


# ------------------------------------------------------------------------------ imports


@dataclass(frozen=True)
class ImportedPost:
    """A post brought from another system (a WordPress export), as it was there."""

    title: str
    slug: str
    body: str
    authors: Sequence[int]
    categories: Sequence[int]
    tags: Sequence[int] = ()
    excerpt: str = ""
    status: str = PostStatus.DRAFT
    published_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    is_sticky: bool = False
    comments_open: bool = True
    visibility: str = PostVisibility.PUBLIC
    dek: str = ""
    is_featured: bool = False
    listed: bool = True
    # A stored picture with its alternative text (check_featured_image), or None.
    featured_image: MediaItem | None = None
    # The body as clean_post_body returns it, when the caller sanitised it ahead (a
    # WordPress import's reading process, on another core): taken as it is. Else `body` is
    # sanitised here.
    sanitised_body: str | None = None


IMPORT_BATCH = 500


@transaction.atomic
def import_posts(*, rows: Sequence[ImportedPost]) -> list[Post]:
    """Write many new posts at once, as the old system had them: the slug exactly as given
    (the caller makes sure no other post has it), the status and times kept (a published
    post whose time is ahead is scheduled, as save_post files it), the body sanitised like
    any body and the summary derived; authors (people's ids), categories and tags written
    through their tables in one executemany each. Rows are written by hand-made INSERTs
    (_insert_rows: bulk_create's work on each value cost more than the database's) and
    send no signals: one new content version is noted (the caller's freshness.changed()
    block ends it). Returns the posts in the rows' order."""
    now = timezone.now()
    posts = []
    for row in rows:
        if not row.authors or not row.categories:
            raise ValidationError(
                {"authors" if not row.authors else "categories": "A post needs at least one."}
            )
        post = Post(
            title=row.title.strip()[:200],
            slug=row.slug,
            dek=row.dek.strip()[:300],
            is_featured=row.is_featured,
            body=clean_post_body(row.body) if row.sanitised_body is None else row.sanitised_body,
            excerpt=row.excerpt.strip(),
            status=row.status,
            published_at=row.published_at,
            is_sticky=row.is_sticky,
            comments_open=row.comments_open,
            visibility=row.visibility,
            listed=row.listed,
            featured_image=row.featured_image,
        )
        check_featured_image(row.featured_image)
        post.summary = post.excerpt or _derived_summary(post)
        _normalise_schedule(post, now)
        posts.append(post)
    # The old system's times, written with the rows (bulk_create would fill the auto_now
    # fields with now, and a second statement set them again).
    for post, row in zip(posts, rows, strict=True):
        post.created_at = row.created_at or row.published_at or now
        post.updated_at = row.updated_at or post.created_at
    _insert_rows(Post, posts)
    pairs = list(zip(posts, rows, strict=True))
    _insert_links(
        Post.authors.through,
        [(post.pk, pk) for post, row in pairs for pk in dict.fromkeys(row.authors)],
    )
    _insert_links(
        Post.categories.through,
        [(post.pk, pk) for post, row in pairs for pk in dict.fromkeys(row.categories)],
    )
    _insert_links(
        Post.tags.through,
        [(post.pk, pk) for post, row in pairs for pk in dict.fromkeys(row.tags)],
    )
    freshness.mark_changed()
    return posts


def _insert_rows(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT these new instances as they are (no pre_save: auto_now fields keep what the
    instance holds) and give them their ids: what bulk_create does, without its Python
    work on every value of every row (py-spy of an import of 5,000 posts: import_posts took
    half the time it took with bulk_create and a second UPDATE of the times). Each value is
    prepared by its field (get_db_prep_save), as bulk_create prepares it; core.insert_rows
    writes them."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ids = core_services.insert_rows(
        model=model,
        rows=[
            tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)
            for obj in objects
        ],
    )
    for obj, found in zip(objects, ids, strict=True):
        obj.pk = found
        obj._state.adding = False
        obj._state.db = connection.alias


def _insert_links(through: type[models.Model], pairs: list[tuple[int, int]]) -> None:
    """Rows of a many-to-many table (from's id, to's id), in one executemany: plain ids."""
    if not pairs:
        return
    fields = [f for f in through._meta.concrete_fields if not f.primary_key]
    assert len(fields) == 2  # noqa: S101 - a plain many-to-many table: its two keys
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(through._meta.db_table)} ({columns}) VALUES (%s, %s)",  # noqa: S608 - names from the model
            pairs,
        )


@dataclass(frozen=True)
class ImportedMedia:
    """A media item brought from another system without its file: where the file still is
    (`source_url`), and what describes it."""

    title: str
    source_url: str
    alt_text: str = ""
    caption: str = ""
    created_at: dt.datetime | None = None
    credit: str = ""


@transaction.atomic
def import_media_items(*, rows: Sequence[ImportedMedia]) -> list[MediaItem]:
    """Write many media items that keep their old address (no file to check or store) at
    once, described as create_media_item describes them; no signals: one new content version
    is noted. Returns the items in the rows' order."""
    now = timezone.now()
    items = []
    for row in rows:
        source = row.source_url.strip()
        if not source:
            raise ValidationError({"source_url": "Give the address where the file is."})
        items.append(
            MediaItem(
                title=_media_title(row.title, PurePosixPath(source).stem or "Untitled"),
                source_url=source,
                alt_text=row.alt_text.strip()[:1000],
                caption=row.caption.strip(),
                credit=row.credit.strip()[:255],
                created_at=row.created_at or now,
                content_type=_guess_type(source),
            )
        )
    MediaItem.objects.bulk_create(items, batch_size=IMPORT_BATCH)
    freshness.mark_changed()
    return items
