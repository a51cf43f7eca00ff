"""Where a WordPress site's content was: the old addresses of each post, page, category, tag,
author, upload and feed, worked out from the export's base URL and the site's permalink
structure, for the redirect table (stoa.core.services.add_redirects). Pure functions: no
database, no network.

WordPress answers a post at its permalink (the structure's tags filled in: `%year%`,
`%monthnum%`, `%day%`, `%hour%`, `%minute%`, `%second%`, `%postname%`, `%post_id%`,
`%category%`, `%author%`) and, whatever the structure, at `/?p=ID`; with no structure (the
default, "plain") the permalink *is* `/?p=ID`. It also guesses a post from an address of an
older structure (redirect_guess_404_permalink), so the usual shapes — `/YYYY/MM/DD/slug/`,
`/YYYY/MM/slug/`, `/slug/` — are old addresses of every post too. Pages are `/parent/child/`
and `/?page_id=ID`; categories `/category/parent/child/` and `/?cat=ID`; tags `/tag/slug/`;
authors `/author/nicename/`; feeds `…/feed/`.

Paths are relative to the site's base URL (`https://example.com/blog/` gives `/2024/…`, not
`/blog/2024/…`): Stoa takes the site's place. `OldSite(keep_subdirectory=True)` keeps the
subdirectory, for a Stoa serving the whole host where the blog was one folder of it. Slugs are
kept as WordPress stores them (non-Latin ones percent-encoded); the redirect table decodes
every path into one form.

The WXR export does not carry the permalink structure: `guess_structure` finds it from a
post's `<link>`, or the importer is told it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit

K = TypeVar("K", bound=Hashable)

STRUCTURE_TAGS = (
    "%year%",
    "%monthnum%",
    "%day%",
    "%hour%",
    "%minute%",
    "%second%",
    "%postname%",
    "%post_id%",
    "%category%",
    "%author%",
)
# Structures WordPress's settings offer (Settings → Permalinks) and the common custom ones,
# tried in this order by guess_structure.
COMMON_STRUCTURES = (
    "/%year%/%monthnum%/%day%/%postname%/",
    "/%year%/%monthnum%/%postname%/",
    "/%postname%/",
    "/archives/%post_id%",
    "/%category%/%postname%/",
    "/%year%/%postname%/",
    "/%post_id%/%postname%/",
    "/%author%/%postname%/",
)
UPLOADS = "/wp-content/uploads/"
# A feed's kinds, as WordPress names them after /feed/ (rss2 is the default).
RSS_NAMES = ("", "rss2/", "rss/", "rdf/")
ATOM_NAMES = ("atom/",)


@dataclass(frozen=True)
class OldSite:
    """The site being moved. `base_url` is the export's `wp:base_blog_url` (or the channel's
    `<link>`); `permalink_structure` WordPress's option of that name ("" is "plain": /?p=ID);
    `category_base` and `tag_base` the options of those names ("" is WordPress's default)."""

    base_url: str
    permalink_structure: str = ""
    category_base: str = ""
    tag_base: str = ""
    keep_subdirectory: bool = False

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc.lower()

    @property
    def subdirectory(self) -> str:
        """The base URL's path without its trailing slash: "/blog", or ""."""
        return urlsplit(self.base_url.strip()).path.rstrip("/")

    @property
    def trailing_slash(self) -> bool:
        """Whether the site's addresses end with a slash (user_trailingslashit): as its
        permalink structure does; with plain permalinks, pretty addresses do not exist and
        WordPress's own archive links end with one."""
        return not self.permalink_structure or self.permalink_structure.endswith("/")

    def path(self, relative: str) -> str:
        """A path relative to the base, as this site's old addresses are written."""
        if not relative.startswith("/"):
            relative = f"/{relative}"
        return f"{self.subdirectory}{relative}" if self.keep_subdirectory else relative

    def pretty(self, *segments: str) -> str:
        """/a/b/ (or /a/b, by the structure's trailing slash)."""
        joined = "/".join(s.strip("/") for s in segments if s.strip("/"))
        return self.path(f"/{joined}/" if self.trailing_slash else f"/{joined}")

    def relative(self, url: str) -> str | None:
        """The path (and query) of an address of the old site, relative to its base; None for
        an address elsewhere (another host, another scheme, or the same host outside the
        base's folder). The host is matched with or without "www."; a path given without a
        host is taken as the site's, relative to its base if it is not below it."""
        parts = urlsplit(url.strip())
        if parts.scheme and parts.scheme not in ("http", "https"):
            return None
        if parts.netloc and _bare_host(parts.netloc) != _bare_host(self.host):
            return None
        path = parts.path or "/"
        if not path.startswith("/"):
            path = f"/{path}"
        base = self.subdirectory
        if base and (path == base or path.startswith(f"{base}/")):
            path = path[len(base) :] or "/"
        elif base and parts.netloc:
            return None
        query = f"?{parts.query}" if parts.query else ""
        return self.path(f"{path}{query}")


def _bare_host(host: str) -> str:
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def _unique(paths: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(p for p in paths if p))


def nicename(login: str) -> str:
    """An author's address name from their login, as WordPress derives user_nicename
    (sanitize_title on the login: lower case, dots and spaces to dashes, other punctuation
    dropped, non-ASCII percent-encoded), at most 50 characters."""
    text = re.sub(r"<[^>]*>", "", login).lower().replace(".", "-")
    text = re.sub(r"[\s_]+", "-", text)
    text = "".join(c if c.isascii() else quote(c).lower() for c in text)
    text = re.sub(r"[^%a-z0-9-]", "", text)
    return re.sub(r"-+", "-", text).strip("-")[:50]


def nested_paths(nodes: Mapping[K, tuple[str, K | None]]) -> dict[K, str]:
    """ "parent/child" for every node of a hierarchy given as {key: (slug, parent key)} —
    categories by slug or term id, pages by id. A parent missing from `nodes` ends the path
    there; a loop (a broken export) is cut where it closes."""
    found: dict[K, str] = {}
    for key in nodes:
        slugs: list[str] = []
        seen: set[K] = set()
        node: K | None = key
        while node is not None and node in nodes and node not in seen:
            seen.add(node)
            slug, parent = nodes[node]
            slugs.append(slug)
            node = parent
        found[key] = "/".join(reversed(slugs))
    return found


# ---------------------------------------------------------------------------- posts


def permalink(
    site: OldSite,
    *,
    post_id: int,
    slug: str,
    date: dt.datetime | dt.date,
    category: str = "",
    author: str = "",
) -> str:
    """The post's address under the site's structure (get_permalink). `date` is the post's
    local date (wp:post_date), `category` the path of its first category by term id
    ("parent/child"; WordPress's own choice), `author` their login. A post without a slug
    (a draft) or a site with plain permalinks: /?p=ID."""
    structure = site.permalink_structure.strip()
    if not structure or not slug:
        return site.path(f"/?p={post_id}")
    moment = date if isinstance(date, dt.datetime) else dt.datetime.combine(date, dt.time())
    values = {
        "%year%": f"{moment.year:04d}",
        "%monthnum%": f"{moment.month:02d}",
        "%day%": f"{moment.day:02d}",
        "%hour%": f"{moment.hour:02d}",
        "%minute%": f"{moment.minute:02d}",
        "%second%": f"{moment.second:02d}",
        "%postname%": slug,
        "%post_id%": str(post_id),
        "%category%": category.strip("/") or "uncategorized",
        "%author%": nicename(author) if author else "",
    }
    path = re.sub(r"%[a-z_]+%", lambda m: values.get(m.group(0), m.group(0)), structure)
    path = re.sub(r"/{2,}", "/", path)
    return site.path(path if path.startswith("/") else f"/{path}")


def post_paths(
    site: OldSite,
    *,
    post_id: int,
    slug: str,
    date: dt.datetime | dt.date,
    category: str = "",
    author: str = "",
    link: str = "",
) -> list[str]:
    """Every old address of a post, its permalink first: /?p=ID, the shapes WordPress
    guesses a post from (/YYYY/MM/DD/slug/, /YYYY/MM/slug/, /slug/), /category/…/slug/ when
    the structure files posts under categories, and the export's `<link>` if given."""
    own = permalink(site, post_id=post_id, slug=slug, date=date, category=category, author=author)
    paths: list[str | None] = [own, site.path(f"/?p={post_id}")]
    if slug:
        paths += [
            site.pretty(f"{date.year:04d}", f"{date.month:02d}", f"{date.day:02d}", slug),
            site.pretty(f"{date.year:04d}", f"{date.month:02d}", slug),
            site.pretty(slug),
        ]
        if "%category%" in site.permalink_structure and category:
            paths.append(site.pretty(category, slug))
    if link:
        paths.append(site.relative(link))
    return _unique(paths)


def post_comment_feed_paths(
    site: OldSite,
    *,
    post_id: int,
    slug: str,
    date: dt.datetime | dt.date,
    category: str = "",
    author: str = "",
    atom: bool = False,
) -> list[str]:
    """The old addresses of a post's comment feed (RSS, or Atom when `atom`): its permalink
    with feed/ after it (get_post_comments_feed_link), /slug/feed/, and /?p=ID&feed=rss2."""
    own = permalink(site, post_id=post_id, slug=slug, date=date, category=category, author=author)
    names = ATOM_NAMES if atom else RSS_NAMES
    paths = []
    if "?" not in own:
        paths += [_under(site, own, f"feed/{name}") for name in names]
    if slug:
        # /slug/ is a shape WordPress finds a post by whatever the structure (post_paths), and
        # links to its feed under it are met in the wild: the plain and Atom ones.
        paths.append(_under(site, site.pretty(slug), f"feed/{names[0]}"))
    feed = "atom" if atom else "rss2"
    paths.append(site.path(f"/?p={post_id}&feed={feed}"))
    return _unique(paths)


def _under(site: OldSite, path: str, child: str) -> str:
    """`child` below `path`, with the site's trailing slash."""
    joined = f"{path.rstrip('/')}/{child.strip('/')}"
    return f"{joined}/" if site.trailing_slash else joined


# ---------------------------------------------------------------------------- pages


def page_paths(site: OldSite, *, page_id: int, path: str, link: str = "") -> list[str]:
    """The old addresses of a page: /parent/child/ (`path`, see nested_paths) and
    /?page_id=ID, and the export's `<link>` if given. With plain permalinks WordPress has
    no pretty address for a page; it is listed anyway (a site that changed its structure)."""
    paths = [site.pretty(path) if path.strip("/") else None, site.path(f"/?page_id={page_id}")]
    if link:
        paths.append(site.relative(link))
    return _unique(paths)


# ---------------------------------------------------------------------------- terms, authors


def category_paths(site: OldSite, *, term_id: int | None = None, path: str) -> list[str]:
    """The old addresses of a category: /category/parent/child/ (`path`, see nested_paths)
    and /?cat=ID."""
    base = site.category_base.strip("/") or "category"
    by_id = site.path(f"/?cat={term_id}") if term_id is not None else None
    return _unique([site.pretty(base, path), by_id])


def category_feed_paths(site: OldSite, *, path: str, atom: bool = False) -> list[str]:
    """The old addresses of a category's feed: /category/…/feed/."""
    base = site.category_base.strip("/") or "category"
    return _feeds(site, site.pretty(base, path), atom)


def tag_paths(site: OldSite, *, slug: str) -> list[str]:
    """The old addresses of a tag: /tag/slug/ and /?tag=slug."""
    base = site.tag_base.strip("/") or "tag"
    return _unique([site.pretty(base, slug), site.path(f"/?tag={slug}")])


def tag_feed_paths(site: OldSite, *, slug: str, atom: bool = False) -> list[str]:
    base = site.tag_base.strip("/") or "tag"
    return _feeds(site, site.pretty(base, slug), atom)


def author_paths(site: OldSite, *, login: str, author_id: int | None = None) -> list[str]:
    """The old addresses of an author's archive: /author/nicename/ and /?author=ID."""
    by_id = site.path(f"/?author={author_id}") if author_id is not None else None
    return _unique([site.pretty("author", nicename(login)), by_id])


def author_feed_paths(site: OldSite, *, login: str, atom: bool = False) -> list[str]:
    return _feeds(site, site.pretty("author", nicename(login)), atom)


def _feeds(site: OldSite, path: str, atom: bool) -> list[str]:
    return _unique(
        _under(site, path, f"feed/{name}") for name in (ATOM_NAMES if atom else RSS_NAMES)
    )


# ---------------------------------------------------------------------------- site, uploads


def site_feed_paths(site: OldSite, *, atom: bool = False) -> list[str]:
    """The old addresses of the site's feed of posts: /feed/ (and /feed/rss2/…), /?feed=."""
    names = ATOM_NAMES if atom else RSS_NAMES
    queries = ("atom",) if atom else ("rss2", "rss", "rdf")
    return _unique(
        [*(_under(site, site.path("/"), f"feed/{name}") for name in names)]
        + [site.path(f"/?feed={q}") for q in queries]
    )


def comments_feed_paths(site: OldSite, *, atom: bool = False) -> list[str]:
    """The old addresses of the site's feed of comments: /comments/feed/, /?feed=comments-rss2."""
    names = ATOM_NAMES if atom else RSS_NAMES
    query = "comments-atom" if atom else "comments-rss2"
    return _unique(
        [*(_under(site, site.path("/comments/"), f"feed/{name}") for name in names)]
        + [site.path(f"/?feed={query}")]
    )


def listing_page_path(site: OldSite, number: int, *, under: str = "/") -> str:
    """Page `number` of a list (the home page, a category...): /page/N/ after its address.
    Stoa's redirect middleware answers these by rule (…/page/N/ → …?page=N), so the table
    needs no row per page; this says what the old addresses were."""
    return _under(site, site.path(under), f"page/{number}")


def attachment_paths(site: OldSite, *, attachment_id: int, link: str = "") -> list[str]:
    """The old addresses of an attachment's own page: /?attachment_id=ID and its `<link>`."""
    return _unique(
        [site.path(f"/?attachment_id={attachment_id}"), site.relative(link) if link else None]
    )


def upload_path(site: OldSite, url: str) -> str | None:
    """The old path of an uploaded file (wp:attachment_url, or an address in a body), relative
    to the base: /wp-content/uploads/2024/03/a.jpg. None for an address that is not an upload
    of this site."""
    relative = site.relative(url)
    if relative is None:
        return None
    path = relative.split("?", 1)[0]
    if not path.startswith(site.path(UPLOADS)):
        return None
    return path


def upload_name(site: OldSite, url: str) -> str | None:
    """The upload's name below the uploads folder (2024/03/a.jpg): where its file is in a
    copy of wp-content/uploads on disk. None as upload_path."""
    path = upload_path(site, url)
    return unquote(path[len(site.path(UPLOADS)) :]) if path else None


# ---------------------------------------------------------------------------- the structure


def guess_structure(
    site: OldSite,
    *,
    link: str,
    post_id: int,
    slug: str,
    date: dt.datetime | dt.date,
    category: str = "",
    author: str = "",
) -> str | None:
    """The permalink structure that gives a published post's `<link>` (the export does not
    say it): "" for /?p=ID, one of COMMON_STRUCTURES (with or without its trailing slash), or
    None if none does."""
    relative = site.relative(link)
    if relative is None:
        return None
    if relative == site.path(f"/?p={post_id}"):
        return ""
    for structure in COMMON_STRUCTURES:
        for candidate in (structure, structure.rstrip("/")):
            trial = OldSite(
                site.base_url, candidate, site.category_base, site.tag_base, site.keep_subdirectory
            )
            made = permalink(
                trial, post_id=post_id, slug=slug, date=date, category=category, author=author
            )
            if unquote(made).lower() == unquote(relative).lower():
                return candidate
    return None
