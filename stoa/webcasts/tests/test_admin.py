"""The back office, through the admin's own forms: bad uploads are errors on the form
(never a server error), images are re-encoded, enrolments go through services.enrol,
codes are generated and normalised, release-notice addresses can be taken out as CSV."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from stoa.members.roles import Role
from stoa.publishing.tests.factories import (
    PersonFactory,
    PostFactory,
    SuperuserFactory,
    UserFactory,
)
from stoa.webcasts.models import AccessCode, Clip, Enrolment, EnrolmentSource, Series, Session
from stoa.webcasts.storage import protected_storage
from stoa.webcasts.tests.factories import (
    ClipFactory,
    SeriesFactory,
    SessionFactory,
    png_bytes,
    webm_bytes,
)
from stoa.webcasts.tests.test_validators import jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(SuperuserFactory())
    return client


@pytest.fixture
def role_editor() -> Any:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=Role.EDITOR))
    return user


def series_form(**fields: Any) -> dict[str, Any]:
    """What the series add form posts, with one session in the inline."""
    person = PersonFactory()
    data = {
        "title": "Working with Couples",
        "slug": "working-with-couples",
        "description": "About the series.",
        "presenters": [person.pk],
        "offer": "$149",
        "is_published": "on",
        "starts_0": "2026-01-05",
        "starts_1": "09:00:00",
        "ends_0": "2099-03-01",
        "ends_1": "18:00:00",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-position": "0",
        "sessions-0-title": "The fight you have heard before",
        "sessions-0-slug": "the-fight",
        "sessions-0-description": "",
        "sessions-0-duration": "00:48:00",
        "_save": "Save",
    }
    return data | fields


def errors_of(response: Any) -> str:
    return " ".join(response.content.decode().split())


def protected_files() -> list[Path]:
    return [p for p in Path(protected_storage().path("")).rglob("*") if p.is_file()]


def test_a_series_is_added_with_its_session_and_recording(admin_client) -> None:
    data = series_form(
        **{
            "sessions-0-video": SimpleUploadedFile("talk.webm", webm_bytes()),
            "sessions-0-captions": SimpleUploadedFile("talk.vtt", b"WEBVTT\n\n"),
        }
    )
    response = admin_client.post("/admin/webcasts/series/add/", data)
    assert response.status_code == 302, errors_of(response)
    session = Session.objects.get()
    assert session.series.title == "Working with Couples"
    assert session.video.name.endswith(".webm") and session.captions.name.endswith(".vtt")
    assert Path(protected_storage().path(session.video.name)).read_bytes() == webm_bytes()


def test_a_series_with_recordings_opens_and_saves_without_uploading_again(admin_client) -> None:
    session = SessionFactory()
    series = session.series
    url = f"/admin/webcasts/series/{series.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert session.video.name in page.content.decode()
    assert f'href="/media/{session.video.name}"' not in page.content.decode()
    data = series_form(
        title="Renamed",
        slug=series.slug,
        **{
            "sessions-INITIAL_FORMS": "1",
            "sessions-0-id": session.pk,
            "sessions-0-series": series.pk,
            "sessions-0-slug": session.slug,
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    session.refresh_from_db()
    assert session.series.title == "Renamed"
    assert Path(protected_storage().path(session.video.name)).read_bytes() == webm_bytes()


def test_an_image_uploaded_as_a_session_video_is_an_error_on_the_form(admin_client) -> None:
    data = series_form(**{"sessions-0-video": SimpleUploadedFile("talk.mp4", png_bytes())})
    response = admin_client.post("/admin/webcasts/series/add/", data)
    assert response.status_code == 200
    assert "This file is not an MP4 or WebM video: it is a PNG image" in errors_of(response)
    assert not Series.objects.exists() and not Session.objects.exists()
    assert protected_files() == []


def test_artwork_is_re_encoded_without_its_metadata(admin_client) -> None:
    data = series_form(artwork=SimpleUploadedFile("cover.jpg", jpeg_with_exif()))
    response = admin_client.post("/admin/webcasts/series/add/", data)
    assert response.status_code == 302, errors_of(response)
    artwork = Series.objects.get().artwork
    image = Image.open(io.BytesIO(artwork.read()))
    assert image.format == "JPEG" and not image.getexif()
    assert artwork.name.startswith("webcasts/artwork/") and artwork.name.endswith(".jpg")


def test_a_broken_image_is_an_error_on_the_form(admin_client) -> None:
    data = series_form(artwork=SimpleUploadedFile("cover.png", png_bytes()[:30]))
    response = admin_client.post("/admin/webcasts/series/add/", data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Series.objects.exists()


def clip_form(series: Series, **fields: Any) -> dict[str, Any]:
    data = {
        "title": "A clip",
        "description": "",
        "series": series.pk,
        "session": "",
        "starts_at": "",
        "post": "",
        "video_url": "",
        "_save": "Save",
    }
    return data | fields


def test_a_clip_with_an_address_off_the_allowlist_is_refused(admin_client) -> None:
    series = SeriesFactory()
    response = admin_client.post(
        "/admin/webcasts/clip/add/", clip_form(series, video_url="https://evil.example/x.mp4")
    )
    assert response.status_code == 200
    assert "Use a YouTube or Vimeo link" in errors_of(response)
    assert not Clip.objects.exists()


def test_a_clip_needs_one_video_source_not_two(admin_client) -> None:
    series = SeriesFactory()
    both = clip_form(
        series,
        video_url="https://vimeo.com/76979871",
        video=SimpleUploadedFile("c.webm", webm_bytes()),
    )
    response = admin_client.post("/admin/webcasts/clip/add/", both)
    assert response.status_code == 200
    assert "Upload a video file or give a video address (one of the two)." in errors_of(response)
    response = admin_client.post("/admin/webcasts/clip/add/", clip_form(series))
    assert response.status_code == 200
    assert not Clip.objects.exists()


def test_a_clip_is_uploaded_with_captions_and_a_re_encoded_poster(admin_client) -> None:
    series = SeriesFactory()
    data = clip_form(
        series,
        video=SimpleUploadedFile("c.mp4", webm_bytes()),
        captions=SimpleUploadedFile("c.vtt", b"WEBVTT\n\n"),
        poster=SimpleUploadedFile("still.png", png_bytes((50, 30))),
    )
    response = admin_client.post("/admin/webcasts/clip/add/", data)
    assert response.status_code == 302, errors_of(response)
    clip = Clip.objects.get()
    assert clip.video.name.endswith(".webm")
    assert Image.open(clip.poster).size == (50, 30)


def test_a_clips_change_page_names_its_protected_files_without_a_public_address(
    admin_client,
) -> None:
    clip = ClipFactory(uploaded=True)

    response = admin_client.get(f"/admin/webcasts/clip/{clip.pk}/change/")

    assert response.status_code == 200
    html = errors_of(response)
    for name in (clip.video.name, clip.captions.name, clip.poster.name):
        assert name in html
        assert f"/media/{name}" not in html
    assert "protected: played on its article" in html


# --- Which article a clip may go on: one the user may change -----------------------------------


@pytest.fixture
def author() -> Any:
    """An account in the Author role, credited as a person (authors may add clips)."""
    user = UserFactory(role=Role.AUTHOR)
    PersonFactory(name="Ada Quill", user=user)
    return user


def test_an_author_attaches_a_clip_to_their_own_draft(client, author) -> None:
    draft = PostFactory(authors=[author.person], draft=True)
    client.force_login(author)

    response = client.post(
        "/admin/webcasts/clip/add/",
        clip_form(SeriesFactory(), post=draft.pk, video_url="https://vimeo.com/76979871"),
    )

    assert response.status_code == 302, errors_of(response)
    assert Clip.objects.get().post == draft


@pytest.mark.parametrize(
    "target",
    ["someone else's published post", "someone else's draft", "their own published post"],
)
def test_an_author_may_not_put_a_clip_on_a_post_they_may_not_change(client, author, target) -> None:
    post = {
        "someone else's published post": lambda: PostFactory(),
        "someone else's draft": lambda: PostFactory(draft=True),
        "their own published post": lambda: PostFactory(authors=[author.person]),
    }[target]()
    client.force_login(author)

    response = client.post(
        "/admin/webcasts/clip/add/",
        clip_form(SeriesFactory(), post=post.pk, video_url="https://vimeo.com/76979871"),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in errors_of(response)
    assert not Clip.objects.exists()
    assert 'id="clip-player"' not in Client().get(post.get_absolute_url()).content.decode()


def post_choices(client: Client) -> set[str]:
    """The posts the clip form's article autocomplete offers."""
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "webcasts", "model_name": "clip", "field_name": "post", "term": ""},
    )
    assert response.status_code == 200
    return {result["text"] for result in response.json()["results"]}


