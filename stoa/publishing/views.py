"""Reader-facing pages: home, post, archives, static pages, robots.txt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views import View
from markupsafe import Markup

from stoa.core import slots
from stoa.core.cache import memoize
from stoa.core.conf import stoa_setting
from stoa.core.templating import kept, url
from stoa.publishing import renditions
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

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User


class Listing(NamedTuple):
    """A listing page's shared piece: what its head says of it, and its content drawn
    (header, summaries, paging). The same for every reader of one audience (see
    `audience`): nothing in it names the reader."""

    heading: str
    description: str
    feed_url: str
    number: int
    content: str


def audience(user: User | AnonymousUser) -> str:
    """What decides what a listing shows its reader: whether they are a member, the rule of
    can_read_full_post ("members" means any signed-in, active account). Pieces are kept per
    audience, never per reader."""
    return "member" if user.is_authenticated and user.is_active else "visitor"


def page_number(request: HttpRequest) -> int:
    """The page of a list asked for (?page=N, 1 by default); anything else is no page."""
    asked = request.GET.get("page", "1")
    if not (asked.isascii() and asked.isdigit()) or not 1 <= int(asked) <= 1_000_000:
        raise Http404("No such page.")
    return int(asked)


class PostListView(View):
    """A paginated list of published posts; subclasses narrow it and name it.

    The page's content (header, summaries, paging) is drawn once per content version,
    page number and audience, and kept (stoa.core.templating.kept): a warm page reads no
    row of content. What is per reader (the account links, the form token) is drawn around
    it for each request by the site layout."""

    template_name = "publishing/post_list.html"
    show_sticky = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refuse_unused_paging(request, "cpage")
        number = page_number(request)
        reader = audience(request.user)
        path = request.path
        name = f"listing:{self.piece_name(**kwargs)}:{number}:{reader}"
        listing = kept(name, lambda: self.build(path, number, reader, **kwargs))
        if listing is None:
            raise Http404("No such page.")
        context = {
            "listing": listing,
            "content": Markup(listing.content),  # noqa: S704 - drawn by our own template
            # This page's address without its query, for the canonical link and OpenGraph.
            "here": f"{request.scheme}://{request.get_host()}{request.path}",
        }
        return render(request, self.template_name, context)

    def piece_name(self, **kwargs: Any) -> str:
        """What tells this list apart from the others (its kind and its slug or date)."""
        raise NotImplementedError

    def header(self, **kwargs: Any) -> dict[str, Any] | None:
        """The list's heading, description, feed and what else its header shows; None when
        what it lists does not exist."""
        raise NotImplementedError

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts

    def order_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.newest_first()

    def build(self, path: str, number: int, reader: str, **kwargs: Any) -> Listing | None:
        header = self.header(**kwargs)
        if header is None:
            return None
        posts = self.order_posts(self.filter_posts(Post.objects.published().listed()).for_listing())
        paginator = Paginator(posts, int(stoa_setting("POSTS_PER_PAGE")))
        try:
            page = paginator.page(number)
        except InvalidPage:
            return None
        header.setdefault("description", "")
        header.setdefault("feed_url", "")
        context = {
            **header,
            "path": path,
            "page_obj": page,
            "paginator": paginator,
            "posts": [summary(post) for post in page.object_list],
            "show_sticky": self.show_sticky,
            "site_name": stoa_setting("SITE_NAME"),
            "audience": reader,
        }
        content = render_to_string("publishing/includes/listing.html", context)
        return Listing(
            heading=header["heading"],
            description=header["description"],
            feed_url=header["feed_url"],
            number=number,
            content=content,
        )


class Summary(NamedTuple):
    """What a post's summary in a list shows, worked out once as the piece is drawn."""

    title: str
    url: str
    dek: str
    teaser: str
    is_sticky: bool
    is_members_only: bool
    published_at: dt.datetime | None
    comment_count: int
    authors: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    tags: list[tuple[str, str]]
    picture: renditions.Picture | None = None


