"""The WordPress export (stoa.wordpress.export, `stoa export-wordpress`): a well-formed WXR 1.2
file holding every person, term, post, page and comment, in the structure WordPress writes."""

from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree
from PIL import Image

from stoa.core.tests.test_images import photo
from stoa.discussion import services as discussion_services
from stoa.discussion.models import CommentKind, CommentStatus
from stoa.discussion.services import ImportedComment
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing import services as publishing_services
from stoa.publishing.models import PostStatus
from stoa.publishing.tests.factories import (
    CategoryFactory,
    PageFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
    UserFactory,
)
from stoa.wordpress import wxr
from stoa.wordpress.export import ExportCounts, cdata, export_wordpress

pytestmark = pytest.mark.django_db

WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
EXCERPT = "{http://wordpress.org/export/1.2/excerpt/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}creator"
BASE = "https://stoa.example"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
WHEN = dt.datetime(2024, 3, 5, 15, 15, tzinfo=dt.UTC)


def exported() -> tuple[etree._Element, ExportCounts]:
    out = io.StringIO()
    counts = export_wordpress(out.write, base_url=BASE)
    return etree.fromstring(out.getvalue().encode(), SAFE), counts


def items(root: etree._Element, post_type: str) -> dict[str, etree._Element]:
    """The items of one type, by title."""
    return {
        item.findtext("title") or "": item
        for item in root.iter("item")
        if item.findtext(f"{WP}post_type") == post_type
    }


def meta(item: etree._Element) -> dict[str, str]:
    return {
        m.findtext(f"{WP}meta_key") or "": m.findtext(f"{WP}meta_value") or ""
        for m in item.findall(f"{WP}postmeta")
    }


def test_an_empty_site_exports_a_valid_channel_with_the_sites_fields(settings) -> None:
    settings.STOA = {**settings.STOA, "SITE_NAME": "Ethics & Practice", "TAGLINE": "Notes"}
    root, counts = exported()
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.nsmap["wp"] == "http://wordpress.org/export/1.2/"
    assert set(root.nsmap) == {"excerpt", "content", "wfw", "dc", "wp", "stoa"}
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Ethics & Practice"
    assert channel.findtext("description") == "Notes"
    assert channel.findtext("link") == BASE
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert channel.findtext(f"{WP}base_site_url") == BASE
    assert channel.findtext(f"{WP}base_blog_url") == BASE
    assert counts == ExportCounts()


def test_people_are_authors_with_their_accounts_email_and_names() -> None:
    account = UserFactory(email="maria@example.org", first_name="María", last_name="Ortega")
    PersonFactory(name="María Ortega", slug="maria", user=account, bio="Editor ]]> since 2019.")
    PersonFactory(name="Tom Baptiste", slug="tom", bio="")
    root, counts = exported()
    authors = {a.findtext(f"{WP}author_login"): a for a in root.iter(f"{WP}author")}
    assert counts.authors == 2 and set(authors) == {"maria", "tom"}
    maria = authors["maria"]
    assert maria.findtext(f"{WP}author_email") == "maria@example.org"
    assert maria.findtext(f"{WP}author_display_name") == "María Ortega"
    assert maria.findtext(f"{WP}author_first_name") == "María"
    assert maria.findtext(f"{WP}author_last_name") == "Ortega"
    assert maria.findtext("{urn:stoa:wxr:1.0}author_bio") == "Editor ]]> since 2019."
    assert authors["tom"].findtext(f"{WP}author_email") == ""
    assert authors["tom"].find("{urn:stoa:wxr:1.0}author_bio") is None


def test_an_authors_photo_leaves_as_base64_of_its_stored_file(temporary_media: Path) -> None:
    with_photo = publishing_services.set_person_photo(
        person=PersonFactory(slug="maria"), data=photo((60, 48)), name="maria"
    )
    gone = publishing_services.set_person_photo(
        person=PersonFactory(slug="tom"), data=photo((30, 30)), name="tom"
    )
    gone.photo.storage.delete(gone.photo.name)
    PersonFactory(slug="ana")
    root, _ = exported()
    authors = {a.findtext(f"{WP}author_login"): a for a in root.iter(f"{WP}author")}
    encoded = authors["maria"].findtext("{urn:stoa:wxr:1.0}author_photo")
    with with_photo.photo.open("rb") as stored:
        assert base64.b64decode("".join(encoded.split()), validate=True) == stored.read()
    # A photo whose file is gone from the storage, and no photo: nothing.
    assert authors["tom"].find("{urn:stoa:wxr:1.0}author_photo") is None
    assert authors["ana"].find("{urn:stoa:wxr:1.0}author_photo") is None


