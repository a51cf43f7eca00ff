"""A series' featured image: a described picture of the media library, shown in the series
list and on its page in several widths, and offered as its link preview (og:image)."""

from __future__ import annotations

import io

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from stoa.publishing import services as publishing
from stoa.publishing.models import MediaItem
from stoa.webcasts.tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db


def described(alt: str = "A lecture hall, seats empty", **fields: bool) -> MediaItem:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((1600, 900)).convert("RGB").save(out, format="JPEG")
    return publishing.create_media_item(
        title="Lecture hall",
        file=ContentFile(out.getvalue()),
        file_name="hall.jpg",
        alt_text=alt,
        **fields,
    )


def test_the_series_list_and_page_show_the_featured_image_in_several_widths(client) -> None:
    series = SeriesFactory(title="Grief work", featured_image=described())
    listing = lxml.html.fromstring(client.get("/series/").content)
    [img] = listing.xpath("//article[@class='series-summary']//img")
    assert img.get("alt") == "A lecture hall, seats empty" and img.get("loading") == "lazy"
    assert "480w" in img.get("srcset") and "1600w" in img.get("srcset")
    page = lxml.html.fromstring(client.get(series.get_absolute_url()).content)
    [top] = page.xpath("//header[@class='series__header']//img")
    assert top.get("srcset") and top.get("sizes")
    [og] = page.xpath('//meta[@property="og:image"]')
    assert og.get("content").startswith("http://testserver/media/uploads/")
    assert page.xpath('//meta[@property="og:image:alt"]')[0].get("content") == img.get("alt")


def test_a_series_featured_image_needs_its_alternative_text() -> None:
    series = SeriesFactory()
    series.featured_image = described(alt="", alt_required=False)
    with pytest.raises(ValidationError) as refused:
        series.full_clean()
    assert "featured_image" in refused.value.message_dict


def test_the_series_list_reads_pictures_with_the_series(client) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stoa.core.templating import forget_kept

    def cold() -> int:
        cache.clear()
        forget_kept()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/series/").status_code == 200
        return len(queries)

    SeriesFactory(featured_image=described())
    one = cold()
    assert one > 0
    for _ in range(3):
        SeriesFactory(featured_image=described())
    assert cold() == one