def summary(post: Post) -> Summary:
    """A listed post as its summary shows it: every address reversed once, here (a person,
    a category or a tag met again costs a look-up, stoa.core.templating.url)."""
    return Summary(
        title=post.title,
        url=post.get_absolute_url(),
        dek=post.dek,
        teaser=post.teaser,
        is_sticky=post.is_sticky,
        is_members_only=post.is_members_only,
        published_at=post.published_at,
        comment_count=post.comment_count,
        authors=[(p.name, url("publishing:author", slug=p.slug)) for p in post.author_list],  # type: ignore[attr-defined]
        categories=[
            (c.name, url("publishing:category", slug=c.slug))
            for c in post.category_list  # type: ignore[attr-defined]
        ],
        tags=[(t.name, url("publishing:tag", slug=t.slug)) for t in post.tag_list],  # type: ignore[attr-defined]
        # Fetched with the post (for_listing's select_related): no query per picture.
        picture=renditions.picture(post.featured_image),
    )


class HomeView(PostListView):
    """Newest posts, sticky ones first."""

    template_name = "publishing/home.html"
    show_sticky = True

    def piece_name(self, **kwargs: Any) -> str:
        return "home"

    def header(self, **kwargs: Any) -> dict[str, Any] | None:
        return {"heading": "", "description": str(stoa_setting("TAGLINE"))}

    def order_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.order_by("-is_sticky", "-published_at", "-pk")


class CategoryView(PostListView):
    """Posts filed under a category or any category below it."""

    def piece_name(self, **kwargs: Any) -> str:
        return f"category:{kwargs['slug']}"

    def header(self, **kwargs: Any) -> dict[str, Any] | None:
        category = Category.objects.filter(slug=kwargs["slug"]).first()
        if category is None:
            return None
        self.category = category
        return {
            "heading": f"Category: {category.name}",
            "description": category.description,
            "feed_url": url("publishing:category_feed", slug=category.slug),
        }

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.in_category(self.category)


class TagView(PostListView):
    """Posts with a tag."""

    def piece_name(self, **kwargs: Any) -> str:
        return f"tag:{kwargs['slug']}"

    def header(self, **kwargs: Any) -> dict[str, Any] | None:
        self.tag = Tag.objects.filter(slug=kwargs["slug"]).first()
        if self.tag is None:
            return None
        return {
            "heading": f"Tag: {self.tag.name}",
            "feed_url": url("publishing:tag_feed", slug=self.tag.slug),
        }

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.filter(tags=self.tag)


class AuthorView(PostListView):
    """Posts by one person, under their short bio."""

    def piece_name(self, **kwargs: Any) -> str:
        return f"author:{kwargs['slug']}"

    def header(self, **kwargs: Any) -> dict[str, Any] | None:
        self.person = Person.objects.filter(slug=kwargs["slug"]).first()
        if self.person is None:
            return None
        return {
            "heading": f"Author: {self.person.name}",
            "description": self.person.bio,
            "feed_url": url("publishing:author_feed", slug=self.person.slug),
            "photo": self.person.photo.url if self.person.photo else "",
        }

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.filter(authors=self.person)


class DateArchiveView(PostListView):
    """Posts of one year, or one month of a year, in the site's time zone."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        year, month = int(kwargs["year"]), int(kwargs.get("month") or 0)
        if not (1 <= year <= 9998 and 0 <= month <= 12):
            raise Http404("No such date.")
        return super().get(request, *args, year=year, month=month)

    def piece_name(self, **kwargs: Any) -> str:
        return f"date:{kwargs['year']}:{kwargs['month']}"

    def header(self, **kwargs: Any) -> dict[str, Any] | None:
        year, month = kwargs["year"], kwargs["month"]
        tz = timezone.get_current_timezone()
        if month:
            self.start = dt.datetime(year, month, 1, tzinfo=tz)
            self.end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
            return {"heading": f"Monthly archives: {self.start:%B %Y}"}
        self.start = dt.datetime(year, 1, 1, tzinfo=tz)
        self.end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
        return {"heading": f"Yearly archives: {year}"}

    def filter_posts(self, posts: PostQuerySet) -> PostQuerySet:
        return posts.filter(published_at__gte=self.start, published_at__lt=self.end)


class Neighbour(NamedTuple):
    """A post next to this one, as the post page links to it."""

    title: str
    url: str


def _neighbours(post: Post) -> tuple[Neighbour | None, Neighbour | None]:
    """The published posts just before and just after this one (cached per content version)."""
    if not post.is_live or post.published_at is None or not post.listed:
        return None, None
    at, pk = post.published_at, post.pk

    def build() -> tuple[Neighbour | None, Neighbour | None]:
        light = Post.objects.published().listed().only("title", "slug", "published_at", "status")
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
