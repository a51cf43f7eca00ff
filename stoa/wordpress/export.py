"""The whole site as a WordPress eXtended RSS file (WXR 1.2), written as a stream.

The structure is the one WordPress's own exporter writes (export_wp() in WordPress 6.1, as in
the sample export the team keeps) and so the one its importer (and Stoa's) reads: the channel
with the site's fields, every author, category and tag, then one <item> per post, page and
media item, each post's comments inside it. Rows are read with .iterator() and written as they
come, so memory stays flat however large the site.

How Stoa's fields land in WordPress's:

- people → <wp:author> (author_id is the person's id, author_login their slug, the email and
  first/last names those of their account when they have one, the biography in
  <stoa:author_bio>, in Stoa's own namespace, as WXR has no field for it, and their photo,
  a small square picture, in <stoa:author_photo> as base64);
- a post's status: published → publish, scheduled → future, draft, pending, private as they
  are; a members-only published post → private (WordPress's nearest: only signed-in readers
  see it), with `_stoa_visibility` = members and `_stoa_status` = published in its postmeta
  so Stoa brings it back as it was;
- what WordPress has no field for rides in postmeta WordPress keeps and hides (keys starting
  with "_"): `_stoa_dek`, `_stoa_featured`, `_stoa_visibility`, `_stoa_status` (when
  WordPress's status does not say Stoa's), `_stoa_authors` (every
  author's login; dc:creator names the first) and, on pages, `_stoa_show_in_menu`;
- bodies of posts and pages: one Custom HTML block each (html_block), shown exactly;
- comments: approved → 1, held → 0, spam → spam, trash → trash (WordPress's
  comment_approved values); comment_user_id is the commenter's person id, when their account
  is a person's (an author), else 0, as WordPress's importer maps it through the authors; a
  comment by another member's account names its address in `_stoa_member` commentmeta
  (WordPress's exporter writes no users but authors; Stoa's import brings the account back
  from it, or finds it by that address), and an edited one its time in `_stoa_edited_at`;
- posts, pages and media share WordPress's one id space: posts keep their ids, pages follow
  the largest post id and media the largest page id, so every wp:post_id is unique and the
  same site exports the same ids every time.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from stoa.core.conf import stoa_setting
from stoa.discussion.models import Comment, CommentStatus
from stoa.publishing.models import (
    Category,
    MediaItem,
    Page,
    PageStatus,
    Person,
    Post,
    PostStatus,
    PostVisibility,
    Tag,
)

WXR_VERSION = "1.2"
# What write_comment reads of a comment (the rest, its drawn markup, is Stoa's own).
COMMENT_FIELDS = (
    "post_id", "parent_id", "user_id", "author_name", "author_email", "author_url",
    "ip_address", "created_at", "edited_at", "text", "status", "kind",
)  # fmt: skip
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
    # Stoa's own additions, where WXR has no place for a field (an author's biography):
    # WordPress's importer reads the elements it knows and passes over the rest.
    "stoa": "urn:stoa:wxr:1.0",
}
# WordPress's value for a date it never set (a draft's GMT publish date).
ZERO_DATE = "0000-00-00 00:00:00"
COMMENT_APPROVED = {
    CommentStatus.APPROVED: "1",
    CommentStatus.PENDING: "0",
    CommentStatus.SPAM: "spam",
    CommentStatus.TRASH: "trash",
}
POST_STATUS = {
    PostStatus.PUBLISHED: "publish",
    PostStatus.SCHEDULED: "future",
    PostStatus.DRAFT: "draft",
    PostStatus.PENDING: "pending",
    PostStatus.PRIVATE: "private",
}
FROM_WP_STATUS = {wp: stoa for stoa, wp in POST_STATUS.items()}
PAGE_STATUS = {PageStatus.PUBLISHED: "publish", PageStatus.DRAFT: "draft"}
# Characters XML 1.0 cannot carry at all, even in CDATA (C0 controls but tab, newline and
# carriage return; lone surrogates; U+FFFE and U+FFFF): dropped, or the file would not parse.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CHUNK = 500

Write = Callable[[str], object]


def cdata(text: str) -> str:
    """Text as a CDATA section, as WordPress's wxr_cdata() writes it: a `]]>` inside ends
    one section and starts another, so the text reads back whole."""
    return "<![CDATA[" + NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text(value: str) -> str:
    """Text for an element WordPress writes without CDATA (links, URLs)."""
    return escape(NOT_XML.sub("", value))


def attr(value: str) -> str:
    """An attribute value, quoted."""
    return quoteattr(NOT_XML.sub("", value))


def html_block(body: str) -> str:
    """A body as one Custom HTML block (core/html). Stoa stores a body as finished HTML;
    WordPress runs wpautop over a classic post's content as it shows it (doubling the line
    breaks after a <br>, wrapping loose inline markup in new paragraphs), but not over block
    content, so the block keeps the body shown exactly as it was, there and when Stoa
    imports it back (block comments dropped, no wpautop)."""
    return f"<!-- wp:html -->\n{body}\n<!-- /wp:html -->" if body.strip() else ""


def wp_date(moment: dt.datetime | None, *, gmt: bool) -> str:
    """A date as wp:post_date and its _gmt twin hold it: local time of the site's time zone,
    or UTC, as `YYYY-MM-DD HH:MM:SS`."""
    if moment is None:
        return ZERO_DATE
    zone = dt.UTC if gmt else timezone.get_default_timezone()
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def rss_date(moment: dt.datetime | None) -> str:
    """<pubDate>: RFC 822 in UTC, empty for something never published."""
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


@dataclass
class ExportCounts:
    """What an export wrote."""

    authors: int = 0
    categories: int = 0
    tags: int = 0
    posts: int = 0
    pages: int = 0
    media: int = 0
    comments: int = 0


@dataclass(frozen=True)
class IdSpace:
    """WordPress's single post id space, laid over Stoa's separate tables."""

    page_offset: int
    media_offset: int
    tag_offset: int

    def page(self, pk: int | None) -> int:
        return 0 if pk is None else self.page_offset + pk

    def media(self, pk: int) -> int:
        return self.media_offset + pk

    def tag(self, pk: int) -> int:
        return self.tag_offset + pk


def base_url_setting() -> str:
    """The site's address, without a trailing slash."""
    return str(settings.STOA_SITE_URL).rstrip("/")