def test_categories_carry_their_hierarchy_and_descriptions_and_tags_follow() -> None:
    clinical = CategoryFactory(name="Clinical Practice", slug="clinical")
    CategoryFactory(name="Trauma", slug="trauma", parent=clinical)
    CategoryFactory(name="Ελληνικά", slug="greek", description="Άρθρα στα ελληνικά.")
    TagFactory(name="first sessions", slug="first-sessions")
    root, counts = exported()
    categories = [
        (
            c.findtext(f"{WP}category_nicename"),
            c.findtext(f"{WP}category_parent"),
            c.findtext(f"{WP}cat_name"),
            c.findtext(f"{WP}category_description"),
        )
        for c in root.iter(f"{WP}category")
    ]
    assert categories == [
        ("clinical", "", "Clinical Practice", None),
        ("trauma", "clinical", "Trauma", None),
        ("greek", "", "Ελληνικά", "Άρθρα στα ελληνικά."),
    ]
    assert counts.categories == 3 and counts.tags == 1
    tags = [
        (t.findtext(f"{WP}tag_slug"), t.findtext(f"{WP}tag_name")) for t in root.iter(f"{WP}tag")
    ]
    assert tags == [("first-sessions", "first sessions")]
    # And every term again as a <wp:term>, as WordPress 6.1 lists them, with unique ids.
    terms = [
        (t.findtext(f"{WP}term_taxonomy"), t.findtext(f"{WP}term_id"))
        for t in root.iter(f"{WP}term")
    ]
    assert sorted(taxonomy for taxonomy, _ in terms) == ["category"] * 3 + ["post_tag"]
    assert len({term_id for _, term_id in terms}) == 4


def test_a_child_category_comes_after_its_parent() -> None:
    parent = CategoryFactory(name="Parent", slug="parent")
    child = CategoryFactory(name="Child", slug="child")
    parent.parent = child  # the parent row is older than its own parent
    parent.save()
    root, _ = exported()
    order = [c.findtext(f"{WP}category_nicename") for c in root.iter(f"{WP}category")]
    parents = {
        c.findtext(f"{WP}category_nicename"): c.findtext(f"{WP}category_parent")
        for c in root.iter(f"{WP}category")
    }
    assert order == ["child", "parent"] and parents == {"child": "", "parent": "child"}