def test_the_article_autocomplete_offers_an_author_only_their_unpublished_posts(
    client, author
) -> None:
    PostFactory(title="Own Draft", authors=[author.person], draft=True)
    PostFactory(title="Own Pending", authors=[author.person], pending=True)
    PostFactory(title="Own Published", authors=[author.person])
    PostFactory(title="Others' Published")
    PostFactory(title="Others' Draft", draft=True)
    client.force_login(author)

    assert post_choices(client) == {"Own Draft", "Own Pending"}


def test_the_article_autocomplete_offers_an_editor_every_post(client, role_editor) -> None:
    PostFactory(title="Someone's Published")
    PostFactory(title="Someone's Draft", draft=True)
    client.force_login(role_editor)

    assert post_choices(client) == {"Someone's Published", "Someone's Draft"}


def test_an_editor_puts_a_clip_on_anyones_published_post(client, role_editor) -> None:
    post = PostFactory()
    client.force_login(role_editor)

    response = client.post(
        "/admin/webcasts/clip/add/",
        clip_form(SeriesFactory(), post=post.pk, video_url="https://vimeo.com/76979871"),
    )

    assert response.status_code == 302, errors_of(response)
    assert Clip.objects.get().post == post


def test_an_editor_grants_an_enrolment_by_the_members_email(client, role_editor) -> None:
    series = SeriesFactory()
    member = UserFactory(email="Mia@Example.org")
    client.force_login(role_editor)
    response = client.post(
        "/admin/webcasts/enrolment/add/",
        {"email": "mia@example.org", "series": series.pk, "until_0": "", "until_1": ""},
    )
    assert response.status_code == 302, errors_of(response)
    enrolment = Enrolment.objects.get()
    assert (enrolment.user, enrolment.series) == (member, series)
    assert (enrolment.source, enrolment.granted_by) == (EnrolmentSource.EDITOR, role_editor)
    assert response["Location"] == "/admin/webcasts/enrolment/"


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("unknown email", "No active member has this email address."),
        ("already enrolled", "This member already has an enrolment in this series"),
        ("series ended", "has ended: nobody can enrol any more."),
    ],
)
def test_an_enrolment_that_cannot_be_granted_says_why(admin_client, situation, message) -> None:
    series = SeriesFactory(ended=True) if situation == "series ended" else SeriesFactory()
    member = UserFactory(email="mia@example.org")
    if situation == "already enrolled":
        Enrolment.objects.create(user=member, series=series)
    email = "nobody@example.org" if situation == "unknown email" else member.email
    response = admin_client.post(
        "/admin/webcasts/enrolment/add/",
        {"email": email, "series": series.pk, "until_0": "", "until_1": ""},
    )
    assert response.status_code == 200
    assert message in errors_of(response)
    assert Enrolment.objects.count() == (1 if situation == "already enrolled" else 0)


