"""What of publishing readers can see (stoa.core.freshness): live and scheduled posts (a
scheduled one decides when the next version starts by itself), published pages, and every
person, category and tag (their names are printed wherever their posts are), and every media
item (its address, alt text and caption go wherever it is shown)."""

from stoa.core.freshness import Shown
from stoa.publishing.models import Category, MediaItem, Page, PageStatus, Person, Post, Tag

SHOWN = [
    Shown(
        Post,
        when=lambda post: post.status in Post.LIVE_STATUSES,
        fields=("status",),
        m2m=("authors", "categories", "tags"),
    ),
    Shown(Page, when=lambda page: page.status == PageStatus.PUBLISHED, fields=("status",)),
    Shown(Person),
    Shown(Category),
    Shown(Tag),
    Shown(MediaItem),
]

# Listing pages are the same for everyone (stoa.core.readers).
SHARED_QUERY = ("page",)
