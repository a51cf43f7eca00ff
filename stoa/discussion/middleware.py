"""The door of the comment form: guests' comments meet the moderation policy's door rules
before the rest of the request is set up."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.log import log_response

from stoa.discussion import views

logger = logging.getLogger(__name__)
Handler = Callable[[HttpRequest], HttpResponse]
_SENTINEL = 987654321


@functools.cache
def _create_path() -> re.Pattern[str]:
    """The comment form's address, with the post's id as a group (from the URLconf, so that
    a moved route moves the door with it)."""
    path = reverse("discussion:create", kwargs={"post_id": _SENTINEL})
    before, after = path.split(str(_SENTINEL))
    return re.compile(rf"{re.escape(before)}(\d+){re.escape(after)}")


class CommentDoorMiddleware:
    """A guest's comment is put to the policy's door rules (the flood, the honeypot) before
    the session, the user, the messages and the rest of the middleware are loaded, and before
    the post is read (views.at_the_door).

    What is turned away here is what robots send a hundred times a second at times: a
    comment again at once, the hidden field filled. Each was a whole request through Django
    (about 2 ms of a worker, taken from the readers the same workers serve from the cache,
    issue 10); here it costs one indexed query and a short page. It stands after the
    security and CSP middleware, whose headers the short page keeps. A request with a
    session cookie may be a member's: it goes the whole way (CSRF, then every rule), and so
    does whatever the door lets through; the rules asked here are asked again there, so the
    door changes no verdict, only what a refusal costs."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            found = _create_path().fullmatch(request.path_info)
            if found is not None and (turned_away := self._ask(request, int(found[1]))):
                return turned_away
        return self.get_response(request)

    @staticmethod
    def _ask(request: HttpRequest, post_id: int) -> HttpResponse | None:
        response = views.at_the_door(request, post_id)
        if response is not None:
            # What the middleware it does not reach would have added: the framing ban
            # (XFrameOptionsMiddleware), and the length (CommonMiddleware), without which
            # the server sends the page chunked.
            response["X-Frame-Options"] = "DENY"
            response["Content-Length"] = str(len(response.content))
            # Logged at INFO, not as Django logs every 4xx (WARNING): turning robots away
            # is routine, and a hundred warnings a second would bury the ones that matter
            # (and write a line each to the error log; the access log still has them).
            log_response(
                "Comment turned away at the door (%s): %s",
                response.status_code,
                request.path,
                response=response,
                request=request,
                logger=logger,
                level="info",
            )
        return response
