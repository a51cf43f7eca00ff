"""Write a large synthetic WordPress export (WXR 1.2) for the import benchmark (issue 11).

    .venv/bin/python bench/wordpress_generate.py --out /tmp/site.xml
    .venv/bin/python bench/wordpress_generate.py --posts 20000 --comments 400000 --out FILE
    .venv/bin/python bench/wordpress_generate.py --scale 4 --out FILE   # four times larger
    .venv/bin/python bench/wordpress_generate.py --posts 50 --comments 800 --out -  # stdout

The file follows the structure WordPress 6.1's own exporter writes (export_wp(), as in
/work/shared/wordpress/sample-export.wordpress.xml): the channel with its site fields, the
authors, categories (nested, some described), tags and the wp:term list, then one <item> per
post, page and attachment with its <wp:comment>s. What is in it, deterministic from --seed:
posts in every status WordPress exports (mostly published; drafts, pending, private,
scheduled, password-protected, trash, a few sticky), classic and block-editor bodies with
[caption], [gallery] and upload URLs, pages nested up to three deep, image attachments with alt
text and captions, and comments threaded up to depth 5 as replies to earlier approved
comments, of realistic lengths (a line to several paragraphs), approved, held and trashed,
with some pingbacks, trackbacks and comments by logged-in authors. Comments are spread
unevenly over the published posts (a few posts draw hundreds), and WordPress never exports
spam, so neither does this.

Written as a stream: only the current post's comment ids are held, so memory stays flat
whatever --posts and --comments say.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

DEFAULT_POSTS = 20_000
DEFAULT_COMMENTS = 400_000
SEED = 2026
SITE = "https://magazine.example"
SITE_OFFSET = dt.timedelta(hours=-5)  # the old site's local time (GMT-5), as wp:post_date shows
START = dt.datetime(2014, 1, 6, 14, 0, tzinfo=dt.UTC)  # the first post
MAX_DEPTH = 5
AUTHORS = 40

SENTENCES = [
    "I have been sitting with this question for most of the week.",
    "The point about pacing in the second section is the one I keep coming back to.",
    "In my own practice the first session rarely goes the way the intake form predicts.",
    "We tried something similar in a community clinic and the waiting list halved.",
    "I am not sure the research supports quite that strong a claim.",
    "My supervisor used to say that the hour belongs to the client, not to the model.",
    "This matches what I see with adolescents, though the families are harder to engage.",
    "Could you say more about how you handle cancellations under this arrangement?",
    "Thank you for writing this; it names something I could not put into words.",
    "The part on documentation made me rethink how I write my notes after a session.",
    "Twenty years in, I still find endings the hardest part of the work.",
    "There is a good paper on exactly this in last spring's issue of the journal.",
    "Our team reads one of these articles together every Friday morning.",
    "I would push back a little on the framing of the third paragraph.",
    "Fees are the conversation nobody trained us for, and it shows.",
    "Supervision groups online have worked better for us than I expected.",
    "Does anyone have experience with this approach in a school setting?",
    "The case example rings true, down to the silence before the last question.",
    "Je lis la revue depuis des années ; cet article est l'un des meilleurs.",
    "Συμφωνώ απόλυτα με το δεύτερο μέρος του άρθρου.",
    "أوافق على ما ورد في هذه المقالة، وخاصة الجزء الأخير.",
    "Ich habe das in meiner Praxis ganz ähnlich erlebt — danke für den Text.",
    "It helps to hear that other clinicians struggle with the same boundaries 🙂",
    "Reading this on a night shift, and it made the shift a little shorter.",
]
EMPHASIS = [
    "<em>exactly</em> this",
    "<strong>please</strong> read the footnotes",
    '<a href="https://journal.example/articles/2019/pacing">the pacing study</a>',
    "a &lt; b &amp; b &lt; c",
    "<code>[sic]</code>",
]
TOPICS = [
    "First Sessions",
    "Supervision",
    "Endings",
    "Fees",
    "Trauma Work",
    "Couples",
    "Adolescents",
    "Group Practice",
    "Documentation",
    "Boundaries",
    "Teletherapy",
    "Burnout",
    "Research Notes",
    "Ethics",
    "Training",
]
WORDS = (
    "practice",
    "client",
    "session",
    "room",
    "silence",
    "question",
    "model",
    "family",
    "school",
    "clinic",
    "supervisor",
    "ending",
    "fee",
    "record",
    "note",
    "group",
    "couple",
    "trust",
    "hour",
    "week",
    "method",
    "study",
    "case",
    "change",
    "rupture",
    "repair",
    "waiting",
    "intake",
    "referral",
    "boundary",
    "consent",
    "letter",
)
# Post statuses and their share of posts, as a working magazine's export shows them.
STATUSES = [
    ("publish", 0.90),
    ("draft", 0.03),
    ("pending", 0.01),
    ("private", 0.01),
    ("future", 0.01),
    ("password", 0.02),  # published behind a password
    ("trash", 0.02),
]
HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<!-- It contains information about your site's posts, pages, comments, categories, and other \
content. -->
<!-- You may use this file to transfer that content from one site to another. -->
<!-- This file is not intended to serve as a complete backup of your site. -->
<!-- Synthetic: written by Stoa's bench/wordpress_generate.py, seed {seed}. -->

	<!-- generator="WordPress/6.1.9" created="{created}" -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>

<channel>
	<title>The Synthetic Review</title>
	<link>{site}</link>
	<description>A large made-up magazine for measuring imports</description>
	<pubDate>{pubdate}</pubDate>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>{site}</wp:base_site_url>
	<wp:base_blog_url>{site}</wp:base_blog_url>

"""


