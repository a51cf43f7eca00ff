"""Jinja2 globals for the site's chrome: navigation, featured teasers, category list."""

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString

from stoa.core.templating import kept
from stoa.publishing import renditions
from stoa.publishing.models import Category, Page, Post
from stoa.publishing.renditions import Picture

# The site's chrome is the same on every page and changes rarely: each piece is kept in the
# cache until the content version changes, so a page view does not query for it.


def menu_pages() -> list[tuple[str, str]]:
    """(title, address) of the published pages in the header navigation."""

    def build() -> list[tuple[str, str]]:
        return [
            (p.title, p.get_absolute_url()) for p in Page.objects.in_menu().only("title", "path")
        ]

    return kept("menu-pages", build) or []


def featured_posts(count: int = 3) -> list[tuple[str, str, str, Picture | None]]:
    """(title, address, dek, picture) of the newest featured posts, for the sidebar's teasers."""

    def build() -> list[tuple[str, str, str, Picture | None]]:
        posts = Post.objects.published().listed().filter(is_featured=True).newest_first()
        posts = posts.select_related("featured_image")
        posts = posts.only("title", "slug", "dek", "published_at", "status", "featured_image")
        return [
            (p.title, p.get_absolute_url(), p.dek, renditions.picture(p.featured_image))
            for p in posts[:count]
        ]

    return kept(f"featured-{count}", build) or []


def picture_tag(
    shown: Picture | None, sizes: str = renditions.BODY_SIZES, css_class: str = ""
) -> SafeString:
    """A library picture as an <img> with srcset, sizes and lazy loading ("" for none)."""
    if shown is None:
        return SafeString("")
    return renditions.img_tag(shown, sizes=sizes, css_class=css_class)


def category_list() -> list[tuple[str, str, int]]:
    """(name, address, count) of the categories that have published posts."""

    def build() -> list[tuple[str, str, int]]:
        categories = Category.objects.with_post_counts().filter(post_count__gt=0)  # type: ignore[misc]
        return [
            (c.name, c.get_absolute_url(), c.post_count)  # type: ignore[attr-defined]
            for c in categories.order_by("name")
        ]

    return kept("categories", build) or []


GLOBALS: dict[str, Callable[..., Any]] = {
    "menu_pages": menu_pages,
    "featured_posts": featured_posts,
    "category_list": category_list,
    "picture": renditions.picture,
    "picture_tag": picture_tag,
}
FILTERS: dict[str, Callable[..., Any]] = {}
