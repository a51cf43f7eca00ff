"""The moderators' back office: the comment queue, its history, replies, and the settings.

Every change of a comment's state goes through stoa.discussion.services, as it does from the
site and from the emails' links, so the history, the post's comment count and the emails
never depend on where a moderator clicked.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from stoa.core.admin import IndexedSearchMixin
from stoa.discussion import access, services
from stoa.discussion.access import Move
from stoa.discussion.models import (
    Comment,
    CommentEvent,
    CommentFlag,
    CommentQuerySet,
    CommentStatus,
    DiscussionSettings,
    Subscription,
)
from stoa.members.models import User
from stoa.publishing.models import Post

# --- What a moderator can do to a comment ------------------------------------------------------
# Which moves and replies each status allows is access's to say, what each does services';
# here is only how the admin words them.

HELD, APPROVED, SPAM, TRASH = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)
# What the message after a move says was done.
DONE: dict[Move, str] = {
    Move.APPROVE: "approved",
    Move.UNAPPROVE: "sent back to the queue",
    Move.SPAM: "marked as spam",
    Move.UNSPAM: "taken out of spam",
    Move.TRASH: "moved to the trash",
    Move.RESTORE: "restored",
}


def queue_order() -> Case:
    """Held comments first, then approved, spam and trash."""
    return Case(
        When(status=HELD, then=Value(0)),
        When(status=APPROVED, then=Value(1)),
        When(status=SPAM, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


QUEUE_STATUSES = (HELD, APPROVED, SPAM, TRASH)  # queue_order's order


class QueueOrder:
    """A list's comments in queue_order (held, approved, spam, trash; each newest first),
    read a page at a time status by status. Sorting a 400,000-comment inbox by the CASE of
    queue_order reads and sorts every row for each page; each status's part in newest-first
    order is a range of the comment_queue index (status, created_at), so a page costs the
    rows it shows, and the count is one GROUP BY over that index (issue 12: an admin list
    page within 300 ms with 400,000 comments)."""

    ordered = True  # for Paginator, which warns about an unordered list

    def __init__(
        self, queryset: models.QuerySet[Comment], counts: dict[str, int] | None = None
    ) -> None:
        self.queryset = queryset
        if counts is not None:  # known already: the queue's summary counted them
            self.counts = counts

    @functools.cached_property
    def counts(self) -> dict[str, int]:
        rows = self.queryset.order_by().values_list("status").annotate(n=Count("pk"))
        return dict(rows)

    def count(self) -> int:
        return sum(self.counts.values())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Comment]:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows: list[Comment] = []
        offset = 0
        for status in QUEUE_STATUSES:
            size = self.counts.get(status, 0)
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                part = self.queryset.filter(status=status).order_by("-created_at", "-pk")
                rows += part[low:high]
            offset += size
        return rows


def plural(count: int, singular: str = "comment", many: str = "comments") -> str:
    return f"{count} {singular if count == 1 else many}"


def _moderator(request: HttpRequest) -> User:
    """The signed-in staff member (admin views are never reached anonymously)."""
    return cast(User, request.user)


def _preserved_query(request: HttpRequest) -> str:
    """The changelist's filters carried by a moderation link, re-encoded (never raw input)."""
    return QueryDict(request.GET.get("_changelist_filters", "")).urlencode()


