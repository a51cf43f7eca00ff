"""The account page's token forms: make a token (its secret shown once, on a page never
kept), and revoke one. Thin: the services do the work."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from stoa.api import access, services
from stoa.api.models import ApiToken
from stoa.members.models import User


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    member = cast(User, request.user)
    name = request.POST.get("name", "")
    scopes = request.POST.getlist("scopes")
    try:
        token, secret = services.create_token(user=member, name=name, scopes=scopes)
    except ValidationError as error:
        context = {
            "errors": [m for messages_ in error.message_dict.values() for m in messages_],
            "name": name,
            "chosen": scopes,
            "scopes": access.scopes_offered(member),
        }
        return render(request, "api/token_form.html", context, status=400)
    response = render(request, "api/token_created.html", {"token": token, "secret": secret})
    # The secret is on this page only: no cache, shared or the browser's, keeps it.
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(token=token)
    messages.success(request, f"The token “{token.name}” no longer opens the API.")
    return HttpResponseRedirect(reverse("members:account") + "#api-tokens-title")
