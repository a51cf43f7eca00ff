"""The WXR reader: every record and field WordPress writes, streamed, and hostile files refused
with the line named (no Django database needed)."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
from pathlib import Path

import pytest

from stoa.core.services import LARGEST_KEPT_ID
from stoa.wordpress import wxr

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-export.wordpress.xml"
EDGES = DATA / "edge-cases.wordpress.xml"
UTC = dt.UTC


def records(path: Path | str) -> list[wxr.Record]:
    return list(wxr.read(str(path)))


def items(path: Path | str) -> dict[int, wxr.Item]:
    found: dict[int, wxr.Item] = {}
    for record in records(path):
        if isinstance(record, wxr.Item):
            found.setdefault(record.id, record)  # the first of a repeated id
    return found


def test_the_site_comes_first_with_its_addresses_and_version():
    site = records(SAMPLE)[0]
    assert site == wxr.Site(
        title="The Sample Practice",
        link="https://practice-sample.example",
        description="A small site for testing moves",
        language="en-US",
        wxr_version="1.2",
        base_site_url="https://practice-sample.example",
        base_blog_url="https://practice-sample.example",
    )
    assert site.base_url == "https://practice-sample.example"


def test_the_blog_address_is_the_base_when_it_differs_from_the_site_address():
    site = records(EDGES)[0]
    assert isinstance(site, wxr.Site)
    assert site.wxr_version == "1.1"
    assert site.base_url == "http://edge.example/blog"


def test_authors_are_read_with_non_ascii_names():
    authors = [r for r in records(SAMPLE) if isinstance(r, wxr.Author)]
    assert [(a.id, a.login, a.display_name, a.first_name) for a in authors] == [
        (2, "maria.editor", "María Ortega", "María"),
        (3, "tom", "Tom Baptiste", ""),
    ]
    assert authors[0].email == "maria@practice-sample.example"


def test_categories_keep_parent_slug_and_description_and_terms_are_not_repeated():
    found = records(SAMPLE)
    categories = {r.slug: r for r in found if isinstance(r, wxr.Category)}
    assert categories["trauma-work"].parent == "clinical-practice"
    assert categories["clinical-practice"].description == "Work in the room."
    assert categories["greek"].name == "Ελληνικά"
    tags = [r for r in found if isinstance(r, wxr.Tag)]
    assert len(tags) == 8
    # WXR 1.2 lists categories and tags again as wp:term: not yielded twice.
    assert not [r for r in found if isinstance(r, wxr.Term)]


def test_other_taxonomies_arrive_as_terms():
    terms = [r for r in records(EDGES) if isinstance(r, wxr.Term)]
    assert [(t.taxonomy, t.slug, t.name) for t in terms] == [("nav_menu", "main", "Main menu")]


def test_a_post_has_every_field_with_gmt_dates():
    post = items(SAMPLE)[4]
    assert post.post_type == "post"
    assert post.title == "Notes From a First Session"
    assert post.slug == "notes-from-a-first-session"
    assert post.status == "publish"
    assert post.creator == "maria.editor"
    assert post.date == dt.datetime(2024, 3, 5, 15, 15, tzinfo=UTC)
    assert post.modified == dt.datetime(2026, 12, 6, 5, 31, 10, tzinfo=UTC)
    assert post.excerpt == "What the intake form never tells you."
    assert post.content.startswith("The first session is mostly listening.\n\n")
    assert post.comment_status == "open"
    assert post.thumbnail_id == 5
    assert [(t.domain, t.slug) for t in post.terms] == [
        ("category", "clinical-practice"),
        ("post_tag", "ethique"),
        ("post_tag", "first-sessions"),
        ("post_tag", "intake"),
    ]
    assert post.line is not None


def test_every_status_password_and_sticky_are_read():
    found = items(SAMPLE)
    assert {i: found[i].status for i in (9, 10, 11, 12, 15)} == {
        9: "draft",
        10: "pending",
        11: "private",
        12: "future",
        15: "trash",
    }
    assert found[13].password == "stabilize"
    assert found[14].is_sticky is True
    assert found[4].is_sticky is False


def test_a_draft_without_a_gmt_date_is_placed_with_the_sites_offset():
    # WordPress writes a draft's GMT date as zeros; its local date is turned into UTC with
    # the offset the site's other items show (local 23:31:10 at -6h).
    draft = items(SAMPLE)[9]
    assert draft.date == dt.datetime(2026, 12, 6, 5, 31, 10, tzinfo=UTC)
    assert draft.slug == ""


def test_pages_keep_parent_and_menu_order():
    found = items(SAMPLE)
    assert (found[19].post_type, found[19].parent, found[19].menu_order) == ("page", 18, 2)
    assert (found[20].parent, found[20].menu_order) == (19, 3)


def test_attachments_keep_url_file_alt_text_and_caption():
    image = items(SAMPLE)[5]
    assert image.post_type == "attachment"
    assert image.attachment_url == "/wp-content/uploads/2024/03/waiting-room.jpg"
    assert image.attached_file == "2024/03/waiting-room.jpg"
    assert image.alt_text == "An empty waiting room"
    assert image.excerpt == "The waiting room, before nine."
    assert image.parent == 4


def test_comments_are_nested_in_their_item_with_every_field():
    comments = {c.id: c for c in items(SAMPLE)[22].comments}
    assert len(comments) == 14
    first = comments[2]
    assert (first.author, first.email, first.url, first.ip) == (
        "Reader 1",
        "reader1@mail.example",
        "https://reader1.example/",
        "203.0.113.16",
    )
    assert first.date == dt.datetime(2024, 2, 15, 7, 0, tzinfo=UTC)
    assert (first.approved, first.type, first.parent, first.user_id) == ("1", "comment", 0, 0)
    assert comments[3].parent == 2
    assert comments[10].approved == "0"
    assert comments[12].approved == "trash"
    assert (comments[13].type, comments[14].type) == ("pingback", "trackback")
    assert comments[15].user_id == 2
    assert comments[16].parent == 999999
    assert "<blockquote>Say it early.</blockquote>" in comments[8].content
    assert comments[9].content == "Συμφωνώ απόλυτα 🙂 — και στα αραβικά: أوافق"


def test_split_cdata_unicode_and_long_titles_come_through_whole():
    found = items(EDGES)
    assert found[100].content == "The end of a CDATA section is written ]]> like that."
    long = found[101]
    assert long.title.startswith("عنوان طويل جدا")
    assert len(long.title) > 200
    assert long.content == '<p dir="rtl">مرحبا بالعالم</p>'


def test_empty_fields_read_as_empty_values():
    long = items(EDGES)[101]
    assert (long.slug, long.creator, long.guid, long.ping_status) == ("", "", "", "")
    assert (long.parent, long.menu_order, long.is_sticky) == (0, 0, False)
    assert long.terms == ()
    # Its GMT date is zeros: the local one, at the offset the file's first item showed (+2h).
    assert long.date == dt.datetime(2018, 2, 1, 10, 0, tzinfo=UTC)


def test_a_thread_ten_deep_an_orphan_and_every_comment_status_are_read():
    comments = {c.id: c for c in items(EDGES)[100].comments}
    chain, node = [], 210
    while node:
        chain.append(node)
        node = comments[node].parent if comments[node].parent in comments else 0
    assert len(chain) == 10
    assert comments[225].parent == 4242
    assert {comments[i].approved for i in (220, 221, 222)} == {"0", "spam", "trash"}
    assert comments[201].type == "comment"  # an empty type is a comment
    assert comments[210].ip == "2001:db8::10"
    # An empty GMT date: the local date at the file's offset.
    assert comments[220].date == dt.datetime(2018, 1, 3, 10, 0, tzinfo=UTC)


def test_a_post_id_given_twice_is_yielded_twice_for_the_importer_to_judge():
    ids = [r.id for r in records(EDGES) if isinstance(r, wxr.Item)]
    assert ids == [100, 101, 100]


def test_wxr_1_0_is_read_with_its_doubled_terms_once():
    found = records(DATA / "wxr-1.0.wordpress.xml")
    assert isinstance(found[0], wxr.Site) and found[0].wxr_version == "1.0"
    post = [r for r in found if isinstance(r, wxr.Item)][0]
    assert [(t.domain, t.slug) for t in post.terms] == [("category", "news"), ("post_tag", "old")]
    assert post.comments[0].type == "comment"
    assert post.comments[0].user_id == 0


def test_a_file_object_is_read_as_a_path_is():
    with SAMPLE.open("rb") as handle:
        from_file = list(wxr.read(handle))
    assert from_file == records(SAMPLE)
    assert list(wxr.read(io.BytesIO(SAMPLE.read_bytes()))) == from_file


@pytest.mark.parametrize(
    ("name", "says", "line"),
    [
        # The DOCTYPE's own line, found before anything is parsed: an entity bomb is never
        # expanded, and is refused for its DOCTYPE like the others.
        ("external-entity.xml", "declares a DOCTYPE", 2),
        ("network-dtd.xml", "declares a DOCTYPE", 2),
        ("billion-laughs.xml", "declares a DOCTYPE", 2),
        ("undeclared-entity.xml", "Entity 'nbsp' not defined", 4),
        ("not-wxr.xml", "root element is <html>", 2),
        ("plain-rss.xml", "no wp:wxr_version", 3),
        ("not-xml.xml", "well-formed", 1),
        ("truncated.xml", "well-formed", 624),
    ],
)
def test_hostile_and_broken_files_are_refused_naming_the_line(name, says, line):
    with pytest.raises(wxr.WXRError) as refused:
        records(DATA / "hostile" / name)
    assert says in str(refused.value)
    assert refused.value.line is not None
    if line is not None:
        assert refused.value.line == line
        assert f"(line {line})" in str(refused.value)


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    hostile = tmp_path / "x.xml"
    hostile.write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&s;</title>'
        "<wp:wxr_version>1.2</wp:wxr_version></channel></rss>"
    )
    with pytest.raises(wxr.WXRError) as refused:
        records(hostile)
    assert "TOP SECRET" not in str(refused.value)


def _big_export(path: Path, posts: int, comments_each: int) -> None:
    head = (SAMPLE.read_text().split("<item>")[0]).encode()
    with path.open("wb") as out:
        out.write(head)
        for n in range(1, posts + 1):
            out.write(
                f"<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id>"
                f"<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
                f"<content:encoded><![CDATA[{'Body text. ' * 50}]]></content:encoded>".encode()
            )
            for c in range(comments_each):
                out.write(
                    f"<wp:comment><wp:comment_id>{n * 1000 + c}</wp:comment_id>"
                    f"<wp:comment_content><![CDATA[{'A comment. ' * 20}]]></wp:comment_content>"
                    "</wp:comment>".encode()
                )
            out.write(b"</item>")
        out.write(b"</channel></rss>")


def test_memory_stays_flat_however_long_the_file(tmp_path):
    def peak(posts: int) -> int:
        path = tmp_path / f"big-{posts}.xml"
        _big_export(path, posts, 5)
        tracemalloc.start()
        count = sum(1 for r in wxr.read(str(path)) if isinstance(r, wxr.Item))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == posts
        return top

    small, large = peak(500), peak(4000)
    assert large < small * 1.5


def test_a_pass_may_read_only_some_post_types_and_skip_the_channels_records():
    found = list(
        wxr.read(str(SAMPLE), item_types=lambda t: t == "attachment", channel_records=False)
    )
    assert isinstance(found[0], wxr.Site)
    assert [(type(r).__name__, getattr(r, "id", None)) for r in found[1:]] == [
        ("Item", 5),
        ("Item", 6),
    ]


STOA_FILE = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:stoa="urn:stoa:wxr:1.0">
<channel><title>S</title><link>https://stoa.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://stoa.example</wp:base_site_url>
<wp:author><wp:author_login>maria</wp:author_login>
<stoa:author_bio><![CDATA[ Writes on supervision. ]]></stoa:author_bio></wp:author>
<wp:author><wp:author_login>tom</wp:author_login></wp:author>
<item><title>T</title><wp:post_id>10</wp:post_id><wp:post_type>post</wp:post_type>
<wp:postmeta><wp:meta_key>_stoa_dek</wp:meta_key><wp:meta_value>A dek</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_stoa_featured</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_stoa_visibility</wp:meta_key>
<wp:meta_value>members</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_stoa_status</wp:meta_key><wp:meta_value>published</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_stoa_authors</wp:meta_key>
<wp:meta_value>tom, maria,</wp:meta_value></wp:postmeta>
</item>
<item><title>P</title><wp:post_id>20</wp:post_id><wp:post_type>page</wp:post_type>
<wp:postmeta><wp:meta_key>_stoa_show_in_menu</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:postmeta>
</item>
<item><title>M</title><wp:post_id>30</wp:post_id><wp:post_type>attachment</wp:post_type>
<wp:postmeta><wp:meta_key>_stoa_credit</wp:meta_key>
<wp:meta_value>Photo: A</wp:meta_value></wp:postmeta>
</item>
</channel></rss>
"""