# --- List filters -----------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """By status; by default the inbox (held and approved), as WordPress's "All" leaves out
    spam and trash, with one choice for everything."""

    title = "status"
    parameter_name = "status"
    EVERYTHING = "any"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*CommentStatus.choices, (self.EVERYTHING, "Everything, spam and trash too")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        value = self.value()
        if value is None:
            return queryset.exclude(status__in=[SPAM, TRASH])
        if value == self.EVERYTHING:
            return queryset
        if value in CommentStatus.values:
            return queryset.filter(status=value)
        return queryset.none()

    @classmethod
    def statuses(cls, value: str | None) -> set[str]:
        """The statuses a value of the filter lists (what queryset keeps)."""
        if value is None:
            return {HELD, APPROVED}
        if value == cls.EVERYTHING:
            return set(CommentStatus.values)
        return {value} if value in CommentStatus.values else set()

    def choices(self, changelist: Any) -> Iterator[Any]:
        choices = super().choices(changelist)
        yield {**next(choices), "display": "Held and approved"}
        yield from choices


class PostFilter(admin.SimpleListFilter):
    """By post: the posts most recently commented on (any other one by its id in the address,
    as the "all on this post" links in the list give it)."""

    title = "post"
    parameter_name = "post"
    SHOWN = 15

    # How many of the newest held and of the newest approved comments are read to find them.
    LOOKED_AT = 300

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The newest held and approved comments, each a range of the comment_queue index
        # (grouping every comment by post costs seconds with 400,000 of them).
        newest: list[tuple[Any, int]] = []
        for status in (HELD, APPROVED):
            newest += (
                Comment.objects.filter(status=status)
                .order_by("-created_at", "-pk")
                .values_list("created_at", "post_id")[: self.LOOKED_AT]
            )
        order = list(dict.fromkeys(post for _, post in sorted(newest, reverse=True)))
        titles = dict(Post.objects.filter(pk__in=order[: self.SHOWN]).values_list("pk", "title"))
        found = [(pk, titles[pk]) for pk in order[: self.SHOWN] if pk in titles]
        value = self.value()
        if value and value.isdigit() and int(value) not in {pk for pk, _ in found}:
            found += list(Post.objects.filter(pk=int(value)).values_list("pk", "title"))
        return [(str(pk), title) for pk, title in found]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(post_id=int(value)) if value.isdigit() else queryset.none()


class ByPostAuthorFilter(admin.SimpleListFilter):
    """Whose comment: the post's author answering, or a reader."""

    title = "who wrote it"
    parameter_name = "is_by_post_author"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "The post's author"), ("0", "Readers")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        if self.value() in ("0", "1"):
            return queryset.filter(is_by_post_author=self.value() == "1")
        return queryset


class ReportedFilter(admin.SimpleListFilter):
    """By readers' reports: a visitor's report hides nothing (services.flag_comment), so the
    reported comments wait here for a moderator to read them."""

    title = "reports"
    parameter_name = "reported"
    ANY, MEMBERS, VISITORS = "any", "members", "visitors"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (self.ANY, "Reported"),
            (self.MEMBERS, "Reported by members"),
            (self.VISITORS, "Reported by visitors only"),
        ]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        by_members = Exists(CommentFlag.objects.filter(comment=OuterRef("pk"), by_member=True))
        value = self.value()
        if value == self.ANY:
            return queryset.filter(flag_count__gt=0)
        if value == self.MEMBERS:
            return queryset.filter(by_members)
        if value == self.VISITORS:
            return queryset.filter(~by_members, flag_count__gt=0)
        return queryset


class ConfirmedFilter(admin.SimpleListFilter):
    title = "confirmed"
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Confirmed"), ("no", "Waiting for confirmation")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        if self.value() == "yes":
            return queryset.filter(confirmed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(confirmed_at__isnull=True)
        return queryset


# --- Forms and inlines ------------------------------------------------------------------------


class CommentAdminForm(forms.ModelForm):
    """The moderator edits the text only; services.edit_comment sanitises and re-renders it."""

    class Meta:
        model = Comment
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10, "cols": 80})}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if len(text) > services.MAX_COMMENT_LENGTH:
            raise forms.ValidationError(
                f"Comments are limited to {services.MAX_COMMENT_LENGTH:,} characters; "
                f"this one has {len(text):,}."
            )
        return text


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=services.MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80, "class": "vLargeTextField"}),
        help_text="Published at once, under your name.",
    )


