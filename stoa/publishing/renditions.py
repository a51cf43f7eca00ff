"""A library picture in a few widths, for `srcset`: made once, when the file is stored, by
easy-thumbnails from the pipeline's own re-encoding (stoa.core.images: never from what was
uploaded), and written through the file's storage (the filesystem, or S3 with
STOA_MEDIA_STORAGE=s3). Their names are kept on the item (MediaItem.renditions), so a page
that shows the picture reads no other table and no file, whatever the number of pictures.

Why easy-thumbnails: it makes a thumbnail on request from Python (get_thumbnail) and stores
it on any Django storage, which is what "made once, at upload" needs. sorl-thumbnail makes
them in the template on a page's first view and looks each up in its key-value store on every
view after; django-imagekit's spec fields ask its cache whether each file exists whenever a
page names it. Both work per request; this works per upload."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.utils.html import format_html
from django.utils.safestring import SafeString
from easy_thumbnails.files import get_thumbnailer

if TYPE_CHECKING:
    from stoa.publishing.models import MediaItem

# The widths made of each picture narrower than its own (the stored file, at most 2560 px,
# is the widest candidate): a phone at 1× and 2×, the article column at 1× and 2×.
WIDTHS = (480, 800, 1200, 1600)
QUALITY = 82
# How wide the picture is drawn, for the browser to choose a candidate before layout:
# the article's measure (42rem) on a wide screen, the screen less its margins on a narrow one.
BODY_SIZES = "(min-width: 48rem) 42rem, calc(100vw - 2.5rem)"
# A listing's teaser picture: beside the summary's text on a wide screen, above it on a phone.
TEASER_SIZES = "(min-width: 54rem) 14rem, calc(100vw - 2.5rem)"
# The widest rendition a plain `src` names (a browser without srcset, a feed, a preview).
SRC_WIDTH = 1200


class Enclosure(NamedTuple):
    """A file for a feed item's <enclosure>: its address, length in bytes and type."""

    url: str
    length: int
    content_type: str


def enclosure(item: MediaItem | None) -> Enclosure | None:
    """The picture as a feed carries it: the 1200-pixel rendition (or the file when the
    picture is narrower), whose length is known without asking the storage."""
    if item is None or not item.file or not item.is_image:
        return None
    storage = item.file.storage
    for rendition in item.renditions:
        if int(rendition[0]) >= SRC_WIDTH and len(rendition) > 3:
            name = str(rendition[2])
            kind = "image/png" if name.endswith(".png") else "image/jpeg"
            return Enclosure(storage.url(name), int(rendition[3]), kind)
    return Enclosure(storage.url(item.file.name), item.file_size or 0, item.content_type)


class Picture(NamedTuple):
    """What an <img> of a library picture says: plain values, so a kept piece can hold it."""

    src: str
    srcset: str
    width: int
    height: int
    alt: str
    caption: str
    credit: str


def make_renditions(item: MediaItem) -> list[list[int | str]]:
    """Make the narrower copies of the item's stored picture; [[width, height, name, bytes],
    ...] (the bytes for a feed's enclosure)."""
    if not (item.file and item.is_image and item.width):
        return []
    thumbnailer = get_thumbnailer(item.file)
    made: list[list[int | str]] = []
    for width in WIDTHS:
        if width >= item.width:
            break
        # (width, 0): that width, the height following the picture's proportions.
        thumbnail = thumbnailer.get_thumbnail({"size": (width, 0), "quality": QUALITY})
        made.append([thumbnail.width, thumbnail.height, thumbnail.name, thumbnail.size])
    return made


def delete_renditions(item: MediaItem, names: list[str]) -> None:
    """Remove renditions named by an item's old file (once it is replaced)."""
    storage = item.file.storage
    for name in names:
        storage.delete(name)


def picture(item: MediaItem | None) -> Picture | None:
    """The item as an <img> shows it, or None when it is not a stored picture."""
    if item is None or not item.file or not item.is_image or not item.width or not item.height:
        return None
    storage = item.file.storage
    candidates = [(int(r[0]), str(r[2])) for r in item.renditions]
    candidates.append((item.width, item.file.name))
    src = next((name for w, name in candidates if w >= SRC_WIDTH), item.file.name)
    return Picture(
        src=storage.url(src),
        srcset=", ".join(f"{storage.url(name)} {w}w" for w, name in candidates),
        width=item.width,
        height=item.height,
        alt=item.alt_text,
        caption=item.caption,
        credit=item.credit,
    )


def img_tag(shown: Picture, *, sizes: str, css_class: str = "") -> SafeString:
    """An <img> with srcset, sizes, its size (no layout shift) and lazy loading."""
    return format_html(
        '<img{} src="{}" alt="{}" width="{}" height="{}" srcset="{}" sizes="{}" '
        'loading="lazy" decoding="async">',
        format_html(' class="{}"', css_class) if css_class else "",
        shown.src,
        shown.alt,
        shown.width,
        shown.height,
        shown.srcset,
        sizes,
    )


def body_figure(item: MediaItem) -> str:
    """The markup the editor inserts into a post's body for this picture: a figure the
    editors' allowlist keeps as it is (clean_post_body returns it unchanged)."""
    shown = picture(item)
    if shown is None:
        return ""
    parts = [format_html("{}", shown.caption)] if shown.caption else []
    if shown.credit:
        parts.append(format_html("<small>{}</small>", shown.credit))
    figcaption = (
        format_html("<figcaption>{}</figcaption>", SafeString(" ".join(parts))) if parts else ""
    )
    return str(
        format_html(
            '<figure><img src="{}" alt="{}" width="{}" height="{}" srcset="{}" sizes="{}" '
            'loading="lazy">{}</figure>',
            shown.src,
            shown.alt,
            shown.width,
            shown.height,
            shown.srcset,
            BODY_SIZES,
            figcaption,
        )
    )
