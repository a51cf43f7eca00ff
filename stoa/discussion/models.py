from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower, Substr

from stoa.publishing.models import Post, PostVisibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User


# The settings row as this request first read it (None outside a request). A comment POST
# asks for the settings about four times (the door, the rules, the drawing of the comment,
# its markup's fingerprint): each was a cache read and an unpickling, on the file cache
# about 7% of gunicorn's CPU a write. Kept for one request only, so an editor's change
# applies from the next request on; task workers and commands, outside any request, read
# the cache each time as before.
_request_settings: ContextVar[dict[str, DiscussionSettings] | None] = ContextVar(
    "discussion_settings", default=None
)


def _request_began(**kwargs: Any) -> None:
    _request_settings.set({})


def _request_ended(**kwargs: Any) -> None:
    _request_settings.set(None)


request_started.connect(_request_began, dispatch_uid="discussion-settings-memo-start")
request_finished.connect(_request_ended, dispatch_uid="discussion-settings-memo-end")


class DiscussionSettings(models.Model):
    """The moderation and discussion settings, one row, editable in the admin."""

    CACHE_KEY = "stoa:discussion-settings"

    auto_close_days = models.PositiveIntegerField(
        "close comments after (days)", default=0, help_text="0 keeps comments open for ever."
    )
    thread_depth = models.PositiveSmallIntegerField(
        "reply depth", default=5, help_text="Replies nest this many levels deep at most."
    )
    paginate = models.BooleanField("break comments into pages", default=False)
    threads_per_page = models.PositiveSmallIntegerField("top-level threads per page", default=50)
    newest_first = models.BooleanField("newest threads first", default=False)
    rate_limit_seconds = models.PositiveSmallIntegerField(
        "seconds between comments from one address", default=15
    )
    max_links = models.PositiveSmallIntegerField("hold a comment with more links than", default=2)
    hold_first_comment = models.BooleanField(
        "hold a first comment until approved",
        default=True,
        help_text="A guest whose name and email address match an earlier approved guest "
        "comment skips the hold, unless a member's account has that address; a member skips it "
        "while none of their comments was marked spam.",
    )
    moderation_keys = models.TextField(
        "moderation words",
        blank=True,
        help_text="One word, name, email, IP or URL per line: a comment containing one is held.",
    )
    disallowed_keys = models.TextField(
        "disallowed words",
        blank=True,
        help_text="One per line: a comment containing one goes straight to spam.",
    )
    flag_threshold = models.PositiveSmallIntegerField(
        "hide after this many reports from members",
        default=3,
        help_text="An approved comment goes back to the queue for a moderator once this many "
        "members have reported it. 0 never hides a comment.",
    )
    guest_reports_per_member = models.PositiveSmallIntegerField(
        "reports from visitors that count as one member's",
        default=0,
        help_text="0: reports from visitors without an account never hide a comment; they are "
        "counted in the queue (“Reported”) for a moderator to read. Anyone can make up "
        "visitors, so a mix counts for little.",
    )
    edit_window_minutes = models.PositiveSmallIntegerField(
        "commenters may edit for (minutes)", default=15
    )
    notify_post_author = models.BooleanField("email the post's author", default=True)
    notify_moderators = models.BooleanField("email moderators about held comments", default=True)
    moderator_emails = models.TextField(
        blank=True, help_text="Extra addresses, one per line, besides staff who moderate."
    )
    retention_days = models.PositiveSmallIntegerField(
        "empty spam and trash, erase IPs after (days)", default=30
    )
    use_gravatar = models.BooleanField(
        default=False,
        help_text="Off: avatars are drawn here from initials, and no address leaves the site.",
    )

    class Meta:
        verbose_name = "discussion settings"
        verbose_name_plural = "discussion settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="one_discussion_settings")]

    def __str__(self) -> str:
        return "Discussion settings"

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        # Paging, order, closing rules and avatars change what post pages show: the new
        # content version comes from stoa.discussion.freshness; this is the row's own cache.
        cache.delete(self.CACHE_KEY)
        if (memo := _request_settings.get()) is not None:
            memo.clear()  # the request that saved them reads them anew too

    @classmethod
    def current(cls) -> DiscussionSettings:
        """The settings row (created with defaults on first use), cached; read once per
        request (_request_settings), so the callers of one request share one instance:
        change it only to save it (save() makes the request read it anew)."""
        memo = _request_settings.get()
        if memo is not None and (kept := memo.get(cls.CACHE_KEY)) is not None:
            return kept
        found: DiscussionSettings | None = cache.get(cls.CACHE_KEY)
        if found is None:
            found, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, found, 300)
        if memo is not None:
            memo[cls.CACHE_KEY] = found
        return found

    @staticmethod
    def lines(text: str) -> list[str]:
        """The non-empty lines of a list setting, lower-cased."""
        return [line.strip().lower() for line in text.splitlines() if line.strip()]


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Held"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    TRASH = "trash", "Trash"


