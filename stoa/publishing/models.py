from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from stoa.core.conf import stoa_setting

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User


class Person(models.Model):
    """An author or presenter, with or without an account."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True, help_text="Two or three sentences, shown on bylines.")
    photo = models.ImageField(upload_to="people/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:author", kwargs={"slug": self.slug})


class CategoryQuerySet(models.QuerySet["Category"]):
    """Reads of categories."""

    def with_post_counts(self) -> CategoryQuerySet:
        """Annotate each category with its number of published posts."""
        now = timezone.now()
        return self.annotate(
            post_count=Count(
                "posts",
                filter=Q(
                    posts__status__in=Post.LIVE_STATUSES,
                    posts__published_at__lte=now,
                    posts__listed=True,
                ),
            )
        )


def can_preview_posts(user: User | AnonymousUser) -> bool:
    """Whether this user may open posts readers cannot see yet (drafts, scheduled, private)."""
    return bool(user.is_active and user.is_staff and user.has_perm("publishing.change_post"))


def can_edit_others_posts(user: User | AnonymousUser) -> bool:
    """Whether this user may open and change posts they are not an author of."""
    # WordPress's edit_others_posts: editors have it, authors (and contributors) do not.
    return can_preview_posts(user) and user.has_perm("publishing.change_others_post")


def can_publish_posts(user: User | AnonymousUser) -> bool:
    """Whether this user may publish, schedule, make private, unpublish and feature posts."""
    # WordPress's publish_posts; an author here is WordPress's contributor, who submits a
    # post for review and waits for an editor.
    return bool(user.is_active and user.is_staff and user.has_perm("publishing.publish_post"))


def can_change_post(user: User | AnonymousUser, post: Post) -> bool:
    """Whether this user may change this post in the back office, and so attach things to it
    (a clip): editors any post; an author their own, until an editor publishes it."""
    if can_edit_others_posts(user):
        return True
    if not can_preview_posts(user) or post.status not in AUTHOR_EDITABLE_STATUSES:
        return False
    return Post.objects.filter(pk=post.pk, pk__in=own_posts(user)).exists()


def can_read_full_post(user: User | AnonymousUser, post: Post) -> bool:
    """Whether this user may read the whole post, or only its teaser (title, dek, summary)."""
    if post.visibility == PostVisibility.PUBLIC or can_preview_posts(user):
        return True
    # "Members" means any signed-in, active account for now. This is the one place to change
    # when membership comes to depend on an enrolment or a subscription.
    return bool(user.is_authenticated and user.is_active)


class Category(models.Model):
    """A section of the magazine; categories nest."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description = models.TextField(blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="category_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:category", kwargs={"slug": self.slug})

    def descendant_ids(self) -> set[int]:
        """This category's id and those of every category below it."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = set(), [self.pk]
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, []))
        return found


class Tag(models.Model):
    """A free keyword on posts."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:tag", kwargs={"slug": self.slug})


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    PRIVATE = "private", "Private"


class PostVisibility(models.TextChoices):
    PUBLIC = "public", "Public"
    MEMBERS = "members", "Members only"


# What an author may still change: WordPress's contributor revises a post (saved as a draft or
# submitted for review) until an editor publishes it; then it is read-only to them.
AUTHOR_EDITABLE_STATUSES = (PostStatus.DRAFT, PostStatus.PENDING)
# What listings, feeds and descriptions say of a members-only post that has no excerpt: its
# body is for members, so nothing of it is derived for everyone (see Post.teaser).
MEMBERS_TEASER = "An article for members of {site}."


class PostQuerySet(models.QuerySet["Post"]):
    """Reads of posts, named as a publisher speaks."""

    def published(self, *, now: dt.datetime | None = None) -> PostQuerySet:
        """Posts a reader may see: published, or scheduled and whose time has come (`now`:
        the time to judge by; the present when None)."""
        return self.filter(
            status__in=Post.LIVE_STATUSES,
            published_at__lte=now if now is not None else timezone.now(),
        )

    def visible_to(self, user: User | AnonymousUser) -> PostQuerySet:
        """Posts this user may open: editors see all; authors, published posts and their own
        in any state; others, published posts."""
        if can_edit_others_posts(user):
            return self.all()
        if can_preview_posts(user):
            # As WordPress, an author opens their own drafts and private posts, not others'.
            return self.published() | self.filter(pk__in=own_posts(user))
        return self.published()

    def changeable_by(self, user: User | AnonymousUser) -> PostQuerySet:
        """Posts this user may change, and so choose in another form that points at a post
        (a clip's article): the rule of can_change_post, as a query."""
        if can_edit_others_posts(user):
            return self.all()
        if not can_preview_posts(user):
            return self.none()
        return self.filter(pk__in=own_posts(user), status__in=AUTHOR_EDITABLE_STATUSES)

    def for_listing(self) -> PostQuerySet:
        """Fetch what a post summary shows, as plain lists: `author_list`, `category_list`
        and `tag_list`, in three queries whatever the number of posts; the featured image
        (and its renditions' names) in the posts' own query."""
        return self.select_related("featured_image").prefetch_related(
            Prefetch("authors", Person.objects.only("name", "slug"), to_attr="author_list"),
            Prefetch("categories", Category.objects.only("name", "slug"), to_attr="category_list"),
            Prefetch("tags", Tag.objects.only("name", "slug"), to_attr="tag_list"),
        )

    def listed(self) -> PostQuerySet:
        """Posts the site lists (home, archives, feeds, sitemap, search): not the ones that
        only carry another site's embedded discussion (Post.listed)."""
        return self.filter(listed=True)

    def newest_first(self) -> PostQuerySet:
        """Newest publication first; ties broken by id so paging is stable."""
        return self.order_by("-published_at", "-pk")

    def in_category(self, category: Category) -> PostQuerySet:
        """Posts filed under this category or any category below it."""
        return self.filter(categories__in=category.descendant_ids()).distinct()


