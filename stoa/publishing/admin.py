"""The editorial back office for posts, pages, people, categories and tags."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.module_loading import import_string

from stoa.core.admin import IndexedSearchMixin
from stoa.core.conf import stoa_setting
from stoa.members.models import User
from stoa.publishing import renditions, services
from stoa.publishing.models import (
    AUTHOR_EDITABLE_STATUSES,
    Category,
    MediaItem,
    Page,
    Person,
    Post,
    PostStatus,
    Tag,
    can_change_post,
    can_edit_others_posts,
    can_publish_posts,
    own_posts,
)
from stoa.publishing.sanitizers import clean_post_body
from stoa.publishing.validators import (
    IMAGE_SUFFIXES,
    is_image,
    prepare_media_file,
    reencode_person_photo,
    upload_limit,
)

PUBLISHED_STATUSES = (*Post.LIVE_STATUSES, PostStatus.PRIVATE)
# What someone who may not publish can file a post as: WordPress's contributor saves drafts
# and submits them for review ("pending"); an editor publishes.
SUBMITTABLE_STATUSES = AUTHOR_EDITABLE_STATUSES
# Editorial decisions that come with publishing: when, and what the front page pushes.
PUBLISHER_FIELDS = ["published_at", "is_featured", "is_sticky"]


def _staff(request: HttpRequest) -> User:
    """The signed-in staff member (admin views are never reached anonymously)."""
    return cast(User, request.user)


class BodyForm(forms.ModelForm):
    """Sanitise the body while the form can still tell the editor what went wrong."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The body's widget is an app's above this one (settings.STOA["BODY_EDITOR_WIDGET"]:
        # the desk's rich-text editor); without one, the plain text box.
        if (widget := stoa_setting("BODY_EDITOR_WIDGET")) and "body" in self.fields:
            self.fields["body"].widget = import_string(widget)()

    def clean_body(self) -> str:
        body = clean_post_body(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError(
                "Nothing is left of the body once unsafe markup is removed "
                "(scripts, styles, event handlers and unknown embeds are not allowed)."
            )
        return body


class PostForm(BodyForm):
    # Set by PostAdmin.get_form for someone who may change their own posts only: they must
    # stay credited, or the post would vanish from their list as they save it.
    keep_credited = False
    own_person: Person | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_split_datetime(self.fields.get("published_at"))

    def clean_authors(self) -> Any:
        authors = self.cleaned_data["authors"]
        if not self.keep_credited:
            return authors
        if self.own_person is None:
            raise forms.ValidationError(
                "Your account is not linked to an author profile yet; ask an editor to link it."
            )
        if self.own_person not in authors:
            raise forms.ValidationError(
                f"Keep yourself ({self.own_person}) among the authors: you can change your own "
                "posts only."
            )
        return authors

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Publishing with the time left empty means "now", as WordPress's "Publish
        # immediately"; filled here so the publish-time constraint sees it.
        if data.get("status") in PUBLISHED_STATUSES and not data.get("published_at"):
            data["published_at"] = timezone.now()
        return data


class YearFilter(admin.SimpleListFilter):
    """By the year a post was (or will be) published, newest first. In place of a date
    hierarchy, whose list of years is a DISTINCT over every post's date converted to local
    time: on SQLite a Python call per post, a tenth of a second on a 20,000-post site for
    each page of the list (issue 12). The years here come from the first and last date, two
    reads of the published_at index."""

    title = "year published"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        span = Post.objects.aggregate(first=Min("published_at"), last=Max("published_at"))
        if span["first"] is None:
            return []
        first, last = (timezone.localtime(span[end]).year for end in ("first", "last"))
        return [(str(year), str(year)) for year in range(last, first - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        if not (value.isdigit() and 1 <= int(value) <= 9998):
            return queryset.none()
        zone = timezone.get_current_timezone()
        start = dt.datetime(int(value), 1, 1, tzinfo=zone)
        end = dt.datetime(int(value) + 1, 1, 1, tzinfo=zone)
        return queryset.filter(published_at__gte=start, published_at__lt=end)


@admin.register(Post)
class PostAdmin(IndexedSearchMixin):
    form = PostForm
    list_display = [
        "title",
        "status_label",
        "visibility",
        "published_at",
        "author_names",
        "is_featured",
        "is_sticky",
        "comments_open",
        "comment_count",
    ]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "visibility",
        "is_featured",
        "is_sticky",
        "comments_open",
        "categories",
        "authors",
        YearFilter,
    ]
    list_select_related = False
    # WordPress's Posts screen shows 20 a page (edit_post_per_page); Django's 100 rows are
    # most of what the list costs once its queries are cheap.
    list_per_page = 20
    search_fields = ["title", "dek", "body", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "categories", "tags", "featured_image"]

    class Media:
        # Names the autocomplete boxes for screen readers (select2 leaves them unnamed).
        js = ["publishing/admin-field-names.js"]

    readonly_fields = ["created_at", "updated_at", "comment_count"]
    actions = ["publish_now", "move_to_draft", "feature", "unfeature"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body", "excerpt", "featured_image"]}),
        ("Credits and filing", {"fields": ["authors", "categories", "tags"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "visibility",
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
        posts = super().get_queryset(request).prefetch_related("authors")
        if not can_edit_others_posts(request.user):
            # An author lists and opens only the posts they are credited on; others' posts
            # answer as if they did not exist (WordPress's edit_others_posts).
            posts = posts.filter(pk__in=own_posts(request.user))
        return posts

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # An author revises their post until an editor publishes it; then it is read-only to
        # them, as WordPress's contributor lacks edit_published_posts.
        return obj is None or can_change_post(request.user, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Post], search_term: str
    ) -> tuple[QuerySet[Post], bool]:
        if getattr(request.resolver_match, "url_name", None) == "autocomplete":
            # Another model's form is choosing a post (a clip's article): offer only the posts
            # this user may change, the only ones that form accepts (Post.changeable_by).
            queryset = queryset.filter(pk__in=Post.objects.changeable_by(request.user).values("pk"))
        return super().get_search_results(request, queryset, search_term)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        """Whether the publishing actions (publish, unpublish, feature) are offered."""
        return can_publish_posts(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish_posts(request.user):
            fields += PUBLISHER_FIELDS
        return fields

    def formfield_for_choice_field(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.TypedChoiceField | None:
        if db_field.name == "status" and not can_publish_posts(request.user):
            kwargs["choices"] = [(status.value, status.label) for status in SUBMITTABLE_STATUSES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Post | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = cast("type[PostForm]", super().get_form(request, obj, change, **kwargs))
        if not can_edit_others_posts(request.user):
            # A class made for this request (modelform_factory), so this does not leak.
            form.keep_credited = True
            form.own_person = Person.objects.filter(user=_staff(request)).first()
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        # A new post is credited to whoever writes it, as WordPress makes them its author.
        person = Person.objects.filter(user=_staff(request)).only("pk").first()
        if person is not None and "authors" not in initial:
            initial["authors"] = [str(person.pk)]
        return initial

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

    @admin.action(description="Publish selected posts now", permissions=["publish"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.publish_post(post=post)
        self.message_user(request, f"Published {len(queryset)} post(s).", messages.SUCCESS)

    @admin.action(description="Move selected posts back to draft", permissions=["publish"])
    def move_to_draft(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.unpublish_post(post=post)
        self.message_user(request, f"Moved {len(queryset)} post(s) to draft.", messages.SUCCESS)

    @admin.action(description="Feature selected posts", permissions=["publish"])
    def feature(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.set_featured(post=post, featured=True)

    @admin.action(description="Stop featuring selected posts", permissions=["publish"])
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


class PersonForm(forms.ModelForm):
    # Not Django's ImageField, which opens the upload with Pillow first and answers a bomb,
    # a page named .png and a truncated file with one generic message: the pipeline is the
    # check, and says which.
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput,
        help_text="JPEG, PNG or WebP; stored as a square, location data removed.",
    )

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and "photo" in self.changed_data and not getattr(photo, "_committed", False):
            # An upload: through the one image pipeline (pixel limit before decoding,
            # re-encoded, nothing but the pixels kept), never stored as it came.
            photo.seek(0)
            data = photo.read(upload_limit("image") + 1)
            return reencode_person_photo(data, name=photo.name or "photo")
        return photo


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        services.save_person(person=obj)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    list_filter = ["parent"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        services.save_category(category=obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        services.save_tag(tag=obj)


def label_split_datetime(field: forms.Field | None) -> None:
    """Name the date and time boxes of the admin's split date-time widget: Django labels only
    the first of them, and neither for a screen reader (axe: "Form elements must have
    labels", critical)."""
    widget = getattr(field, "widget", None)
    if field is None or not isinstance(widget, forms.MultiWidget):
        return
    for part, name in zip(widget.widgets, ("date", "time"), strict=False):
        part.attrs.setdefault("aria-label", f"{field.label}: {name}")


ALT_REQUIRED = (
    "Describe the picture for readers who cannot see it (what it shows, as you would tell "
    "someone on the phone)."
)
# Pictures per page of the editor's library (library_view).
LIBRARY_PAGE_SIZE = 24


def library_entry(item: MediaItem) -> dict[str, Any]:
    """One picture as the editor's library lists it (the shape is /work/coord/media-api.md)."""
    shown = renditions.picture(item)
    return {
        "id": item.pk,
        "title": item.title,
        "alt": item.alt_text,
        "caption": item.caption,
        "credit": item.credit,
        "width": item.width,
        "height": item.height,
        "url": shown.src if shown else item.url,
        "thumbnail": item.file.storage.url(item.renditions[0][2]) if item.renditions else item.url,
        "srcset": shown.srcset if shown else "",
        "sizes": renditions.BODY_SIZES,
        "html": renditions.body_figure(item),
        "edit_url": reverse("admin:publishing_mediaitem_change", args=[item.pk]),
    }


class MediaItemForm(forms.ModelForm):
    # Not the model's field: the file is the services' to check, re-encode and store.
    upload = forms.FileField(
        label="File",
        required=False,
        help_text="A picture (JPEG, PNG, GIF, WebP; re-encoded, location data removed) or a "
        "document such as a PDF. Leave empty to keep the current file.",
    )

    class Meta:
        model = MediaItem
        fields = ["title", "upload", "source_url", "alt_text", "caption", "credit", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_split_datetime(self.fields.get("created_at"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        is_image = self.instance.is_image
        if upload is not None:
            # Checked here too, so that a refused file is said on the form, not as an error
            # page; the service checks it again when it stores it.
            upload.seek(0)
            try:
                prepared = prepare_media_file(upload.read(), name=upload.name or "")
                is_image = prepared.content_type.startswith("image/")
            except forms.ValidationError as error:
                self.add_error("upload", error.message_dict.get("file", error.messages))
        elif not self.instance.file and not data.get("source_url"):
            self.add_error("upload", "Choose a file, or give the address where the file is.")
        if is_image and not (data.get("alt_text") or "").strip() and "alt_text" in data:
            self.add_error("alt_text", ALT_REQUIRED)
        return data


@admin.register(MediaItem)
class MediaItemAdmin(admin.ModelAdmin):
    form = MediaItemForm
    list_display = ["thumbnail", "title", "content_type", "dimensions", "has_file", "created_at"]
    list_display_links = ["title"]
    list_filter = ["content_type"]
    search_fields = ["title", "alt_text", "caption", "credit", "source_url", "file"]
    list_per_page = 40
    date_hierarchy = "created_at"
    readonly_fields = ["preview", "content_type", "dimensions", "file_size", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "upload", "preview", "source_url"]}),
        ("Description", {"fields": ["alt_text", "caption", "credit"]}),
        (
            "Stored file",
            {"fields": ["content_type", "dimensions", "file_size", "created_at", "updated_at"]},
        ),
    ]

    def get_urls(self) -> list[URLPattern]:
        library = path(
            "library/",
            self.admin_site.admin_view(self.library_view),
            name="publishing_mediaitem_library",
        )
        return [library, *super().get_urls()]

    def library_view(self, request: HttpRequest) -> HttpResponse:
        """The picture library as JSON for the body editor (/work/coord/media-api.md): GET
        lists and searches (?q=, ?page=), POST uploads one picture (multipart: file,
        alt_text, caption, credit, title) through the same service as the form."""
        if request.method == "POST":
            if not self.has_add_permission(request):
                return JsonResponse({"errors": {"__all__": ["Not allowed."]}}, status=403)
            return self._library_upload(request)
        if request.method != "GET":
            return JsonResponse({"errors": {"__all__": ["GET or POST."]}}, status=405)
        if not self.has_view_permission(request):
            return JsonResponse({"errors": {"__all__": ["Not allowed."]}}, status=403)
        pictures = MediaItem.objects.images().exclude(file="").newest_first()
        query = request.GET.get("q", "")[:200]
        if query.strip():
            pictures = pictures.matching(query)
        paginator = Paginator(pictures, LIBRARY_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        following = None
        if page.has_next():
            following = "?" + urlencode([("q", query), ("page", str(page.next_page_number()))])
        return JsonResponse(
            {
                "count": paginator.count,
                "page": page.number,
                "next": following,
                "results": [library_entry(item) for item in page.object_list],
            }
        )

    def _library_upload(self, request: HttpRequest) -> JsonResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return JsonResponse({"errors": {"file": ["Choose a picture."]}}, status=400)
        head = upload.read(16)
        upload.seek(0)
        suffix = PurePosixPath(upload.name or "").suffix.lower()
        if not (is_image(head) or suffix in IMAGE_SUFFIXES):
            # The library takes documents too; the editor inserts pictures only. Whatever
            # the contents say, a name promising a picture goes through the image pipeline.
            return JsonResponse(
                {"errors": {"file": ["This is not a picture (JPEG, PNG, GIF or WebP)."]}},
                status=400,
            )
        try:
            item = services.create_media_item(
                title=request.POST.get("title", ""),
                file=upload,
                file_name=upload.name or "",
                alt_text=request.POST.get("alt_text", ""),
                caption=request.POST.get("caption", ""),
                credit=request.POST.get("credit", ""),
            )
        except ValidationError as error:
            return JsonResponse({"errors": error.message_dict}, status=400)
        return JsonResponse(library_entry(item), status=201)

    @admin.display(description="picture")
    def thumbnail(self, item: MediaItem) -> str:
        shown = renditions.picture(item)
        if shown is None:
            return "—"
        # The narrowest rendition (or the file): a list of 40 stays light.
        src = item.file.storage.url(item.renditions[0][2]) if item.renditions else shown.src
        return format_html(
            '<img src="{}" alt="{}" width="96" height="{}" loading="lazy">',
            src,
            shown.alt,
            max(1, round(96 * shown.height / shown.width)),
        )

    @admin.display(description="size in pixels")
    def dimensions(self, item: MediaItem) -> str:
        return f"{item.width} × {item.height}" if item.width and item.height else "—"

    @admin.display(description="file stored", boolean=True)
    def has_file(self, item: MediaItem) -> bool:
        return bool(item.file)

    @admin.display(description="current file")
    def preview(self, item: MediaItem) -> str:
        if not item.url:
            return "—"
        if item.is_image:
            return format_html(
                '<a href="{}"><img src="{}" alt="{}" style="max-width:320px;height:auto"></a>',
                item.url,
                item.url,
                item.alt_text,
            )
        return format_html('<a href="{}">{}</a>', item.url, item.url)

    # Deleting from the back office (one, or the "delete selected" action) goes through the
    # service, which removes the files too; Django's own would leave them on the disk.
    def delete_model(self, request: HttpRequest, obj: MediaItem) -> None:
        services.delete_media_item(item=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MediaItem]) -> None:
        for item in queryset:
            services.delete_media_item(item=item)

    def save_model(self, request: HttpRequest, obj: MediaItem, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "file": data.get("upload"),
            "alt_text": data.get("alt_text", ""),
            "caption": data.get("caption", ""),
            "credit": data.get("credit", ""),
            "source_url": data.get("source_url", ""),
            "created_at": data.get("created_at"),
        }
        if change:
            item = services.update_media_item(item=MediaItem.objects.get(pk=obj.pk), **fields)
        else:
            item = services.create_media_item(**fields)
        # The admin goes on with `obj` (its messages, the next page): give it what was saved.
        for field in MediaItem._meta.concrete_fields:
            setattr(obj, field.attname, getattr(item, field.attname))
        obj._state.adding = False
