"""The discussion under a post, through the test client: what readers see, what they can
send, what is refused and why, and what a page of comments costs."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from stoa.core.freshness import mark_changed
from stoa.discussion import services, tokens, views
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.sanitizers import ALLOWED_COMMENT_TAGS_TEXT
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PersonFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "On Listening"
GUEST = {"name": "Ada Reader", "email": "ada.reader@example.net", "url": "https://ada.example"}
ALLOWED_TAGS = (
    '<a href="" title=""> <abbr title=""> <acronym title=""> <b> <blockquote cite=""> <cite> '
    '<code> <del datetime=""> <em> <i> <q cite=""> <strike> <strong>'
)


# --- Helpers ----------------------------------------------------------------------------------


def html(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def text_of(response) -> str:
    return response.content.decode()


def squash(text: str) -> str:
    return " ".join(text.split())


def xpath_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def heading(response) -> str:
    return squash(html(response).get_element_by_id("comments-title").text_content())


def comment_ids(response) -> list[int]:
    """The ids of the comments shown, in page order."""
    ids = html(response).xpath(f"//article[{xpath_class('comment')}]/@id")
    return [int(value.removeprefix("comment-")) for value in ids if value.startswith("comment-")]


def article(response, comment: Comment):
    found = html(response).xpath(f'//article[@id="comment-{comment.pk}"]')
    assert found, f"comment {comment.pk} is not on the page"
    return found[0]


def textarea(response) -> str:
    return html(response).get_element_by_id("id_body").text_content()


def errors(response) -> str:
    """Every error message shown with the form."""
    doc = html(response)
    found = doc.xpath(f"//*[{xpath_class('form-errors')} or {xpath_class('field-error')}]")
    return squash(" ".join(node.text_content() for node in found))


def comment_form(response):
    found = html(response).xpath('//form[@id="commentform"]')
    return found[0] if found else None


def send(client: Client, post, ip: str = "198.51.100.7", **fields: str):
    """A guest's comment, as the form sends it."""
    data = {**GUEST, "body": "Listening is underrated.", **fields}
    return client.post(f"/comments/post/{post.pk}/", data, REMOTE_ADDR=ip)


def discussion_settings(**values: object) -> DiscussionSettings:
    found = DiscussionSettings.current()
    for name, value in values.items():
        setattr(found, name, value)
    found.save()
    return found


def a_while_ago(minutes: int = 60) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


@pytest.fixture
def post():
    return PostFactory(title=TITLE)


@pytest.fixture
def member():
    return UserFactory(first_name="Mia", last_name="Member")


# --- The heading ------------------------------------------------------------------------------


def test_a_post_without_comments_says_no_responses_yet(client, post) -> None:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert heading(response) == "No Responses yet"
    assert not html(response).xpath(f"//ol[{xpath_class('comment-list')}]")


def test_one_approved_comment_is_one_response(client, post) -> None:
    CommentFactory(post=post)
    CommentFactory(post=post, status=CommentStatus.PENDING)
    assert heading(client.get(post.get_absolute_url())) == f"One Response to “{TITLE}”"


def test_the_heading_counts_approved_comments_only(client, post) -> None:
    for _ in range(3):
        CommentFactory(post=post)
    CommentFactory(post=post, status=CommentStatus.PENDING)
    CommentFactory(post=post, status=CommentStatus.SPAM)
    CommentFactory(post=post, status=CommentStatus.TRASH)
    assert heading(client.get(post.get_absolute_url())) == f"3 Responses to “{TITLE}”"


# --- The thread -------------------------------------------------------------------------------


def test_comments_are_numbered_in_order_with_replies_nested_under_their_parent(
    client, post
) -> None:
    first = CommentFactory(post=post, created_at=a_while_ago(50))
    second = CommentFactory(post=post, created_at=a_while_ago(40))
    reply = CommentFactory(post=post, parent=first, created_at=a_while_ago(30))
    reply_to_reply = CommentFactory(post=post, parent=reply, created_at=a_while_ago(20))
    doc = html(client.get(post.get_absolute_url()))

    (top,) = doc.xpath(f"//ol[{xpath_class('comment-list')}]")
    assert top.get("start") is None
    assert [li.get("id") for li in top.xpath("./li")] == [
        f"li-comment-{first.pk}",
        f"li-comment-{second.pk}",
    ]
    nested = top.xpath(f"./li[@id='li-comment-{first.pk}']/ol[{xpath_class('children')}]/li")
    assert [li.get("id") for li in nested] == [f"li-comment-{reply.pk}"]
    deeper = nested[0].xpath(f"./ol[{xpath_class('children')}]/li/@id")
    assert deeper == [f"li-comment-{reply_to_reply.pk}"]
    assert not top.xpath(f"./li[@id='li-comment-{second.pk}']/ol")


