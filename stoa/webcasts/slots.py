"""The webcasts' pieces of pages they do not own (stoa.core.slots): the clip above a post
(POST_HEADER) and the member's series on their account page (ACCOUNT_SECTIONS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from stoa.members.models import User
from stoa.publishing.models import Post, can_read_full_post
from stoa.webcasts import cached
from stoa.webcasts.access import can_manage_webcasts
from stoa.webcasts.models import Enrolment


def post_clip(request: HttpRequest, post: Post, state: Mapping[str, Any]) -> str:
    """The clip the post page shows above the article, if this reader may play it."""
    card = cached.post_clip(post)
    if card is None:
        return ""
    if not card.series_published and not can_manage_webcasts(request.user):
        return ""
    if not can_read_full_post(request.user, post):
        return ""
    return render_to_string("webcasts/post_clip.html", {"clip": card, "post": post}, request)


def account_series(request: HttpRequest, member: User) -> str:
    """The member's enrolments, newest first, on their account page."""
    enrolments = list(Enrolment.objects.of_member(member))
    return render_to_string("webcasts/account_series.html", {"enrolments": enrolments}, request)
