"""The old site's comment addresses: WordPress links a comment as #comment-<its id>."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.views.decorators.http import require_safe

from stoa.discussion.models import Comment, CommentStatus
from stoa.publishing.models import Post, PostVisibility
from stoa.wordpress.models import Mapping, ObjectKind


@require_safe
def comment(request: HttpRequest, wp_id: int) -> HttpResponsePermanentRedirect:
    """301 to where a comment of the old site is now (its post, the right comment page, its
    anchor). Only a comment every reader may see: published, under a public live post (the
    address of anything else is nobody's business). The newest import wins when two sites
    had a comment of that id."""
    object_ids = Mapping.objects.filter(kind=ObjectKind.COMMENT, source_key=str(wp_id)).order_by(
        "-pk"
    )
    found = (
        Comment.objects.filter(
            pk__in=object_ids.values("object_id"),
            status=CommentStatus.APPROVED,
            post__in=Post.objects.published().filter(visibility=PostVisibility.PUBLIC),
        )
        .select_related("post")
        .order_by("-pk")
        .first()
    )
    if found is None:
        raise Http404("No such comment.")
    return HttpResponsePermanentRedirect(found.get_absolute_url())