def test_a_comment_shows_its_author_avatar_time_text_and_reply_link(client, post) -> None:
    comment = CommentFactory(
        post=post,
        author_name="Ada Reader",
        author_url="https://ada.example",
        text="Silence is part of the *conversation*.",
    )
    node = article(client.get(post.get_absolute_url()), comment)

    (author,) = node.xpath(f".//*[{xpath_class('comment__author')}]//a")
    assert author.text_content() == "Ada Reader"
    assert author.get("href") == "https://ada.example"
    assert {"nofollow", "ugc"} <= set(author.get("rel").split())
    assert node.xpath(".//svg") or node.xpath(".//*[local-name()='svg']")
    (permalink,) = node.xpath(".//a[time]")
    assert permalink.get("href") == f"#comment-{comment.pk}"
    assert permalink.xpath("./time/@datetime")
    body = node.xpath(f".//*[{xpath_class('comment__body')}]")[0].text_content()
    assert "Silence is part of the *conversation*." in body
    (reply,) = node.xpath(f".//a[{xpath_class('comment__reply')}]")
    assert reply.get("href") == f"?replytocom={comment.pk}#respond"
    assert reply.text_content().startswith("Reply")


def test_a_comment_without_a_website_shows_the_name_unlinked(client, post) -> None:
    comment = CommentFactory(post=post, author_name="Ben Plain")
    node = article(client.get(post.get_absolute_url()), comment)
    (author,) = node.xpath(f".//*[{xpath_class('comment__author')}]")
    assert author.text_content() == "Ben Plain"
    assert not author.xpath(".//a")


def test_a_reply_by_the_posts_author_carries_the_author_badge(client, member) -> None:
    writer = PersonFactory(name="Mia Member", user=member)
    post = PostFactory(title=TITLE, authors=[writer])
    question = CommentFactory(post=post, created_at=a_while_ago())
    answer = CommentFactory(post=post, parent=question, user=member)
    response = client.get(post.get_absolute_url())

    badge = article(response, answer).xpath(f".//*[{xpath_class('badge')}]")
    assert [b.text_content() for b in badge] == ["Author"]
    assert "comment--by-author" in article(response, answer).get("class")
    assert not article(response, question).xpath(f".//*[{xpath_class('badge')}]")


def test_a_member_who_is_not_the_author_gets_no_badge(client, member, post) -> None:
    comment = CommentFactory(post=post, user=member)
    node = article(client.get(post.get_absolute_url()), comment)
    assert not node.xpath(f".//*[{xpath_class('badge')}]")


# --- The form ---------------------------------------------------------------------------------


def label(doc, field: str) -> str:
    return squash(doc.xpath(f'//label[@for="id_{field}"]')[0].text_content())


def test_the_form_asks_for_name_email_website_and_comment(client, post) -> None:
    response = client.get(post.get_absolute_url())
    doc = html(response)
    assert squash(doc.get_element_by_id("reply-title").text_content()) == "Leave a Reply"
    assert comment_form(response).get("action") == f"/comments/post/{post.pk}/"
    assert label(doc, "name") == "Name *"
    assert label(doc, "email") == "Email *"
    assert label(doc, "url") == "Website"
    assert label(doc, "body") == "Comment *"
    assert label(doc, "subscribe") == "Notify me of follow-up comments by email."
    assert label(doc, "remember") == (
        "Save my name, email, and website in this browser for the next time I comment."
    )
    notes = squash(doc.xpath(f"//*[{xpath_class('comment-notes')}]")[0].text_content())
    assert notes == ("Your email address will not be published. Required fields are marked *")
    assert doc.xpath('//input[@name="subscribe"][@type="checkbox"]')
    assert doc.xpath('//input[@name="remember"][@type="checkbox"]')


def test_the_form_lists_the_allowed_tags_escaped(client, post) -> None:
    assert ALLOWED_COMMENT_TAGS_TEXT == ALLOWED_TAGS
    response = client.get(post.get_absolute_url())
    (code,) = html(response).xpath('//*[@id="allowed-tags"]/code')
    assert code.text_content() == ALLOWED_TAGS
    assert "&lt;blockquote cite=" in text_of(response)
    assert "<acronym" not in text_of(response)


def test_a_member_is_not_asked_for_name_or_email(client, member, post) -> None:
    client.force_login(member)
    response = client.get(post.get_absolute_url())
    doc = html(response)
    assert comment_form(response) is not None
    assert not doc.xpath('//input[@name="name"]')
    assert not doc.xpath('//input[@name="email"]')
    assert doc.xpath('//textarea[@name="body"]')
    assert "Logged in as Mia Member" in squash(comment_form(response).text_content())


