"""A WordPress body as WordPress shows it, turned into the HTML Stoa stores: the work of
WordPress's `the_content` filters, done once at import instead of on every view.

In WordPress's order: Gutenberg block comments are dropped (do_blocks renders the HTML they
wrap; a block post is not run through wpautop, as WordPress 5+ removes that filter for it); a
YouTube or Vimeo address alone on its line, and `[embed]`, become the player (autoembed,
priority 8, before wpautop); `[caption]` becomes a figure with its caption and `[gallery]` a
figure of the imported images (do_shortcode); blank lines become paragraphs and single
newlines line breaks, never around a block element (wpautop). Other shortcodes stay as text and
are reported. Old upload addresses are rewritten to the imported media. The result then goes
through the editors' sanitiser like any body (stoa.publishing.sanitizers, on save).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

# ------------------------------------------------------------------ what the importer gives


@dataclass(frozen=True)
class Image:
    """An imported image, as a gallery or a rewritten address needs it."""

    url: str
    alt: str = ""
    caption: str = ""


@dataclass
class Converted:
    """A converted body, and what the report should say about it."""

    html: str
    unknown_shortcodes: list[str] = field(default_factory=list)
    missing_media: list[str] = field(default_factory=list)
    # `html` as the editors' sanitiser leaves it (publishing's clean_post_body), when the
    # import's reading process converted the body and sanitised it too; else None.
    sanitised: str | None = None


# Images by their WordPress attachment ids (a gallery's ids="..."), or those attached to the
# post when a gallery names none, with their attachment ids, in WordPress's gallery order
# (menu order, then id).
ImagesById = Callable[[Iterable[int]], dict[int, Image]]
AttachedTo = Callable[[], list[tuple[int, Image]]]
# The new address of an old upload, by its path under wp-content/uploads ("2024/03/a.jpg").
UploadUrl = Callable[[str], str | None]

# ----------------------------------------------------------------------------- blocks

# <!-- wp:paragraph -->, <!-- wp:embed {"url":...} -->, <!-- /wp:list -->, <!-- wp:spacer /-->
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[a-z][a-z0-9_/-]*(?:\s+\{.*?\})?\s*/?-->\n?", re.S)


def has_blocks(text: str) -> bool:
    """Whether the body was written in the block editor (WordPress's has_blocks())."""
    return "<!-- wp:" in text


def drop_block_comments(text: str) -> str:
    return _BLOCK_COMMENT.sub("", text)


# ----------------------------------------------------------------------------- embeds

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_LONE_URL = re.compile(r"^([ \t]*)(https?://[^\s<>\"']+)([ \t]*)$", re.M)
_BLOCK_EMBED = re.compile(
    r"<figure\b[^>]*\bwp-block-embed\b[^>]*>\s*<div\b[^>]*>\s*(https?://[^\s<>\"']+)\s*</div>"
    r"(?:\s*<figcaption\b[^>]*>.*?</figcaption>)?\s*</figure>",
    re.S | re.I,
)
_EMBED_SHORTCODE = re.compile(r"\[embed(?:\s[^\]]*)?\](.*?)\[/embed\]", re.S | re.I)


def player_url(url: str) -> str | None:
    """The player address of a YouTube or Vimeo page address (what WordPress's oEmbed
    providers would embed), on the hosts the editors' allowlist keeps; None for others."""
    parts = urlsplit(html.unescape(url.strip()))
    host = parts.netloc.lower()
    video = ""
    if host in _YOUTUBE_HOSTS:
        path = parts.path.strip("/").split("/")
        if host == "youtu.be":
            video = path[0]
        elif path[:1] == ["watch"]:
            video = parse_qs(parts.query).get("v", [""])[0]
        elif path[:1] in (["embed"], ["shorts"], ["live"]) and len(path) > 1:
            video = path[1]
        if _VIDEO_ID.match(video or ""):
            return f"https://www.youtube-nocookie.com/embed/{video}"
    elif host in _VIMEO_HOSTS:
        digits = [part for part in parts.path.split("/") if part.isdigit()]
        if digits:
            return f"https://player.vimeo.com/video/{digits[-1]}"
    return None


def _player(url: str) -> str:
    src = player_url(url)
    if src is None:
        # Another provider: WordPress would ask it for oEmbed markup over the network; the
        # import never goes there. The address stays, as a link.
        address = html.escape(html.unescape(url.strip()))
        return f'<p><a href="{address}">{address}</a></p>'
    return (
        f'<figure><iframe src="{src}" title="Video" width="640" height="360" '
        'allow="fullscreen; picture-in-picture" allowfullscreen></iframe></figure>'
    )


def embed_videos(text: str) -> str:
    """The block editor's embed (a figure around the address), `[embed]URL[/embed]`, and a
    YouTube or Vimeo address alone on its line become the player (WordPress's autoembed
    leaves any other lone address as text)."""
    text = _BLOCK_EMBED.sub(lambda m: "\n\n" + _player(m.group(1)) + "\n\n", text)
    text = _EMBED_SHORTCODE.sub(lambda m: "\n\n" + _player(m.group(1)) + "\n\n", text)

    def lone(match: re.Match[str]) -> str:
        if player_url(match.group(2)) is None:
            return match.group(0)
        return "\n" + _player(match.group(2)) + "\n"

    return _LONE_URL.sub(lone, text)


# ------------------------------------------------------------------------- shortcodes

_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_CAPTION = re.compile(r"\[(caption|wp_caption)(\s[^\]]*)?\](.*?)\[/\1\]", re.S | re.I)
GALLERY = re.compile(r"\[gallery(\s[^\]]*)?\]", re.I)
# A shortcode's opening: "[name", then a space, "/", or "]". A "[" inside a link text or a
# footnote "[1]" is not one (a name starts with a letter).
_SHORTCODE = re.compile(r"\[([A-Za-z][\w-]*)(?=[\s/\]])[^\]]*\]")
_IMG_IN_CAPTION = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)


