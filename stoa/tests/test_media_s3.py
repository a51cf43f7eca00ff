"""Media on S3-compatible storage (issue 14), against a local S3 server the test starts (moto's
server mode, from PyPI, on 127.0.0.1): the settings STOA_MEDIA_STORAGE=s3 makes, a file
through Django's storage API, a picture through the media library's own upload path, and
webcast clip files in the protected storage, which must never become public addresses:
private objects in the bucket, sent only by the view that checks access."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from moto.server import ThreadedMotoServer

from stoa import nginx
from stoa.publishing.services import create_media_item
from stoa.publishing.tests.factories import PostFactory
from stoa.webcasts.storage import protected_storage
from stoa.webcasts.tests.factories import ClipFactory, png_bytes

BUCKET = "stoa-media"
KEYS = {"AWS_ACCESS_KEY_ID": "stoa-test", "AWS_SECRET_ACCESS_KEY": "stoa-test-secret"}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """An S3-compatible server on a free port of 127.0.0.1, with an empty bucket."""
    port = nginx.free_port()
    server = ThreadedMotoServer(ip_address=nginx.HOST, port=port, verbose=False)
    server.start()
    endpoint = f"http://{nginx.HOST}:{port}"
    try:
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys())
        client.create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


def _keys() -> dict[str, str]:
    return {name.lower(): value for name, value in KEYS.items()}


def s3_settings(endpoint: str) -> dict[str, Any]:
    """What stoa.settings makes of STOA_MEDIA_STORAGE=s3 and the bucket's environment, read
    from the settings module itself (in a process of its own)."""
    code = (
        "import json; from stoa import settings as s; print(json.dumps({'STORAGES': "
        "{k: s.STORAGES[k] for k in ('default', 'protected')}, **{n: getattr(s, n) for n in "
        "dir(s) if n.startswith('AWS_')}}, default=str))"
    )
    env = {
        **os.environ,
        **KEYS,
        "STOA_MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_DEFAULT_ACL": "public-read",
    }
    done = subprocess.run(  # noqa: S603 - this Python, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def on_s3(settings: Any, media: Any, s3_server: str) -> str:
    """The site's storages on the S3 server, as STOA_MEDIA_STORAGE=s3 configures them."""
    for name, value in s3_settings(s3_server).items():
        setattr(settings, name, value)
    settings.STORAGES = {**settings.STORAGES, **s3_settings(s3_server)["STORAGES"]}
    return s3_server


def fetch(url: str) -> tuple[int, bytes]:
    """A plain GET of `url`, as anyone on the internet would ask: status and body."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - our server
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_stoa_media_storage_s3_puts_uploads_and_protected_files_in_the_bucket(
    s3_server: str,
) -> None:
    made = s3_settings(s3_server)
    assert made["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    protected = made["STORAGES"]["protected"]
    assert protected["BACKEND"] == "storages.backends.s3.S3Storage"
    assert protected["OPTIONS"]["default_acl"] == "private"
    assert protected["OPTIONS"]["location"] == "protected"
    assert made["AWS_S3_ENDPOINT_URL"] == s3_server
    assert made["AWS_QUERYSTRING_AUTH"] is False


def test_a_file_is_saved_served_and_deleted_through_djangos_storage_api(on_s3: str) -> None:
    name = default_storage.save("notes/hello.txt", ContentFile(b"Hello from Stoa."))
    url = default_storage.url(name)

    assert url == f"{on_s3}/{BUCKET}/{name}", "a plain address, no signature to expire"
    assert fetch(url) == (200, b"Hello from Stoa.")
    assert default_storage.open(name).read() == b"Hello from Stoa."
    assert default_storage.size(name) == len(b"Hello from Stoa.")

    default_storage.delete(name)

    assert not default_storage.exists(name)
    assert fetch(url)[0] == 404


def test_a_picture_uploaded_to_the_media_library_lands_in_the_bucket(on_s3: str) -> None:
    upload = ContentFile(png_bytes((64, 48)), name="chart.png")

    item = create_media_item(title="A chart", file=upload, alt_text="A teal chart")

    status, body = fetch(item.file.url)
    assert status == 200
    assert body == item.file.storage.open(item.file.name).read()
    assert (item.width, item.height) == (64, 48)
    assert item.file.url.startswith(f"{on_s3}/{BUCKET}/")


def test_a_clips_files_stay_private_in_the_bucket_and_go_out_through_the_view(
    on_s3: str,
) -> None:
    clip = ClipFactory(uploaded=True, post=PostFactory())
    storage = protected_storage()
    client = Client()
    for kind in ("video", "captions", "poster"):
        name = getattr(clip, kind).name
        stored = storage.open(name).read()
        # In the bucket, under protected/, private: its address answers nobody.
        assert fetch(f"{on_s3}/{BUCKET}/protected/{name}")[0] == 403, kind
        # The view that checks access sends it (a public clip's, for shared caches).
        response = client.get(clip.media_url(kind))
        assert response.status_code == 200, kind
        assert b"".join(response.streaming_content) == stored, kind
        assert response["Cache-Control"] == "public, max-age=86400"
    ranged = client.get(clip.media_url("video"), HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 206
    assert len(b"".join(ranged.streaming_content)) == 100
    with pytest.raises(NotImplementedError):
        clip.video.url  # noqa: B018 - a protected file has no public address


def test_a_members_only_clip_is_refused_to_a_visitor_on_s3_too(on_s3: str) -> None:
    clip = ClipFactory(uploaded=True, post=PostFactory(members_only=True))

    response = Client().get(clip.media_url("video"))

    assert response.status_code == 302
    assert fetch(f"{on_s3}/{BUCKET}/protected/{clip.video.name}")[0] == 403