class CommentKind(models.TextChoices):
    """What WordPress calls comment_type: a reader's comment, or a notice that another site
    linked to the post (a pingback, sent by WordPress itself; a trackback, sent by hand),
    which themes show as one line, "Pingback: <a>the linking post</a>", with no reply link.
    Stoa receives neither; they come with a moved site's discussion."""

    COMMENT = "comment", "Comment"
    PINGBACK = "pingback", "Pingback"
    TRACKBACK = "trackback", "Trackback"


class CommentQuerySet(models.QuerySet["Comment"]):
    """Reads of comments, named as a moderator speaks."""

    def approved(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.APPROVED)

    def held(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.PENDING)

    def on_live_posts(self) -> CommentQuerySet:
        """Comments under posts readers can see."""
        return self._under(Post.objects.published())

    def on_public_posts(self) -> CommentQuerySet:
        """Comments under posts every reader can see whole (not members-only ones): what
        shared places (the sidebar, the site's comment feed) may show."""
        return self._under(Post.objects.published().filter(visibility=PostVisibility.PUBLIC))

    def _under(self, posts: models.QuerySet[Post]) -> CommentQuerySet:
        """Comments whose post is one of `posts`, asked of each comment's own post (EXISTS,
        by its primary key): the newest comments are read in order and the reading stops
        when enough are found. As `post_id IN (those posts)`, SQLite first listed every live
        post of the site (about 85 ms for the sidebar's five on a site of 20,000 posts and
        400,000 comments, issue 12)."""
        return self.filter(Exists(posts.filter(pk=OuterRef("post_id"))))

    def written_by(
        self, user: User | AnonymousUser, *, owner_token_pk: int | None = None
    ) -> CommentQuerySet:
        """The viewer's own comments, in any status: by their account, or the one the owner
        token in the address names (the rule is access.is_writer's)."""
        from stoa.discussion.access import written_by

        return self.filter(written_by(user, owner_token_pk=owner_token_pk))

    def visible_to(
        self, user: User | AnonymousUser, *, owner_token_pk: int | None = None
    ) -> CommentQuerySet:
        """The comments this viewer may read, as access.can_read_comment answers one by one:
        approved ones under posts they may read in full, their own held ones (and spam, shown
        to its writer as held); moderators everything, the trash included."""
        from stoa.discussion.access import can_moderate, reads_members_posts, written_by

        if can_moderate(user):
            return self.all()
        readable = self.exclude(status=CommentStatus.TRASH)
        if not reads_members_posts(user):
            readable = readable.filter(post__visibility=PostVisibility.PUBLIC)
        mine = written_by(user, owner_token_pk=owner_token_pk)
        return readable.filter(Q(status=CommentStatus.APPROVED) | mine)

    def recent(self, count: int = 5) -> CommentQuerySet:
        """The newest approved comments on live public posts, with their posts."""
        fields = ("author_name", "excerpt", "post__title", "post__slug", "post__published_at")
        return (
            self.approved()
            .on_public_posts()
            .select_related("post")
            .only(*fields, "post__status")
            .order_by("-created_at", "-pk")[:count]
        )


# How much of a comment's text the duplicate rule's index holds: enough to tell comments
# apart, little enough to keep the index small whatever their length.
DUPLICATE_KEY_LENGTH = 64


