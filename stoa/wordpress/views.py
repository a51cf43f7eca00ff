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
    address of anything else is nobody's business). When two sites had a comment of that
    id, the one imported last wins (its mapping row is the newer: comment ids say nothing
    of that, imported comments keeping their old sites' where free)."""
    imported = list(
        Mapping.objects.filter(kind=ObjectKind.COMMENT, source_key=str(wp_id))
        .order_by("-pk")
        .values_list("object_id", flat=True)
    )
    visible = (
        Comment.objects.filter(
            pk__in=imported,
            status=CommentStatus.APPROVED,
            post__in=Post.objects.published().filter(visibility=PostVisibility.PUBLIC),
        )
        .select_related("post")
        .in_bulk()
    )
    found = next((visible[pk] for pk in imported if pk in visible), None)
    if found is None:
        raise Http404("No such comment.")
    return HttpResponsePermanentRedirect(found.get_absolute_url())
