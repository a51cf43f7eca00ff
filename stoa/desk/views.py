"""The review link's page: a draft as readers will see it, for someone without an account."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from stoa.desk import services
from stoa.publishing.models import Post


def review(request: HttpRequest, token: str) -> HttpResponse:
    """The shared draft, drawn by the reader's post template. Never kept by the page cache
    or a proxy (no-store), never indexed, and the token never sent on as a Referer."""
    link, usable = services.find_review_link(token)
    if link is None:
        raise Http404("No such review link.")
    if not usable:
        response = render(request, "desk/review_gone.html", status=410)
    else:
        post = Post.objects.for_listing().get(pk=link.post_id)
        if post.is_live:
            # Published since: the reader's address is the one to read it at.
            response = HttpResponseRedirect(post.get_absolute_url())
        else:
            context: dict[str, Any] = {
                "post": post,
                "previous_post": None,
                "next_post": None,
                # The whole post, as a member reads it: a reviewer is asked about all of it.
                "can_read_full": True,
                "login_url": "",
                # What other apps add (the discussion, a clip's player) is not part of the
                # draft being reviewed, and the discussion's forms are for live posts only.
                "post_head": [],
                "post_header": [],
                "post_footer": [],
            }
            response = render(request, "publishing/post_detail.html", context)
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