def test_an_access_code_left_empty_is_generated_and_a_typed_one_normalised(admin_client) -> None:
    series = SeriesFactory()
    form = {"series": series.pk, "max_uses": "5", "note": "", "_save": "Save"}
    assert (
        admin_client.post("/admin/webcasts/accesscode/add/", form | {"code": ""}).status_code == 302
    )
    generated = AccessCode.objects.get()
    assert len(generated.code) == 12
    response = admin_client.post("/admin/webcasts/accesscode/add/", form | {"code": "spring-26"})
    assert response.status_code == 302
    assert AccessCode.objects.filter(code="SPRING26").exists()
    duplicate = admin_client.post("/admin/webcasts/accesscode/add/", form | {"code": "Spring 26"})
    assert duplicate.status_code == 200
    assert "already exists" in errors_of(duplicate)


def test_the_series_action_generates_single_use_codes(admin_client) -> None:
    series = SeriesFactory()
    response = admin_client.post(
        "/admin/webcasts/series/",
        {"action": "generate_codes", "_selected_action": [series.pk]},
        follow=True,
    )
    codes = AccessCode.objects.filter(series=series)
    assert codes.count() == 10
    assert {c.max_uses for c in codes} == {1}
    assert codes.first().display_code in errors_of(response)


def test_release_notice_addresses_download_as_csv_without_formulas(admin_client) -> None:
    from stoa.webcasts import services

    series = SeriesFactory(ended=True)
    first = services.request_release_notice(email="ana@example.org", series=series)
    second = services.request_release_notice(email="=cmd@example.org", series=series)
    response = admin_client.post(
        "/admin/webcasts/releasenotice/",
        {"action": "download_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = response.content.decode().splitlines()
    assert rows[0] == "email,series,asked,notified"
    assert any(row.startswith("ana@example.org,") for row in rows)
    assert any(row.startswith("'=cmd@example.org,") for row in rows)


@pytest.mark.parametrize(
    "path",
    [
        "series",
        "series/add",
        "clip",
        "clip/add",
        "enrolment",
        "enrolment/add",
        "accesscode",
        "accesscode/add",
        "redemption",
        "releasenotice",
    ],
)
def test_every_page_of_the_webcast_back_office_opens_for_an_editor(
    client, role_editor, path
) -> None:
    SessionFactory()
    client.force_login(role_editor)
    assert client.get(f"/admin/webcasts/{path}/").status_code == 200


def test_a_moderator_has_no_webcast_back_office(client) -> None:
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name=Role.MODERATOR))
    client.force_login(moderator)
    assert client.get("/admin/webcasts/series/").status_code == 403