def test_every_post_status_maps_to_wordpress_s(settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    past = timezone.now() - dt.timedelta(days=3)
    PostFactory(title="Published", published_at=WHEN)
    PostFactory(title="Scheduled", scheduled=True)
    PostFactory(title="Draft", draft=True)
    PostFactory(title="Pending", pending=True)
    PostFactory(title="Private", private=True, published_at=past)
    PostFactory(title="Members", members_only=True, published_at=past)
    PostFactory(title="Members draft", members_only=True, draft=True)
    root, counts = exported()
    posts = items(root, "post")
    statuses = {title: item.findtext(f"{WP}status") for title, item in posts.items()}
    assert statuses == {
        "Published": "publish",
        "Scheduled": "future",
        "Draft": "draft",
        "Pending": "pending",
        "Private": "private",
        "Members": "private",
        "Members draft": "draft",
    }
    assert counts.posts == 7
    assert meta(posts["Members draft"]) == {"_stoa_visibility": "members"}
    assert meta(posts["Members"]) == {"_stoa_visibility": "members", "_stoa_status": "published"}
    assert meta(posts["Private"]) == {}
    published = posts["Published"]
    # Local time of the site's zone, and GMT beside it; the RSS date in GMT.
    assert published.findtext(f"{WP}post_date") == "2024-03-05 10:15:00"
    assert published.findtext(f"{WP}post_date_gmt") == "2024-03-05 15:15:00"
    assert published.findtext("pubDate") == "Tue, 05 Mar 2024 15:15:00 +0000"
    # A draft was never published: zero GMT date, no pubDate, a ?p= link, as WordPress.
    draft = posts["Draft"]
    assert draft.findtext(f"{WP}post_date_gmt") == "0000-00-00 00:00:00"
    assert draft.findtext("pubDate") == ""
    assert draft.findtext("link", "").startswith(f"{BASE}/?p=")


def test_a_post_carries_its_fields_terms_and_authors() -> None:
    maria, tom = PersonFactory(slug="maria"), PersonFactory(slug="tom")
    ethics = CategoryFactory(name="Ethics", slug="ethics")
    tag = TagFactory(name="first sessions", slug="first-sessions")
    post = PostFactory(
        title="Notes From a First Session",
        slug="notes-from-a-first-session",
        dek="What the intake form never tells you",
        excerpt="A short excerpt.",
        body="<p>The first session is mostly listening.</p>",
        published_at=WHEN,
        authors=[maria, tom],
        categories=[ethics],
        tags=[tag],
        is_sticky=True,
        is_featured=True,
        comments_open=False,
    )
    root, _ = exported()
    item = items(root, "post")["Notes From a First Session"]
    assert item.findtext(f"{WP}post_id") == str(post.pk)
    assert item.findtext(f"{WP}post_name") == "notes-from-a-first-session"
    # One Custom HTML block: WordPress shows it as it is, without wpautop's rewrapping.
    assert item.findtext(CONTENT) == (
        "<!-- wp:html -->\n<p>The first session is mostly listening.</p>\n<!-- /wp:html -->"
    )
    assert item.findtext(EXCERPT) == "A short excerpt."
    assert item.findtext(DC) == "maria"
    assert item.findtext(f"{WP}is_sticky") == "1"
    assert item.findtext(f"{WP}comment_status") == "closed"
    assert item.findtext(f"{WP}post_parent") == "0"
    assert item.findtext("link") == f"{BASE}{post.get_absolute_url()}"
    terms = [(c.get("domain"), c.get("nicename"), c.text) for c in item.findall("category")]
    assert terms == [
        ("category", "ethics", "Ethics"),
        ("post_tag", "first-sessions", "first sessions"),
    ]
    assert meta(item) == {
        "_stoa_dek": "What the intake form never tells you",
        "_stoa_featured": "1",
        "_stoa_authors": "maria,tom",
    }


def test_pages_keep_their_parents_menu_order_and_status() -> None:
    about = PageFactory(title="About", slug="about", menu_order=1, show_in_menu=True)
    team = PageFactory(title="Team", slug="team", parent=about, menu_order=2)
    PageFactory(title="History", slug="history", parent=team, menu_order=3)
    PageFactory(title="Draft Page", slug="draft-page", status="draft")
    PostFactory()  # posts and pages share WordPress's one id space
    root, counts = exported()
    pages = items(root, "page")
    assert counts.pages == 4
    ids = {title: item.findtext(f"{WP}post_id") for title, item in pages.items()}
    post_ids = [item.findtext(f"{WP}post_id") for item in items(root, "post").values()]
    assert len(set(ids.values()) | set(post_ids)) == 5
    assert pages["Team"].findtext(f"{WP}post_parent") == ids["About"]
    assert pages["History"].findtext(f"{WP}post_parent") == ids["Team"]
    assert pages["About"].findtext(f"{WP}post_parent") == "0"
    assert pages["History"].findtext(f"{WP}menu_order") == "3"
    assert pages["Draft Page"].findtext(f"{WP}status") == "draft"
    assert pages["About"].findtext(f"{WP}status") == "publish"
    assert meta(pages["About"]) == {"_stoa_show_in_menu": "1"}
    assert pages["History"].findtext("link") == f"{BASE}/about/team/history/"
    titles = [
        i.findtext("title") for i in root.iter("item") if i.findtext(f"{WP}post_type") == "page"
    ]
    assert titles.index("About") < titles.index("Team") < titles.index("History")


def test_comments_keep_threading_status_author_and_dates_under_their_post(settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    post = PostFactory(title="Discussed")
    other = PostFactory(title="Quiet")
    first = CommentFactory(
        post=post,
        author_name="Reader One",
        author_email="one@mail.example",
        author_url="https://one.example/?a=1&b=2",
        ip_address="203.0.113.7",
        created_at=dt.datetime(2024, 2, 15, 7, 0, tzinfo=dt.UTC),
    )
    reply = CommentFactory(parent=first, text="Reply at depth 2.")
    CommentFactory(parent=reply, text="Reply at depth 3.")
    CommentFactory(post=post, status=CommentStatus.PENDING, text="Held.")
    CommentFactory(post=post, status=CommentStatus.SPAM, text="Spam.")
    CommentFactory(post=post, status=CommentStatus.TRASH, text="Trashed.")
    root, counts = exported()
    assert counts.comments == 6
    assert items(root, "post")["Quiet"].findall(f"{WP}comment") == []
    assert other.pk
    comments = {
        c.findtext(f"{WP}comment_id"): c
        for c in items(root, "post")["Discussed"].findall(f"{WP}comment")
    }
    assert len(comments) == 6
    one = comments[str(first.pk)]
    assert one.findtext(f"{WP}comment_author") == "Reader One"
    assert one.findtext(f"{WP}comment_author_email") == "one@mail.example"
    assert one.findtext(f"{WP}comment_author_url") == "https://one.example/?a=1&b=2"
    assert one.findtext(f"{WP}comment_author_IP") == "203.0.113.7"
    assert one.findtext(f"{WP}comment_date") == "2024-02-15 02:00:00"
    assert one.findtext(f"{WP}comment_date_gmt") == "2024-02-15 07:00:00"
    assert one.findtext(f"{WP}comment_parent") == "0"
    assert one.findtext(f"{WP}comment_type") == "comment"
    assert one.findtext(f"{WP}comment_user_id") == "0"
    assert comments[str(reply.pk)].findtext(f"{WP}comment_parent") == str(first.pk)
    by_text = {c.findtext(f"{WP}comment_content"): c for c in comments.values()}
    approved = {text: c.findtext(f"{WP}comment_approved") for text, c in by_text.items()}
    assert approved["Held."] == "0"
    assert approved["Spam."] == "spam"
    assert approved["Trashed."] == "trash"
    assert approved["Reply at depth 3."] == "1"


def test_a_comment_by_an_authors_account_names_the_author() -> None:
    account = UserFactory()
    person = PersonFactory(user=account)
    post = PostFactory(authors=[person])
    CommentFactory(post=post, user=account)
    root, _ = exported()
    comment = next(root.iter(f"{WP}comment"))
    assert comment.findtext(f"{WP}comment_user_id") == str(person.pk)


def test_a_comment_by_another_members_account_names_its_address_in_stoas_meta() -> None:
    # WordPress's exporter writes no users but authors: comment_user_id stays 0, and the
    # member rides in commentmeta, which WordPress's importer keeps and Stoa's reads.
    author = UserFactory(email="author@example.org")
    post = PostFactory(authors=[PersonFactory(user=author)])
    CommentFactory(post=post, user=UserFactory(email="member@example.org"), text="Member.")
    CommentFactory(post=post, user=author, text="Author.")
    CommentFactory(post=post, text="Guest.")
    root, _ = exported()
    found = {}
    for comment in root.iter(f"{WP}comment"):
        pairs = {
            m.findtext(f"{WP}meta_key"): m.findtext(f"{WP}meta_value")
            for m in comment.iter(f"{WP}commentmeta")
        }
        found[comment.findtext(f"{WP}comment_content")] = (
            comment.findtext(f"{WP}comment_user_id") != "0",
            pairs,
        )
    assert found == {
        "Member.": (False, {"_stoa_member": "member@example.org"}),
        "Author.": (True, {}),
        "Guest.": (False, {}),
    }


def test_hostile_text_and_cdata_ends_come_back_exactly() -> None:
    hostile = 'Markup <em>in</em> a Title &amp; “Quotes” ]]> <![CDATA[ &lt; <!ENTITY x "y">'
    # The editors' sanitiser stores a body's text `]]>` as `]]&gt;`; the excerpt, the title
    # and a comment's own text keep it raw.
    body = "<p>A CDATA end ]]> inside</p>"
    post = PostFactory(title=hostile, body=body, excerpt="Excerpt with ]]> too, twice ]]]]>")
    CommentFactory(post=post, text="A comment saying ]]> and <script>alert(1)</script>")
    root, _ = exported()
    item = items(root, "post")[hostile]
    assert post.body == "<p>A CDATA end ]]&gt; inside</p>"
    assert post.body in (item.findtext(CONTENT) or "")
    assert item.findtext(EXCERPT) == "Excerpt with ]]> too, twice ]]]]>"
    comment = item.find(f"{WP}comment")
    assert comment is not None
    assert comment.findtext(f"{WP}comment_content") == (
        "A comment saying ]]> and <script>alert(1)</script>"
    )


def test_characters_xml_cannot_carry_are_dropped_so_the_file_still_parses() -> None:
    assert cdata("a\x00b\x1bc\x0bd\ufffe\tok\n") == "<![CDATA[abcd\tok\n]]>"
    PostFactory(title="Control\x07 characters", excerpt="bell\x07 and escape\x1b")
    root, _ = exported()
    item = items(root, "post")["Control characters"]
    assert item.findtext(EXCERPT) == "bell and escape"


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_site_holds() -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_wordpress(io.StringIO().write, base_url=BASE)
        return len(captured)

    post = PostFactory(tags=[TagFactory()])
    CommentFactory(post=post)
    PageFactory()
    few = queries()
    for _ in range(4):
        more = PostFactory(tags=[TagFactory()])
        CommentFactory(post=more)
        CommentFactory(post=more)
        PageFactory()
    assert queries() == few


def test_the_command_writes_the_file_to_stdout_or_to_a_file(tmp_path: Path) -> None:
    PostFactory(title="On the way out")
    out, err = io.StringIO(), io.StringIO()
    call_command("export_wordpress", "--base-url", BASE, stdout=out, stderr=err)
    root = etree.fromstring(out.getvalue().encode(), SAFE)
    assert "On the way out" in items(root, "post")
    assert "1 posts" in err.getvalue()
    target = tmp_path / "site.xml"
    call_command("export_wordpress", "--output", str(target), stdout=out, stderr=err)
    written = etree.parse(str(target), SAFE).getroot()
    assert "On the way out" in items(written, "post")


def test_a_scheduled_post_whose_time_came_is_exported_as_published() -> None:
    # WordPress publishes a "future" post with a past date as it saves it; Stoa files it as
    # published when it is next saved. Either way it is live: it leaves as "publish".
    post = PostFactory(title="Came due", published_at=timezone.now() - dt.timedelta(hours=2))
    post.status = PostStatus.SCHEDULED
    post.save()
    root, _ = exported()
    assert items(root, "post")["Came due"].findtext(f"{WP}status") == "publish"


def test_media_items_are_attachments_with_caption_alt_text_and_file(
    temporary_media: Path,
) -> None:
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(image, format="JPEG")
    stored = publishing_services.create_media_item(
        title="Waiting room",
        file=ContentFile(image.getvalue()),
        file_name="waiting-room.jpg",
        alt_text="Four chairs by a window",
        caption="The room ]]> before nine",
        credit="Photo: M. Ortega",
        created_at=WHEN,
    )
    remote = publishing_services.create_media_item(
        title="Two chairs",
        source_url="https://old.example/wp-content/uploads/2019/05/two-chairs.jpg",
        created_at=WHEN,
    )
    post = PostFactory()
    root, counts = exported()
    attachments = items(root, "attachment")
    assert counts.media == 2 and set(attachments) == {"Waiting room", "Two chairs"}
    room = attachments["Waiting room"]
    url = f"{BASE}/media/uploads/2024/03/waiting-room.jpg"
    assert room.findtext(f"{WP}attachment_url") == url == room.findtext("guid")
    assert room.findtext(EXCERPT) == "The room ]]> before nine"
    assert room.findtext(f"{WP}status") == "inherit"
    assert room.findtext(f"{WP}post_date_gmt") == "2024-03-05 15:15:00"
    assert meta(room) == {
        "_wp_attached_file": "2024/03/waiting-room.jpg",
        "_wp_attachment_image_alt": "Four chairs by a window",
        "_stoa_credit": "Photo: M. Ortega",
    }
    chairs = attachments["Two chairs"]
    assert chairs.findtext(f"{WP}attachment_url") == remote.source_url
    assert meta(chairs) == {"_wp_attached_file": "2019/05/two-chairs.jpg"}
    ids = {i.findtext(f"{WP}post_id") for i in root.iter("item")}
    assert len(ids) == 3 and str(post.pk) in ids
    assert stored.pk


def test_the_wordpress_reader_reads_the_export_back_record_for_record() -> None:
    clinical = CategoryFactory(slug="clinical")
    CategoryFactory(slug="trauma", parent=clinical)
    post = PostFactory(tags=[TagFactory()], categories=[clinical], excerpt="Short ]]> one")
    first = CommentFactory(post=post)
    CommentFactory(parent=first)
    PageFactory()
    out = io.StringIO()
    export_wordpress(out.write, base_url=BASE)
    records = list(wxr.read(io.BytesIO(out.getvalue().encode())))
    kinds = [type(record).__name__ for record in records]
    assert kinds.count("Author") == 1 and kinds.count("Category") == 2
    assert kinds.count("Tag") == 1 and kinds.count("Term") == 0
    read_items = [r for r in records if isinstance(r, wxr.Item)]
    assert sorted(i.post_type for i in read_items) == ["page", "post"]
    read_post = next(i for i in read_items if i.post_type == "post")
    assert read_post.excerpt == "Short ]]> one"
    assert read_post.date == post.published_at.replace(microsecond=0)
    assert [(c.id, c.parent) for c in read_post.comments] == [
        (first.pk, 0),
        (first.pk + 1, first.pk),
    ]


def test_pingbacks_and_trackbacks_keep_their_comment_type() -> None:
    post = PostFactory()
    when = dt.datetime(2024, 2, 16, 15, 0, tzinfo=dt.UTC)
    discussion_services.import_comments(
        post=post,
        rows=[
            ImportedComment(key=1, author_name="Reader", text="A comment.", created_at=when),
            ImportedComment(
                key=2,
                author_name="Another Blog",
                author_url="https://another-blog.example/post/",
                text="[…] a response […]",
                created_at=when,
                kind=CommentKind.PINGBACK,
            ),
            ImportedComment(
                key=3,
                author_name="A Trackback",
                text="Trackback excerpt.",
                created_at=when,
                kind=CommentKind.TRACKBACK,
            ),
        ],
    )
    root, _ = exported()
    types = {
        c.findtext(f"{WP}comment_author"): c.findtext(f"{WP}comment_type")
        for c in root.iter(f"{WP}comment")
    }
    assert types == {"Reader": "comment", "Another Blog": "pingback", "A Trackback": "trackback"}


def test_a_featured_image_leaves_as_wordpress_s_thumbnail_id_naming_its_attachment(
    temporary_media: Path,
) -> None:
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 120, 40)).save(image, format="JPEG")
    picture = publishing_services.create_media_item(
        title="Waiting room",
        file=ContentFile(image.getvalue()),
        file_name="waiting-room.jpg",
        alt_text="Four chairs by a window",
        created_at=WHEN,
    )
    PostFactory(title="With a picture", featured_image=picture)
    PostFactory(title="Without one")
    root, _ = exported()
    posts, attachments = items(root, "post"), items(root, "attachment")
    thumbnail = meta(posts["With a picture"])["_thumbnail_id"]
    assert thumbnail == attachments["Waiting room"].findtext(f"{WP}post_id")
    assert "_thumbnail_id" not in meta(posts["Without one"])


def test_a_post_kept_out_of_the_listings_says_so_and_a_listed_one_says_nothing() -> None:
    PostFactory(title="An embedded thread", listed=False)
    PostFactory(title="A magazine post")
    posts = items(exported()[0], "post")
    assert meta(posts["An embedded thread"])["_stoa_listed"] == "0"
    assert "_stoa_listed" not in meta(posts["A magazine post"])
