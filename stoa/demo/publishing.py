"""The demo magazine, The Practice Review: its people, sections, tags, posts and pages, read
from data/publishing/ and written through stoa.publishing.services, as an editor's would be.

The post and page bodies are Markdown files that use only what an editor types: paragraphs,
"## " subheadings, "> " blockquotes, "- " lists and inline HTML (<em>, <strong>, <a>). They
become HTML here, with this small converter rather than a Markdown library: the files need
no more, and the site stores the HTML an editor would have written.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from django.utils.text import slugify

from stoa.demo import loader
from stoa.demo.loader import DemoDataError
from stoa.demo.media import cover, jpeg
from stoa.publishing import services
from stoa.publishing.models import Category, Page, Person, Post, PostStatus, PostVisibility, Tag

# Printed before the summary: the name these lines had when publishing held its own demo.
LABEL = "stoa.publishing.demo"
FOLDER = "publishing"
_BLOCK_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class _PersonSpec:
    name: str
    bio: str


@dataclass(frozen=True)
class _CategorySpec:
    name: str
    description: str
    parent: str = ""


@dataclass(frozen=True)
class _Magazine:
    """magazine.toml."""

    people: tuple[_PersonSpec, ...]
    categories: tuple[_CategorySpec, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class _PostSpec:
    """One post as written in posts.toml; build() turns it into a Post with a date."""

    title: str
    dek: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    body: str  # the Markdown file, relative to data/publishing/
    excerpt: str = ""
    # "scheduled" here means "goes out three days after the demo is loaded".
    status: str = PostStatus.PUBLISHED
    featured: bool = False
    sticky: bool = False
    comments_open: bool = True
    # The business column's longer pieces are for members; other readers get their teaser.
    members_only: bool = False


@dataclass(frozen=True)
class _Posts:
    """posts.toml."""

    posts: tuple[_PostSpec, ...]


@dataclass(frozen=True)
class _PageSpec:
    title: str
    body: str  # the Markdown file, relative to data/publishing/
    parent: str = ""
    show_in_menu: bool = False
    menu_order: int = 0


@dataclass(frozen=True)
class _Pages:
    """pages.toml."""

    pages: tuple[_PageSpec, ...]


def squash(text: str) -> str:
    """Join a wrapped text into one line."""
    return " ".join(text.split())


def html(text: str) -> str:
    """Turn a demo body's Markdown into the HTML body an editor would write."""
    blocks = []
    for chunk in _BLOCK_BREAK.split(text.strip()):
        lines = [line.strip() for line in chunk.strip().splitlines()]
        if lines[0].startswith("## "):
            blocks.append(f"<h2>{squash(' '.join(lines))[3:]}</h2>")
        elif lines[0].startswith("> "):
            quote = " ".join(line.removeprefix("> ") for line in lines)
            blocks.append(f"<blockquote><p>{quote}</p></blockquote>")
        elif lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:])
                else:
                    items[-1] += f" {line}"
            blocks.append("<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>")
        else:
            blocks.append(f"<p>{' '.join(lines)}</p>")
    return "\n".join(blocks)


def is_loaded() -> bool:
    """Whether publishing's demo content, or any real content, is already there."""
    return Post.objects.exists()


@dataclass(frozen=True)
class Content:
    """Everything build() writes, read and checked."""

    magazine: _Magazine
    posts: tuple[_PostSpec, ...]
    pages: tuple[_PageSpec, ...]
    bodies: dict[str, str]  # HTML, by Markdown file