class Comment(models.Model):
    """A reader's comment under a post, possibly a reply to another comment."""

    # No index of its own for the post or the user: comment_thread and comment_user_recent
    # begin with them and answer every question asked by either alone (a post's comments,
    # a member's, the cascade and SET NULL when one is deleted), and each index is one more
    # B-tree every comment written grows (issue 11: an import writes 400,000).
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        db_index=False,
    )
    author_name = models.CharField("name", max_length=100)
    author_email = models.EmailField("email", blank=True)
    author_url = models.URLField("website", max_length=300, blank=True)
    text = models.TextField(help_text="What the commenter wrote, as they wrote it.")
    html = models.TextField(editable=False, help_text="The text, sanitised for display.")
    excerpt = models.CharField(max_length=200, editable=False)
    # The whole comment's display markup, drawn once and kept (drawing 200 comments costs a
    # thread several times a whole page: bench/comment_markup.py), and the fingerprint of the
    # template and settings it was drawn with: threads.thread_rows draws it again by itself
    # when they change, or when a service emptied it because what it shows changed.
    rendered = models.TextField(editable=False, blank=True)
    rendered_with = models.CharField(max_length=32, editable=False, blank=True)
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    kind = models.CharField(max_length=10, choices=CommentKind.choices, default=CommentKind.COMMENT)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    is_by_post_author = models.BooleanField(default=False, editable=False)
    flag_count = models.PositiveIntegerField(default=0, editable=False)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["post", "status", "created_at"], name="comment_thread"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
            # The moderation rules match an address whatever its case (moderation.same_text):
            # every guest comment asks this index, never a scan of every comment.
            models.Index(Lower("author_email"), F("status"), name="comment_email_key"),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip"),
            # The queue's "Reported" count and filter: the few comments readers reported,
            # not a scan of every comment (issue 12: the admin with 400,000 comments).
            models.Index(fields=["status"], condition=Q(flag_count__gt=0), name="comment_reported"),
            # The duplicate rule (moderation.duplicate): the post's comments that begin with
            # the same words from the same guest address, not every comment of the address,
            # which a prolific commenter made longer with each comment, nor every comment of
            # the thread that begins alike, which grew with the thread (issue 12: 50 writers
            # x 100 comments). A member's are the post's that begin alike (its first two).
            models.Index(
                F("post"),
                Substr("text", 1, DUPLICATE_KEY_LENGTH),
                Lower("author_email"),
                name="comment_duplicate_key",
            ),
            # The flood rule (moderation.too_fast): an address's comments of the last seconds,
            # not all of them (comment_email_key would read every one, then their dates).
            models.Index(Lower("author_email"), F("created_at"), name="comment_email_recent"),
            # A member's: the flood rule's, and the first-comment rule's good standing (no
            # comment of theirs marked spam), which read every comment of theirs by the
            # foreign key's index.
            models.Index(fields=["user", "created_at"], name="comment_user_recent"),
            models.Index(fields=["user", "status"], name="comment_user_status"),
        ]
        permissions = [("moderate_comment", "Can moderate comments")]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.post}"

    def get_absolute_url(self) -> str:
        """The comment on its post's page (the right comment page, when paging is on)."""
        from stoa.discussion.threads import comment_page

        page = comment_page(self)
        query = f"?cpage={page}" if page > 1 else ""
        return f"{self.post.get_absolute_url()}{query}#comment-{self.pk}"


class CommentEventKind(models.TextChoices):
    POSTED = "posted", "Posted"
    STATUS = "status", "Status changed"
    EDITED = "edited", "Edited"
    FLAGGED = "flagged", "Reported"


class CommentEvent(models.Model):
    """One line of a comment's history: who or which rule did what, and when."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=CommentEventKind.choices)
    from_status = models.CharField(max_length=10, choices=CommentStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CommentStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    rule = models.CharField(max_length=50, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_status}→{self.to_status}"


class CommentFlag(models.Model):
    """A reader's report that a comment breaks the house rules."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reporter = models.CharField(
        max_length=64, help_text="The reporting account, or a hash of the reader's address."
    )
    # A member's report weighs more than a visitor's: a visitor is an address, and addresses
    # are cheap (services.flag_comment).
    by_member = models.BooleanField("by a member", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_flag_per_reader")
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"


class DeclinedClaim(models.Model):
    """A guest comment written with a member's verified address that the member said is not
    theirs: not offered to them again (services.claim_guest_comments)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="declined_claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declined_comments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_decline_per_member")
        ]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} is not member {self.user_id}'s"


class Subscription(models.Model):
    """An address that asked to hear about new replies under a post (double opt-in)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "email"], name="one_subscription_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.email} on {self.post}"