def test_replytocom_puts_the_form_under_that_comment(client, post) -> None:
    first = CommentFactory(post=post, author_name="Ada Reader", created_at=a_while_ago())
    CommentFactory(post=post)
    response = client.get(f"{post.get_absolute_url()}?replytocom={first.pk}")
    doc = html(response)

    (item,) = doc.xpath(f'//li[@id="li-comment-{first.pk}"]')
    (respond,) = doc.xpath('//*[@id="respond"]')
    assert respond.getparent() is item
    (own,) = item.xpath(f'./article[@id="comment-{first.pk}"]')
    assert item.index(respond) == item.index(own) + 1
    assert doc.xpath('//input[@name="parent"]/@value') == [str(first.pk)]
    title = squash(doc.get_element_by_id("reply-title").text_content())
    assert title.startswith("Reply to Ada Reader")
    assert "Cancel reply" in title


def test_an_unknown_replytocom_is_ignored(client, post) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING)
    for target in ("987654", str(held.pk), "nonsense"):
        response = client.get(f"{post.get_absolute_url()}?replytocom={target}")
        assert response.status_code == 200
        doc = html(response)
        (respond,) = doc.xpath('//*[@id="respond"]')
        assert not respond.xpath("ancestor::li")
        assert doc.xpath('//input[@name="parent"]/@value') == [""]
        assert "Cancel reply" not in respond.text_content()


# --- Posting as a guest -----------------------------------------------------------------------


def test_a_first_comment_is_held_and_shown_only_to_its_writer(client, post) -> None:
    response = send(client, post, body="My first thought here.")
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == post.get_absolute_url()
    assert location.fragment == f"comment-{comment.pk}"
    token = parse_qs(location.query)["c"][0]
    assert tokens.owned_comment_id(token) == comment.pk

    mine = client.get(response["Location"])
    assert comment_ids(mine) == [comment.pk]
    item = mine.content.decode()
    assert "Your comment is awaiting moderation." in item
    assert "My first thought here." in item
    assert heading(mine) == "No Responses yet"

    stranger = Client()
    for address in (post.get_absolute_url(), f"{post.get_absolute_url()}?c=forged"):
        page = stranger.get(address)
        assert comment.pk not in comment_ids(page)
        assert "My first thought here." not in text_of(page)

    services.approve_comment(comment=comment)
    page = stranger.get(post.get_absolute_url())
    assert comment_ids(page) == [comment.pk]
    assert "awaiting moderation" not in text_of(page)
    assert heading(page) == f"One Response to “{TITLE}”"


def test_a_returning_commenter_with_an_approved_comment_appears_at_once(client, post) -> None:
    CommentFactory(
        post=post, author_name=GUEST["name"], author_email=GUEST["email"], created_at=a_while_ago()
    )
    response = send(client, post, body="Back again with more.")
    assert response.status_code == 302
    comment = Comment.objects.get(text="Back again with more.")
    assert comment.status == CommentStatus.APPROVED
    page = Client().get(post.get_absolute_url())
    assert comment.pk in comment_ids(page)
    assert "awaiting moderation" not in text_of(client.get(response["Location"]))


def test_a_guest_reply_is_stored_under_its_parent(client, post) -> None:
    parent = CommentFactory(post=post, created_at=a_while_ago())
    response = send(client, post, body="A reply.", parent=str(parent.pk))
    assert response.status_code == 302
    assert Comment.objects.get(text="A reply.").parent == parent


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Please give your name."),
        ({"email": ""}, "Please give your email address"),
        ({"email": "not-an-address"}, "valid email address"),
    ],
    ids=["missing name", "missing email", "bad email"],
)
def test_a_guest_without_a_proper_name_or_email_is_asked_again(
    client, post, fields, message
) -> None:
    response = send(client, post, body="Keep this text, please.", **fields)
    assert response.status_code == 400
    assert message in errors(response)
    assert textarea(response) == "Keep this text, please."
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused(client, post) -> None:
    response = send(client, post, body="   ")
    assert response.status_code == 400
    assert "Please write a comment." in errors(response)
    assert not Comment.objects.exists()


def test_a_comment_over_ten_thousand_characters_is_refused_and_kept(client, post) -> None:
    body = "word " * 2000 + "x"
    assert len(body) == 10_001
    response = send(client, post, body=body)
    assert response.status_code == 400
    assert "Comments are limited to 10,000 characters; this one has 10,001." in errors(response)
    assert textarea(response) == body
    assert not Comment.objects.exists()


