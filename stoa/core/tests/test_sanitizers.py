"""The sanitising machinery (stoa.core.sanitizers) on an allowlist of this test's own; the
apps' allowlists are tested with them (publishing's editors', the discussion's commenters')."""

from __future__ import annotations

import re

from stoa.core.sanitizers import Allowlist, clean, link_bare_urls, paragraphs, sub_outside_links

EMPHASIS_AND_LINKS = Allowlist(
    attributes={"em": frozenset(), "a": frozenset({"href"})},
    link_rel="nofollow",
    attribute_filter=lambda tag, attribute, value: None if "drop" in value else value,
)


def test_only_the_allowlisted_tags_and_attributes_survive() -> None:
    cleaned = clean(
        '<em title="t" lang="en">yes</em> <strong>no</strong> <a href="https://a.example" '
        'onclick="x()">link</a><script>alert(1)</script>',
        EMPHASIS_AND_LINKS,
    )
    assert cleaned == ('<em>yes</em> no <a href="https://a.example" rel="nofollow">link</a>')


def test_the_allowlists_filter_may_drop_an_attribute_by_its_value() -> None:
    assert clean('<a href="https://drop.example">x</a>', EMPHASIS_AND_LINKS) == (
        '<a rel="nofollow">x</a>'
    )


def test_extra_tags_are_kept_without_attributes() -> None:
    cleaned = clean('<p class="c">a</p>', EMPHASIS_AND_LINKS, extra_tags=frozenset({"p"}))
    assert cleaned == "<p>a</p>"


def test_a_substitution_leaves_links_and_tags_alone() -> None:
    html = '<p title="x1">x1 <a href="/x1">x1</a> x1</p>'
    assert sub_outside_links(html, re.compile("x1"), lambda m: "Y") == (
        '<p title="x1">Y <a href="/x1">x1</a> Y</p>'
    )


def test_bare_urls_become_links_and_paragraphs_come_from_blank_lines() -> None:
    html = paragraphs(link_bare_urls("See https://example.org.\n\nThen\nmore."))
    assert html == (
        '<p>See <a href="https://example.org">https://example.org</a>.</p><p>Then<br>\nmore.</p>'
    )
