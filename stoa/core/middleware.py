"""Middleware shared by every app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from stoa.core.cache import forget_request_version


class ContentVersionMiddleware:
    """Let each request read the content version afresh, once (stoa.core.cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forget_request_version()
        try:
            return self.get_response(request)
        finally:
            forget_request_version()
