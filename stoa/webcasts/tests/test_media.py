"""Serving webcast files: HTTP ranges (so players can seek), conditional requests, the
nginx hand-off, and protected files (session recordings, every clip file) kept out of
/media/, a members-only article's clip sent to members only and `private`."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.storage import storages
from django.shortcuts import resolve_url
from django.test import Client, TestCase

from stoa.publishing.models import PostVisibility
from stoa.publishing.services import save_post
from stoa.publishing.tests.factories import PostFactory, UserFactory
from stoa.webcasts.media import ByteRange, Unsatisfiable, parse_range
from stoa.webcasts.storage import protected_storage
from stoa.webcasts.tests.factories import (
    ClipFactory,
    EnrolmentFactory,
    SessionFactory,
    webm_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=-50", ByteRange(950, 999)),
        ("bytes=-5000", ByteRange(0, 999)),
        ("bytes=990-5000", ByteRange(990, 999)),
        ("bytes=999-999", ByteRange(999, 999)),
        ("bytes=0-0,10-20", None),  # several ranges: the whole file
        ("bytes=20-10", None),  # not a valid range: ignored
        ("items=0-10", None),
        ("bytes=-", None),
        ("bytes=abc-", None),
    ],
)
def test_a_range_header_is_read_as_rfc_9110_says(header: str | None, expected: Any) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_outside_the_file_cannot_be_satisfied(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 1000)


def test_any_range_of_an_empty_file_cannot_be_satisfied() -> None:
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=-10", 0)


@pytest.fixture
def watching(member) -> tuple[Client, Any]:
    """An enrolled member's client, and a session with a recording."""
    session = SessionFactory()
    EnrolmentFactory(user=member, series=session.series)
    client = Client()
    client.force_login(member)
    return client, session


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_whole_video_comes_with_its_length_and_the_offer_of_ranges(watching) -> None:
    client, session = watching
    response = client.get(session.media_url("video"))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(webm_bytes()))
    assert response["Content-Disposition"] == "inline"
    assert body(response) == webm_bytes()


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-64", -64, None)],
)
def test_a_player_seeking_gets_206_with_exactly_the_bytes_asked(
    watching, header: str, start: int, end: int | None
) -> None:
    client, session = watching
    data = webm_bytes()
    size = len(data)
    response = client.get(session.media_url("video"), HTTP_RANGE=header)
    assert response.status_code == 206
    first = start % size
    last = size - 1 if end is None else end
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    assert body(response) == data[first : last + 1]


