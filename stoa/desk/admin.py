"""The desk in the admin: the review queue, each post's and page's revisions (list, diff,
restore), and review links (share, withdraw). Linked from a post's and a page's change page
by this app's admin templates (admin/publishing/<model>/change_form.html)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from reversion.models import Version

from stoa.desk import history, services
from stoa.desk.models import PendingPost, ReviewLink
from stoa.members.models import User
from stoa.publishing.models import Page, Post, can_change_post, can_publish_posts

KINDS: dict[str, type[Post] | type[Page]] = {"post": Post, "page": Page}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@admin.register(PendingPost)
class ReviewQueueAdmin(admin.ModelAdmin):
    """Posts submitted for review, oldest first: what an editor works through."""

    list_display = ["title_link", "author_names", "submitted", "revisions_link"]
    list_display_links = None
    ordering = ["updated_at", "pk"]  # oldest submission first
    search_fields = ["title"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PendingPost]:
        return PendingPost.objects.awaiting_review().prefetch_related("authors")

    # Editors (who may publish) see the queue; nobody adds or changes rows through it.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_publish_posts(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_publish_posts(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="post")
    def title_link(self, post: PendingPost) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:publishing_post_change", args=[post.pk]),
            post.title,
        )

    @admin.display(description="authors")
    def author_names(self, post: PendingPost) -> str:
        return ", ".join(person.name for person in post.authors.all())

    @admin.display(description="last changed", ordering="updated_at")
    def submitted(self, post: PendingPost) -> Any:
        return post.updated_at

    @admin.display(description="revisions")
    def revisions_link(self, post: PendingPost) -> str:
        return format_html(
            '<a href="{}">Revisions</a>', reverse("admin:desk_history", args=["post", post.pk])
        )

    # ------------------------------------------------------------------ the desk's pages

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("history/<str:kind>/<int:pk>/", view(self.history_view_), name="desk_history"),
            path(
                "history/<str:kind>/<int:pk>/compare/",
                view(self.compare_view),
                name="desk_compare",
            ),
            path(
                "history/<str:kind>/<int:pk>/restore/<int:version_id>/",
                view(self.restore_view),
                name="desk_restore",
            ),
            path("share/<int:pk>/", view(self.share_view), name="desk_share"),
            *super().get_urls(),
        ]

    def _object(self, request: HttpRequest, kind: str, pk: int) -> Post | Page:
        model = KINDS.get(kind)
        if model is None:
            raise Http404("No such kind.")
        obj = cast("Post | Page", get_object_or_404(model._default_manager.all(), pk=pk))
        if not services.can_restore(request.user, obj):
            raise Http404("No such object.")  # as the admin hides others' posts
        return obj

    def _context(self, request: HttpRequest, obj: Post | Page, title: str) -> dict[str, Any]:
        model = type(obj)
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "object": obj,
            "opts": model._meta,
            "kind": model._meta.model_name,
            "change_url": reverse(
                f"admin:publishing_{model._meta.model_name}_change", args=[obj.pk]
            ),
        }

    def history_view_(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        obj = self._object(request, kind, pk)
        versions = list(
            Version.objects.get_for_object(obj).select_related("revision__user").order_by("pk")
        )
        rows = []
        for index, version in enumerate(versions):
            previous = versions[index - 1] if index else None
            rows.append(
                {
                    "version": version,
                    "summary": history.summary(previous, version),
                    "is_current": index == len(versions) - 1,
                }
            )
        rows.reverse()  # newest first
        context = self._context(request, obj, f"Revisions of “{obj}”") | {"rows": rows}
        return TemplateResponse(request, "desk/history.html", context)

    def compare_view(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        obj = self._object(request, kind, pk)
        versions = Version.objects.get_for_object(obj).select_related("revision__user")
        try:
            ids = sorted({int(request.GET["a"]), int(request.GET["b"])})
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions to compare.")
            return HttpResponseRedirect(reverse("admin:desk_history", args=[kind, pk]))
        found = {v.pk: v for v in versions.filter(pk__in=ids)}
        if len(found) != 2:
            messages.error(request, "Choose two different revisions of this item.")
            return HttpResponseRedirect(reverse("admin:desk_history", args=[kind, pk]))
        old, new = found[ids[0]], found[ids[1]]
        changes = history.compare(old, new)
        context = self._context(request, obj, f"Changes to “{obj}”") | {
            "old": old,
            "new": new,
            "changes": [
                {"change": c, "lines": history.render_lines(c.lines) if c.lines else ""}
                for c in changes
            ],
        }
        return TemplateResponse(request, "desk/compare.html", context)

    def restore_view(
        self, request: HttpRequest, kind: str, pk: int, version_id: int
    ) -> HttpResponse:
        obj = self._object(request, kind, pk)
        version = get_object_or_404(Version.objects.get_for_object(obj), pk=version_id)
        if request.method == "POST":
            try:
                services.restore_revision(version=version, by=_user(request))
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, "The earlier revision is restored (as a new revision).")
                return HttpResponseRedirect(reverse("admin:desk_history", args=[kind, pk]))
        context = self._context(request, obj, f"Restore an earlier revision of “{obj}”") | {
            "version": version,
            "changes": [
                {"change": c, "lines": history.render_lines(c.lines) if c.lines else ""}
                for c in history.compare(Version.objects.get_for_object(obj).first(), version)
            ],
        }
        return TemplateResponse(request, "desk/restore.html", context)

    def share_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        post = get_object_or_404(Post.objects.all(), pk=pk)
        if not can_change_post(request.user, post):
            raise Http404("No such post.")
        new_link = ""
        if request.method == "POST":
            try:
                if revoke := request.POST.get("revoke"):
                    link = get_object_or_404(ReviewLink, pk=revoke, post=post)
                    services.revoke_review_link(link=link, by=_user(request))
                    messages.success(request, "The link is withdrawn: it no longer opens.")
                    return HttpResponseRedirect(reverse("admin:desk_share", args=[pk]))
                days = int(request.POST.get("days") or services.DEFAULT_REVIEW_DAYS)
                _, token = services.share_for_review(post=post, by=_user(request), days=days)
                new_link = request.build_absolute_uri(reverse("desk:review", args=[token]))
            except ValueError:
                messages.error(request, "Give the number of days the link lasts.")
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        context = self._context(request, post, f"Share “{post}” for review") | {
            "links": ReviewLink.objects.filter(post=post).select_related("created_by"),
            "new_link": new_link,
            "default_days": services.DEFAULT_REVIEW_DAYS,
            "max_days": services.MAX_REVIEW_DAYS,
        }
        return TemplateResponse(request, "desk/share.html", context)