class ReadOnlyInline(admin.TabularInline):
    """A comment's own records, shown to whoever may see the comment, changed by nobody."""

    extra = 0
    max_num = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        opts = Comment._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("view", "change")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CommentEventInline(ReadOnlyInline):
    model = CommentEvent
    verbose_name = "history entry"
    verbose_name_plural = "history"
    fields = ["created_at", "kind", "change", "actor", "rule", "note"]
    readonly_fields = ["created_at", "kind", "change", "actor", "rule", "note"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[CommentEvent]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="from → to")
    def change(self, event: CommentEvent) -> str:
        labels = dict(CommentStatus.choices)
        before = labels.get(event.from_status, "")
        after = labels.get(event.to_status, "")
        if before and after:
            return f"{before} → {after}"
        return after or before or "—"


class CommentFlagInline(ReadOnlyInline):
    model = CommentFlag
    verbose_name = "report"
    verbose_name_plural = "reports from readers"
    fields = ["created_at", "by_member", "reporter"]
    readonly_fields = ["created_at", "by_member", "reporter"]


# --- Comments ---------------------------------------------------------------------------------


@admin.register(Comment)
class CommentAdmin(IndexedSearchMixin):
    """The moderation queue: held comments first, newest first, one click per decision."""

    form = CommentAdminForm
    list_display = [
        "excerpt_column",
        "author_column",
        "post_column",
        "created_at",
        "status_column",
        "flag_column",
    ]
    list_display_links = ["excerpt_column"]
    list_filter = [
        StatusFilter,
        ReportedFilter,
        PostFilter,
        ByPostAuthorFilter,
        "created_at",
    ]
    # Counts in the sidebar on request only ("Show counts"): with them every filter choice
    # is a COUNT over the comments, seconds with 400,000 of them. The counts per status are
    # above the list (changelist_view), and the list says how many it holds, not also how
    # many there are in all (a second COUNT).
    show_facets = admin.ShowFacets.ALLOW
    show_full_result_count = False
    list_select_related = ["post", "parent"]
    # WordPress's Comments screen shows 20 a page (edit_comments_per_page); each row is
    # drawn with its buttons, which is most of what a page costs once the queries are cheap.
    list_per_page = 20
    ordering = ["-created_at", "-pk"]
    search_fields = ["author_name", "author_email", "text", "ip_address"]
    search_help_text = "Search names, email addresses, texts and IP addresses."
    actions = [
        "approve_selected",
        "unapprove_selected",
        "spam_selected",
        "unspam_selected",
        "trash_selected",
        "restore_selected",
    ]
    inlines = [CommentEventInline, CommentFlagInline]
    fieldsets = [
        (None, {"fields": ["post_link", "parent_link", "status", "text", "as_readers_see_it"]}),
        (
            "Author",
            {
                "fields": [
                    "author_name",
                    "author_email",
                    "author_url",
                    "user",
                    "is_by_post_author",
                    "ip_address",
                    "user_agent",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at", "edited_at", "flag_count", "depth"]}),
        (
            "Stored for display",
            {"classes": ["collapse"], "fields": ["html", "excerpt"]},
        ),
    ]
    readonly_fields = [
        "post_link",
        "parent_link",
        "status",
        "as_readers_see_it",
        "author_name",
        "author_email",
        "author_url",
        "user",
        "is_by_post_author",
        "ip_address",
        "user_agent",
        "created_at",
        "updated_at",
        "edited_at",
        "flag_count",
        "depth",
        "html",
        "excerpt",
    ]

    # Comments are written through services.post_comment (the site, or a reply here), and
    # leave through the trash, which the retention clean-up empties.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Changing a comment is moderating it: the same rule as everywhere (the queue's
        # buttons, bulk actions and replies all ask this first).
        return bool(access.can_moderate(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # Held first; the list's headers read `ordering`, which says "newest first".
        return [queue_order().asc(), *self.ordering]

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: models.QuerySet[Comment],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        # In the queue's own order (no column chosen), pages are read status by status
        # (QueueOrder); a list of one page is read whole, sorted as get_ordering says.
        if ORDER_VAR not in request.GET:
            # Paginator asks only for count() and slices, which QueueOrder answers.
            return Paginator(
                cast(Any, QueueOrder(queryset, self._known_counts(request))),
                per_page,
                orphans,
                allow_empty_first_page,
            )
        return Paginator(queryset, per_page, orphans, allow_empty_first_page)

    # The list's parameters that do not narrow it (a page number, the counts toggle).
    NOT_NARROWING = frozenset({"p", "_facets", "_changelist_filters"})

    def _known_counts(self, request: HttpRequest) -> dict[str, int] | None:
        """The list's counts per status when the status filter alone narrows it: those of
        the summary above the list (changelist_view), which then need not be counted twice."""
        counts: dict[str, int] | None = getattr(request, "_stoa_status_counts", None)
        narrowing = set(request.GET) - self.NOT_NARROWING - {StatusFilter.parameter_name}
        if counts is None or narrowing:
            return None
        shown = StatusFilter.statuses(request.GET.get(StatusFilter.parameter_name))
        return {status: n for status, n in counts.items() if status in shown}

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        columns: list[Any] = list(super().get_list_display(request))
        if self.has_change_permission(request):
            filters = self.get_preserved_filters(request)

            @admin.display(description="moderate")
            def moderate(comment: Comment) -> SafeString:
                return self.row_buttons(comment, filters, _moderator(request))

            columns.append(moderate)
        return columns

    # --- Columns ---

    @admin.display(description="comment")
    def excerpt_column(self, comment: Comment) -> SafeString:
        text = comment.excerpt or Truncator(comment.text).chars(150)
        if comment.parent is not None:
            return format_html(
                '<span class="comment-in-reply">In reply to {}:</span> {}',
                comment.parent.author_name,
                text,
            )
        return format_html("{}", text)

    @admin.display(description="author", ordering="author_name")
    def author_column(self, comment: Comment) -> SafeString:
        everything = StatusFilter.EVERYTHING
        parts = [format_html("<strong>{}</strong>", comment.author_name)]
        if comment.user_id:
            parts.append(format_html(' <span class="comment-member">{}</span>', "member"))
        if comment.author_email:
            parts.append(
                format_html(
                    '<br><a href="?status={}&amp;q={}" title="Every comment from this address">'
                    "{}</a>",
                    everything,
                    comment.author_email,
                    comment.author_email,
                )
            )
        if comment.ip_address:
            parts.append(
                format_html(
                    '<br><a href="?status={}&amp;q={}" title="Every comment from this IP address"'
                    ' class="comment-ip">{}</a>',
                    everything,
                    comment.ip_address,
                    comment.ip_address,
                )
            )
        return mark_safe("".join(parts))  # noqa: S308 - every part was built by format_html

    @admin.display(description="post", ordering="post__title")
    def post_column(self, comment: Comment) -> SafeString:
        post = comment.post
        anchor = f"#comment-{comment.pk}" if comment.status == APPROVED else ""
        return format_html(
            '<a href="{}{}" title="See it on the site">{}</a><br>'
            '<a href="?post={}&amp;status={}" class="comment-post-filter">all on this post</a>',
            post.get_absolute_url(),
            anchor,
            post.title,
            post.pk,
            StatusFilter.EVERYTHING,
        )

    @admin.display(description="status", ordering=queue_order())
    def status_column(self, comment: Comment) -> SafeString:
        return format_html(
            '<span class="comment-status comment-status--{}">{}</span>',
            comment.status,
            comment.get_status_display(),
        )

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Comment]:
        # How many of each comment's reports came from members (the reports column), as a
        # subquery: a join and GROUP BY would weigh on every count the list's facets make.
        members = (
            CommentFlag.objects.filter(comment=OuterRef("pk"), by_member=True)
            .order_by()
            .values("comment")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(member_flags=Subquery(members))

    @admin.display(description="reports", ordering="flag_count")
    def flag_column(self, comment: Comment) -> SafeString | int:
        if comment.flag_count:
            members = getattr(comment, "member_flags", None) or 0
            return format_html(
                '<strong class="comment-flagged">{}</strong><br>'
                '<span class="comment-flag-members">{} by members</span>',
                comment.flag_count,
                members,
            )
        return 0

    def row_buttons(self, comment: Comment, filters: str, moderator: User) -> SafeString:
        """The row's one-click buttons: they submit the list's own form (which carries the
        CSRF token) to the moderation view, as a form may not sit inside another."""
        query = f"?{filters}" if filters else ""
        buttons = format_html_join(
            " ",
            '<button type="submit" class="button comment-move comment-move--{}" '
            'formaction="{}{}" formmethod="post" formnovalidate '
            'aria-label="{} the comment by {}">{}</button>',
            (
                (
                    move.value,
                    self._url("moderate", comment.pk, move.value),
                    query,
                    move.label,
                    comment.author_name,
                    move.label,
                )
                for move in access.offered_moves(comment)
            ),
        )
        if access.can_reply_as_moderator(moderator, comment):
            buttons = format_html(
                '{} <a class="comment-reply-link" href="{}{}" aria-label="Reply to {}">Reply</a>',
                buttons,
                self._url("reply", comment.pk),
                query,
                comment.author_name,
            )
        return format_html('<div class="comment-moves">{}</div>', buttons)

    # --- Change page ---

    @admin.display(description="post")
    def post_link(self, comment: Comment) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>', comment.post.get_absolute_url(), comment.post.title
        )

    @admin.display(description="in reply to")
    def parent_link(self, comment: Comment) -> SafeString | str:
        if comment.parent is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', self._url("change", comment.parent.pk), comment.parent
        )

    @admin.display(description="as readers see it")
    def as_readers_see_it(self, comment: Comment) -> SafeString:
        # Stored sanitised by services (clean_comment), as the site prints it.
        return mark_safe(comment.html)  # noqa: S308

    def save_model(self, request: HttpRequest, obj: Comment, form: Any, change: bool) -> None:
        if change and "text" in form.changed_data:
            services.edit_comment(
                comment=obj, body=form.cleaned_data["text"], editor=_moderator(request)
            )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Comment | None = None,
    ) -> HttpResponse:
        if obj is not None and self.has_change_permission(request, obj):
            filters = self.get_preserved_filters(request)
            query = f"?{filters}" if filters else ""
            context["moderation_moves"] = [
                (move.label, self._url("moderate", obj.pk, move.value) + query)
                for move in access.offered_moves(obj)
            ]
            if access.can_reply_as_moderator(request.user, obj):
                context["reply_url"] = self._url("reply", obj.pk) + query
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- The queue's summary ---

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        counts = dict(Comment.objects.order_by().values_list("status").annotate(count=Count("pk")))
        request._stoa_status_counts = counts  # type: ignore[attr-defined]  # for get_paginator
        current = request.GET.get(StatusFilter.parameter_name)
        summary = [
            {
                "label": label,
                "count": counts.get(value, 0),
                "query": f"?{StatusFilter.parameter_name}={value}",
                "selected": current == value and not request.GET.get(ReportedFilter.parameter_name),
            }
            for value, label in CommentStatus.choices
        ]
        # Reported comments readers still see: a visitor's report hides nothing, so this is
        # how the moderators hear of it.
        reported = Comment.objects.filter(status=APPROVED, flag_count__gt=0).count()
        summary.append(
            {
                "label": "Reported",
                "count": reported,
                "query": f"?{StatusFilter.parameter_name}={APPROVED}"
                f"&{ReportedFilter.parameter_name}={ReportedFilter.ANY}",
                "selected": current == APPROVED
                and request.GET.get(ReportedFilter.parameter_name) == ReportedFilter.ANY,
            }
        )
        context = {"status_summary": summary, **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    # --- Bulk actions ---

    def _bulk(self, request: HttpRequest, queryset: CommentQuerySet, move: Move) -> None:
        moderator = _moderator(request)
        changed = skipped = 0
        for comment in queryset.select_related("post").order_by("pk"):
            if access.can_move(moderator, comment, move):
                services.move_comment(comment=comment, move=move, actor=moderator)
                changed += 1
            else:
                skipped += 1
        message = f"{plural(changed)} {DONE[move]}."
        if skipped:
            message += f" {plural(skipped)} left as {'it was' if skipped == 1 else 'they were'}."
        self.message_user(request, message, messages.SUCCESS if changed else messages.WARNING)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: CommentQuerySet) -> None:
        self._bulk(request, queryset, Move.APPROVE)

    @admin.action(description="Unapprove selected comments", permissions=["change"])
    def unapprove_selected(self, request: HttpRequest, queryset: CommentQuerySet) -> None:
        self._bulk(request, queryset, Move.UNAPPROVE)

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def spam_selected(self, request: HttpRequest, queryset: CommentQuerySet) -> None:
        self._bulk(request, queryset, Move.SPAM)

    @admin.action(
        description="Not spam: take selected comments out of spam", permissions=["change"]
    )
    def unspam_selected(self, request: HttpRequest, queryset: CommentQuerySet) -> None:
        self._bulk(request, queryset, Move.UNSPAM)

    @admin.action(description="Move selected comments to the trash", permissions=["change"])
    def trash_selected(self, request: HttpRequest, queryset: CommentQuerySet) -> None:
        self._bulk(request, queryset, Move.TRASH)

    @admin.action(description="Restore selected comments from the trash", permissions=["change"])
    def restore_selected(self, request: HttpRequest, queryset: CommentQuerySet) -> None:
        self._bulk(request, queryset, Move.RESTORE)

    # --- One-click views ---

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/moderate/<str:move>/",
                wrap(self.moderate_view),
                name="{}_{}_moderate".format(*info),
            ),
            path(
                "<path:object_id>/reply/",
                wrap(self.reply_view),
                name="{}_{}_reply".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str, *args: Any) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"
        return reverse(name, args=args, current_app=self.admin_site.name)

    def _back(self, request: HttpRequest, comment: Comment | None = None) -> HttpResponseRedirect:
        """Back where the moderator was: the list with its filters, or the comment's page."""
        query = _preserved_query(request)
        if comment is not None:
            url = self._url("change", comment.pk)
            query = urlencode({"_changelist_filters": query}) if query else ""
        else:
            url = self._url("changelist")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    def _changeable(self, request: HttpRequest, object_id: str) -> Comment:
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        return comment

    def moderate_view(self, request: HttpRequest, object_id: str, move: str) -> HttpResponse:
        """One row button: POST only (CSRF-checked by admin_view), then back to the list."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if move not in Move.values:
            raise Http404("No such moderation step.")
        step = Move(move)
        comment = self._changeable(request, object_id)
        moderator = _moderator(request)
        if access.can_move(moderator, comment, step):
            services.move_comment(comment=comment, move=step, actor=moderator)
            self.message_user(
                request, f"The comment by {comment.author_name} was {DONE[step]}.", messages.SUCCESS
            )
        else:
            self.message_user(
                request,
                f"The comment by {comment.author_name} is {comment.get_status_display().lower()}"
                f": nothing to do.",
                messages.WARNING,
            )
        return self._back(request, comment if request.POST.get("_return") == "change" else None)

    def reply_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Reply under a comment as the signed-in moderator: the form, and its answers; what a
        reply does (approving a held comment first) is services.reply_as_moderator's."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        comment = self._changeable(request, object_id)
        if not access.can_reply_as_moderator(_moderator(request), comment):
            self.message_user(
                request,
                f"The comment by {comment.author_name} is "
                f"{comment.get_status_display().lower()}; restore it before replying.",
                messages.ERROR,
            )
            return self._back(request)
        form = ReplyForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                written = services.reply_as_moderator(
                    parent=comment, moderator=_moderator(request), body=form.cleaned_data["body"]
                )
            except services.CommentRefused as refused:
                form.add_error(None, refused.verdict.message)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error("body" if field == "body" else None, errors)
            else:
                approved = (
                    " (and approved the comment you replied to)" if written.approved_parent else ""
                )
                self.message_user(
                    request,
                    format_html(
                        'Your reply to {} is published{}. <a href="{}">See it on the site</a>.',
                        comment.author_name,
                        approved,
                        written.reply.get_absolute_url(),
                    ),
                    messages.SUCCESS,
                )
                return self._back(request)
        filters = self.get_preserved_filters(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Reply to {comment.author_name}",
            "comment": comment,
            "form": form,
            "submit_label": "Approve and reply" if comment.status == HELD else "Reply",
            "preserved_filters": filters,
            "changelist_url": self._url("changelist"),
            "change_url": self._url("change", comment.pk),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/discussion/comment/reply.html", context)


# --- Settings, subscriptions, reports ---------------------------------------------------------


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    """One row of settings: the list goes straight to it."""

    fieldsets = [
        (
            "Holding and refusing comments",
            {
                "fields": [
                    "hold_first_comment",
                    "max_links",
                    "moderation_keys",
                    "disallowed_keys",
                    "flag_threshold",
                    "guest_reports_per_member",
                    "rate_limit_seconds",
                ]
            },
        ),
        (
            "Threads",
            {
                "fields": [
                    "thread_depth",
                    "newest_first",
                    "paginate",
                    "threads_per_page",
                    "auto_close_days",
                    "edit_window_minutes",
                ]
            },
        ),
        ("Emails", {"fields": ["notify_post_author", "notify_moderators", "moderator_emails"]}),
        ("Privacy", {"fields": ["use_gravatar", "retention_days"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _settings_url(self) -> str:
        settings = DiscussionSettings.current()
        opts = self.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[settings.pk],
            current_app=self.admin_site.name,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(self._settings_url())

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        DiscussionSettings.current()  # the row exists from the first look on
        return super().change_view(request, object_id, form_url, extra_context)

    def response_post_save_change(self, request: HttpRequest, obj: Any) -> HttpResponseRedirect:
        return HttpResponseRedirect(self._settings_url())


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Who hears about replies where. Read-only: addresses subscribe and confirm themselves;
    deleting one unsubscribes it."""

    list_display = ["email", "post", "user", "confirmed", "created_at"]
    list_filter = [ConfirmedFilter, "created_at"]
    list_select_related = ["post", "user"]
    search_fields = ["email", "post__title"]
    readonly_fields = ["post", "email", "user", "confirmed_at", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="confirmed", boolean=True, ordering="confirmed_at")
    def confirmed(self, subscription: Subscription) -> bool:
        return subscription.confirmed_at is not None

    def delete_model(self, request: HttpRequest, obj: Subscription) -> None:
        services.unsubscribe(subscription=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for subscription in queryset:
            services.unsubscribe(subscription=subscription)


@admin.register(CommentFlag)
class CommentFlagAdmin(admin.ModelAdmin):
    """Readers' reports, newest first; what to do about them is decided on the comment."""

    list_display = ["created_at", "comment_link", "by_member", "reporter"]
    list_select_related = ["comment"]
    list_filter = ["by_member", "created_at"]
    search_fields = ["comment__author_name", "comment__text"]
    ordering = ["-created_at", "-pk"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="comment")
    def comment_link(self, flag: CommentFlag) -> SafeString:
        url = reverse(
            "admin:discussion_comment_change",
            args=[flag.comment_id],
            current_app=self.admin_site.name,
        )
        return format_html('<a href="{}">{}</a>', url, flag.comment)
