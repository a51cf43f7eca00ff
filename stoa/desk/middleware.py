"""Who makes the changes of a request, for the revisions they write (stoa.desk.signals)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from stoa.desk.signals import acting_user


class ActingUserMiddleware:
    """Hand the request's user (a lazy object: nothing is read unless a revision is
    written) to the revisions written while it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)  # reading changes nothing
        token = acting_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            acting_user.reset(token)