def cdata(text: str) -> str:
    """A CDATA section holding text; a `]]>` inside is split across two sections, as
    WordPress's wxr_cdata() does."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wp_date(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def rss_date(moment: dt.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


@dataclass
class Counts:
    """What a generated file holds (trash and held comments included)."""

    authors: int = 0
    categories: int = 0
    tags: int = 0
    posts: int = 0
    pages: int = 0
    attachments: int = 0
    comments: int = 0
    pingbacks: int = 0
    trackbacks: int = 0
    held: int = 0
    trashed_comments: int = 0
    # Under trashed posts, which an import skips with their post, as WordPress's does.
    comments_under_trash: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    max_depth: int = 0


def comment_shares(rng: random.Random, posts: int, total: int) -> list[int]:
    """How many comments each post draws: lognormal weights (most posts a handful, a few
    hundreds), summing to exactly `total`. One int per post, not per comment."""
    if posts == 0:
        return []
    weights = [rng.lognormvariate(0.0, 1.1) for _ in range(posts)]
    scale = total / sum(weights)
    shares = [math.floor(w * scale) for w in weights]
    for index in range(total - sum(shares)):
        shares[index % posts] += 1
    return shares


class Writer:
    """Writes one export; every random choice comes from one seeded generator, in order."""

    def __init__(self, out: TextIO, *, posts: int, comments: int, seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not security
        self.seed = seed
        self.posts = posts
        self.total_comments = comments
        self.counts = Counts()
        self.next_id = 1
        self.next_comment_id = 1
        self.authors = [f"author{n:02d}" for n in range(1, AUTHORS + 1)]
        self.categories: list[tuple[str, str]] = []  # (slug, name)
        self.tags: list[tuple[str, str]] = []

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id

    # ----------------------------------------------------------------------- text

    def sentences(self, low: int, high: int) -> str:
        rng = self.rng
        picked = [rng.choice(SENTENCES) for _ in range(rng.randint(low, high))]
        if rng.random() < 0.15:
            picked.insert(rng.randrange(len(picked) + 1), f"I mean {rng.choice(EMPHASIS)}.")
        return " ".join(picked)

    def comment_text(self) -> str:
        """A line, usually a paragraph or two, now and then a long reply."""
        rng = self.rng
        roll = rng.random()
        paragraphs = 1 if roll < 0.55 else 2 if roll < 0.85 else rng.randint(3, 7)
        return "\n\n".join(self.sentences(1, 5) for _ in range(paragraphs))

    def title(self) -> str:
        rng = self.rng
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))
        return f"{rng.choice(TOPICS)}: {words.capitalize()}"

    def post_body(self, images: list[tuple[int, str, str]]) -> str:
        """A classic-editor body (blank-line paragraphs, [caption], [gallery]) or a block
        one (<!-- wp:... --> around the HTML), some 2-8 KB."""
        rng = self.rng
        paragraphs = [self.sentences(3, 9) for _ in range(rng.randint(3, 10))]
        blocks = rng.random() < 0.5
        if blocks:
            parts = [
                f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->" for p in paragraphs
            ]
            for image_id, url, alt in images:
                parts.insert(
                    1,
                    f'<!-- wp:image {{"id":{image_id}}} -->\n<figure class="wp-block-image">'
                    f'<img src="{url}" alt="{alt}" class="wp-image-{image_id}"/></figure>\n'
                    "<!-- /wp:image -->",
                )
            return "\n\n".join(parts)
        for image_id, url, alt in images[:1]:
            paragraphs.insert(
                1,
                f'[caption id="attachment_{image_id}" align="alignright" width="300"]'
                f'<img class="size-medium wp-image-{image_id}" src="{url}" alt="{alt}" '
                f'width="300" height="200" /> {alt}.[/caption]',
            )
        if len(images) > 1:
            paragraphs.append(f'[gallery ids="{",".join(str(i) for i, _, _ in images)}"]')
        if rng.random() < 0.05:
            paragraphs.append("https://www.youtube.com/watch?v=M7lc1UVf-VE")
        return "\n\n".join(paragraphs)

    # ------------------------------------------------------------------- sections

    def write(self) -> Counts:
        created = START + dt.timedelta(days=3650)
        self.out.write(
            HEADER.format(
                seed=self.seed,
                created=created.strftime("%Y-%m-%d %H:%M"),
                site=SITE,
                pubdate=rss_date(created),
            )
        )
        self.write_authors()
        self.write_terms()
        self.out.write("\n\t<generator>https://wordpress.org/?v=6.1.9</generator>\n\n")
        self.write_pages()
        shares = comment_shares(self.rng, self.posts, self.total_comments)
        for index in range(self.posts):
            self.write_post(index, shares[index])
        self.out.write("\t</channel>\n</rss>\n")
        return self.counts

    def write_authors(self) -> None:
        for number, login in enumerate(self.authors, start=2):
            first, last = f"Author{number}", f"Writer{number}"
            self.out.write(
                f"\t<wp:author><wp:author_id>{number}</wp:author_id>"
                f"<wp:author_login>{cdata(login)}</wp:author_login>"
                f"<wp:author_email>{cdata(login + '@magazine.example')}</wp:author_email>"
                f"<wp:author_display_name>{cdata(first + ' ' + last)}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata(first)}</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(last)}</wp:author_last_name></wp:author>\n"
            )
            self.counts.authors += 1
        self.out.write("\n")

    def write_terms(self) -> None:
        rng, out = self.rng, self.out
        terms: list[tuple[int, str, str, str, str, str]] = []  # id, taxonomy, slug, ...
        term_id = 1
        for topic in TOPICS:
            slug = topic.lower().replace(" ", "-")
            description = f"Articles on {topic.lower()}." if rng.random() < 0.5 else ""
            terms.append((term_id, "category", slug, "", topic, description))
            self.categories.append((slug, topic))
            term_id += 1
            for child in range(rng.randint(0, 2)):
                child_slug, child_name = f"{slug}-{child + 1}", f"{topic} {child + 1}"
                terms.append((term_id, "category", child_slug, slug, child_name, ""))
                self.categories.append((child_slug, child_name))
                term_id += 1
        for number in range(300):
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
            terms.append((term_id, "post_tag", name.replace(" ", "-"), "", name, ""))
            self.tags.append((name.replace(" ", "-"), name))
            term_id += 1
        for tid, taxonomy, slug, parent, name, description in terms:
            if taxonomy != "category":
                continue
            described = (
                f"\n<wp:category_description>{cdata(description)}</wp:category_description>"
                if description
                else ""
            )
            out.write(
                f"\t<wp:category>\n\t\t<wp:term_id>{tid}</wp:term_id>\n"
                f"\t\t<wp:category_nicename>{cdata(slug)}</wp:category_nicename>\n"
                f"\t\t<wp:category_parent>{cdata(parent)}</wp:category_parent>\n"
                f"\t\t<wp:cat_name>{cdata(name)}</wp:cat_name>{described}\n\t</wp:category>\n"
            )
            self.counts.categories += 1
        for tid, taxonomy, slug, _, name, _ in terms:
            if taxonomy != "post_tag":
                continue
            out.write(
                f"\t<wp:tag>\n\t\t<wp:term_id>{tid}</wp:term_id>\n"
                f"\t\t<wp:tag_slug>{cdata(slug)}</wp:tag_slug>\n"
                f"\t\t<wp:tag_name>{cdata(name)}</wp:tag_name>\n\t</wp:tag>\n"
            )
            self.counts.tags += 1
        for tid, taxonomy, slug, parent, name, description in terms:
            described = (
                f"\n\t\t<wp:term_description>{cdata(description)}</wp:term_description>"
                if description
                else ""
            )
            out.write(
                f"\t<wp:term>\n\t\t<wp:term_id>{tid}</wp:term_id>\n"
                f"\t\t<wp:term_taxonomy>{cdata(taxonomy)}</wp:term_taxonomy>\n"
                f"\t\t<wp:term_slug>{cdata(slug)}</wp:term_slug>\n"
                f"\t\t<wp:term_parent>{cdata(parent)}</wp:term_parent>\n"
                f"\t\t<wp:term_name>{cdata(name)}</wp:term_name>{described}\n\t</wp:term>\n"
            )

    def item(
        self,
        *,
        post_id: int,
        title: str,
        slug: str,
        body: str,
        excerpt: str,
        creator: str,
        gmt: dt.datetime | None,
        status: str,
        post_type: str,
        parent: int = 0,
        menu_order: int = 0,
        password: str = "",
        sticky: bool = False,
        comment_status: str = "open",
        terms: str = "",
        meta: Iterable[tuple[str, str]] = (),
        extra: str = "",
    ) -> None:
        """The <item> up to its comments (the caller writes those and closes it)."""
        published = gmt is not None and status not in ("draft", "pending")
        moment = gmt or START
        local = moment + SITE_OFFSET
        # WordPress leaves a draft's GMT date unset (zeros) until it is published.
        gmt_field = wp_date(moment) if published else "0000-00-00 00:00:00"
        if post_type == "post" and published:
            link = f"{SITE}/{local:%Y/%m/%d}/{slug}/"
        elif post_type == "page":
            link = f"{SITE}/?page_id={post_id}"
        elif post_type == "attachment":
            link = f"{SITE}/?attachment_id={post_id}"
        else:
            link = f"{SITE}/?p={post_id}"
        metas = "".join(
            f"\t\t<wp:postmeta>\n\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
            f"\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n\t\t</wp:postmeta>\n"
            for key, value in meta
        )
        self.out.write(
            f"\t<item>\n\t\t<title>{cdata(title)}</title>\n\t\t<link>{link}</link>\n"
            f"\t\t<pubDate>{rss_date(moment) if published else ''}</pubDate>\n"
            f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{SITE}/?p={post_id}</guid>\n'
            "\t\t<description></description>\n"
            f"\t\t<content:encoded>{cdata(body)}</content:encoded>\n"
            f"\t\t<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
            f"\t\t<wp:post_date>{cdata(wp_date(local))}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{cdata(gmt_field)}</wp:post_date_gmt>\n"
            f"\t\t<wp:post_modified>{cdata(wp_date(local))}</wp:post_modified>\n"
            f"\t\t<wp:post_modified_gmt>{cdata(wp_date(moment))}</wp:post_modified_gmt>\n"
            f"\t\t<wp:comment_status>{cdata(comment_status)}</wp:comment_status>\n"
            f"\t\t<wp:ping_status>{cdata('open' if post_type == 'post' else 'closed')}"
            "</wp:ping_status>\n"
            f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>\n"
            f"\t\t<wp:status>{cdata(status)}</wp:status>\n"
            f"\t\t<wp:post_parent>{parent}</wp:post_parent>\n"
            f"\t\t<wp:menu_order>{menu_order}</wp:menu_order>\n"
            f"\t\t<wp:post_type>{cdata(post_type)}</wp:post_type>\n"
            f"\t\t<wp:post_password>{cdata(password)}</wp:post_password>\n"
            f"\t\t<wp:is_sticky>{int(sticky)}</wp:is_sticky>\n"
            f"{extra}{terms}{metas}"
        )

    def write_pages(self) -> None:
        """Pages nested up to three deep, in menu order, one in draft."""
        count = max(5, self.posts // 500)
        parents: list[int] = []
        for number in range(count):
            post_id = self.take_id()
            parent = 0
            if parents and self.rng.random() < 0.5:
                parent = self.rng.choice(parents[-3:])
            status = "draft" if number == count - 1 else "publish"
            gmt = START + dt.timedelta(hours=number)
            self.item(
                post_id=post_id,
                title=f"Page {number + 1}",
                slug=f"page-{number + 1}",
                body=self.sentences(2, 6),
                excerpt="",
                creator=self.authors[0],
                gmt=None if status == "draft" else gmt,
                status=status,
                post_type="page",
                parent=parent,
                menu_order=number % 7,
                comment_status="closed",
            )
            self.out.write("\t</item>\n")
            if parent == 0:
                parents.append(post_id)
            self.counts.pages += 1

    def write_post(self, index: int, comment_share: int) -> None:
        rng = self.rng
        post_id = self.take_id()
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        # Posts a day or so apart over the years; a scheduled one lies past the export.
        gmt = START + dt.timedelta(hours=index * 4 + rng.randint(0, 3), minutes=rng.randint(0, 59))
        if status == "future":
            gmt = START + dt.timedelta(days=3650 + rng.randint(1, 90))
        password = "open-sesame" if status == "password" else ""
        wp_status = "publish" if status == "password" else status
        published = wp_status in ("publish", "private", "future", "trash")
        creator = self.authors[index % len(self.authors)]
        images = []
        for number in range(rng.choice((0, 0, 0, 1, 2))):
            image_id = post_id + 1 + number
            url = f"{SITE}/wp-content/uploads/{gmt:%Y/%m}/image-{image_id}.jpg"
            images.append((image_id, url, f"Image {image_id} of post {post_id}"))
        title = self.title()
        slug = f"{title.split(':')[0].lower().replace(' ', '-')}-{post_id}"
        categories = rng.sample(self.categories, rng.choice((1, 1, 2)))
        tags = rng.sample(self.tags, rng.randint(0, 4))
        terms = "".join(
            f'\t\t<category domain="category" nicename="{slug_}">{cdata(name)}</category>\n'
            for slug_, name in categories
        ) + "".join(
            f'\t\t<category domain="post_tag" nicename="{slug_}">{cdata(name)}</category>\n'
            for slug_, name in tags
        )
        meta = [("_edit_last", "1")]
        if images:
            meta.append(("_thumbnail_id", str(images[0][0])))
        self.item(
            post_id=post_id,
            title=title,
            slug=slug,
            body=self.post_body(images),
            excerpt=self.sentences(1, 2) if rng.random() < 0.3 else "",
            creator=creator,
            gmt=gmt if published else None,
            status=wp_status,
            post_type="post",
            password=password,
            sticky=wp_status == "publish" and rng.random() < 0.002,
            comment_status="closed" if rng.random() < 0.03 else "open",
            terms=terms,
            meta=meta,
        )
        self.counts.posts += 1
        self.counts.statuses[status] = self.counts.statuses.get(status, 0) + 1
        # Every comment share is written (comments under a draft are rare but real, and keep
        # the total exact): WordPress exports comments whatever the post's status.
        self.write_comments(gmt, comment_share)
        if status == "trash":
            self.counts.comments_under_trash += comment_share
        self.out.write("\t</item>\n")
        for image_id, url, alt in images:
            self.take_id()
            self.write_attachment(image_id, post_id, url, alt, gmt)

    def write_comments(self, post_gmt: dt.datetime, count: int) -> None:
        rng, out, counts = self.rng, self.out, self.counts
        parents: list[tuple[int, int]] = []  # approved comments that may be replied to
        moment = post_gmt
        for _ in range(count):
            comment_id = self.next_comment_id
            self.next_comment_id += 1
            moment += dt.timedelta(minutes=rng.randint(1, 600))
            roll = rng.random()
            kind = "pingback" if roll < 0.01 else "trackback" if roll < 0.013 else "comment"
            parent, depth = 0, 1
            if kind == "comment" and parents and rng.random() < 0.45:
                parent, parent_depth = rng.choice(parents[-30:])
                depth = parent_depth + 1
            roll = rng.random()
            approved = "0" if roll < 0.03 else "trash" if roll < 0.035 else "1"
            user_id = 0
            if kind == "comment" and rng.random() < 0.02:
                user_id = rng.randint(2, AUTHORS + 1)
                name, email = f"Author{user_id} Writer{user_id}", f"author{user_id - 1:02d}"
                email += "@magazine.example"
                url = ""
            elif kind == "comment":
                reader = rng.randint(1, 50_000)
                name, email = f"Reader {reader}", f"reader{reader}@mail.example"
                url = f"https://reader{reader}.example/" if rng.random() < 0.1 else ""
            else:
                name, email = f"Another Blog {comment_id}", ""
                url = f"https://blog{comment_id}.example/a-response/"
            text = f"[…] {self.sentences(1, 2)} […]" if kind != "comment" else self.comment_text()
            local = moment + SITE_OFFSET
            out.write(
                "\t\t<wp:comment>\n"
                f"\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>\n"
                f"\t\t\t<wp:comment_author>{cdata(name)}</wp:comment_author>\n"
                f"\t\t\t<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
                f"\t\t\t<wp:comment_author_url>{url}</wp:comment_author_url>\n"
                f"\t\t\t<wp:comment_author_IP>{cdata(f'203.0.113.{comment_id % 250 + 1}')}"
                "</wp:comment_author_IP>\n"
                f"\t\t\t<wp:comment_date>{cdata(wp_date(local))}</wp:comment_date>\n"
                f"\t\t\t<wp:comment_date_gmt>{cdata(wp_date(moment))}</wp:comment_date_gmt>\n"
                f"\t\t\t<wp:comment_content>{cdata(text)}</wp:comment_content>\n"
                f"\t\t\t<wp:comment_approved>{cdata(approved)}</wp:comment_approved>\n"
                f"\t\t\t<wp:comment_type>{cdata(kind)}</wp:comment_type>\n"
                f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
                f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>\n"
                "\t\t</wp:comment>\n"
            )
            counts.comments += 1
            counts.pingbacks += kind == "pingback"
            counts.trackbacks += kind == "trackback"
            counts.held += approved == "0"
            counts.trashed_comments += approved == "trash"
            counts.max_depth = max(counts.max_depth, depth)
            if kind == "comment" and approved == "1" and depth < MAX_DEPTH:
                parents.append((comment_id, depth))

    def write_attachment(
        self, image_id: int, post_id: int, url: str, alt: str, gmt: dt.datetime
    ) -> None:
        relative = url.split("/wp-content/uploads/", 1)[1]
        self.item(
            post_id=image_id,
            title=f"image-{image_id}",
            slug=f"image-{image_id}",
            body="",
            excerpt=f"{alt}." if self.rng.random() < 0.5 else "",
            creator=self.authors[0],
            gmt=gmt,
            status="inherit",
            post_type="attachment",
            parent=post_id,
            comment_status="open",
            meta=[("_wp_attached_file", relative), ("_wp_attachment_image_alt", alt)],
            extra=f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n",
        )
        self.out.write("\t</item>\n")
        self.counts.attachments += 1


def generate(out: TextIO, *, posts: int, comments: int, seed: int = SEED) -> Counts:
    """Write the export to `out` and say what it holds."""
    return Writer(out, posts=posts, comments=comments, seed=seed).write()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=DEFAULT_POSTS)
    parser.add_argument("--comments", type=int, default=DEFAULT_COMMENTS)
    parser.add_argument("--scale", type=int, default=1, help="multiply posts and comments")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", required=True, help="the file to write, or - for stdout")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON on stdout")
    args = parser.parse_args(argv)
    posts, comments = args.posts * args.scale, args.comments * args.scale
    if args.out == "-":
        counts = generate(sys.stdout, posts=posts, comments=comments, seed=args.seed)
    else:
        with Path(args.out).open("w", encoding="utf-8", buffering=1 << 20) as out:
            counts = generate(out, posts=posts, comments=comments, seed=args.seed)
    if args.json and args.out != "-":
        print(json.dumps(dataclasses.asdict(counts)))
    print(
        f"{counts.posts:,} posts, {counts.pages:,} pages, {counts.attachments:,} attachments, "
        f"{counts.comments:,} comments ({counts.pingbacks:,} pingbacks, "
        f"{counts.trackbacks:,} trackbacks, {counts.held:,} held, "
        f"{counts.trashed_comments:,} trashed, depth up to {counts.max_depth})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
