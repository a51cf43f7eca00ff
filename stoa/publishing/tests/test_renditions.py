"""Pictures in a few widths (srcset), made once when the file is stored, and the markup the
body editor inserts: kept as it is by the editors' allowlist."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from stoa.publishing import renditions, services
from stoa.publishing.models import MediaItem
from stoa.publishing.sanitizers import clean_post_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    return temporary_media


def photo(size: tuple[int, int], fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.save(out, format=fmt)
    return out.getvalue()


def described(size: tuple[int, int] = (2000, 1000), **fields: str) -> MediaItem:
    return services.create_media_item(
        title=fields.get("title", "Clinic corridor"),
        file=ContentFile(photo(size)),
        file_name="corridor.jpg",
        alt_text=fields.get("alt_text", "A long corridor with doors on the left"),
        caption=fields.get("caption", ""),
        credit=fields.get("credit", ""),
    )


def test_a_picture_is_stored_in_the_widths_narrower_than_itself(media: Path) -> None:
    item = described((2000, 1000))
    assert [(w, h) for w, h, _name, _bytes in item.renditions] == [
        (480, 240),
        (800, 400),
        (1200, 600),
        (1600, 800),
    ]
    for _w, _h, name, size in item.renditions:
        assert (media / name).stat().st_size == size
        with Image.open(media / name) as stored:
            assert stored.width in renditions.WIDTHS
    item.refresh_from_db()
    assert len(item.renditions) == 4  # kept on the row


def test_a_small_picture_gets_no_renditions_and_is_its_own_only_candidate() -> None:
    item = described((300, 200))
    assert item.renditions == []
    shown = renditions.picture(item)
    assert shown is not None
    assert shown.srcset == f"{item.url} 300w"


def test_srcset_names_every_width_and_src_the_1200_one() -> None:
    item = described((2000, 1000))
    shown = renditions.picture(item)
    assert shown is not None
    widths = [part.rsplit(" ", 1)[1] for part in shown.srcset.split(", ")]
    assert widths == ["480w", "800w", "1200w", "1600w", "2000w"]
    assert ".1200x0_" in shown.src


def test_drawing_a_picture_reads_nothing(django_assert_num_queries) -> None:
    item = MediaItem.objects.get(pk=described().pk)
    with django_assert_num_queries(0):
        renditions.picture(item)


def test_a_replaced_picture_takes_its_old_renditions_with_it(
    media: Path, django_capture_on_commit_callbacks
) -> None:
    item = described((1000, 500))
    old = [r[2] for r in item.renditions]
    assert old and all((media / name).exists() for name in old)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_media_item(
            item=item, file=ContentFile(photo((900, 600))), file_name="other.jpg"
        )
    assert not any((media / name).exists() for name in old)
    assert [r[0] for r in item.renditions] == [480, 800]


def test_pictures_stored_before_renditions_get_them_once() -> None:
    item = described((1000, 500))
    MediaItem.objects.filter(pk=item.pk).update(renditions=[])
    assert services.make_missing_renditions(items=MediaItem.objects.all()) == 1
    assert services.make_missing_renditions(items=MediaItem.objects.all()) == 0
    item.refresh_from_db()
    assert [r[0] for r in item.renditions] == [480, 800]


def test_the_inserted_figure_passes_the_body_sanitiser_unchanged() -> None:
    item = described(caption="The east wing <before> the move", credit="Photo: A. & B.")
    figure = renditions.body_figure(item)
    assert figure.startswith("<figure><img ")
    assert 'loading="lazy"' in figure and 'sizes="' in figure and "1600w" in figure
    assert (
        "<figcaption>The east wing &lt;before&gt; the move <small>Photo: A. &amp; B.</small>"
        in figure
    )
    assert clean_post_body(figure) == figure


def test_a_figure_without_caption_or_credit_has_no_figcaption() -> None:
    figure = renditions.body_figure(described())
    assert "figcaption" not in figure
    assert clean_post_body(figure) == figure


@pytest.mark.parametrize(
    "srcset",
    [
        "javascript:alert(1) 480w",
        "/media/a.jpg 480w, javascript:alert(1) 800w",
        "data:image/png;base64,AAAA 480w",
        "//evil.example/a.jpg 480w",
        "/media/a.jpg 480w, /media/b.jpg",
        "/media/a.jpg 2x",
    ],
)
def test_a_srcset_naming_anything_but_an_address_of_a_picture_is_dropped(srcset: str) -> None:
    cleaned = clean_post_body(f'<p><img src="/media/a.jpg" alt="A" srcset="{srcset}"></p>')
    assert "srcset" not in cleaned
    assert 'src="/media/a.jpg"' in cleaned


def test_sizes_with_anything_but_lengths_and_conditions_is_dropped() -> None:
    cleaned = clean_post_body('<img src="/a.jpg" alt="A" sizes="url(x) &quot;a&quot;">')
    assert "sizes" not in cleaned


def test_listing_pictures_costs_the_posts_query_alone() -> None:
    from stoa.publishing.models import Post
    from stoa.publishing.tests.factories import PostFactory

    for n in range(3):
        PostFactory(featured_image=described(title=f"Corridor {n}"))
    with CaptureQueriesContext(connection) as queries:
        posts = list(Post.objects.select_related("featured_image"))
        shown = [renditions.picture(post.featured_image) for post in posts]
    assert len(queries) == 1 and all(shown)


def test_the_renditions_command_gives_older_pictures_theirs_and_skips_small_ones() -> None:
    from io import StringIO

    from django.core.management import call_command

    wide, small = described((1000, 500)), described((300, 200), title="Small")
    MediaItem.objects.filter(pk=wide.pk).update(renditions=[])
    out = StringIO()
    call_command("renditions", stdout=out)
    assert "Renditions made for 1 picture(s)." in out.getvalue()
    wide.refresh_from_db()
    small.refresh_from_db()
    assert [r[0] for r in wide.renditions] == [480, 800] and small.renditions == []
