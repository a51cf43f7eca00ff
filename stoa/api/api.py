"""The API object (django-ninja) mounted at /api/v1/: its auth, its error answers (RFC 9457
problem+json for every one) and its conditional GETs (ETag, If-None-Match → 304)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from stoa.api import comments, embed, problems
from stoa.api.auth import StoaAuth
from stoa.api.problems import Problem

logger = logging.getLogger("django.request")


class StoaAPI(NinjaAPI):
    """NinjaAPI whose answers revalidate: every 200 to a GET carries an ETag of its body and
    a matching If-None-Match is answered 304. Answers depend on who asks, so they vary on
    the credentials and are never kept by shared caches (the page cache keeps no `no-cache`
    answer), while a client's own cache keeps them and asks again cheaply."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return conditional(request, response)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """django-ninja's schema, with every error answer's media type the one it is sent
        with (application/problem+json, RFC 9457 §3), and a token optional wherever a
        visitor may ask too (OpenAPI's empty security requirement): all but moderation."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                if operation.get("security") and "/moderation/" not in path:
                    operation["security"] = [*operation["security"], {}]
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {problems.CONTENT_TYPE: content["application/json"]}
        return schema


def conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("Authorization", "Cookie"))
    private = bool(request.headers.get("Authorization")) or request.user.is_authenticated
    if private:
        patch_cache_control(response, no_cache=True, private=True)
    else:
        patch_cache_control(response, no_cache=True)
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
    response["ETag"] = etag
    answer = get_conditional_response(request, etag=etag, response=response)
    return answer if answer is not None else response


api = StoaAPI(
    title="Stoa API",
    version="1",
    description=(
        "What a reader sees of the magazine, as JSON: posts, pages, people, categories, "
        "tags, webcast series and sessions, and each post's discussion; writing, editing "
        "and reporting comments; the moderators' queue. Lists are paged by cursor (follow "
        "`next`); every GET answers with an ETag; every error is RFC 9457 problem+json."
    ),
    urls_namespace="api-v1",
    auth=StoaAuth(),
    docs_url=None,
)
# comments adds its operations to reads' router (one router: see comments.router).
api.add_router("", comments.router)
api.add_router("", embed.router)


def _problem(request: HttpRequest, problem: Problem) -> HttpResponse:
    return conditional(request, problems.response(problem, request.path))


@api.exception_handler(Problem)
def _on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return _problem(request, exc)


@api.exception_handler(Http404)
def _on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _problem(request, Problem(404, str(exc) or "Nothing here.", kind="not-found"))


@api.exception_handler(PermissionDenied)
def _on_403(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _problem(request, Problem(403, str(exc) or "Not allowed.", kind="forbidden"))


@api.exception_handler(ValidationError)
def _on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",))
        errors.setdefault(where or "request", []).append(str(error.get("msg", "")))
    detail = "; ".join(f"{where}: {', '.join(msgs)}" for where, msgs in errors.items())
    return _problem(request, problems.validation(errors, detail=detail))


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _problem(request, Problem(401, "Credentials are needed.", kind="unauthenticated"))


@api.exception_handler(Exception)
def _on_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback as Django logs a 500; the client gets a problem, no details.
    logger.error("Internal Server Error: %s", request.path, exc_info=exc)
    return _problem(request, Problem(500, "Something went wrong on our side; it was logged."))


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _problem(request, Problem(exc.status_code, str(exc)))