class Post(models.Model):
    """An article: what readers come for."""

    LIVE_STATUSES = (PostStatus.PUBLISHED, PostStatus.SCHEDULED)

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    dek = models.CharField(
        "dek", max_length=300, blank=True, help_text="The subtitle line under the title."
    )
    body = models.TextField(help_text="HTML; sanitised against the editors' allowlist on save.")
    excerpt = models.TextField(
        blank=True,
        help_text="Shown in listings and feeds; derived from the body when empty (except for "
        "a members-only post, which then gets a neutral line).",
    )
    # Derived on save (the excerpt, or the body's first 55 words as WordPress derives it), so
    # listings and feeds never parse HTML while a reader waits. Empty for a members-only post
    # without an excerpt: readers are shown `teaser`.
    summary = models.TextField(editable=False, default="")
    authors = models.ManyToManyField(Person, related_name="posts")
    categories = models.ManyToManyField(Category, related_name="posts")
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
    is_featured = models.BooleanField("featured", default=False)
    is_sticky = models.BooleanField("sticky", default=False, help_text="Kept at the top of home.")
    # Off for a post that only carries the discussion of a page on another site (an embedded
    # thread, stoa.api.embed): readable at its address, never in the site's listings, feeds,
    # sitemap or search, so a partner's pages do not fill the magazine's front page.
    listed = models.BooleanField(
        default=True,
        help_text="Shown on the home page, in archives, feeds, the sitemap and search. Off: "
        "readable only at its own address.",
    )
    status = models.CharField(max_length=10, choices=PostStatus.choices, default=PostStatus.DRAFT)
    published_at = models.DateTimeField(
        "publish time", null=True, blank=True, help_text="A future time schedules the post."
    )
    comments_open = models.BooleanField(default=True)
    # The picture of the post's teasers, link previews (og:image) and feed items (issue 15).
    # PROTECT: a picture in use is not deleted from the library from under its posts (the
    # admin says which posts use it).
    featured_image = models.ForeignKey(
        "MediaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="featured_posts",
        limit_choices_to={"content_type__startswith": "image/"},
        help_text="Shown with the post in listings, link previews and feeds. A picture of the "
        "media library, with its alternative text.",
    )
    visibility = models.CharField(
        max_length=10,
        choices=PostVisibility.choices,
        default=PostVisibility.PUBLIC,
        help_text="Members only: other readers see the title, dek and excerpt, and are asked "
        "to log in or join.",
    )
    # Approved comments, kept by the discussion app so that listings never count rows.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="post_status_published"),
            # The admin's post list, newest first whatever the status (issue 12): read in the
            # index's order, not every post sorted for each page.
            models.Index(fields=["published_at"], name="post_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "pending"]) | Q(published_at__isnull=False),
                name="post_published_has_time",
            )
        ]
        permissions = [
            ("publish_post", "Can publish posts"),
            ("change_others_post", "Can change other people's posts"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.published_at is None or self.status not in (*self.LIVE_STATUSES, "private"):
            return reverse("publishing:preview", kwargs={"pk": self.pk})
        local = timezone.localtime(self.published_at)
        return reverse(
            "publishing:post",
            kwargs={"year": local.year, "month": f"{local.month:02d}", "slug": self.slug},
        )

    def clean(self) -> None:
        if self.featured_image_id is not None:
            check_featured_image(self.featured_image)

    @property
    def is_members_only(self) -> bool:
        """Whether only members may read the whole post."""
        return self.visibility == PostVisibility.MEMBERS

    @property
    def teaser(self) -> str:
        """What every reader is shown of the post in listings, feeds, its teaser and its
        description meta tags: the summary, or for a members-only post without an excerpt a
        neutral line, never words of a body that is for members."""
        if self.summary or not self.is_members_only:
            return self.summary
        return MEMBERS_TEASER.format(site=stoa_setting("SITE_NAME"))

    @property
    def is_live(self) -> bool:
        """Whether readers can see this post now."""
        return (
            self.status in self.LIVE_STATUSES
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


def own_posts(user: User | AnonymousUser) -> models.QuerySet[Post, Any]:
    """The ids of the posts this user is credited on, through the person linked to them."""
    if not user.is_authenticated:
        return Post.objects.none().values("pk")
    return Post.objects.filter(authors__user=user).values("pk")


def next_scheduled_at() -> dt.datetime | None:
    """When the next scheduled post goes live, if one is waiting."""
    upcoming = Post.objects.filter(status__in=Post.LIVE_STATUSES, published_at__gt=timezone.now())
    return upcoming.aggregate(at=models.Min("published_at"))["at"]


class PageStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PageQuerySet(models.QuerySet["Page"]):
    """Reads of static pages."""

    def published(self) -> PageQuerySet:
        """Pages readers may see."""
        return self.filter(status=PageStatus.PUBLISHED)

    def visible_to(self, user: User | AnonymousUser) -> PageQuerySet:
        """Pages this user may open: staff who can edit pages see drafts too."""
        if user.is_active and user.is_staff and user.has_perm("publishing.change_page"):
            return self.all()
        return self.published()

    def in_menu(self) -> PageQuerySet:
        """Published pages shown in the site's navigation, in menu order."""
        return self.published().filter(show_in_menu=True).order_by("menu_order", "title")


class Page(models.Model):
    """A static page (About, Contact); pages nest, and their URL follows the nesting."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=500, unique=True, editable=False)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=PageStatus.choices, default=PageStatus.DRAFT)
    menu_order = models.IntegerField(default=0)
    show_in_menu = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="page_unique_slug_in_parent")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publishing:page", kwargs={"path": self.path})


def media_upload_to(item: MediaItem, filename: str) -> str:
    """uploads/YYYY/MM/name, by the item's date in the site's time zone: WordPress files its
    uploads by year and month too, so an imported file keeps its folder."""
    created = timezone.localtime(item.created_at or timezone.now())
    return f"uploads/{created:%Y/%m}/{filename}"


class MediaItemQuerySet(models.QuerySet["MediaItem"]):
    """Reads of the media library."""

    def images(self) -> MediaItemQuerySet:
        """Pictures only (what a body or a teaser can show inline)."""
        return self.filter(content_type__startswith="image/")

    def newest_first(self) -> MediaItemQuerySet:
        return self.order_by("-created_at", "-pk")

    def matching(self, text: str) -> MediaItemQuerySet:
        """Items whose title, alternative text or caption hold every word of `text`."""
        found = self
        for word in text.split()[:10]:
            found = found.filter(
                Q(title__icontains=word) | Q(alt_text__icontains=word) | Q(caption__icontains=word)
            )
        return found


class MediaItem(models.Model):
    """A file of the media library: a picture (re-encoded by stoa.core.images, its size
    known) or a document kept as it came (a PDF). An item brought over from WordPress
    without its file keeps the address it had there (`source_url`) until the file comes."""

    title = models.CharField(max_length=255)
    file = models.FileField(upload_to=media_upload_to, max_length=255, blank=True)
    source_url = models.CharField(
        "source address",
        max_length=2000,
        blank=True,
        help_text="Where the file was before it came here (an old upload's address).",
    )
    alt_text = models.CharField(
        "alternative text",
        max_length=1000,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=255, blank=True)
    # Worked out from the file's contents by the services, never from its name.
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # SHA-256 of the bytes given, before any re-encoding: the same file given again (an
    # import run twice) is recognised and not stored a second time.
    checksum = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # A picture's smaller copies for srcset, made once when the file is stored
    # (stoa.publishing.renditions): [[width, height, storage name], ...], narrowest first.
    # Kept on the row so that a page showing the picture reads no other table or file.
    renditions = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MediaItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "media item"
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(source_url=""), name="media_item_has_file_or_source"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def url(self) -> str:
        """Where readers fetch it: the stored file, else the address it had before."""
        return self.file.url if self.file else self.source_url

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def check_featured_image(item: MediaItem | None) -> None:
    """A featured image is a stored picture with its alternative text: it stands for the
    post or series wherever it is shown (listings, link previews, feeds), so a reader who
    cannot see it is told what it shows. ValidationError on "featured_image" otherwise."""
    if item is None:
        return
    if not (item.file and item.is_image):
        raise ValidationError({"featured_image": "Choose a picture stored in the media library."})
    if not item.alt_text:
        raise ValidationError(
            {
                "featured_image": f"“{item.title}” has no alternative text yet: describe it "
                "in the media library first."
            }
        )
