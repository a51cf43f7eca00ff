"""/api/: the JSON API's version 1 (django-ninja, behind CORS: `v1`, mounted by stoa.urls),
answers for any other address under it, the account page's token forms, and the embedded
discussion's login window (stoa.api.embed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, path

from stoa.api import cors, embed, problems
from stoa.api.api import api, conditional
from stoa.api.views import create_token, revoke_token

app_name = "api"


def _problem_for_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """django-ninja answers a method a path does not take with Django's bare 405: as a
    problem instead, keeping its Allow header."""

    @wraps(view)
    def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type") == problems.CONTENT_TYPE:
            return response
        problem = problems.Problem(
            405,
            f"This address takes {response.get('Allow', 'other methods')}, not {request.method}.",
            headers={"Allow": response.get("Allow", "")},
        )
        return conditional(request, problems.response(problem, request.path))

    return answer


def _with_cors(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _with_cors(pattern.url_patterns)
        else:
            pattern.callback = cors.wrap(_problem_for_405(pattern.callback))
    return patterns


def nothing_here(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other address under /api/v1/: a problem, not the site's HTML 404 page."""
    problem = problems.Problem(404, "No such address in this API.", kind="not-found")
    return conditional(request, problems.response(problem, request.path))


# Mounted at /api/v1/ by stoa.urls, under django-ninja's own namespace ("api-v1"), which
# its schema view reverses by that name alone.
ninja_patterns, ninja_app, ninja_namespace = api.urls
v1 = (_with_cors(list(ninja_patterns)), ninja_app, ninja_namespace)

urlpatterns = [
    path("v1/<path:rest>", cors.wrap(nothing_here)),
    path("tokens/", create_token, name="create_token"),
    path("tokens/<int:pk>/revoke/", revoke_token, name="revoke_token"),
    path("embed/login/", embed.login, name="embed_login"),
]
