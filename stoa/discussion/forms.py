from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from stoa.discussion.services import MAX_COMMENT_LENGTH

# The guest's "Save my name, email, and website in this browser for the next time I
# comment" (WordPress's comment cookies), signed so that nobody fills another's form. A page
# with it is that reader's own (stoa.discussion.freshness.PERSONAL_COOKIES).
REMEMBER_COOKIE = "stoa_commenter"
REMEMBER_SALT = "stoa.discussion.remember"
REMEMBERED_FIELDS = ("name", "email", "url")


def remembered_commenter(request: HttpRequest) -> dict[str, str]:
    """Name, email and website a guest asked this browser to remember."""
    try:
        value = signing.loads(request.COOKIES.get(REMEMBER_COOKIE, ""), salt=REMEMBER_SALT)
    except signing.BadSignature:
        return {}
    return {k: str(value.get(k, "")) for k in REMEMBERED_FIELDS}


def remember_commenter(response: HttpResponse, details: dict[str, str]) -> None:
    """Keep the guest's details in this browser for a year."""
    response.set_cookie(
        REMEMBER_COOKIE,
        signing.dumps({k: details.get(k, "") for k in REMEMBERED_FIELDS}, salt=REMEMBER_SALT),
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class CommentForm(forms.Form):
    """The "Leave a Reply" form. The services check everything again: this is for messages."""

    name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    url = forms.CharField(label="Website", max_length=300, required=False)
    body = forms.CharField(label="Comment", widget=forms.Textarea, required=False)
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    subscribe = forms.BooleanField(required=False)
    remember = forms.BooleanField(required=False)
    # A field people never see (hidden by CSS, named to tempt robots): filled, it is refused.
    homepage = forms.CharField(required=False)

    def __init__(self, *args: Any, member: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.member:
            if not (data.get("name") or "").strip():
                self.add_error("name", "Please give your name.")
            if not (data.get("email") or "").strip() and "email" not in self.errors:
                self.add_error("email", "Please give your email address; it is never published.")
        body = (data.get("body") or "").strip()
        if not body:
            self.add_error("body", "Please write a comment.")
        elif len(body) > MAX_COMMENT_LENGTH:
            self.add_error(
                "body",
                f"Comments are limited to {MAX_COMMENT_LENGTH:,} characters; "
                f"this one has {len(body):,}.",
            )
        return data


class EditCommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if len(body) > MAX_COMMENT_LENGTH:
            raise forms.ValidationError(
                f"Comments are limited to {MAX_COMMENT_LENGTH:,} characters; "
                f"this one has {len(body):,}."
            )
        return body
