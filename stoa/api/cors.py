"""CORS for the API: only the origins listed in settings (STOA_API["CORS_ORIGINS"]; the
environment's STOA_API_CORS_ORIGINS, comma-separated) may read answers from their pages, and
never with the browser's cookies (no Access-Control-Allow-Credentials): another site's page
calls the API as a visitor or with a token, never with a reader's session. Written here
rather than with django-cors-headers: one list, one path prefix, a few headers (Fetch
standard, §3.2)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from stoa.api.limits import api_setting

ALLOWED_METHODS = "GET, POST, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type, If-None-Match"
EXPOSED_HEADERS = "ETag, Retry-After, Location"
PREFLIGHT_MAX_AGE = "600"


def allowed_origins() -> frozenset[str]:
    """CORS_ORIGINS and EMBED_ORIGINS: a page that embeds a discussion calls the API."""
    listed = [*(api_setting("CORS_ORIGINS") or ()), *embed_origins()]
    return frozenset(origin.rstrip("/") for origin in listed)


def embed_origins() -> frozenset[str]:
    """The origins whose pages may embed a discussion (stoa.api.embed)."""
    return frozenset(origin.rstrip("/") for origin in api_setting("EMBED_ORIGINS") or ())


def wrap(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The view, answering preflights and marking answers for the allowed origins."""

    @wraps(view)
    def with_cors(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        origin = request.headers.get("Origin", "")
        allowed = bool(origin) and origin in allowed_origins()
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        if preflight:
            response: HttpResponseBase = HttpResponse(status=204 if allowed else 403)
            if allowed:
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = view(request, *args, **kwargs)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        patch_vary_headers(response, ("Origin",))
        return response

    return with_cors