class Exporter:
    """Writes one export through `write`, a piece at a time."""

    def __init__(self, write: Write, *, base_url: str) -> None:
        self.write = write
        self.base = base_url.rstrip("/")
        self.counts = ExportCounts()
        post_max = Post.objects.aggregate(top=Max("pk"))["top"] or 0
        page_max = Page.objects.aggregate(top=Max("pk"))["top"] or 0
        category_max = Category.objects.aggregate(top=Max("pk"))["top"] or 0
        self.ids = IdSpace(
            page_offset=post_max, media_offset=post_max + page_max, tag_offset=category_max
        )
        # Whose account is a person's: a comment by that account names the person.
        self.person_of_user = dict(
            Person.objects.filter(user__isnull=False).values_list("user_id", "pk")
        )

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    # ----------------------------------------------------------------- the channel

    def run(self) -> ExportCounts:
        now = timezone.now()
        self.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            "<!-- This is a WordPress eXtended RSS file generated by Stoa as an export of your "
            "site. -->\n"
            "<!-- It contains information about your site's posts, pages, comments, "
            "categories, and other content. -->\n"
            "<!-- To import it into WordPress: Tools: Import, the WordPress importer. -->\n\n"
            f'\t<!-- generator="Stoa" created="{now.astimezone(dt.UTC):%Y-%m-%d %H:%M}" -->\n'
            '<rss version="2.0"\n'
            + "".join(f'\txmlns:{prefix}="{uri}"\n' for prefix, uri in NAMESPACES.items())
            + ">\n\n<channel>\n"
            f"\t<title>{text(str(stoa_setting('SITE_NAME')))}</title>\n"
            f"\t<link>{text(self.base)}</link>\n"
            f"\t<description>{text(str(stoa_setting('TAGLINE')))}</description>\n"
            f"\t<pubDate>{rss_date(now)}</pubDate>\n"
            f"\t<language>{text(settings.LANGUAGE_CODE)}</language>\n"
            f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
            f"\t<wp:base_site_url>{text(self.base)}</wp:base_site_url>\n"
            f"\t<wp:base_blog_url>{text(self.base)}</wp:base_blog_url>\n\n"
        )
        self.write_authors()
        self.write_terms()
        self.write("\n\t<generator>https://stoa.example/?v=1</generator>\n\n")
        self.write_posts()
        self.write_pages()
        self.write_media()
        self.write("\t</channel>\n</rss>\n")
        return self.counts

    @staticmethod
    def author_photo(person: Person) -> str:
        """The person's photo as <stoa:author_photo> (base64 of the stored file, a few tens
        of kilobytes: the pipeline keeps a 384-pixel square), or "" without one or when its
        file is gone from the storage."""
        if not person.photo:
            return ""
        try:
            with person.photo.open("rb") as photo:
                data = photo.read()
        except OSError:
            return ""
        encoded = base64.encodebytes(data).decode("ascii")
        return f"<stoa:author_photo>\n{encoded}</stoa:author_photo>"

    def write_authors(self) -> None:
        people = Person.objects.select_related("user").order_by("pk")
        for person in people.iterator(chunk_size=CHUNK):
            user = person.user
            self.write(
                f"\t<wp:author><wp:author_id>{person.pk}</wp:author_id>"
                f"<wp:author_login>{cdata(person.slug)}</wp:author_login>"
                f"<wp:author_email>{cdata(user.email if user else '')}</wp:author_email>"
                f"<wp:author_display_name>{cdata(person.name)}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata(user.first_name if user else '')}"
                "</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(user.last_name if user else '')}"
                "</wp:author_last_name>"
                + (f"<stoa:author_bio>{cdata(person.bio)}</stoa:author_bio>" if person.bio else "")
                + self.author_photo(person)
                + "</wp:author>\n"
            )
            self.counts.authors += 1
        self.write("\n")

    def categories_parents_first(self) -> Iterator[tuple[Category, str]]:
        """Every category with its parent's slug, parents before children (WordPress's
        importer looks a parent up by slug when it meets the child)."""
        categories = list(Category.objects.order_by("pk"))
        slugs = {c.pk: c.slug for c in categories}
        placed: set[int] = set()
        waiting = categories
        while waiting:
            later = []
            for category in waiting:
                if category.parent_id is None or category.parent_id in placed:
                    placed.add(category.pk)
                    parent = slugs[category.parent_id] if category.parent_id else ""
                    yield category, parent
                else:
                    later.append(category)
            if len(later) == len(waiting):  # a loop the database constraint missed
                for category in later:
                    yield category, ""
                return
            waiting = later

    def write_terms(self) -> None:
        categories = list(self.categories_parents_first())
        for category, parent in categories:
            description = (
                f"\n\t\t<wp:category_description>{cdata(category.description)}"
                "</wp:category_description>"
                if category.description
                else ""
            )
            self.write(
                f"\t<wp:category>\n\t\t<wp:term_id>{category.pk}</wp:term_id>\n"
                f"\t\t<wp:category_nicename>{cdata(category.slug)}</wp:category_nicename>\n"
                f"\t\t<wp:category_parent>{cdata(parent)}</wp:category_parent>\n"
                f"\t\t<wp:cat_name>{cdata(category.name)}</wp:cat_name>{description}\n"
                "\t</wp:category>\n"
            )
            self.counts.categories += 1
        tags = Tag.objects.order_by("pk")
        for tag in tags.iterator(chunk_size=CHUNK):
            self.write(
                f"\t<wp:tag>\n\t\t<wp:term_id>{self.ids.tag(tag.pk)}</wp:term_id>\n"
                f"\t\t<wp:tag_slug>{cdata(tag.slug)}</wp:tag_slug>\n"
                f"\t\t<wp:tag_name>{cdata(tag.name)}</wp:tag_name>\n\t</wp:tag>\n"
            )
            self.counts.tags += 1
        # WordPress 6.1 lists every term once more as a generic <wp:term>.
        for category, parent in categories:
            self.write_term(category.pk, "category", category.slug, parent, category.name)
            if category.description:
                self.write(
                    f"\t\t<wp:term_description>{cdata(category.description)}"
                    "</wp:term_description>\n"
                )
            self.write("\t</wp:term>\n")
        for tag in tags.iterator(chunk_size=CHUNK):
            self.write_term(self.ids.tag(tag.pk), "post_tag", tag.slug, "", tag.name)
            self.write("\t</wp:term>\n")

    def write_term(self, term_id: int, taxonomy: str, slug: str, parent: str, name: str) -> None:
        self.write(
            f"\t<wp:term>\n\t\t<wp:term_id>{term_id}</wp:term_id>\n"
            f"\t\t<wp:term_taxonomy>{cdata(taxonomy)}</wp:term_taxonomy>\n"
            f"\t\t<wp:term_slug>{cdata(slug)}</wp:term_slug>\n"
            f"\t\t<wp:term_parent>{cdata(parent)}</wp:term_parent>\n"
            f"\t\t<wp:term_name>{cdata(name)}</wp:term_name>\n"
        )

    # ------------------------------------------------------------------- items

    def item(
        self,
        *,
        wp_id: int,
        title: str,
        link: str,
        creator: str,
        body: str,
        excerpt: str,
        published: dt.datetime | None,
        created: dt.datetime,
        modified: dt.datetime,
        comment_status: str,
        ping_status: str,
        slug: str,
        status: str,
        parent: int,
        menu_order: int,
        post_type: str,
        sticky: bool,
        terms: str = "",
        meta: Iterable[tuple[str, str]] = (),
        guid: str = "",
        attachment_url: str = "",
    ) -> None:
        """An <item> up to its comments; the caller writes them and closes it."""
        metas = "".join(
            f"\t\t<wp:postmeta>\n\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
            f"\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n\t\t</wp:postmeta>\n"
            for key, value in meta
        )
        self.write(
            f"\t<item>\n\t\t<title>{cdata(title)}</title>\n"
            f"\t\t<link>{text(link)}</link>\n"
            f"\t\t<pubDate>{rss_date(published)}</pubDate>\n"
            f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{text(guid or link)}</guid>\n'
            "\t\t<description></description>\n"
            f"\t\t<content:encoded>{cdata(body)}</content:encoded>\n"
            f"\t\t<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{wp_id}</wp:post_id>\n"
            # WordPress's post_date is set even on a draft (when it was written); its GMT
            # twin stays zero until the post is published.
            f"\t\t<wp:post_date>{cdata(wp_date(published or created, gmt=False))}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{cdata(wp_date(published, gmt=True))}</wp:post_date_gmt>\n"
            f"\t\t<wp:post_modified>{cdata(wp_date(modified, gmt=False))}</wp:post_modified>\n"
            f"\t\t<wp:post_modified_gmt>{cdata(wp_date(modified, gmt=True))}"
            "</wp:post_modified_gmt>\n"
            f"\t\t<wp:comment_status>{cdata(comment_status)}</wp:comment_status>\n"
            f"\t\t<wp:ping_status>{cdata(ping_status)}</wp:ping_status>\n"
            f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>\n"
            f"\t\t<wp:status>{cdata(status)}</wp:status>\n"
            f"\t\t<wp:post_parent>{parent}</wp:post_parent>\n"
            f"\t\t<wp:menu_order>{menu_order}</wp:menu_order>\n"
            f"\t\t<wp:post_type>{cdata(post_type)}</wp:post_type>\n"
            f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
            f"\t\t<wp:is_sticky>{int(sticky)}</wp:is_sticky>\n"
            + (
                f"\t\t<wp:attachment_url>{cdata(attachment_url)}</wp:attachment_url>\n"
                if attachment_url
                else ""
            )
            + f"{terms}{metas}"
        )

    def post_status(self, post: Post) -> tuple[str, PostStatus]:
        """WordPress's status for the post, and Stoa's as it stands (a scheduled post whose
        time came is published)."""
        status = PostStatus(post.status)
        if status == PostStatus.SCHEDULED and post.is_live:
            status = PostStatus.PUBLISHED  # its time came since it was saved
        if post.visibility == PostVisibility.MEMBERS and status == PostStatus.PUBLISHED:
            return "private", status
        return POST_STATUS.get(status, "draft"), status

    def write_posts(self) -> None:
        posts = (
            Post.objects.order_by("pk")
            .prefetch_related("authors", "categories", "tags")
            .iterator(chunk_size=CHUNK)
        )
        comments = (
            Comment.objects.order_by("post_id", "created_at", "pk")
            .select_related("user")
            .only(*COMMENT_FIELDS, "user__email")
            .iterator(chunk_size=CHUNK * 4)
        )
        pending: Comment | None = next(comments, None)
        for post in posts:
            self.write_post(post)
            # Comments come ordered by post, as posts do: the two streams are walked together.
            while pending is not None and pending.post_id <= post.pk:
                if pending.post_id == post.pk:
                    self.write_comment(pending)
                pending = next(comments, None)
            self.write("\t</item>\n")

    def write_post(self, post: Post) -> None:
        authors = sorted(post.authors.all(), key=lambda person: person.pk)
        terms = "".join(
            f'\t\t<category domain="category" nicename={attr(c.slug)}>{cdata(c.name)}</category>\n'
            for c in sorted(post.categories.all(), key=lambda c: c.slug)
        ) + "".join(
            f'\t\t<category domain="post_tag" nicename={attr(t.slug)}>{cdata(t.name)}</category>\n'
            for t in sorted(post.tags.all(), key=lambda t: t.slug)
        )
        meta = []
        if post.dek:
            meta.append(("_stoa_dek", post.dek))
        if post.is_featured:
            meta.append(("_stoa_featured", "1"))
        wp_status, status = self.post_status(post)
        if post.visibility != PostVisibility.PUBLIC:
            meta.append(("_stoa_visibility", post.visibility))
        if FROM_WP_STATUS.get(wp_status) != status:
            # A members-only post leaves as "private": its own status says it was published.
            meta.append(("_stoa_status", status.value))
        if len(authors) > 1:
            meta.append(("_stoa_authors", ",".join(a.slug for a in authors)))
        if not post.listed:
            meta.append(("_stoa_listed", "0"))
        if post.featured_image_id is not None:
            # WordPress's own key: its importer remaps it to the attachment it makes.
            meta.append(("_thumbnail_id", str(self.ids.media(post.featured_image_id))))
        live = post.published_at is not None and post.status != PostStatus.DRAFT
        self.item(
            wp_id=post.pk,
            title=post.title,
            link=self.url(post.get_absolute_url()) if live else f"{self.base}/?p={post.pk}",
            creator=authors[0].slug if authors else "",
            body=html_block(post.body),
            excerpt=post.excerpt,
            published=post.published_at,
            created=post.created_at,
            modified=post.updated_at,
            comment_status="open" if post.comments_open else "closed",
            ping_status="closed",
            slug=post.slug,
            status=wp_status,
            parent=0,
            menu_order=0,
            post_type="post",
            sticky=post.is_sticky,
            terms=terms,
            meta=meta,
        )
        self.counts.posts += 1

    @staticmethod
    def comment_meta(comment: Comment, person: int | None) -> list[tuple[str, str]]:
        """What WXR has no field for, in commentmeta (WordPress's importer keeps it): the
        address of a member who is not an author, and when the comment was edited (readers
        see "(edited)"), in UTC as the _gmt dates are."""
        meta = []
        if comment.user is not None and person is None and comment.user.email:
            meta.append(("_stoa_member", comment.user.email))
        if comment.edited_at is not None:
            meta.append(("_stoa_edited_at", wp_date(comment.edited_at, gmt=True)))
        return meta

    def write_comment(self, comment: Comment) -> None:
        person = self.person_of_user.get(comment.user_id) if comment.user_id else None
        self.write(
            "\t\t<wp:comment>\n"
            f"\t\t\t<wp:comment_id>{comment.pk}</wp:comment_id>\n"
            f"\t\t\t<wp:comment_author>{cdata(comment.author_name)}</wp:comment_author>\n"
            f"\t\t\t<wp:comment_author_email>{cdata(comment.author_email)}"
            "</wp:comment_author_email>\n"
            f"\t\t\t<wp:comment_author_url>{text(comment.author_url)}</wp:comment_author_url>\n"
            f"\t\t\t<wp:comment_author_IP>{cdata(comment.ip_address or '')}"
            "</wp:comment_author_IP>\n"
            f"\t\t\t<wp:comment_date>{cdata(wp_date(comment.created_at, gmt=False))}"
            "</wp:comment_date>\n"
            f"\t\t\t<wp:comment_date_gmt>{cdata(wp_date(comment.created_at, gmt=True))}"
            "</wp:comment_date_gmt>\n"
            f"\t\t\t<wp:comment_content>{cdata(comment.text)}</wp:comment_content>\n"
            f"\t\t\t<wp:comment_approved>{cdata(COMMENT_APPROVED[CommentStatus(comment.status)])}"
            "</wp:comment_approved>\n"
            f"\t\t\t<wp:comment_type>{cdata(comment.kind)}</wp:comment_type>\n"
            f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n"
            f"\t\t\t<wp:comment_user_id>{person or 0}</wp:comment_user_id>\n"
            + "".join(
                f"\t\t\t<wp:commentmeta><wp:meta_key>{key}</wp:meta_key>"
                f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:commentmeta>\n"
                for key, value in self.comment_meta(comment, person)
            )
            + "\t\t</wp:comment>\n"
        )
        self.counts.comments += 1

    def write_pages(self) -> None:
        # By path: a parent before its children, as WordPress's importer prefers them.
        pages = Page.objects.order_by("path").iterator(chunk_size=CHUNK)
        for page in pages:
            meta = [("_stoa_show_in_menu", "1")] if page.show_in_menu else []
            published = page.status == PageStatus.PUBLISHED
            self.item(
                wp_id=self.ids.page(page.pk),
                title=page.title,
                link=self.url(page.get_absolute_url()),
                creator="",
                body=html_block(page.body),
                excerpt="",
                published=page.created_at if published else None,
                created=page.created_at,
                modified=page.updated_at,
                comment_status="closed",
                ping_status="closed",
                slug=page.slug,
                status=PAGE_STATUS.get(PageStatus(page.status), "draft"),
                parent=self.ids.page(page.parent_id),
                menu_order=page.menu_order,
                post_type="page",
                sticky=False,
                meta=meta,
            )
            self.write("\t</item>\n")
            self.counts.pages += 1

    def media_url(self, item: MediaItem) -> str:
        """Where the file is fetched from: the stored file on this site (made absolute), or
        the address it had before it came."""
        if not item.file:
            return item.source_url
        url = item.file.url
        return url if "://" in url else self.url(url)

    def write_media(self) -> None:
        """Media items as WordPress attachments: the caption is the attachment's excerpt, the
        alternative text and the file's path under the uploads folder its postmeta."""
        for item in MediaItem.objects.order_by("pk").iterator(chunk_size=CHUNK):
            wp_id = self.ids.media(item.pk)
            url = self.media_url(item)
            name = item.file.name if item.file else url.split("/wp-content/uploads/", 1)[-1]
            meta = [("_wp_attached_file", name.removeprefix("uploads/"))]
            if item.alt_text:
                meta.append(("_wp_attachment_image_alt", item.alt_text))
            if item.credit:
                meta.append(("_stoa_credit", item.credit))
            stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            self.item(
                wp_id=wp_id,
                title=item.title,
                link=f"{self.base}/?attachment_id={wp_id}",
                creator="",
                body="",
                excerpt=item.caption,
                published=item.created_at,
                created=item.created_at,
                modified=item.updated_at,
                comment_status="closed",
                ping_status="closed",
                slug=slugify(stem) or f"attachment-{wp_id}",
                status="inherit",
                parent=0,
                menu_order=0,
                post_type="attachment",
                sticky=False,
                meta=meta,
                guid=url,
                attachment_url=url,
            )
            self.write("\t</item>\n")
            self.counts.media += 1


def export_wordpress(write: Write, *, base_url: str | None = None) -> ExportCounts:
    """Write the whole site as WXR 1.2 through `write` (a file's write, say), a piece at a
    time, and say what was written. `base_url` is the site's address (STOA_SITE_URL when not
    given): links and the base site URL are made from it."""
    return Exporter(write, base_url=base_url or base_url_setting()).run()