def test_a_reply_to_a_comment_on_another_post_is_refused(client, post) -> None:
    elsewhere = CommentFactory(created_at=a_while_ago())
    response = send(client, post, body="Wrong thread.", parent=str(elsewhere.pk))
    assert response.status_code == 400
    assert "The comment you are replying to is not on this post." in errors(response)
    assert textarea(response) == "Wrong thread."
    assert not Comment.objects.filter(text="Wrong thread.").exists()


def test_a_reply_to_a_held_comment_is_refused(client, post) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING, created_at=a_while_ago())
    response = send(client, post, body="Too early.", parent=str(held.pk))
    assert response.status_code == 400
    assert "The comment you are replying to is not published." in errors(response)
    assert textarea(response) == "Too early."
    assert not Comment.objects.filter(text="Too early.").exists()


def test_a_reply_to_a_comment_that_does_not_exist_is_refused(client, post) -> None:
    response = send(client, post, body="Into the void.", parent="987654")
    assert response.status_code == 400
    assert "The comment you are replying to no longer exists." in errors(response)
    assert textarea(response) == "Into the void."
    assert not Comment.objects.exists()


def test_a_second_comment_within_fifteen_seconds_is_too_fast(client, post) -> None:
    assert send(client, post, body="First.").status_code == 302
    response = send(client, post, body="Second, straight away.", email="other@example.net")
    assert response.status_code == 429
    assert "You are posting comments too quickly. Slow down." in squash(text_of(response))
    # A short page, not the post drawn again, with the new text handed back.
    kept = html(response).xpath("//textarea[@id='kept-comment']")
    assert [node.text_content() for node in kept] == ["Second, straight away."]
    assert Comment.objects.count() == 1


def test_the_same_comment_twice_is_a_duplicate(client, post) -> None:
    CommentFactory(
        post=post,
        author_email=GUEST["email"],
        text="I said this before.",
        created_at=a_while_ago(),
    )
    response = send(client, post, body="I said this before.")
    assert response.status_code == 409
    assert "Duplicate comment detected" in errors(response)
    assert textarea(response) == "I said this before."
    assert Comment.objects.count() == 1


def test_a_post_with_comments_closed_refuses_comments_and_shows_no_form(client) -> None:
    closed = PostFactory(title=TITLE, comments_open=False)
    response = send(client, closed)
    assert response.status_code == 403
    assert not Comment.objects.exists()

    page = client.get(closed.get_absolute_url())
    assert comment_form(page) is None
    assert "Comments are closed" in text_of(page)
    assert not html(page).xpath('//*[@id="respond"]')


def test_an_open_post_does_not_say_comments_are_closed(client, post) -> None:
    assert "Comments are closed" not in text_of(client.get(post.get_absolute_url()))