def test_stoa_s_own_fields_are_read_from_stoa_s_export():
    found = list(wxr.read(io.BytesIO(STOA_FILE.encode())))
    site, maria, tom, post, page, media = found
    assert isinstance(site, wxr.Site) and site.from_stoa
    assert isinstance(maria, wxr.Author) and maria.bio == "Writes on supervision."
    assert isinstance(tom, wxr.Author) and tom.bio == ""
    assert isinstance(post, wxr.Item) and post.stoa == wxr.StoaFields(
        dek="A dek",
        featured=True,
        visibility="members",
        status="published",
        authors=("tom", "maria"),
    )
    assert isinstance(page, wxr.Item) and page.stoa == wxr.StoaFields(show_in_menu=True)
    assert isinstance(media, wxr.Item) and media.stoa == wxr.StoaFields(credit="Photo: A")


def test_a_file_without_stoa_s_namespace_has_no_stoa_fields():
    """WordPress's own export (and a file that merely has _stoa_ keys) is read as it is."""
    found = records(SAMPLE)
    assert isinstance(found[0], wxr.Site) and not found[0].from_stoa
    assert all(r.bio is None for r in found if isinstance(r, wxr.Author))
    assert all(r.stoa is None for r in found if isinstance(r, wxr.Item))
    text = STOA_FILE.replace(' xmlns:stoa="urn:stoa:wxr:1.0"', "").replace(
        "<stoa:author_bio><![CDATA[ Writes on supervision. ]]></stoa:author_bio>", ""
    )
    items = [r for r in wxr.read(io.BytesIO(text.encode())) if isinstance(r, wxr.Item)]
    assert items[0].meta["_stoa_dek"] == "A dek"
    assert all(item.stoa is None for item in items)


