"""The media library: pictures through the one image pipeline, documents kept as they came,
items brought over without their file, and the back office's list and form."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from PIL import Image

from stoa.core import cache
from stoa.members.roles import Role, assign_role
from stoa.publishing import services
from stoa.publishing.models import MediaItem
from stoa.publishing.tests.factories import PostFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    return temporary_media


def picture(size: tuple[int, int] = (40, 30), fmt: str = "JPEG", **info: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format=fmt, **info)
    return out.getvalue()


def version() -> str:
    cache.forget_request_version()
    return cache.content_version()


def test_a_picture_is_re_encoded_and_its_size_recorded(media: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    item = services.create_media_item(
        title="Waiting room",
        file=ContentFile(picture((40, 30), exif=exif)),
        file_name="waiting-room.jpeg",
        alt_text="Four chairs by a window",
        caption="The room before the first session",
        credit="Photo: M. Ortega",
        created_at=dt.datetime(2024, 3, 5, 9, tzinfo=dt.UTC),
    )
    item.refresh_from_db()
    assert (item.content_type, item.width, item.height) == ("image/jpeg", 40, 30)
    assert item.file.name == "uploads/2024/03/waiting-room.jpg"
    assert item.url == "/media/uploads/2024/03/waiting-room.jpg"
    stored = (media / item.file.name).read_bytes()
    assert item.file_size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()  # nothing of the upload but its pixels
    assert (item.alt_text, item.credit) == ("Four chairs by a window", "Photo: M. Ortega")


def test_a_large_picture_is_scaled_down_to_the_library_size() -> None:
    item = services.create_media_item(
        title="Wide",
        file=ContentFile(picture((3000, 1000), "PNG")),
        file_name="wide.png",
        alt_text="A wide orange field",
    )
    assert (item.width, item.height, item.content_type) == (2560, 853, "image/png")


def test_a_gif_is_stored_as_a_png() -> None:
    item = services.create_media_item(
        title="Spinner",
        file=ContentFile(picture((10, 10), "GIF")),
        file_name="spinner.gif",
        alt_text="An orange square",
    )
    assert item.content_type == "image/png"
    assert item.file.name.endswith("/spinner.png")


def test_a_picture_named_as_something_else_is_still_a_picture() -> None:
    item = services.create_media_item(
        title="Renamed", file=ContentFile(picture()), file_name="report.pdf", alt_text="Orange"
    )
    assert item.is_image and item.file.name.endswith("/report.jpg")


def test_a_picture_of_too_many_pixels_is_refused_and_nothing_is_written(settings) -> None:
    settings.STOA_IMAGE_MAX_PIXELS = 100
    with pytest.raises(ValidationError) as refused:
        services.create_media_item(title="Bomb", file=ContentFile(picture((20, 20))))
    assert "too many pixels" in refused.value.message_dict["file"][0]
    assert not MediaItem.objects.exists()


def test_a_file_named_as_a_picture_that_is_none_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_media_item(
            title="Fake", file=ContentFile(b"<html>hello</html>"), file_name="photo.jpg"
        )
    assert "not a picture we can read" in refused.value.message_dict["file"][0]


def test_a_pdf_is_kept_as_it_came(media: Path) -> None:
    item = services.create_media_item(
        title="Intake form", file=ContentFile(PDF), file_name="intake form.pdf"
    )
    assert item.content_type == "application/pdf"
    assert (item.width, item.height) == (None, None)
    assert (media / item.file.name).read_bytes() == PDF
    assert item.file.name.endswith("/intake_form.pdf")


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("page.html", b"<script>alert(1)</script>", "not taken"),
        ("logo.svg", b"<svg onload='alert(1)'/>", "not taken"),
        ("notes.pdf", b"<html>not a pdf</html>", "not the PDF"),
        ("notes.txt", b"<b>markup</b>", "not the TXT"),
    ],
)
def test_files_that_could_run_as_the_site_are_refused(name: str, data: bytes, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_media_item(title="X", file=ContentFile(data), file_name=name)
    assert says in refused.value.message_dict["file"][0]
    assert not MediaItem.objects.exists()


def test_a_document_over_the_limit_is_refused(settings) -> None:
    settings.STOA_UPLOAD_LIMITS = {**settings.STOA_UPLOAD_LIMITS, "media": 10}
    with pytest.raises(ValidationError):
        services.create_media_item(title="Big", file=ContentFile(PDF), file_name="big.pdf")


def test_an_item_without_its_file_keeps_its_old_address() -> None:
    url = "https://practice-sample.example/wp-content/uploads/2024/03/two-chairs.jpg"
    item = services.create_media_item(title="Two chairs", source_url=url, alt_text="Two chairs")
    assert item.url == url
    assert item.content_type == "image/jpeg" and not item.file


def test_an_item_needs_a_file_or_an_address() -> None:
    with pytest.raises(ValidationError):
        services.create_media_item(title="Nothing")
    assert not MediaItem.objects.exists()


def test_updating_changes_only_the_fields_given() -> None:
    item = services.create_media_item(
        title="Old", source_url="/wp-content/uploads/a.jpg", alt_text="Alt", caption="Cap"
    )
    services.update_media_item(item=item, title="New", caption="")
    item.refresh_from_db()
    assert (item.title, item.alt_text, item.caption) == ("New", "Alt", "")


def test_the_file_arriving_later_replaces_the_old_address_as_the_url() -> None:
    item = services.create_media_item(title="Chairs", source_url="/wp-content/uploads/c.jpg")
    services.update_media_item(
        item=item, file=ContentFile(picture()), file_name="c.jpg", alt_required=False
    )
    assert item.url.startswith("/media/uploads/") and item.is_image


def test_a_new_file_replaces_the_old_one_and_the_same_file_stores_nothing(
    media: Path, django_capture_on_commit_callbacks
) -> None:
    item = services.create_media_item(
        title="Chairs", file=ContentFile(picture((40, 30))), file_name="c.jpg", alt_text="Chairs"
    )
    first = item.file.name
    services.update_media_item(item=item, file=ContentFile(picture((40, 30))), file_name="c.jpg")
    assert item.file.name == first  # an import run again stores nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.update_media_item(
            item=item, file=ContentFile(picture((20, 20))), file_name="c.jpg"
        )
    assert item.file.name != first and (item.width, item.height) == (20, 20)
    assert not (media / first).exists()
    assert (media / item.file.name).exists()


def test_a_media_item_changed_starts_a_new_content_version() -> None:
    item = services.create_media_item(title="Chairs", source_url="/wp-content/uploads/c.jpg")
    before = version()
    services.update_media_item(item=item, alt_text="Two chairs facing")
    assert version() != before


# ---------------------------------------------------------------------------- back office


@pytest.fixture
def admin_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_an_editor_uploads_a_picture_in_the_back_office(client) -> None:
    editor = assign_role(user=UserFactory(), role=Role.EDITOR)
    client.force_login(editor)
    upload = SimpleUploadedFile("chairs.png", picture((30, 20), "PNG"), content_type="image/png")
    response = client.post(
        reverse("admin:publishing_mediaitem_add"),
        {
            "title": "Chairs",
            "upload": upload,
            "alt_text": "Two chairs",
            "caption": "",
            "credit": "",
            "source_url": "",
            "created_at_0": "2024-03-05",
            "created_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content
    item = MediaItem.objects.get()
    assert (item.title, item.width, item.content_type) == ("Chairs", 30, "image/png")
    listing = client.get(reverse("admin:publishing_mediaitem_changelist"), {"q": "two chairs"})
    assert "Chairs" in listing.content.decode()


def test_a_refused_upload_is_said_on_the_form(admin_client) -> None:
    upload = SimpleUploadedFile("x.svg", b"<svg/>", content_type="image/svg+xml")
    response = admin_client.post(
        reverse("admin:publishing_mediaitem_add"),
        {"title": "X", "upload": upload, "created_at_0": "2024-03-05", "created_at_1": "09:00"},
    )
    assert response.status_code == 200
    assert "Files of this kind are not taken" in response.content.decode()
    assert not MediaItem.objects.exists()


def test_editing_an_item_in_the_back_office_keeps_its_file(admin_client) -> None:
    item = services.create_media_item(
        title="C", file=ContentFile(picture()), file_name="c.jpg", alt_text="Chairs"
    )
    name = item.file.name
    response = admin_client.post(
        reverse("admin:publishing_mediaitem_change", args=[item.pk]),
        {
            "title": "Chairs",
            "alt_text": "Chairs by the window",
            "created_at_0": "2024-03-05",
            "created_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.alt_text, item.file.name) == ("Chairs", "Chairs by the window", name)


def test_an_author_may_add_files_but_not_change_others(client) -> None:
    author = assign_role(user=UserFactory(), role=Role.AUTHOR)
    assert author.has_perm("publishing.add_mediaitem")
    assert not author.has_perm("publishing.change_mediaitem")


# ------------------------------------------------------------- the editor's picture library

LIBRARY = "admin:publishing_mediaitem_library"


def test_the_library_lists_described_pictures_newest_first_with_their_markup(
    admin_client,
) -> None:
    older = services.create_media_item(
        title="Corridor",
        file=ContentFile(picture((900, 600))),
        file_name="corridor.jpg",
        alt_text="A long corridor",
        caption="The east wing",
        credit="Photo: A. Ruiz",
        created_at=dt.datetime(2024, 3, 5, 9, tzinfo=dt.UTC),
    )
    services.create_media_item(title="Report", file=ContentFile(PDF), file_name="report.pdf")
    newer = services.create_media_item(
        title="Chairs", file=ContentFile(picture()), file_name="chairs.jpg", alt_text="Two chairs"
    )
    response = admin_client.get(reverse(LIBRARY))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert (data["count"], data["page"], data["next"]) == (2, 1, None)
    assert [entry["id"] for entry in data["results"]] == [newer.pk, older.pk]
    entry = data["results"][1]
    assert entry["alt"] == "A long corridor" and entry["credit"] == "Photo: A. Ruiz"
    assert (entry["width"], entry["height"]) == (900, 600)
    assert entry["srcset"].endswith("900w") and "480w" in entry["srcset"]
    assert entry["html"].startswith("<figure><img ") and "The east wing" in entry["html"]


def test_the_library_searches_title_alt_text_and_caption(admin_client) -> None:
    for title, alt, caption in [
        ("Corridor", "A long corridor", ""),
        ("Chairs", "Two chairs", "In the waiting room"),
        ("Lamp", "A desk lamp", ""),
    ]:
        services.create_media_item(
            title=title,
            file=ContentFile(picture()),
            file_name="x.jpg",
            alt_text=alt,
            caption=caption,
        )
    found = admin_client.get(reverse(LIBRARY), {"q": "waiting"}).json()["results"]
    assert [entry["title"] for entry in found] == ["Chairs"]
    found = admin_client.get(reverse(LIBRARY), {"q": "LONG corridor"}).json()["results"]
    assert [entry["title"] for entry in found] == ["Corridor"]
    assert admin_client.get(reverse(LIBRARY), {"q": "piano"}).json()["count"] == 0


def test_the_library_pages_and_reads_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
) -> None:
    for n in range(30):
        services.create_media_item(
            title=f"P{n}", file=ContentFile(picture()), file_name="p.jpg", alt_text=f"Pic {n}"
        )
    with django_assert_max_num_queries(6):  # session, user, count, page
        first = admin_client.get(reverse(LIBRARY)).json()
    assert len(first["results"]) == 24 and first["next"] == "?q=&page=2"
    second = admin_client.get(reverse(LIBRARY) + first["next"]).json()
    assert len(second["results"]) == 6 and second["next"] is None


def test_an_upload_through_the_library_needs_alt_text_and_keeps_nothing_when_refused(
    admin_client, media: Path
) -> None:
    upload = SimpleUploadedFile("desk.png", picture((600, 400), "PNG"), "image/png")
    response = admin_client.post(reverse(LIBRARY), {"file": upload, "alt_text": "  "})
    assert response.status_code == 400
    assert "Describe the picture" in response.json()["errors"]["alt_text"][0]
    assert not MediaItem.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))  # nor its file, nor renditions
    upload = SimpleUploadedFile("desk.png", picture((600, 400), "PNG"), "image/png")
    response = admin_client.post(
        reverse(LIBRARY), {"file": upload, "alt_text": "A desk", "caption": "Mine"}
    )
    assert response.status_code == 201
    assert response.json()["alt"] == "A desk"
    assert MediaItem.objects.get().renditions[0][0] == 480


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("notes.pdf", PDF, "not a picture"),
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "not a picture we can read"),
        ("photo.png", picture((40, 30), "PNG")[:60], "damaged or incomplete"),
    ],
)
def test_the_library_refuses_what_is_not_the_picture_it_claims(
    admin_client, name: str, data: bytes, says: str
) -> None:
    upload = SimpleUploadedFile(name, data, "image/jpeg")
    response = admin_client.post(reverse(LIBRARY), {"file": upload, "alt_text": "A"})
    assert response.status_code == 400
    assert says in response.json()["errors"]["file"][0]
    assert not MediaItem.objects.exists()


def test_the_library_refuses_a_decompression_bomb_from_its_header(admin_client) -> None:
    # A 2 kB PNG declaring 20,000 × 20,000 pixels: 400 megapixels, 1.6 GB decoded.
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, format="PNG")
    upload = SimpleUploadedFile("bomb.png", bomb.getvalue(), "image/png")
    response = admin_client.post(reverse(LIBRARY), {"file": upload, "alt_text": "A"})
    assert response.status_code == 400
    assert "too many pixels" in response.json()["errors"]["file"][0]


def test_the_library_is_the_back_offices_only(client) -> None:
    assert client.get(reverse(LIBRARY)).status_code == 302  # to the admin's log-in
    client.force_login(UserFactory())
    assert client.get(reverse(LIBRARY)).status_code == 302
    author = assign_role(user=UserFactory(), role=Role.AUTHOR)
    client.force_login(author)
    assert client.get(reverse(LIBRARY)).status_code == 200  # authors insert pictures too


def test_a_picture_cannot_be_saved_in_the_back_office_without_alt_text(admin_client) -> None:
    upload = SimpleUploadedFile("chairs.png", picture((30, 20), "PNG"), content_type="image/png")
    response = admin_client.post(
        reverse("admin:publishing_mediaitem_add"),
        {
            "title": "Chairs",
            "upload": upload,
            "alt_text": "",
            "created_at_0": "2024-03-05",
            "created_at_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "Describe the picture" in response.content.decode()
    assert not MediaItem.objects.exists()


# ---------------------------------------------------------------------------- deleting


def stored_picture(width: int = 1000) -> MediaItem:
    return services.create_media_item(
        title="Chairs",
        file=ContentFile(picture((width, width * 3 // 4))),
        file_name="chairs.jpg",
        alt_text="Chairs",
    )


def files_of(item: MediaItem) -> list[str]:
    return [item.file.name, *(str(r[2]) for r in item.renditions)]


def test_deleting_an_item_removes_its_file_and_renditions_once_committed(
    media: Path, django_capture_on_commit_callbacks
) -> None:
    item = stored_picture()
    names = files_of(item)
    assert len(names) == 3 and all((media / name).exists() for name in names)  # 480, 800
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_media_item(item=item)
    assert not MediaItem.objects.exists()
    assert not [name for name in names if (media / name).exists()]


def test_a_deletion_rolled_back_keeps_the_files(media: Path) -> None:
    item = stored_picture()
    pk, names = item.pk, files_of(item)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.delete_media_item(item=item)
        raise RuntimeError("the request failed after the delete")
    assert MediaItem.objects.filter(pk=pk).exists()
    assert all((media / name).exists() for name in names)


def test_a_featured_picture_is_not_deleted_from_under_its_post(media: Path) -> None:
    item = stored_picture()
    PostFactory(featured_image=item)
    with pytest.raises(ProtectedError):
        services.delete_media_item(item=item)
    assert (media / item.file.name).exists()


def test_deleting_in_the_back_office_removes_the_files(
    admin_client, media: Path, django_capture_on_commit_callbacks
) -> None:
    one, two, kept = stored_picture(), stored_picture(900), stored_picture(700)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:publishing_mediaitem_delete", args=[one.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:publishing_mediaitem_changelist"),
            {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert list(MediaItem.objects.all()) == [kept]
    gone = files_of(one) + files_of(two)
    assert not [name for name in gone if (media / name).exists()]
    assert all((media / name).exists() for name in files_of(kept))