def test_a_range_past_the_end_answers_416_with_the_size(watching) -> None:
    client, session = watching
    size = len(webm_bytes())
    response = client.get(session.media_url("video"), HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"
    assert body(response) == b""


def test_several_ranges_get_the_whole_file(watching) -> None:
    client, session = watching
    response = client.get(session.media_url("video"), HTTP_RANGE="bytes=0-9,20-29")
    assert response.status_code == 200
    assert body(response) == webm_bytes()


def test_if_range_with_another_files_tag_gets_the_whole_file(watching) -> None:
    client, session = watching
    etag = client.head(session.media_url("video"))["ETag"]
    same = client.get(session.media_url("video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert same.status_code == 206
    other = client.get(session.media_url("video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"x"')
    assert other.status_code == 200
    assert body(other) == webm_bytes()


def test_a_copy_still_current_is_answered_304(watching) -> None:
    client, session = watching
    etag = client.get(session.media_url("video"))["ETag"]
    response = client.get(session.media_url("video"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert body(response) == b""


def test_head_gives_the_headers_without_the_bytes(watching) -> None:
    client, session = watching
    response = client.head(session.media_url("video"))
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(webm_bytes()))
    assert body(response) == b""


def test_with_nginx_in_front_the_view_hands_the_protected_file_over(watching, settings) -> None:
    settings.STOA_MEDIA_ACCEL_REDIRECT = "/protected/"
    client, session = watching
    response = client.get(session.media_url("video"), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{session.video.name}"
    assert response["Content-Type"] == "video/webm"
    assert body(response) == b""


def test_with_nginx_in_front_access_is_still_checked_first(client, settings) -> None:
    settings.STOA_MEDIA_ACCEL_REDIRECT = "/protected/"
    session = SessionFactory()
    response = client.get(session.media_url("video"))
    assert response.status_code == 302
    assert "X-Accel-Redirect" not in response


def test_a_clip_file_is_public_and_seekable(client) -> None:
    clip = ClipFactory(uploaded=True)
    response = client.get(clip.media_url("video"), HTTP_RANGE="bytes=0-3")
    assert response.status_code == 206
    assert body(response) == webm_bytes()[:4]
    assert response["Cache-Control"] == "public, max-age=86400"
    captions = client.get(clip.media_url("captions"))
    assert body(captions).startswith(b"WEBVTT")


def test_with_nginx_in_front_a_clip_file_is_handed_over_from_the_protected_location(
    client, settings
) -> None:
    settings.STOA_MEDIA_ACCEL_REDIRECT = "/protected/"
    clip = ClipFactory(uploaded=True)
    response = client.get(clip.media_url("video"))
    assert response["X-Accel-Redirect"] == f"/protected/{clip.video.name}"
    assert response["Cache-Control"] == "public, max-age=86400"


def test_a_clip_given_by_address_has_no_file_here(client) -> None:
    clip = ClipFactory()
    assert client.get(clip.media_url("video")).status_code == 404
    assert client.get("/series/clips/999999/video").status_code == 404


def test_session_files_live_outside_media_and_media_does_not_serve_them(client) -> None:
    session = SessionFactory()
    path = Path(protected_storage().path(session.video.name))
    assert path.read_bytes() == webm_bytes()
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert client.get(f"/media/{session.video.name}").status_code == 404


def test_files_are_stored_under_random_names_with_the_extension_of_what_they_are() -> None:
    from django.core.files.base import ContentFile

    session = SessionFactory(video=ContentFile(webm_bytes(), name="Talk (final).MP4"))
    assert session.video.name.startswith("sessions/")
    assert session.video.name.endswith(".webm")
    assert "Talk" not in session.video.name
    other = SessionFactory(series=session.series)
    assert other.video.name != session.video.name


def test_a_clip_waiting_for_its_article_is_not_there_yet_and_a_members_clip_asks_to_log_in(
    client, member
) -> None:
    from stoa.publishing.models import PostVisibility
    from stoa.publishing.tests.factories import PostFactory

    waiting = ClipFactory(uploaded=True, post=PostFactory(scheduled=True))
    assert client.get(waiting.media_url("video")).status_code == 404
    members_post = PostFactory()
    members_post.visibility = PostVisibility.MEMBERS
    members_post.save()
    for_members = ClipFactory(uploaded=True, post=members_post)
    response = client.get(for_members.media_url("video"))
    assert response.status_code == 302
    assert "?next=" in response["Location"]
    client.force_login(member)
    assert client.get(for_members.media_url("video")).status_code == 200


# --- Clip files: protected, whoever the article is for ----------------------------------------

CLIP_FILES = ("video", "captions", "poster")


def members_only_clip() -> Any:
    return ClipFactory(uploaded=True, post=PostFactory(members_only=True))


def test_clip_files_live_outside_media_and_media_does_not_serve_them(client) -> None:
    clip = ClipFactory(uploaded=True, post=PostFactory())
    for kind in CLIP_FILES:
        name = getattr(clip, kind).name
        path = Path(protected_storage().path(name))
        assert path.is_file(), kind
        assert not path.is_relative_to(Path(settings.MEDIA_ROOT)), kind
        assert client.get(f"/media/{name}").status_code == 404, kind


def test_a_public_clips_files_are_served_by_the_view_for_shared_caches(client) -> None:
    clip = ClipFactory(uploaded=True, post=PostFactory())
    for kind, content_type in zip(
        CLIP_FILES, ("video/webm", "text/vtt; charset=utf-8", "image/png"), strict=True
    ):
        response = client.get(clip.media_url(kind))
        assert response.status_code == 200, kind
        assert response["Content-Type"] == content_type
        assert response["Cache-Control"] == "public, max-age=86400"
    assert body(client.get(clip.media_url("poster"))).startswith(b"\x89PNG")


@pytest.mark.parametrize("kind", CLIP_FILES)
def test_a_members_only_articles_clip_files_send_a_visitor_to_log_in(client, kind) -> None:
    clip = members_only_clip()
    response = client.get(clip.media_url(kind))
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == resolve_url(settings.LOGIN_URL)
    assert "public" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("kind", CLIP_FILES)
def test_a_members_only_articles_clip_files_go_to_members_privately(member, kind) -> None:
    clip = members_only_clip()
    client = Client()
    client.force_login(member)
    response = client.get(clip.media_url(kind))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"
    assert body(response) == protected_storage().open(getattr(clip, kind).name).read()


def test_with_nginx_in_front_a_members_only_clip_goes_privately_through_protected(
    member, settings
) -> None:
    settings.STOA_MEDIA_ACCEL_REDIRECT = "/protected/"
    clip = members_only_clip()
    client = Client()
    client.force_login(member)
    response = client.get(clip.media_url("video"))
    assert response["X-Accel-Redirect"] == f"/protected/{clip.video.name}"
    assert response["Cache-Control"] == "private, max-age=3600"


def test_a_clip_turns_private_the_moment_its_article_becomes_members_only(client) -> None:
    post = PostFactory()
    clip = ClipFactory(uploaded=True, post=post)
    assert client.get(clip.media_url("video"))["Cache-Control"] == "public, max-age=86400"

    post.visibility = PostVisibility.MEMBERS
    save_post(post=post)

    assert client.get(clip.media_url("video")).status_code == 302
    reader = Client()
    reader.force_login(UserFactory())
    assert reader.get(clip.media_url("video"))["Cache-Control"] == "private, max-age=3600"
    # Nothing moved: the file is where it was, and still not under /media/.
    assert client.get(f"/media/{clip.video.name}").status_code == 404


def test_an_editor_previewing_a_drafts_clip_gets_it_privately(editor) -> None:
    clip = ClipFactory(uploaded=True, post=PostFactory(draft=True))
    client = Client()
    client.force_login(editor)
    response = client.get(clip.media_url("poster"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"


def test_the_post_page_points_the_player_at_the_clip_views(member) -> None:
    clip = members_only_clip()
    client = Client()
    client.force_login(member)
    html = client.get(clip.post.get_absolute_url()).content.decode()
    for kind in CLIP_FILES:
        assert clip.media_url(kind) in html
    assert "/media/" not in html.split("<main", 1)[1].split("</main>", 1)[0]


# --- The migration that moved existing clip files ---------------------------------------------


def test_the_migration_moves_existing_clip_files_out_of_media() -> None:
    migration = importlib.import_module("stoa.webcasts.migrations.0003_clip_files_protected")
    clip = ClipFactory(uploaded=True, post=PostFactory(members_only=True))
    public = storages["default"]
    # As the rows were before: the files in the public media folder.
    for kind in CLIP_FILES:
        name = getattr(clip, kind).name
        with protected_storage().open(name) as content:
            public.save(name, content)
        protected_storage().delete(name)

    with TestCase.captureOnCommitCallbacks(execute=True):
        migration.to_protected(django_apps, None)

    for kind in CLIP_FILES:
        name = getattr(clip, kind).name
        assert protected_storage().exists(name), kind
        assert not public.exists(name), kind
    assert Client().get(clip.media_url("video")).status_code == 302
