"""Template tags for the site's chrome: navigation, featured teasers, category list."""

from django import template

from stoa.publishing.models import Category, CategoryQuerySet, Page, PageQuerySet, Post

register = template.Library()


@register.simple_tag
def menu_pages() -> PageQuerySet:
    """Published pages that belong in the header navigation."""
    return Page.objects.in_menu().only("title", "path")


@register.simple_tag
def featured_posts(count: int = 3) -> list[Post]:
    """The newest featured posts, for the sidebar's teasers."""
    posts = Post.objects.published().filter(is_featured=True).newest_first()
    return list(posts.only("title", "slug", "dek", "published_at", "status")[:count])


@register.simple_tag
def category_list() -> CategoryQuerySet:
    """Categories that have published posts, with their counts."""
    categories = Category.objects.with_post_counts()
    return categories.filter(post_count__gt=0).order_by("name")  # type: ignore[misc]
