"""Who calls the API, checked once per request before any endpoint runs (django-ninja's
auth hook): a personal token (`Authorization: Bearer stoa_…`), else the site's session,
else a visitor. Every caller is counted against the rate limits here.

A session's unsafe requests (POST, PATCH, DELETE) must carry the CSRF token, as the site's
forms do: a session cookie is sent by the browser whoever made the page that asks, a bearer
token only by code that holds it. Cross-origin requests are never given the session (CORS
here allows no credentials: stoa.api.cors)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from ninja.security.base import AuthBase

from stoa.api import limits, services
from stoa.api.access import Caller, token_allows
from stoa.api.models import Scope
from stoa.api.problems import Problem
from stoa.core.clients import client_key

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _csrf_failure(request: HttpRequest) -> HttpResponse | None:
    def accept(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    return CsrfViewMiddleware(accept).process_view(request, accept, (), {})


class StoaAuth(AuthBase):
    """A token, a session or nobody: always a Caller, or a problem (401, 403, 429)."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = (
        "A personal API token (made on your account page), as `Authorization: Bearer <token>`. "
        "Without one, the API answers what a visitor may see; the site's own pages use the "
        "session instead."
    )

    def __call__(self, request: HttpRequest) -> Caller:
        header = request.headers.get("Authorization", "")
        if header:
            caller = self._token_caller(header, request.headers.get("Origin", ""))
            limits.count(f"token:{caller.token.pk if caller.token else 0}", _rate("TOKEN"))
            request.user = caller.user
            return caller
        limits.count(f"address:{client_key(request)}", _rate("ADDRESS"))
        user = getattr(request, "user", None) or AnonymousUser()
        if not user.is_authenticated:
            return Caller(user=AnonymousUser())
        if request.method not in SAFE_METHODS and _csrf_failure(request) is not None:
            raise Problem(
                403,
                "A request with the site's session must carry its CSRF token (the X-CSRFToken "
                "header, from the csrftoken cookie); a script should use a personal API token.",
                kind="csrf",
                title="CSRF check failed",
            )
        return Caller(user=user, by_session=True)

    def _token_caller(self, header: str, origin: str) -> Caller:
        scheme, _, secret = header.partition(" ")
        token = services.find_token(secret.strip()) if scheme.lower() == "bearer" else None
        if token is not None and token.origin and token.origin != origin:
            # An embedded discussion's token (services.create_embed_token) opens the API for
            # the page it was handed to only: from anywhere else it is as good as unknown.
            token = None
        if token is None or not token.user.is_active:
            raise Problem(
                401,
                "The Authorization header must be `Bearer <token>` with a live personal API "
                "token: this one is unknown, revoked, expired, for another site's pages, or "
                "its account is disabled.",
                kind="invalid-token",
                title="Not a valid API token",
                headers={"WWW-Authenticate": 'Bearer realm="stoa", error="invalid_token"'},
            )
        services.note_use(token=token)
        return Caller(user=token.user, token=token)


def _rate(kind: str) -> Any:
    return limits.api_setting(f"RATE_PER_{kind}")


def caller_of(request: HttpRequest, scope: Scope = Scope.READ) -> Caller:
    """The request's caller, whose credentials must carry `scope` (403 otherwise)."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    if not token_allows(caller, scope):
        raise Problem(
            403,
            f"This token does not have the “{scope.value}” scope ({scope.label.lower()}).",
            kind="insufficient-scope",
            title="The token's scopes do not allow this",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            scope=str(scope),
        )
    return caller