def test_comments_on_a_draft_or_unknown_post_are_not_found(client) -> None:
    draft = PostFactory(draft=True)
    assert send(client, draft).status_code == 404
    assert client.post("/comments/post/987654/", {**GUEST, "body": "Hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_comments_on_a_scheduled_post_wait_for_its_time(client) -> None:
    scheduled = PostFactory(scheduled=True)
    with freeze_time(scheduled.published_at - dt.timedelta(minutes=1)):
        assert send(client, scheduled).status_code == 404
    assert not Comment.objects.exists()
    with freeze_time(scheduled.published_at + dt.timedelta(minutes=1)):
        assert send(client, scheduled).status_code == 302
    assert Comment.objects.get().post == scheduled


def test_a_post_id_beyond_the_databases_integers_is_not_found(client) -> None:
    # The id goes to the database as a parameter: one past a 64-bit integer must be a 404,
    # not the driver's overflow error (a 500).
    for post_id in (2**63 - 1, 2**63, 10**30):
        response = client.post(f"/comments/post/{post_id}/", {**GUEST, "body": "Hi"})
        assert response.status_code == 404, post_id
        assert "no longer open for comments" in response.content.decode()


def test_the_post_is_read_whole_with_sql_written_once(client, post) -> None:
    discussion_settings(rate_limit_seconds=0)  # two comments at once: no flood rule
    views._open_post_sql.cache_clear()
    assert send(client, post).status_code == 302
    assert send(client, post, "198.51.100.8", body="And a second thought.").status_code == 302
    info = views._open_post_sql.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    opened, loaded = views._open_post(post.pk), Post.objects.get(pk=post.pk)
    assert opened.get_deferred_fields() == set()
    columns = [field.attname for field in Post._meta.concrete_fields]
    assert [getattr(opened, name) for name in columns] == [
        getattr(loaded, name) for name in columns
    ]


# --- Preview ----------------------------------------------------------------------------------


def preview(client: Client, post, body: str):
    data = {**GUEST, "body": body, "preview": "1"}
    return client.post(f"/comments/post/{post.pk}/", data, REMOTE_ADDR="198.51.100.9")


def preview_box(response) -> str:
    return squash(html(response).xpath(f"//*[{xpath_class('preview')}]")[0].text_content())


def test_preview_shows_the_sanitised_comment_and_writes_nothing(client, post) -> None:
    response = preview(client, post, 'Hello <b>there</b> <script>alert("x")</script>')
    assert response.status_code == 200
    (box,) = html(response).xpath(f"//*[{xpath_class('preview')}]")
    body = lxml.html.tostring(box.xpath(f".//*[{xpath_class('comment__body')}]")[0]).decode()
    assert "<b>there</b>" in body
    assert "<script" not in body
    assert "alert" not in body
    assert "Ada Reader" in box.text_content()
    assert textarea(response).startswith("Hello <b>there</b>")
    assert not Comment.objects.exists()


def test_preview_warns_about_too_many_links(client, post) -> None:
    body = "See https://a.example and https://b.example and https://c.example"
    response = preview(client, post, body)
    assert response.status_code == 200
    assert "It has 3 links; comments with more than 2 wait for a moderator." in preview_box(
        response
    )
    assert not Comment.objects.exists()


def test_preview_says_when_a_moderation_word_holds_the_comment(client, post) -> None:
    discussion_settings(moderation_keys="casino\n")
    response = preview(client, post, "A trip to the casino helped.")
    assert response.status_code == 200
    assert "It contains “casino”, which a moderator reads first." in preview_box(response)
    assert not Comment.objects.exists()


def test_preview_of_a_harmless_comment_from_a_known_reader_says_what_it_says_to_anyone(
    client, post
) -> None:
    # Issue 10: the preview no longer tells a guest that their address is known (anyone
    # can type it); every guest reads the same general words about a first comment.
    CommentFactory(
        post=post, author_name=GUEST["name"], author_email=GUEST["email"], created_at=a_while_ago()
    )
    response = preview(client, post, "Nothing controversial.")
    assert response.status_code == 200
    box = preview_box(response)
    assert "Nothing in what you wrote will hold it up." in box
    assert "A first comment waits for a moderator" in box
    assert "Before you send it" not in box
    assert Comment.objects.count() == 1


# --- Robots -----------------------------------------------------------------------------------


def test_a_filled_honeypot_writes_nothing_and_hands_the_text_back(client, post) -> None:
    # Issue 10: a robot's post costs no write (nor a worker's time drawing the post page),
    # and a person whose autofill filled the hidden field keeps what they wrote.
    response = send(client, post, body="Buy cheap pills, if (a<b).", homepage="http://x.example")
    assert response.status_code == 400
    assert not Comment.objects.exists()
    page = squash(html(response).text_content())
    assert "Your comment was not sent" in page
    assert "autofill" in page
    assert "Buy cheap pills, if (a<b)." in page
    assert "stoa_commenter" not in response.cookies
    assert 'id="comments"' not in response.content.decode()  # a short page, not the post


def test_a_robot_posting_again_at_once_is_refused_before_it_is_judged(client, post) -> None:
    # Issue 10: the flood rule runs before the honeypot: a client that has just commented is
    # told to slow down (429), whatever it sends, before anything it sent is judged.
    first = send(client, post, body="A first remark.")
    again = send(
        Client(), post, body="Buy more.", homepage="http://spam.example", email="bot2@example.net"
    )
    assert (first.status_code, again.status_code) == (302, 429)
    assert Comment.objects.count() == 1


def test_a_client_moving_within_its_ipv6_64_is_slowed_down_all_the_same(client, post) -> None:
    assert send(client, post, ip="2001:db8:1:2::1").status_code == 302
    moved = send(
        Client(), post, ip="2001:db8:1:2::beef", email="other@example.net", body="Another one."
    )
    assert moved.status_code == 429
    assert "You are posting comments too quickly" in squash(text_of(moved))
    elsewhere = send(
        Client(), post, ip="2001:db8:1:3::1", email="third@example.net", body="A third one."
    )
    assert elsewhere.status_code == 302


# --- Remembering the commenter ----------------------------------------------------------------


def test_save_my_name_sets_an_http_only_cookie_that_fills_the_form_next_time(client, post) -> None:
    response = send(client, post, remember="on")
    assert response.status_code == 302
    cookie = response.cookies["stoa_commenter"]
    assert cookie["httponly"]
    assert GUEST["email"] not in cookie.value

    page = client.get(post.get_absolute_url())
    doc = html(page)
    assert doc.xpath('//input[@name="name"]/@value') == [GUEST["name"]]
    assert doc.xpath('//input[@name="email"]/@value') == [GUEST["email"]]
    assert doc.xpath('//input[@name="url"]/@value') == [GUEST["url"]]


def test_a_guest_gets_no_cookie_at_all_unless_asking_to_be_remembered(client, post) -> None:
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    assert not page.cookies
    response = send(client, post)
    assert response.status_code == 302
    assert not response.cookies
    assert not client.get(response["Location"]).cookies
    assert not client.cookies


def test_a_forged_remember_cookie_fills_nothing(client, post) -> None:
    client.cookies["stoa_commenter"] = "not-signed"
    doc = html(client.get(post.get_absolute_url()))
    assert doc.xpath('//input[@name="name"]/@value') == [""]


# --- CSRF -------------------------------------------------------------------------------------


def test_a_member_must_send_the_csrf_token(member, post) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    page = browser.get(post.get_absolute_url())
    (token,) = html(page).xpath('//form[@id="commentform"]//input[@name="csrfmiddlewaretoken"]')
    address = f"/comments/post/{post.pk}/"

    refused = browser.post(address, {"body": "Forged?"})
    assert refused.status_code == 403
    assert not Comment.objects.exists()

    sent = browser.post(address, {"body": "Genuine.", "csrfmiddlewaretoken": token.get("value")})
    assert sent.status_code == 302
    comment = Comment.objects.get()
    assert comment.user == member
    assert comment.status == CommentStatus.APPROVED
    assert comment.pk in comment_ids(Client().get(post.get_absolute_url()))


def test_a_guest_needs_no_csrf_token(post) -> None:
    browser = Client(enforce_csrf_checks=True)
    response = send(browser, post)
    assert response.status_code == 302
    assert Comment.objects.count() == 1


# --- Editing and deleting one's own comment ---------------------------------------------------


def posted(client: Client, post, **fields: str) -> tuple[Comment, str]:
    """Send a guest comment; return it and its owner token."""
    response = send(client, post, **fields)
    assert response.status_code == 302, response.content.decode()[:500]
    token = parse_qs(urlsplit(response["Location"]).query)["c"][0]
    return Comment.objects.latest("pk"), token


def test_the_writer_can_edit_within_the_window(client, post) -> None:
    comment, token = posted(client, post, body="Frist!")
    page = client.get(f"/comments/{comment.pk}/edit/?c={token}")
    assert page.status_code == 200
    assert textarea(page) == "Frist!"

    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "First!", "c": token})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "First!"
    shown = client.get(response["Location"])
    node = article(shown, comment)
    assert "First!" in node.text_content()
    assert "(edited)" in node.text_content()


