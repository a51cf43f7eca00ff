"""Reader-facing pages: home, post, archives, static pages, robots.txt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.generic import ListView

from stoa.core import slots
from stoa.core.cache import memoize
from stoa.core.conf import stoa_setting
from stoa.publishing.models import (
    Category,
    Page,
    Person,
    Post,
    PostQuerySet,
    Tag,
    can_preview_posts,
    can_read_full_post,
)


class PostListView(ListView):
    """A paginated list of published posts; subclasses narrow it and name it."""

    template_name = "publishing/post_list.html"
    context_object_name = "posts"
    allow_empty = True
    heading = ""
    description = ""

    def get_paginate_by(self, queryset: Any) -> int:
        return int(stoa_setting("POSTS_PER_PAGE"))

    def base_queryset(self) -> PostQuerySet:
        return Post.objects.published().for_listing()

    def get_queryset(self) -> PostQuerySet:
        return self.filter_posts(self.base_queryset()).newest_first()

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts

    def feed_url(self) -> str:
        return ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refuse_unused_paging(request, "cpage")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(heading=self.heading, description=self.description)
        context["feed_url"] = self.feed_url()
        return context


class HomeView(PostListView):
    """Newest posts, sticky ones first."""

    template_name = "publishing/home.html"

    def get_queryset(self) -> PostQuerySet:
        return self.base_queryset().order_by("-is_sticky", "-published_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["description"] = stoa_setting("TAGLINE")
        return context


class CategoryView(PostListView):
    """Posts filed under a category or any category below it."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.category = get_object_or_404(Category, slug=kwargs["slug"])
        self.heading = f"Category: {self.category.name}"
        self.description = self.category.description
        return super().get(request, *args, **kwargs)

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.in_category(self.category)

    def feed_url(self) -> str:
        return reverse("publishing:category_feed", kwargs={"slug": self.category.slug})


class TagView(PostListView):
    """Posts with a tag."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        self.heading = f"Tag: {self.tag.name}"
        return super().get(request, *args, **kwargs)

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.filter(tags=self.tag)

    def feed_url(self) -> str:
        return reverse("publishing:tag_feed", kwargs={"slug": self.tag.slug})


class AuthorView(PostListView):
    """Posts by one person, under their short bio."""

    template_name = "publishing/author.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.person = get_object_or_404(Person, slug=kwargs["slug"])
        self.heading = f"Author: {self.person.name}"
        self.description = self.person.bio
        return super().get(request, *args, **kwargs)

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.filter(authors=self.person)

    def feed_url(self) -> str:
        return reverse("publishing:author_feed", kwargs={"slug": self.person.slug})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(person=self.person, **kwargs)


class DateArchiveView(PostListView):
    """Posts of one year, or one month of a year, in the site's time zone."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        year, month = int(kwargs["year"]), int(kwargs.get("month") or 0)
        if not (1 <= year <= 9998 and 0 <= month <= 12):
            raise Http404("No such date.")
        tz = timezone.get_current_timezone()
        if month:
            self.start = dt.datetime(year, month, 1, tzinfo=tz)
            self.end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
            self.heading = f"Monthly archives: {self.start:%B %Y}"
        else:
            self.start = dt.datetime(year, 1, 1, tzinfo=tz)
            self.end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
            self.heading = f"Yearly archives: {year}"
        return super().get(request, *args, **kwargs)

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.filter(published_at__gte=self.start, published_at__lt=self.end)


class Neighbour(NamedTuple):
    """A post next to this one, as the post page links to it."""

    title: str
    url: str


def _neighbours(post: Post) -> tuple[Neighbour | None, Neighbour | None]:
    """The published posts just before and just after this one (cached per content version)."""
    if not post.is_live or post.published_at is None:
        return None, None
    at, pk = post.published_at, post.pk

    def build() -> tuple[Neighbour | None, Neighbour | None]:
        light = Post.objects.published().only("title", "slug", "published_at", "status")
        older = light.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
        newer = light.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
        found = older.newest_first().first(), newer.order_by("published_at", "pk").first()
        return tuple(Neighbour(p.title, p.get_absolute_url()) if p else None for p in found)  # type: ignore[return-value]

    return memoize(f"neighbours-{pk}", build)


def render_post(
    request: HttpRequest,
    post: Post,
    state: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The post page. Apps put their pieces in its head, above and below the article through
    the POST_HEAD, POST_HEADER and POST_FOOTER slots (stoa.core.slots); `state` is handed on
    to the last two from a POST another app answered with this page (a comment form with
    errors)."""
    previous, following = _neighbours(post)
    # Decided here, for this request: the post may come from the cache shared by all readers,
    # body and all, but only a reader who may read it whole is shown the body, and what
    # plugs into it (its clip, its discussion).
    full = can_read_full_post(request.user, post)
    state = state or {}
    context = {
        "post": post,
        "previous_post": previous,
        "next_post": following,
        "can_read_full": full,
        "login_url": "" if full else resolve_url(settings.LOGIN_URL),
        "post_head": slots.fill("POST_HEAD", request, post) if full else [],
        "post_header": slots.fill("POST_HEADER", request, post, state) if full else [],
        "post_footer": slots.fill("POST_FOOTER", request, post, state) if full else [],
    }
    return render(request, "publishing/post_detail.html", context, status=status)


def refuse_unused_paging(request: HttpRequest, *names: str) -> None:
    """A page number a page does not use (`?page=2` on an article, `?cpage=3` on a list)
    names no page of it: 404, never kept, rather than the same page under one more address
    (stoa.core.readers counts page numbers as shared, so each would be a cache entry)."""
    for name in names:
        if request.GET.get(name, "1") != "1":
            raise Http404("No such page.")


def live_post(pk: int) -> Post:
    """A published post by id, with what its page shows, or 404."""
    return get_object_or_404(Post.objects.published().for_listing(), pk=pk)


def post_detail(request: HttpRequest, year: int, month: str, slug: str) -> HttpResponse:
    """A post at its permalink; an old date in the address redirects to the right one."""
    refuse_unused_paging(request, "page")
    if can_preview_posts(request.user):
        post = Post.objects.visible_to(request.user).for_listing().filter(slug=slug).first()
    else:
        # Readers see published posts only: the same for everyone, so kept in the cache
        # until the content changes (a post edited, a comment counted, a schedule due).
        post = memoize(f"post-{slug}", lambda: _published_post(slug))
    if post is None:
        raise Http404("No such post.")
    canonical = post.get_absolute_url()
    if canonical != request.path:
        # The post was re-dated, or the address was mistyped: send readers to the permalink.
        # Only a live post's address is stable enough for a permanent redirect.
        redirect = HttpResponsePermanentRedirect if post.is_live else HttpResponseRedirect
        return redirect(canonical)
    return render_post(request, post)


def _published_post(slug: str) -> Post | None:
    return Post.objects.published().for_listing().filter(slug=slug).first()


def post_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft, pending or scheduled post as it will look, for staff who edit posts."""
    posts = Post.objects.visible_to(request.user).for_listing()
    post = get_object_or_404(posts, pk=pk)
    if post.is_live:
        return HttpResponsePermanentRedirect(post.get_absolute_url())
    return render_post(request, post)


def page_detail(request: HttpRequest, path: str) -> HttpResponse:
    """A static page at its nested path."""
    refuse_unused_paging(request, "page", "cpage")
    page = get_object_or_404(Page.objects.visible_to(request.user), path=path.strip("/"))
    return render(request, "publishing/page_detail.html", {"page": page})


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Keep crawlers out of the back office and previews, and point them at the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