@pytest.mark.parametrize(
    ("head", "line"),
    [
        (b'<?xml version="1.0"?>\n<!-- a note -->\n<!DOCTYPE rss [<!ENTITY a "b">]>\n<rss/>', 3),
        # Only what comes before the root element: a DOCTYPE after it is not a declaration.
        (b'<?xml version="1.0"?>\n<rss>\n<!DOCTYPE x>', None),
        # A comment that mentions one, or holds what looks like an element, declares nothing.
        (b"<!-- <!DOCTYPE rss> and <rss> -->\n<rss/>", None),
        (b"<?xml version='1.0'?>\n\n<!doctype rss>\n<rss/>", 3),
    ],
)
def test_a_doctype_is_found_before_the_root_element_only(head, line):
    from stoa.wordpress import parsing

    assert parsing.doctype_line(head) == line


def test_a_refused_file_object_is_put_back_where_it_stood():
    handle = io.BytesIO(SAMPLE.read_bytes())
    handle.seek(7)
    from stoa.wordpress import parsing

    parsing.refuse_doctype_ahead(handle, wxr.WXRError, "a WordPress export")
    assert handle.tell() == 7


def test_the_reader_keeps_the_largest_comment_id_an_importer_may_keep():
    assert wxr.LARGEST_KEPT_COMMENT_ID == LARGEST_KEPT_ID