def test_the_writer_can_delete_within_the_window(client, post) -> None:
    comment, token = posted(client, post)
    response = client.post(f"/comments/{comment.pk}/delete/", {"c": token})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.TRASH
    assert comment.pk not in comment_ids(client.get(f"{post.get_absolute_url()}?c={token}"))


def test_the_writers_page_links_to_edit_and_delete(client, post) -> None:
    comment, token = posted(client, post)
    page = client.get(f"{post.get_absolute_url()}?c={token}")
    doc = html(page)
    assert f"/comments/{comment.pk}/edit/?c={token}" in doc.xpath("//a/@href")
    assert doc.xpath(f'//form[@action="/comments/{comment.pk}/delete/"]')


def test_after_fifteen_minutes_the_comment_can_no_longer_be_changed(
    client, post, monkeypatch
) -> None:
    comment, token = posted(client, post, body="Original words.")
    later = timezone.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert client.get(f"/comments/{comment.pk}/edit/?c={token}").status_code == 403
    edit = client.post(f"/comments/{comment.pk}/edit/", {"body": "Changed.", "c": token})
    assert edit.status_code == 403
    assert client.post(f"/comments/{comment.pk}/delete/", {"c": token}).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Original words."
    assert comment.status == CommentStatus.PENDING


def test_without_the_token_nobody_can_change_a_comment(client, post) -> None:
    comment, _ = posted(client, post, body="Mine.")
    other = Client()
    assert other.get(f"/comments/{comment.pk}/edit/").status_code == 403
    assert other.get(f"/comments/{comment.pk}/edit/?c=forged").status_code == 403
    wrong = tokens.owner_token(comment.pk + 1000)
    assert other.get(f"/comments/{comment.pk}/edit/?c={wrong}").status_code == 403
    assert other.post(f"/comments/{comment.pk}/edit/", {"body": "Yours."}).status_code == 403
    assert other.post(f"/comments/{comment.pk}/delete/").status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Mine."
    assert comment.status == CommentStatus.PENDING


def test_a_member_edits_their_own_comment_through_their_account(client, member, post) -> None:
    comment = CommentFactory(post=post, user=member, text="Typo here.")
    client.force_login(member)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "No typo here."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "No typo here."
    assert "(edited)" in article(Client().get(post.get_absolute_url()), comment).text_content()


