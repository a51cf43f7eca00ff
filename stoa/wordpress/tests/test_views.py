"""Old comment anchors: /wordpress/comment/<WordPress id>/ leads to the comment, and the post
pages of moved posts carry the script that goes there when #comment-<id> names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from stoa.discussion.models import Comment
from stoa.publishing.tests.factories import PostFactory
from stoa.wordpress import services
from stoa.wordpress.models import Mapping, ObjectKind

SAMPLE = Path(__file__).parent / "data" / "sample-export.wordpress.xml"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sample(temporary_media: Path) -> None:
    services.import_wordpress(source=SAMPLE)


def stoa_comment(wp_id: int) -> Comment:
    mapping = Mapping.objects.get(kind=ObjectKind.COMMENT, source_key=str(wp_id))
    return Comment.objects.get(pk=mapping.object_id)


def test_an_old_comment_id_redirects_to_the_comment(client):
    response = client.get("/wordpress/comment/8/")
    assert response.status_code == 301
    comment = stoa_comment(8)
    assert response["Location"] == f"{comment.post.get_absolute_url()}#comment-{comment.pk}"


@pytest.mark.parametrize("wp_id", [10, 12, 424242])
def test_a_held_trashed_or_unknown_comment_is_not_found(client, wp_id):
    assert client.get(f"/wordpress/comment/{wp_id}/").status_code == 404


def test_an_old_post_link_with_a_comment_anchor_reaches_the_comment(client):
    # /?p=22#comment-8: the browser keeps the fragment through the 301 to the post page,
    # whose script finds no #comment-8 there and asks for /wordpress/comment/8/.
    post_page = client.get("/?p=22")["Location"]
    page = client.get(post_page).content.decode()
    assert (
        'src="/static/wordpress/comment-anchors.js" data-comment-base="/wordpress/comment/"' in page
    )


def test_a_post_without_comments_does_not_carry_the_script(client):
    post = PostFactory()
    assert "comment-anchors.js" not in client.get(post.get_absolute_url()).content.decode()
