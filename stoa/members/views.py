"""Members' pages: the account page, the public profile, export and deletion. Thin: every
change goes through services."""

from __future__ import annotations

import json
from typing import cast

from allauth.account import app_settings as account_settings
from allauth.core import ratelimit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from markupsafe import Markup

from stoa.core import slots
from stoa.members import cache, services
from stoa.members.forms import DeleteAccountForm, ProfileForm
from stoa.members.models import Profile, User

# Profile saves a member may make: each may carry a picture to decode and re-encode.
# ACCOUNT_RATE_LIMITS["update_profile"] (allauth's rate syntax) overrides it.
PROFILE_SAVE_ACTION = "update_profile"
PROFILE_SAVES = "10/10m/user"
TOO_MANY_SAVES = (
    "You have saved your profile many times in the last few minutes. Please wait a few "
    "minutes and save again; what you typed is kept below"
)


def _member(request: HttpRequest) -> User:
    """The signed-in member (the views below are never reached anonymously)."""
    return cast(User, request.user)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The member's own page: their profile, and the sections other apps plug in."""
    member = _member(request)
    # Loaded with the member (stoa.members.backends); read before making a missing one,
    # which takes a write transaction every view of the page would otherwise open.
    try:
        found: Profile | None = member.profile
    except Profile.DoesNotExist:
        found = None
    profile = found or services.profile_for(user=member)
    posted = request.method == "POST"
    if posted and not _may_save_profile(request, member):
        # Refused before the picture is even looked at: decoding and re-encoding one is the
        # cost a flood of saves would run up. The text is handed back; a file input cannot be.
        form = ProfileForm(request.POST, user=member, profile=profile)
        picture = " (choose your picture again)" if request.FILES else ""
        form.add_error(None, TOO_MANY_SAVES + picture + ".")
        return _account_page(request, member, profile, form, status=429)
    form = ProfileForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=member,
        profile=profile,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_profile(
                user=member,
                display_name=data["display_name"],
                bio=data["bio"],
                credential=data["credential"],
                avatar=data["avatar"],
                remove_avatar=data.get("remove_avatar", False),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Your profile is saved.")
            return HttpResponseRedirect(reverse("members:account"))
    return _account_page(request, member, profile, form, status=400 if posted else 200)


def _account_page(
    request: HttpRequest, member: User, profile: Profile, form: ProfileForm, *, status: int
) -> HttpResponse:
    def profile_fields() -> Markup:
        html = render_to_string("members/_profile_fields.html", {"form": form}, request)
        return Markup(html)  # noqa: S704 - members' own template, rendered with autoescape

    context = {
        "member": member,
        "profile": profile,
        "form": form,
        # The form as it stands is drawn from the member's profile alone: kept until it
        # changes (a third of the page's time). One sent back with errors is drawn anew.
        "profile_fields": profile_fields()
        if form.is_bound
        else cache.kept_piece("profile-form", request, member, profile_fields),
        # Kept for this member until their rows, the content or a clock change them.
        "sections": cache.kept_sections("ACCOUNT_SECTIONS", request, member),
    }
    return render(request, "members/account.html", context, status=status)


def _may_save_profile(request: HttpRequest, member: User) -> bool:
    """Whether this save is within the member's limit (and counts it): allauth's rate limits,
    under ACCOUNT_RATE_LIMITS["update_profile"], or PROFILE_SAVES when that is not set."""
    if getattr(settings, "ACCOUNT_RATE_LIMITS", {}) is False:  # allauth's switch for all
        return True
    rates = account_settings.RATE_LIMITS.get(PROFILE_SAVE_ACTION) or PROFILE_SAVES
    # allauth's public consume() reads only its own settings, with no default for an action
    # of ours: the machinery underneath takes the rates to apply.
    usage = allauth_ratelimit.consume(
        request,
        app="allauth.account",
        action=PROFILE_SAVE_ACTION,
        config={PROFILE_SAVE_ACTION: rates},
        user=member,
    )
    return usage is not None


def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's public page: name, picture, bio, verified credential, and what other apps
    show of them (their comments). Never their email address."""
    found = Profile.objects.public().filter(user_id=pk).first()
    if found is None:
        raise Http404("No such member.")
    context = {
        "member": found.user,
        "profile": found,
        "sections": slots.fill("PROFILE_SECTIONS", request, found.user),
    }
    return render(request, "members/profile.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Confirm with the password, choose what happens to the comments, and delete."""
    member = _member(request)
    posted = request.method == "POST"
    form = DeleteAccountForm(request.POST if posted else None, user=member)
    if posted:
        # Each try is a password guess: limited as allauth limits re-authentication.
        if refused := ratelimit.consume_or_429(request, action="reauthenticate", user=member):
            return refused
        if form.is_valid():
            services.delete_account(user=member, keep_comments=form.keep_comments)
            logout(request)
            return HttpResponseRedirect(reverse("members:deleted"))
    status = 400 if posted else 200
    return render(request, "members/delete.html", {"form": form}, status=status)


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    """Where a member lands after deleting their account."""
    return render(request, "members/deleted.html")


@never_cache
@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Everything the site keeps about the member, as a JSON file to download."""
    member = _member(request)
    data = {"exported_at": timezone.now(), **services.export_data(user=member)}
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response