def test_a_member_cannot_edit_someone_elses_comment(client, member, post) -> None:
    comment = CommentFactory(post=post)
    client.force_login(member)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 403


# --- Reporting --------------------------------------------------------------------------------


def test_reporting_a_comment_thanks_the_reader(client, post) -> None:
    comment = CommentFactory(post=post)
    response = client.post(f"/comments/{comment.pk}/report/", REMOTE_ADDR="203.0.113.1")
    assert response.status_code == 200
    assert "Thank you for telling us" in text_of(response)
    comment.refresh_from_db()
    assert comment.flag_count == 1
    assert comment.status == CommentStatus.APPROVED


def test_three_members_reports_hide_a_comment_until_a_moderator_decides(client, post) -> None:
    # Members' reports, since issue 10: visitors' hide nothing by themselves (test_reports).
    comment = CommentFactory(post=post)
    for n in range(3):
        reader = Client()
        reader.force_login(UserFactory())
        report = reader.post(f"/comments/{comment.pk}/report/", REMOTE_ADDR=f"203.0.113.{n}")
        assert report.status_code == 200
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    assert comment.flag_count == 3
    page = client.get(post.get_absolute_url())
    assert comment.pk not in comment_ids(page)
    assert comment.text not in text_of(page)


def test_the_same_reader_reporting_twice_counts_once(client, post) -> None:
    comment = CommentFactory(post=post)
    for address in ("203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.2"):
        report = client.post(f"/comments/{comment.pk}/report/", REMOTE_ADDR=address)
        assert report.status_code == 200
    comment.refresh_from_db()
    assert comment.flag_count == 2
    assert comment.status == CommentStatus.APPROVED
    assert comment.pk in comment_ids(client.get(post.get_absolute_url()))


# --- Comment pages ----------------------------------------------------------------------------


@pytest.fixture
def five_threads(post):
    """Five top-level comments, oldest first, the first and third with a reply."""
    tops = [CommentFactory(post=post, created_at=a_while_ago(100 - i)) for i in range(5)]
    replies = {
        0: CommentFactory(post=post, parent=tops[0], created_at=a_while_ago(50)),
        2: CommentFactory(post=post, parent=tops[2], created_at=a_while_ago(40)),
    }
    discussion_settings(paginate=True, threads_per_page=2)
    return tops, replies


def top_level_ids(response) -> list[int]:
    ids = html(response).xpath(f"//ol[{xpath_class('comment-list')}]/li/@id")
    return [int(value.removeprefix("li-comment-")) for value in ids]


def test_comment_pages_show_two_threads_each(client, post, five_threads) -> None:
    tops, replies = five_threads
    url = post.get_absolute_url()
    assert top_level_ids(client.get(url)) == [tops[0].pk, tops[1].pk]
    second = client.get(f"{url}?cpage=2")
    assert top_level_ids(second) == [tops[2].pk, tops[3].pk]
    assert replies[2].pk in comment_ids(second)
    assert replies[0].pk not in comment_ids(second)
    assert html(second).xpath(f"//ol[{xpath_class('comment-list')}]/@start") == ["3"]
    assert top_level_ids(client.get(f"{url}?cpage=3")) == [tops[4].pk]
    assert heading(second) == f"7 Responses to “{TITLE}”"


def test_comment_pages_link_to_each_other(client, post, five_threads) -> None:
    doc = html(client.get(f"{post.get_absolute_url()}?cpage=2"))
    links = doc.xpath("//nav[@class='comment-pages']//a/@href")
    assert "?cpage=1#comments" in links
    assert "?cpage=3#comments" in links
    assert "Comment page 2 of 3" in squash(
        doc.xpath("//nav[@class='comment-pages']")[0].text_content()
    )
    first = html(client.get(post.get_absolute_url()))
    assert "?cpage=1#comments" not in first.xpath("//nav[@class='comment-pages']//a/@href")


def test_a_comments_address_points_at_its_page(client, post, five_threads) -> None:
    tops, replies = five_threads
    url = post.get_absolute_url()
    assert tops[0].get_absolute_url() == f"{url}#comment-{tops[0].pk}"
    assert tops[3].get_absolute_url() == f"{url}?cpage=2#comment-{tops[3].pk}"
    assert replies[2].get_absolute_url() == f"{url}?cpage=2#comment-{replies[2].pk}"
    assert tops[4].get_absolute_url() == f"{url}?cpage=3#comment-{tops[4].pk}"
    page = client.get(tops[4].get_absolute_url())
    assert tops[4].pk in comment_ids(page)


