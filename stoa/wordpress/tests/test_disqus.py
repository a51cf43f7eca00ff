"""The Disqus import: the streaming reader of Disqus's XML export (stoa.wordpress.disqus), and
`stoa import-disqus` bringing its threads onto the posts they belong to."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from stoa.wordpress import disqus

DATA = Path(__file__).resolve().parent / "data" / "disqus"
EXPORT = DATA / "export.xml"
HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def records(text: str) -> list[disqus.Record]:
    return list(disqus.read(io.BytesIO(text.encode())))


def test_the_reader_yields_categories_threads_and_posts_in_file_order() -> None:
    found = list(disqus.read(str(EXPORT)))
    kinds = [type(record).__name__ for record in found]
    assert kinds == ["Category", "Thread", "Thread", *["Post"] * 7]
    category, thread, lost = found[0], found[1], found[2]
    assert isinstance(category, disqus.Category) and category.title == "General"
    assert isinstance(thread, disqus.Thread)
    assert thread.id == "2001"
    assert thread.link == "https://practice-sample.example/2024/03/05/notes-from-a-first-session/"
    assert thread.title == "Notes From a First Session"
    assert thread.identifier == "4 https://practice-sample.example/?p=4"
    assert thread.wordpress_id == 4
    assert thread.created_at == dt.datetime(2024, 3, 5, 15, 20, tzinfo=dt.UTC)
    assert isinstance(lost, disqus.Thread) and lost.is_closed and lost.wordpress_id is None


def test_a_post_carries_its_message_author_flags_thread_and_parent() -> None:
    posts = {r.id: r for r in disqus.read(str(EXPORT)) if isinstance(r, disqus.Post)}
    first = posts["3001"]
    assert first.thread == "2001" and first.parent == ""
    assert first.message == "<p>Thank you for this — it names something I could not.</p>"
    assert first.created_at == dt.datetime(2024, 3, 6, 14, 0, tzinfo=dt.UTC)
    assert first.author == disqus.Author(
        name="First Reader", email="first@mail.example", username="firstreader", is_anonymous=False
    )
    assert first.ip_address == "203.0.113.131"
    assert (first.is_spam, first.is_deleted, first.is_approved) == (False, False, True)
    reply = posts["3003"]
    assert reply.parent == "3002"
    assert reply.message == "<p>Replying to the second comment; a CDATA end ]]> inside.</p>"
    assert reply.author.name == "Ωμέγα Χρήστης" and reply.author.is_anonymous
    assert posts["3004"].is_spam and posts["3005"].is_deleted


def test_a_post_marked_not_approved_is_read_as_waiting() -> None:
    found = records(
        HEAD + '<post dsq:id="1"><message>x</message><isApproved>false</isApproved>'
        '<thread dsq:id="2"/></post></disqus>'
    )
    assert isinstance(found[0], disqus.Post) and not found[0].is_approved


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<disqus xmlns="http://disqus.com"><category><title>&b;</title></category></disqus>',
            "declares a DOCTYPE",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE disqus SYSTEM "file:///etc/passwd">\n'
            '<disqus xmlns="http://disqus.com"></disqus>',
            "declares a DOCTYPE",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '\n<disqus xmlns="http://disqus.com"><category><title>&x;</title></category></disqus>',
            "declares a DOCTYPE",
        ),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "not <disqus>"),
        (HEAD + '<thread dsq:id="1"><link>https://a.example/</link>\n<title>cut', "line 4"),
        (HEAD + '<post dsq:id="1"><message>x</message></post></disqus>', "names no thread"),
        (HEAD + "<thread><link>https://a.example/</link></thread></disqus>", "without a dsq:id"),
        ("", "Not a complete, well-formed XML file"),
        ("this is not xml at all", "Not a complete, well-formed XML file"),
    ],
    ids=[
        "entity bomb",
        "external dtd",
        "external entity",
        "not disqus",
        "cut off",
        "post without thread",
        "thread without id",
        "empty",
        "not xml",
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(disqus.DisqusError) as refused:
        records(text)
    assert message in str(refused.value)
