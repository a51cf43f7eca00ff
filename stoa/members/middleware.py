"""Account pages answer like the rest of the site."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse


class InvalidFormStatusMiddleware:
    """allauth shows a form with errors again with 200 OK; the site answers 400 Bad Request
    to a form it could not accept (as the comment form does), so that scripts, tests and
    monitoring see the refusal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        match = request.resolver_match
        if request.method != "POST" or response.status_code != 200 or match is None:
            return response
        if not getattr(match.func, "__module__", "").startswith("allauth."):
            return response
        form = (response.context_data or {}).get("form")
        if form is not None and form.is_bound and form.errors:
            response.status_code = 400
        return response