def shortcode_attributes(text: str | None) -> dict[str, str]:
    found = {}
    for match in _ATTRIBUTE.finditer(text or ""):
        name, *values = match.groups()
        found[name.lower()] = next((v for v in values if v is not None), "")
    return found


def _caption(match: re.Match[str]) -> str:
    attributes = shortcode_attributes(match.group(2))
    inner = match.group(3).strip()
    image = _IMG_IN_CAPTION.match(inner)
    if image is None:
        return inner
    # Since WordPress 3.4 the caption is the text after the image; before, an attribute.
    caption = image.group(2).strip() or attributes.get("caption", "")
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{image.group(1).strip()}{figcaption}</figure>\n\n"


def _ids(text: str) -> list[int]:
    return [int(part) for part in re.findall(r"[0-9]+", text)]


def gallery_ids(attributes: dict[str, str]) -> list[int]:
    """The attachment ids a [gallery] names: ids="...", else the older include="..." (both
    read by gallery_shortcode()); empty for a gallery of the post's attached pictures."""
    return _ids(attributes.get("ids", "")) or _ids(attributes.get("include", ""))


def _gallery_markup(images: list[Image]) -> str:
    if not images:
        return ""
    figures = []
    for image in images:
        caption = f"<figcaption>{html.escape(image.caption)}</figcaption>" if image.caption else ""
        figures.append(
            f'<figure><img src="{html.escape(image.url)}" alt="{html.escape(image.alt)}">'
            f"{caption}</figure>"
        )
    return f"\n\n<figure>{''.join(figures)}</figure>\n\n"


# ---------------------------------------------------------------------------- uploads

_UPLOADS_PATH = "/wp-content/uploads/"