def read() -> Content:
    """The files, with every name a post or page gives checked against the others."""
    magazine = loader.read_record(f"{FOLDER}/magazine.toml", _Magazine)
    posts = loader.read_record(f"{FOLDER}/posts.toml", _Posts)
    pages = loader.read_record(f"{FOLDER}/pages.toml", _Pages)

    def check(file: str, place: str, what: str, names: tuple[str, ...], known: set[str]) -> None:
        for name in names:
            if name not in known:
                raise DemoDataError(loader.path(f"{FOLDER}/{file}"), f"{place}: {what} {name!r}")

    categories: set[str] = set()
    for n, category in enumerate(magazine.categories):
        if category.parent:
            parent = (category.parent,)
            check("magazine.toml", f"categories[{n}]", "no earlier category", parent, categories)
        categories.add(category.name)
    people, tags = {person.name for person in magazine.people}, set(magazine.tags)
    for n, post in enumerate(posts.posts):
        place, missing = f"posts[{n}]", "not in magazine.toml:"
        check("posts.toml", place, f"author {missing}", post.authors, people)
        check("posts.toml", place, f"category {missing}", post.categories, categories)
        check("posts.toml", place, f"tag {missing}", post.tags, tags)
        check("posts.toml", place, "no such status", (post.status,), set(PostStatus.values))
    titles: set[str] = set()
    for n, page in enumerate(pages.pages):
        if page.parent:
            check("pages.toml", f"pages[{n}]", "no earlier page", (page.parent,), titles)
        titles.add(page.title)
    files = [(post.body, "posts.toml") for post in posts.posts]
    files += [(page.body, "pages.toml") for page in pages.pages]
    bodies = {
        name: html(loader.read_text(f"{FOLDER}/{name}", named_in=f"{FOLDER}/{toml}"))
        for name, toml in files
    }
    return Content(magazine, posts.posts, pages.pages, bodies)


def _publish_time(rng: random.Random, today: dt.datetime, rank: int) -> dt.datetime:
    """The publish time of the rank-th newest dated post: roughly every eleven days, back."""
    day = today - dt.timedelta(days=2 + 11 * rank + rng.randint(0, 4))
    # Editors publish during the working day; wall-clock hours keep clear of DST changes.
    return day + dt.timedelta(hours=rng.randint(7, 17), minutes=rng.randrange(60))


def build(*, rng: random.Random, today: dt.datetime) -> str:
    """Write The Practice Review's demo content and return a one-line summary."""
    content = read()
    magazine, bodies = content.magazine, content.bodies
    people: dict[str, Person] = {
        spec.name: services.create_person(name=spec.name, bio=squash(spec.bio))
        for spec in magazine.people
    }
    categories: dict[str, Category] = {}
    for category in magazine.categories:
        categories[category.name] = services.create_category(
            name=category.name,
            parent=categories[category.parent] if category.parent else None,
            description=category.description,
        )
    tags: dict[str, Tag] = {name: services.get_or_create_tag(name=name) for name in magazine.tags}

    dated: list[tuple[_PostSpec, str, dt.datetime | None]] = []
    rank = 0
    for spec in content.posts:
        when: dt.datetime | None = None
        status = spec.status
        if status == PostStatus.SCHEDULED:
            # Three days after the demo is loaded, at nine: published with a future time, the
            # service files it as scheduled.
            status, when = PostStatus.PUBLISHED, today + dt.timedelta(days=3, hours=9)
        elif status not in (PostStatus.DRAFT, PostStatus.PENDING):
            when, rank = _publish_time(rng, today, rank), rank + 1
        dated.append((spec, status, when))

    # Oldest first, so that ids rise with publication as they would on a real site.
    for spec, status, when in reversed(dated):
        # A cover per post, drawn from its title (never from rng: the dates stay the seed's).
        picture, alt = cover(spec.title)
        featured = services.create_media_item(
            title=f"Cover: {spec.title}",
            file=jpeg(picture, "cover.jpg"),
            file_name=f"{slugify(spec.title)[:60]}.jpg",
            alt_text=alt,
            credit="Drawn for the demo",
        )
        services.create_post(
            featured_image=featured,
            title=spec.title,
            dek=spec.dek,
            body=bodies[spec.body],
            excerpt=squash(spec.excerpt),
            authors=[people[name] for name in spec.authors],
            categories=[categories[name] for name in spec.categories],
            tags=[tags[name] for name in spec.tags],
            status=status,
            published_at=when,
            is_featured=spec.featured,
            is_sticky=spec.sticky,
            comments_open=spec.comments_open,
            visibility=PostVisibility.MEMBERS if spec.members_only else PostVisibility.PUBLIC,
        )

    made: dict[str, Page] = {}
    for page in content.pages:
        made[page.title] = services.create_page(
            title=page.title,
            body=bodies[page.body],
            parent=made[page.parent] if page.parent else None,
            show_in_menu=page.show_in_menu,
            menu_order=page.menu_order,
        )

    return (
        f"{len(content.posts)} posts, {len(people)} people, {len(categories)} categories, "
        f"{len(tags)} tags, {len(made)} pages"
    )