def test_newest_first_reverses_the_threads(client, post, five_threads) -> None:
    tops, replies = five_threads
    discussion_settings(newest_first=True)
    url = post.get_absolute_url()
    assert top_level_ids(client.get(url)) == [tops[4].pk, tops[3].pk]
    assert top_level_ids(client.get(f"{url}?cpage=3")) == [tops[0].pk]
    assert tops[0].get_absolute_url() == f"{url}?cpage=3#comment-{tops[0].pk}"
    assert tops[4].get_absolute_url() == f"{url}#comment-{tops[4].pk}"


def test_a_new_guest_comment_redirects_to_its_page(client, post, five_threads) -> None:
    # The address names the comment by its owner token; the post page finds the comment
    # page it is on (the POST does not read the thread to find it: issue 12).
    tops, _ = five_threads
    discussion_settings(hold_first_comment=False)
    response = send(client, post, body="Late to the party.")
    comment = Comment.objects.get(text="Late to the party.")
    assert comment.status == CommentStatus.APPROVED
    assert "cpage" not in response["Location"]
    page = client.get(response["Location"])
    assert top_level_ids(page) == [tops[4].pk, comment.pk]
    assert "Comment page 3 of 3" in squash(
        html(page).xpath("//nav[@class='comment-pages']")[0].text_content()
    )


def test_a_held_reply_redirects_to_the_page_of_the_comment_it_answers(
    client, post, five_threads
) -> None:
    # Held (a first comment), shown to its writer alone, under its parent on page 2.
    tops, _ = five_threads
    response = send(client, post, body="A first reply.", parent=str(tops[3].pk))
    reply = Comment.objects.get(text="A first reply.")
    assert reply.status == CommentStatus.PENDING
    page = client.get(response["Location"])
    assert top_level_ids(page) == [tops[2].pk, tops[3].pk]
    assert reply.pk in comment_ids(page)
    assert "awaiting moderation" in text_of(page)


def test_an_asked_comment_page_wins_over_the_owner_tokens_page(client, post, five_threads) -> None:
    tops, _ = five_threads
    discussion_settings(hold_first_comment=False)
    location = send(client, post, body="On the last page.")["Location"]
    path, fragment = location.split("#")
    assert top_level_ids(client.get(f"{path}&cpage=1")) == [tops[0].pk, tops[1].pk]


# --- What a post page costs -------------------------------------------------------------------


def add_comments(post, count: int, start: int = 0) -> None:
    """Approved comments written straight to the table, every third one a reply."""
    base = timezone.now() - dt.timedelta(days=30)
    made = Comment.objects.bulk_create(
        [
            Comment(
                post=post,
                author_name=f"Reader {start + i}",
                author_email=f"reader{start + i}@example.net",
                text=f"Comment {start + i}",
                html=f"<p>Comment {start + i}</p>",
                excerpt=f"Comment {start + i}",
                status=CommentStatus.APPROVED,
                created_at=base + dt.timedelta(minutes=start + i),
            )
            for i in range(count)
        ]
    )
    for i, comment in enumerate(made):
        if i % 3 == 2:
            comment.parent = made[i - 1]
            comment.depth = 2
    Comment.objects.bulk_update(made, ["parent", "depth"])
    total = Comment.objects.filter(post=post, status=CommentStatus.APPROVED).count()
    type(post).objects.filter(pk=post.pk).update(comment_count=total)
    mark_changed()  # bulk_create and update() send no signal


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_a_post_page_costs_the_same_queries_with_5_or_500_comments(
    client, post, django_assert_num_queries
) -> None:
    url = post.get_absolute_url()
    add_comments(post, 5)
    with_five = queries_for(client, url)
    assert len(comment_ids(client.get(url))) == 5
    assert with_five <= 10

    add_comments(post, 495, start=5)
    client.get(url)
    with django_assert_num_queries(with_five):
        response = client.get(url)
    assert len(comment_ids(response)) == 500
    assert heading(response) == f"500 Responses to “{TITLE}”"


def test_cached_pages_follow_a_new_approved_comment(client, post) -> None:
    cache.clear()
    comment = CommentFactory(post=post, status=CommentStatus.PENDING)
    assert comment.pk not in comment_ids(client.get(post.get_absolute_url()))
    services.approve_comment(comment=comment)
    assert comment.pk in comment_ids(client.get(post.get_absolute_url()))


def test_the_post_page_escapes_what_commenters_write(client, post) -> None:
    comment = CommentFactory(
        post=post,
        author_name='<script>alert("name")</script>',
        text='<img src=x onerror="alert(1)"> <a href="javascript:alert(2)">x</a>',
    )
    page = text_of(client.get(post.get_absolute_url()))
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page
    assert re.search(rf'id="comment-{comment.pk}"', page)
