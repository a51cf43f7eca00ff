"""Bodies as WordPress shows them: typed in WordPress → shown by Stoa (after the editors'
sanitiser, as every imported body is saved)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stoa.publishing.sanitizers import clean_post_body
from stoa.wordpress.markup import (
    Image,
    autop,
    convert,
    convert_alone,
    player_url,
    rewrite_uploads,
)

YOUTUBE = "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE"
PLAYER = (
    '<iframe src="{}" title="Video" width="640" height="360" '
    'allow="fullscreen; picture-in-picture" allowfullscreen="" loading="lazy"></iframe>'
)


def shown(text: str, **kwargs) -> str:
    return clean_post_body(convert(text, **kwargs).html)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("One line.", "<p>One line.</p>"),
        ("First.\n\nSecond.", "<p>First.</p>\n<p>Second.</p>"),
        ("First.\n\n\n\nSecond.", "<p>First.</p>\n<p>Second.</p>"),
        ("A line\nbreak.", "<p>A line<br>\nbreak.</p>"),
        ("Windows\r\nbreak.", "<p>Windows<br>\nbreak.</p>"),
        ("<h2>Title</h2>\nText.", "<h2>Title</h2>\n<p>Text.</p>"),
        (
            "Text.\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
            "<p>Text.</p>\n<ul>\n<li>a</li>\n<li>b</li></ul>",
        ),
        (
            "Before\n<blockquote>Quoted\n\nagain</blockquote>\nafter",
            "<p>Before</p>\n<blockquote><p>Quoted</p>\n<p>again</p></blockquote>\n<p>after</p>",
        ),
        ("<pre>code\n\n  kept</pre>\n\nx", "<pre>code\n\n  kept</pre>\n<p>x</p>"),
        ("<em>a</em>\n<strong>b</strong>", "<p><em>a</em><br>\n<strong>b</strong></p>"),
        ("<p>Already</p><p>paragraphs</p>", "<p>Already</p>\n<p>paragraphs</p>"),
        ("", ""),
    ],
)
def test_automatic_paragraphs_as_wpautop_makes_them(typed, expected):
    assert autop(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            '[caption id="attachment_5" width="300"]<img src="https://x.ex/a.jpg" '
            'alt="Room" width="300" height="200" /> The room.[/caption]',
            '<figure><img src="https://x.ex/a.jpg" alt="Room" width="300" height="200" '
            'loading="lazy">\n<figcaption>The room.</figcaption></figure>',
        ),
        (
            '[caption caption="Old style"]<a href="https://x.ex/"><img src="https://x.ex/a.jpg" '
            'alt="" /></a>[/caption]',
            '<figure><a href="https://x.ex/" rel="noopener"><img src="https://x.ex/a.jpg" '
            'alt="" loading="lazy"></a>\n<figcaption>Old style</figcaption></figure>',
        ),
        (
            "https://www.youtube.com/watch?v=M7lc1UVf-VE",
            f"<figure>\n{PLAYER.format(YOUTUBE)}</figure>",
        ),
        (
            "Watch:\n\nhttps://youtu.be/M7lc1UVf-VE\n\nThen talk.",
            f"<p>Watch:</p>\n<figure>\n{PLAYER.format(YOUTUBE)}</figure>\n<p>Then talk.</p>",
        ),
        (
            "[embed]https://vimeo.com/76979871[/embed]",
            "<figure>\n" + PLAYER.format("https://player.vimeo.com/video/76979871") + "</figure>",
        ),
        # A video address inside a sentence is a link, not a player (autoembed wants a line).
        (
            "See https://www.youtube.com/watch?v=M7lc1UVf-VE here.",
            "<p>See https://www.youtube.com/watch?v=M7lc1UVf-VE here.</p>",
        ),
        # Another provider's address alone on its line stays text: no oEmbed over the network.
        ("https://example.org/some-page", "<p>https://example.org/some-page</p>"),
        (
            "[embed]https://example.org/x[/embed]",
            '<p><a href="https://example.org/x" rel="noopener">https://example.org/x</a></p>',
        ),
    ],
)
def test_captions_and_embeds_become_figures_and_players(typed, expected):
    assert shown(typed) == expected


def test_block_comments_are_dropped_around_their_html_and_no_paragraphs_are_added():
    typed = (
        "<!-- wp:paragraph -->\n<p>One.</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:list {"ordered":true} -->\n<ol><li>a</li></ol>\n<!-- /wp:list -->\n\n'
        "<!-- wp:separator /-->\n"
        '<!-- wp:embed {"url":"https://vimeo.com/76979871","type":"video"} -->\n'
        '<figure class="wp-block-embed is-provider-vimeo"><div class="wp-block-embed__wrapper">\n'
        "https://vimeo.com/76979871\n</div></figure>\n<!-- /wp:embed -->"
    )
    html = shown(typed)
    assert "wp:" not in html
    assert "<p>One.</p>" in html
    assert "<ol><li>a</li></ol>" in html
    assert html.count("<figure>") == 1
    assert "https://player.vimeo.com/video/76979871" in html
    assert "<br>" not in html


def test_a_gallery_shows_the_imported_images_in_its_order():
    images = {5: Image("/media/a.jpg", "Room", "Before nine"), 6: Image("/media/b.jpg", "Chairs")}
    result = convert(
        '[gallery ids="6,5,7" columns="2"]',
        images_by_id=lambda ids: {i: images[i] for i in ids if i in images},
    )
    assert clean_post_body(result.html) == (
        '<figure>\n<figure><img src="/media/b.jpg" alt="Chairs" loading="lazy"></figure>\n'
        '<figure><img src="/media/a.jpg" alt="Room" loading="lazy">\n'
        "<figcaption>Before nine</figcaption></figure></figure>"
    )
    assert result.missing_media == ["attachment 7"]


def test_a_gallery_without_ids_shows_the_images_attached_to_the_post():
    result = convert("[gallery]", attached_images=lambda: [(9, Image("/media/c.jpg", "C"))])
    assert '<img src="/media/c.jpg" alt="C">' in result.html


def test_a_gallery_without_ids_leaves_out_the_pictures_it_excludes():
    attached = [(9, Image("/media/c.jpg", "C")), (10, Image("/media/d.jpg", "D"))]
    result = convert('[gallery exclude="9"]', attached_images=lambda: attached)
    assert "/media/c.jpg" not in result.html and "/media/d.jpg" in result.html


def test_an_older_gallery_naming_its_pictures_by_include_shows_them():
    images = {5: Image("/media/a.jpg", "Room")}
    result = convert(
        '[gallery include="5"]',
        images_by_id=lambda ids: {i: images[i] for i in ids if i in images},
        attached_images=lambda: pytest.fail("asked for the attached pictures"),
    )
    assert '<img src="/media/a.jpg" alt="Room">' in result.html


def test_a_gallery_of_attached_pictures_when_none_came_is_reported_not_dropped_silently():
    result = convert("Before.\n\n[gallery]\n\nAfter.", attached_images=lambda: [])
    assert "[gallery]" not in result.html
    assert result.missing_media == ["the pictures attached to the post, which its [gallery] shows"]


def test_unknown_shortcodes_stay_as_text_and_are_reported():
    result = convert('[contact-form-7 id="12"] and [footnote]x[/footnote], not [1] nor […]')
    assert result.unknown_shortcodes == ["contact-form-7", "footnote"]
    assert '[contact-form-7 id="12"]' in clean_post_body(result.html)


def test_old_upload_addresses_point_at_the_imported_files_resized_copies_too():
    uploads = {"2024/03/a.jpg": "/media/wordpress/2024/03/a.jpg"}
    result = convert(
        '<img src="https://old.example/wp-content/uploads/2024/03/a-300x200.jpg">\n'
        '<a href="/wp-content/uploads/2024/03/a.jpg">full</a> '
        '<a href="https://old.example/wp-content/uploads/2024/03/gone.pdf">gone</a>',
        upload_url=uploads.get,
        base_urls=["https://old.example"],
    )
    assert result.html.count("/media/wordpress/2024/03/a.jpg") == 2
    assert "https://old.example/wp-content/uploads/2024/03/gone.pdf" in result.html
    assert result.missing_media == ["2024/03/gone.pdf"]


def test_scripts_and_foreign_frames_in_an_old_body_are_sanitised_away():
    html = shown('Hi<script>alert(1)</script>\n\n<iframe src="https://evil.example/"></iframe>')
    assert html == "<p>Hi</p>"


def test_unicode_right_to_left_and_a_cdata_end_survive():
    assert shown("نص باللغة العربية 🙂\n\nA ]]&gt; end") == (
        "<p>نص باللغة العربية 🙂</p>\n<p>A ]]&gt; end</p>"
    )


@pytest.mark.parametrize(
    ("url", "player"),
    [
        ("https://www.youtube.com/watch?v=M7lc1UVf-VE&t=10", YOUTUBE),
        ("https://youtu.be/M7lc1UVf-VE", YOUTUBE),
        ("https://www.youtube.com/shorts/M7lc1UVf-VE", YOUTUBE),
        (
            "https://vimeo.com/channels/staffpicks/76979871",
            "https://player.vimeo.com/video/76979871",
        ),
        ("https://www.youtube.com/watch?v=<script>", None),
        ("https://example.org/watch?v=M7lc1UVf-VE", None),
    ],
)
def test_player_addresses(url, player):
    assert player_url(url) == player


def test_another_sites_upload_addresses_are_left_alone():
    result = convert(
        '<img src="https://elsewhere.example/wp-content/uploads/2024/03/a.jpg">',
        upload_url=lambda path: "/media/new.jpg",
        base_urls=["https://old.example"],
    )
    assert 'src="https://elsewhere.example/wp-content/uploads/2024/03/a.jpg"' in result.html
    assert result.missing_media == []


def _rewritten_by_scanning(text, base_urls, upload_url):
    """rewrite_uploads as a plain re.sub over the whole body (the pattern tried at every
    character): what its shortcut must equal."""
    hosts = "|".join(re.escape(base.rstrip("/")) for base in base_urls if base)
    alone = r"(?<![\w.:/%-])"
    prefix = f"(?:{hosts}|{alone})" if hosts else alone
    pattern = re.compile(
        prefix + r"/wp-content/uploads/([^\s\"'<>?#]+?\.[A-Za-z0-9]{2,5})(?=[\s\"'<>?#]|$)"
    )
    missing = []

    def replace(match):
        path = match.group(1)
        found = upload_url(path)
        if found is None:
            original = re.sub(r"-\d+x\d+(\.[A-Za-z0-9]+)$", r"\1", path)
            found = upload_url(original) if original != path else None
        if found is None:
            missing.append(path)
            return match.group(0)
        return found

    return pattern.sub(replace, text), missing


# Pieces of addresses (a host, the uploads folder, a file's name, what ends it) and of what
# surrounds them: joined at random, they make addresses of every shape, nested ones too.
_BODY_PARTS = st.sampled_from(
    [
        "/wp-content/uploads/", "/wp-content/uploads/", "https://old.example", "x", "a",
        "-300x200", ".jpg", ".pdf", " ", '"', "/", ".", "-", "é", "?",
    ]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    parts=st.lists(_BODY_PARTS, max_size=24),
    bases=st.lists(
        st.sampled_from(["https://old.example", "https://old.example/", "x", "/", ""]),
        max_size=3,
    ),
)
def test_upload_addresses_are_rewritten_exactly_as_a_scan_of_the_whole_body_would(parts, bases):
    text = "".join(parts)

    def upload_url(path):  # every file imported but the PDFs, and no resized copy
        return None if path.endswith(".pdf") or "300x" in path else f"/media/new/{path}"

    assert rewrite_uploads(text, bases, upload_url) == _rewritten_by_scanning(
        text, bases, upload_url
    )


BASES = ["https://old.example"]


@pytest.mark.parametrize(
    "body",
    [
        "Plain words.\n\nA second paragraph with [sic] in it.",
        '[caption id="x" width="300"]<img src="https://elsewhere.example/a.jpg" alt="a"> '
        "A caption[/caption]\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nAfter.",
        "<!-- wp:paragraph --><p>Blocks.</p><!-- /wp:paragraph -->",
        '<img src="https://elsewhere.example/wp-content/uploads/2024/03/a.jpg">',
        "",
    ],
)
def test_a_body_that_needs_no_media_is_converted_alone_as_convert_does(body):
    alone = convert_alone(body, base_urls=BASES)
    assert alone is not None
    assert alone == convert(
        body,
        images_by_id=lambda ids: pytest.fail("asked for a gallery's images"),
        attached_images=lambda: pytest.fail("asked for the post's images"),
        upload_url=lambda path: pytest.fail(f"asked for {path}"),
        base_urls=BASES,
    )


@pytest.mark.parametrize(
    "body",
    [
        '[gallery ids="12,13"]',
        "Before.\n\n[gallery]\n\nAfter.",
        '<img src="https://old.example/wp-content/uploads/2024/03/a-300x200.jpg">',
        '<a href="/wp-content/uploads/2024/03/a.pdf">a file</a>',
        '[caption width="300"]<img src="/wp-content/uploads/2024/03/b.jpg"> B[/caption]',
    ],
)
def test_a_body_that_needs_the_imported_media_is_left_to_the_importer(body):
    assert convert_alone(body, base_urls=BASES) is None
