"""A post's featured image: a described picture of the media library, shown with the post in
listings and teasers (srcset, sizes, lazy), as its link preview (og:image) and in feeds
(an enclosure), read with the posts, never one query per picture."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from PIL import Image

from stoa.publishing import services
from stoa.publishing.models import MediaItem, Post
from stoa.publishing.tests.factories import PostFactory, SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    return temporary_media


def photo(size: tuple[int, int] = (1600, 900)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def described(title: str = "Corridor", alt: str = "A long corridor") -> MediaItem:
    return services.create_media_item(
        title=title,
        file=ContentFile(photo()),
        file_name=f"{title.lower()}.jpg",
        alt_text=alt,
        caption="The east wing",
        credit="Photo: A. Ruiz",
    )


def html_of(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def test_a_listed_post_shows_its_featured_image_in_several_widths_lazily(client) -> None:
    PostFactory(title="Waiting rooms", featured_image=described())
    PostFactory(title="No picture")
    page = html_of(client.get("/"))
    [img] = page.xpath("//article//img[@class='summary__picture']")
    assert img.get("alt") == "A long corridor"
    assert img.get("loading") == "lazy"
    assert img.get("sizes") and (img.get("width"), img.get("height")) == ("1600", "900")
    widths = [candidate.split()[-1] for candidate in img.get("srcset").split(", ")]
    assert widths == ["480w", "800w", "1200w", "1600w"]
    assert len(page.xpath("//article[starts-with(@class, 'summary')]")) == 2


def test_the_post_page_shows_the_picture_and_offers_it_as_the_link_preview(client) -> None:
    post = PostFactory(title="Waiting rooms", featured_image=described())
    page = html_of(client.get(post.get_absolute_url()))
    [og] = page.xpath('//meta[@property="og:image"]')
    assert og.get("content").startswith("http://testserver/media/uploads/")
    assert ".1200x0_" in og.get("content")
    assert page.xpath('//meta[@property="og:image:alt"]')[0].get("content") == "A long corridor"
    [figure] = page.xpath("//figure[@class='post__picture']")
    assert figure.xpath(".//img")[0].get("srcset")
    assert figure.xpath(".//figcaption")[0].text_content() == "The east wing Photo: A. Ruiz"


def test_a_post_without_a_featured_image_has_no_og_image(client) -> None:
    post = PostFactory(title="Plain")
    assert not html_of(client.get(post.get_absolute_url())).xpath('//meta[@property="og:image"]')


def test_a_featured_posts_teaser_shows_its_picture(client) -> None:
    PostFactory(title="Featured one", is_featured=True, featured_image=described())
    page = html_of(client.get("/"))
    [img] = page.xpath(
        "//section[contains(@class, 'widget--featured')]//img[@class='teaser__picture']"
    )
    assert img.get("srcset") and img.get("alt") == "A long corridor"


def test_feeds_carry_the_featured_image_as_an_enclosure(client, media: Path) -> None:
    item = described()
    PostFactory(title="Waiting rooms", featured_image=item)
    PostFactory(title="No picture")
    rendition = next(r for r in item.renditions if r[0] == 1200)
    for address in ("/feed/", "/feed/atom/"):
        parsed = feedparser.parse(io.BytesIO(client.get(address).content))
        entries = {entry.title: entry for entry in parsed.entries}
        [enclosure] = entries["Waiting rooms"].enclosures
        assert enclosure.href == f"http://testserver/media/{rendition[2]}"
        assert int(enclosure.length) == (media / rendition[2]).stat().st_size
        assert enclosure.type == "image/jpeg"
        assert entries["No picture"].enclosures == []


def queries_for(client, address: str) -> int:
    """What drawing the page costs cold: nothing kept, in the cache or in this process."""
    from django.core.cache import cache

    from stoa.core.templating import forget_kept

    cache.clear()
    forget_kept()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.parametrize("address", ["/", "/feed/"])
def test_pictures_cost_no_query_per_post(client, address: str) -> None:
    for n in range(2):
        PostFactory(title=f"Pictured {n}", featured_image=described(f"P{n}"))
    two = queries_for(client, address)
    assert two > 0  # drawn, not answered from a kept piece
    for n in range(2, 7):
        PostFactory(title=f"Pictured {n}", featured_image=described(f"P{n}"))
    assert queries_for(client, address) == two


def test_a_featured_image_needs_its_alternative_text() -> None:
    imported = services.create_media_item(
        title="Old photo", file=ContentFile(photo()), file_name="old.jpg", alt_required=False
    )
    post = PostFactory()
    with pytest.raises(ValidationError) as refused:
        services.set_featured_image(post=post, image=imported)
    assert "no alternative text yet" in refused.value.message_dict["featured_image"][0]
    post.refresh_from_db()
    assert post.featured_image is None


def test_a_document_cannot_be_a_featured_image() -> None:
    pdf = services.create_media_item(
        title="Report", file=ContentFile(b"%PDF-1.4\n%%EOF\n"), file_name="report.pdf"
    )
    with pytest.raises(ValidationError):
        services.set_featured_image(post=PostFactory(), image=pdf)


def test_a_picture_in_use_is_not_deleted_from_under_its_post() -> None:
    item = described()
    PostFactory(featured_image=item)
    with pytest.raises(ProtectedError):
        item.delete()


def test_the_post_forms_picture_chooser_offers_pictures_only(client) -> None:
    client.force_login(SuperuserFactory())
    picture = described()
    services.create_media_item(
        title="Corridor report", file=ContentFile(b"%PDF-1.4\n%%EOF\n"), file_name="c.pdf"
    )
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "publishing", "model_name": "post", "field_name": "featured_image"},
    )
    assert [row["id"] for row in response.json()["results"]] == [str(picture.pk)]


def test_an_editor_sets_a_featured_image_in_the_post_form(client) -> None:
    client.force_login(SuperuserFactory())
    post = PostFactory(title="Waiting rooms")
    item = described()
    form = client.get(f"/admin/publishing/post/{post.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "title": post.title,
            "slug": post.slug,
            "body": post.body,
            "authors": [str(p.pk) for p in post.authors.all()],
            "categories": [str(c.pk) for c in post.categories.all()],
            "status": post.status,
            "visibility": post.visibility,
            "published_at_0": post.published_at.strftime("%Y-%m-%d"),
            "published_at_1": post.published_at.strftime("%H:%M:%S"),
            "comments_open": "on",
            "featured_image": str(item.pk),
        }
    )
    response = client.post(f"/admin/publishing/post/{post.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Post.objects.get(pk=post.pk).featured_image == item


def test_a_picture_inserted_in_the_body_reaches_readers_with_its_srcset(client) -> None:
    from stoa.publishing.renditions import body_figure

    item = described()
    post = PostFactory(body=f"<p>Before the picture.</p>{body_figure(item)}<p>After.</p>")
    page = html_of(client.get(post.get_absolute_url()))
    [img] = page.xpath("//div[contains(@class, 'post__body')]//figure/img")
    assert img.get("alt") == "A long corridor" and img.get("loading") == "lazy"
    assert [c.split()[-1] for c in img.get("srcset").split(", ")] == [
        "480w",
        "800w",
        "1200w",
        "1600w",
    ]
    assert img.get("sizes") == "(min-width: 48rem) 42rem, calc(100vw - 2.5rem)"
    [caption] = page.xpath("//div[contains(@class, 'post__body')]//figure/figcaption")
    assert caption.text_content() == "The east wing Photo: A. Ruiz"
