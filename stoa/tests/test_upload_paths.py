"""Every way a picture comes into the site, through HTTP as people use it, meets the same
hostile files and refuses each with a message, storing nothing (issue 15): a decompression
bomb (a small PNG declaring 400 megapixels), a page named as a JPEG, a GIF/JavaScript
polyglot, a truncated PNG. The paths: a member's avatar, a series' artwork, a clip's poster,
a person's photo, the media library's form and the body editor's picture library (whose
pictures are also what featured images are chosen from)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from stoa.members.tests.factories import SuperuserFactory, UserFactory
from stoa.publishing.models import MediaItem, Person
from stoa.publishing.tests.factories import PersonFactory
from stoa.webcasts.models import Clip, Series
from stoa.webcasts.tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db


@functools.cache
def bomb() -> bytes:
    # 20,000 × 20,000 one-bit pixels compress to about 50 kB and decode to 400 megapixels
    # (1.6 GB as RGBA): below Pillow's own refusal (178 megapixels) only by a warning.
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "decompression bomb": ("huge.png", bomb, "too many pixels"),
    "a page named as a JPEG": (
        "photo.jpg",
        lambda: b"<!doctype html><html><body><script>alert(document.domain)</script>",
        "not a picture we can read",
    ),
    "a GIF/JavaScript polyglot": (
        "avatar.gif",
        lambda: b"GIF89a=1;/*\x01\x00\x01\x00\x00\x00\x00;*/alert(document.domain)//",
        "not a picture we can read",
    ),
    "a truncated PNG": ("cut.png", lambda: png()[:60], "not a picture we can read"),
}


def upload(case: str) -> SimpleUploadedFile:
    name, data, _ = HOSTILE[case]
    return SimpleUploadedFile(name, data(), content_type="image/png")


def said(response: Any) -> str:
    return " ".join(response.content.decode().split())


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def admin() -> Client:
    client = Client()
    client.force_login(SuperuserFactory())
    return client


def avatar(case: str) -> tuple[Any, bool]:
    client = Client()
    client.force_login(UserFactory())
    response = client.post(
        reverse("members:account"),
        {"display_name": "Ada", "bio": "", "credential": "", "avatar": upload(case)},
    )
    return response, response.status_code == 400


def artwork(case: str) -> tuple[Any, bool]:
    person = PersonFactory()
    data = {
        "title": "Working with Couples",
        "slug": "working-with-couples",
        "description": "About the series.",
        "presenters": [person.pk],
        "offer": "",
        "starts_0": "2026-01-05",
        "starts_1": "09:00:00",
        "ends_0": "",
        "ends_1": "",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "artwork": upload(case),
    }
    response = admin().post("/admin/webcasts/series/add/", data)
    return response, response.status_code == 200 and not Series.objects.exists()


def poster(case: str) -> tuple[Any, bool]:
    series = SeriesFactory()
    data = {
        "title": "A clip",
        "description": "",
        "series": series.pk,
        "session": "",
        "starts_at": "",
        "post": "",
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "poster": upload(case),
    }
    response = admin().post("/admin/webcasts/clip/add/", data)
    return response, response.status_code == 200 and not Clip.objects.exists()


def person_photo(case: str) -> tuple[Any, bool]:
    data = {"name": "Ada Quill", "slug": "ada-quill", "bio": "", "photo": upload(case)}
    response = admin().post("/admin/publishing/person/add/", data)
    return response, response.status_code == 200 and not Person.objects.exists()


def library_form(case: str) -> tuple[Any, bool]:
    data = {
        "title": "A picture",
        "upload": upload(case),
        "alt_text": "Something",
        "created_at_0": "2026-01-05",
        "created_at_1": "09:00:00",
    }
    response = admin().post("/admin/publishing/mediaitem/add/", data)
    return response, response.status_code == 200 and not MediaItem.objects.exists()


def editor_library(case: str) -> tuple[Any, bool]:
    data = {"file": upload(case), "alt_text": "Something"}
    response = admin().post(reverse("admin:publishing_mediaitem_library"), data)
    return response, response.status_code == 400 and not MediaItem.objects.exists()


PATHS = {
    "avatar": avatar,
    "series artwork": artwork,
    "clip poster": poster,
    "person photo": person_photo,
    "media library form": library_form,
    "editor's picture library": editor_library,
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
@pytest.mark.parametrize("path", PATHS, ids=list(PATHS))
def test_every_upload_path_refuses_a_hostile_picture_and_stores_nothing(
    path: str, case: str, media: Path
) -> None:
    response, refused = PATHS[path](case)
    assert refused, (response.status_code, said(response)[:1500])
    assert HOSTILE[case][2] in said(response)
    assert stored_files(media) == []


def test_a_person_photo_is_re_encoded_square_without_its_metadata(media: Path) -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    Image.new("RGB", (800, 500), (200, 40, 40)).save(out, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("ada.jpg", out.getvalue(), content_type="image/jpeg")
    data = {"name": "Ada Quill", "slug": "ada-quill", "bio": "", "photo": photo}
    response = admin().post("/admin/publishing/person/add/", data)
    assert response.status_code == 302, said(response)[:1500]
    stored = Person.objects.get().photo
    assert stored.name.startswith("people/ada") and stored.name.endswith(".webp")
    with Image.open(stored.path) as image:
        assert image.size == (384, 384) and not image.getexif()


def test_a_person_photo_over_the_size_limit_is_said_on_the_form(settings, media: Path) -> None:
    settings.STOA_UPLOAD_LIMITS = {"image": 1000}
    photo = SimpleUploadedFile("ada.png", png((400, 400)), content_type="image/png")
    data = {"name": "Ada Quill", "slug": "ada-quill", "bio": "", "photo": photo}
    response = admin().post("/admin/publishing/person/add/", data)
    assert response.status_code == 200 and "files of this kind may be" in said(response)
    assert stored_files(media) == []
