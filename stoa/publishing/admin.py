"""The editorial back office for posts, pages, people, categories and tags."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from stoa.core.sanitizers import clean_post_body
from stoa.publishing import services
from stoa.publishing.models import Category, Page, Person, Post, PostStatus, Tag

PUBLISHED_STATUSES = (*Post.LIVE_STATUSES, PostStatus.PRIVATE)


class BodyForm(forms.ModelForm):
    """Sanitise the body while the form can still tell the editor what went wrong."""

    def clean_body(self) -> str:
        body = clean_post_body(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError(
                "Nothing is left of the body once unsafe markup is removed "
                "(scripts, styles, event handlers and unknown embeds are not allowed)."
            )
        return body


class PostForm(BodyForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Publishing with the time left empty means "now", as WordPress's "Publish
        # immediately"; filled here so the publish-time constraint sees it.
        if data.get("status") in PUBLISHED_STATUSES and not data.get("published_at"):
            data["published_at"] = timezone.now()
        return data


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostForm
    list_display = [
        "title",
        "status_label",
        "published_at",
        "author_names",
        "is_featured",
        "is_sticky",
        "comments_open",
        "comment_count",
    ]
    list_display_links = ["title"]
    list_filter = ["status", "is_featured", "is_sticky", "comments_open", "categories", "authors"]
    list_select_related = False
    search_fields = ["title", "dek", "body", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "categories", "tags"]
    readonly_fields = ["created_at", "updated_at", "comment_count"]
    actions = ["publish_now", "move_to_draft", "feature", "unfeature"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body", "excerpt"]}),
        ("Credits and filing", {"fields": ["authors", "categories", "tags"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "is_featured",
                    "is_sticky",
                    "comments_open",
                    "comment_count",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="status", ordering="status")
    def status_label(self, post: Post) -> str:
        # A scheduled post whose time has come is live although nobody re-saved it.
        if post.status == PostStatus.SCHEDULED and post.is_live:
            return "Published"
        return post.get_status_display()

    @admin.display(description="authors")
    def author_names(self, post: Post) -> str:
        return ", ".join(person.name for person in post.authors.all())

    def save_model(self, request: HttpRequest, obj: Post, form: Any, change: bool) -> None:
        services.save_post(post=obj)

    @admin.action(description="Publish selected posts now")
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.publish_post(post=post)
        self.message_user(request, f"Published {len(queryset)} post(s).", messages.SUCCESS)

    @admin.action(description="Move selected posts back to draft")
    def move_to_draft(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.unpublish_post(post=post)
        self.message_user(request, f"Moved {len(queryset)} post(s) to draft.", messages.SUCCESS)

    @admin.action(description="Feature selected posts")
    def feature(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.set_featured(post=post, featured=True)

    @admin.action(description="Stop featuring selected posts")
    def unfeature(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.set_featured(post=post, featured=False)


class PageForm(BodyForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("slug"):
            candidate = Page(pk=self.instance.pk, slug=data["slug"], parent=data.get("parent"))
            services.validate_page_placement(candidate)
        return data


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageForm
    list_display = ["title", "path", "status", "show_in_menu", "menu_order", "updated_at"]
    list_filter = ["status", "show_in_menu"]
    search_fields = ["title", "body", "path"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]

    def save_model(self, request: HttpRequest, obj: Page, form: Any, change: bool) -> None:
        services.save_page(page=obj)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    list_filter = ["parent"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
