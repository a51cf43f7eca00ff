"""An old link to a comment (/?p=22#comment-8) in a real browser (Debian's Chromium, through
Playwright) against Django's live server: the browser keeps the fragment through the 301 to
the post, and comment-anchors.js takes it on when it names no comment there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from stoa.core.tests.chromium import chromium_page
from stoa.discussion import services as discussion
from stoa.discussion.models import Comment
from stoa.publishing.tests.factories import PostFactory
from stoa.wordpress import services
from stoa.wordpress.models import Mapping, ObjectKind
from stoa.wordpress.tests.test_services import NOW

SAMPLE = Path(__file__).parent / "data" / "sample-export.wordpress.xml"
pytestmark = pytest.mark.django_db(transaction=True)


def stoa_comment(wp_id: int) -> Comment:
    mapping = Mapping.objects.get(kind=ObjectKind.COMMENT, source_key=str(wp_id))
    return Comment.objects.select_related("post").get(pk=mapping.object_id)


def target_text(page: Any) -> str:
    """The text of the element the address's fragment names (CSS :target), or ''."""
    return str(page.evaluate("(document.querySelector(':target') || {}).textContent || ''"))


def test_on_a_fresh_site_the_old_anchor_names_the_same_comment(
    live_server, temporary_media
) -> None:
    services.import_wordpress(source=SAMPLE)
    comment = stoa_comment(8)
    assert comment.pk == 8
    with chromium_page() as page:
        page.goto(live_server.url + "/?p=22#comment-8")
        page.wait_for_load_state("load")
        assert page.url == f"{live_server.url}{comment.post.get_absolute_url()}#comment-8"
        assert "Say it early." in target_text(page)
        assert page.problems == []


def test_a_comment_that_took_another_id_is_found_through_its_old_id(
    live_server, temporary_media
) -> None:
    # Comment 8 of this site is under another post: WordPress's comment 8 is numbered past
    # it, and its post's page has no #comment-8, so the script asks /wordpress/comment/8/.
    with transaction.atomic():  # the caller's, as the importers hold theirs
        discussion.import_comments(
            post=PostFactory(),
            rows=[
                discussion.ImportedComment(
                    key=1, author_name="Here", text="Mine.", created_at=NOW, wanted_pk=8
                )
            ],
        )
    services.import_wordpress(source=SAMPLE)
    comment = stoa_comment(8)
    assert comment.pk != 8
    new_address = f"{live_server.url}{comment.post.get_absolute_url()}#comment-{comment.pk}"
    with chromium_page() as page:
        page.goto(live_server.url + "/?p=22#comment-8")
        page.wait_for_url(new_address, timeout=10_000)
        page.wait_for_load_state("load")
        assert "Say it early." in target_text(page)
        assert page.problems == []


def test_a_fragment_naming_a_comment_on_the_page_stays_there(live_server, temporary_media) -> None:
    services.import_wordpress(source=SAMPLE)
    comment = stoa_comment(2)
    address = f"{live_server.url}{comment.post.get_absolute_url()}#comment-{comment.pk}"
    with chromium_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(address)
        page.wait_for_load_state("load")
        assert page.url == address
        assert not [url for url in requests if "/wordpress/comment/" in url]
        assert page.problems == []