def rewrite_uploads(
    text: str, base_urls: Iterable[str], upload_url: UploadUrl
) -> tuple[str, list[str]]:
    """Every address of a file under the old site's wp-content/uploads (absolute, or
    relative to the site), including WordPress's resized copies ("-300x200" before the
    extension), pointed at the imported file. Returns the text and the paths not found."""
    bases = [base.rstrip("/") for base in base_urls if base]
    hosts = "|".join(re.escape(base) for base in bases)
    # The old site's address before the path, or nothing: not another site's address (its
    # uploads are its own), nor a longer path that merely contains this one.
    alone = r"(?<![\w.:/%-])"
    prefix = f"(?:{hosts}|{alone})" if hosts else alone
    pattern = re.compile(
        prefix + r"/wp-content/uploads/([^\s\"'<>?#]+?\.[A-Za-z0-9]{2,5})(?=[\s\"'<>?#]|$)"
    )
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        path = match.group(1)
        found = upload_url(path)
        if found is None:
            original = re.sub(r"-\d+x\d+(\.[A-Za-z0-9]+)$", r"\1", path)
            found = upload_url(original) if original != path else None
        if found is None:
            missing.append(path)
            return match.group(0)
        return found

    # pattern.sub(replace, text), without its scan: the search tries the pattern at every
    # character of the body (the hosts' alternation defeats the engine's literal search;
    # about half of converting a post). A match can only start where "/wp-content/uploads/"
    # does, or a host's length before it: the pattern is tried there alone, left to right,
    # each from where the last match ended, which is what sub does (the lookbehind still
    # sees the text before the place tried).
    lengths = sorted({len(base) for base in bases} | {0})
    starts: set[int] = set()
    found_at = text.find(_UPLOADS_PATH)
    while found_at >= 0:
        starts.update(found_at - n for n in lengths if found_at >= n)
        found_at = text.find(_UPLOADS_PATH, found_at + 1)
    if not starts:
        return text, missing
    pieces: list[str] = []
    done = 0
    for start in sorted(starts):
        if start < done:
            continue
        match = pattern.match(text, start)
        if match is not None:
            pieces.append(text[done:start])
            pieces.append(replace(match))
            done = match.end()
    pieces.append(text[done:])
    return "".join(pieces), missing


# ---------------------------------------------------------------------------- wpautop

# Elements that make their own block, as wpautop lists them (HTML's block-level elements, and
# those that should never be wrapped in a paragraph).
_BLOCKS = (
    "address|article|aside|blockquote|caption|col|colgroup|dd|details|div|dl|dt|fieldset|"
    "figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|iframe|legend|li|main|map|math|"
    "menu|nav|ol|p|pre|section|style|summary|table|tbody|td|tfoot|th|thead|tr|ul"
)
_OPEN_BLOCK = re.compile(rf"(<(?:{_BLOCKS})(?=[\s/>])[^>]*>)", re.I)
_CLOSE_BLOCK = re.compile(rf"(</(?:{_BLOCKS})>)", re.I)
_STARTS_WITH_BLOCK = re.compile(rf"^</?(?:{_BLOCKS})(?=[\s/>])", re.I)
_QUOTE_THEN_TEXT = re.compile(r"^(<blockquote\b[^>]*>)(?!\s*<)(.+)$", re.S | re.I)
_PRE = re.compile(r"<pre\b.*?</pre>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENDS_WITH_BLOCK = re.compile(rf"</?(?:{_BLOCKS})(?:[\s/][^>]*)?>$", re.I)


def _breaks(chunk: str) -> str:
    """Single newlines as line breaks, except beside a block element's tag."""
    lines = [line.strip() for line in chunk.split("\n")]
    out = lines[0]
    for before, line in zip(lines, lines[1:], strict=False):
        joint = (
            "\n" if _ENDS_WITH_BLOCK.search(before) or _STARTS_WITH_BLOCK.match(line) else "<br>\n"
        )
        out += joint + line
    return out


def autop(text: str) -> str:
    """Blank lines make paragraphs and single newlines line breaks; a block element stands
    alone, never inside a paragraph; a quotation holds paragraphs; <pre> is kept as written
    (WordPress's wpautop, with line breaks on)."""
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = _PRE.sub(keep, text.replace("\r\n", "\n").replace("\r", "\n"))
    # A newline inside a tag (between attributes) is not a line of text.
    text = _TAG.sub(lambda m: m.group(0).replace("\n", " "), text)
    # Every block element's tags on lines of their own: they split paragraphs.
    text = _CLOSE_BLOCK.sub(r"\n\n\1\n\n", _OPEN_BLOCK.sub(r"\n\n\1", text))
    out = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        quote = _QUOTE_THEN_TEXT.match(chunk)
        if chunk.startswith("\x00"):
            out.append(chunk)  # a kept <pre>
        elif out and chunk.startswith("</"):
            out[-1] += chunk  # a block's closing tag: no paragraph, no line of its own
        elif quote:
            out.append(f"{quote.group(1)}<p>{_breaks(quote.group(2).strip())}</p>")
        elif _STARTS_WITH_BLOCK.match(chunk):
            out.append(_breaks(chunk))
        else:
            out.append(f"<p>{_breaks(chunk)}</p>")
    joined = "\n".join(out)
    for index, original in enumerate(kept):
        joined = joined.replace(f"\x00{index}\x00", original)
    return joined


# ------------------------------------------------------------------------------ whole


def convert(
    text: str,
    *,
    images_by_id: ImagesById | None = None,
    attached_images: AttachedTo | None = None,
    upload_url: UploadUrl | None = None,
    base_urls: Iterable[str] = (),
) -> Converted:
    """A WordPress post or page body as WordPress would show it (see the module)."""
    result = Converted(html="")
    blocks = has_blocks(text)
    text = drop_block_comments(text)
    text = embed_videos(text)
    text = _CAPTION.sub(_caption, text)

    def gallery(match: re.Match[str]) -> str:
        # gallery_shortcode(): ids="..." (or the older include="...") names the pictures;
        # without them, the post's attached pictures, less exclude="...".
        attributes = shortcode_attributes(match.group(1))
        ids = gallery_ids(attributes)
        if ids:
            found = images_by_id(ids) if images_by_id else {}
            images = [found[i] for i in ids if i in found]
            result.missing_media.extend(f"attachment {i}" for i in ids if i not in found)
        else:
            excluded = set(_ids(attributes.get("exclude", "")))
            attached = attached_images() if attached_images else []
            images = [image for i, image in attached if i not in excluded]
            if not images:
                result.missing_media.append(
                    "the pictures attached to the post, which its [gallery] shows"
                )
        return _gallery_markup(images)

    text = GALLERY.sub(gallery, text)
    result.unknown_shortcodes = sorted({m.group(1) for m in _SHORTCODE.finditer(text)})
    if upload_url is not None:
        text, missing = rewrite_uploads(text, base_urls, upload_url)
        result.missing_media.extend(missing)
    result.html = text.strip() if blocks else autop(text)
    return result


class _NeedsMedia(Exception):
    """convert() asked for imported media: the body is not for convert_alone."""


def _needs_media(*_: object) -> Any:
    raise _NeedsMedia


def convert_alone(text: str, *, base_urls: Iterable[str]) -> Converted | None:
    """convert() of a body that needs none of the imported media (no gallery, no address of
    an old upload among `base_urls` or relative), or None for one that does. The import's
    reading process draws these ahead of the writer, which has the media to look up: a
    body converted here is the one convert() gives with the writer's look-ups, which it
    never asked for (any step that would ask raises, and the body is left to the writer)."""
    try:
        return convert(
            text,
            images_by_id=_needs_media,
            attached_images=_needs_media,
            upload_url=_needs_media,
            base_urls=base_urls,
        )
    except _NeedsMedia:
        return None
