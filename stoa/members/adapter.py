"""How allauth works here: usernames that say nothing about the member, the site's name in
emails, and emails sent by the task worker rather than inside the request."""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.utils.encoding import force_str

from stoa.core.conf import stoa_setting
from stoa.members.models import User
from stoa.members.tasks import send_account_email


def new_username() -> str:
    """A unique handle such as "member-3f9a1c0b", derived from nothing about the person."""
    # allauth would derive one from the email address, and a username can surface where a
    # name is missing: this one never gives an address away.
    while True:
        username = f"member-{secrets.token_hex(4)}"
        if not User.objects.filter(username__iexact=username).exists():
            return username


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        if not getattr(user, "username", ""):
            user.username = new_username()  # type: ignore[attr-defined]

    def format_email_subject(self, subject: str) -> str:
        return f"[{stoa_setting('SITE_NAME')}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # The message is rendered now (its links need the request) and sent by the worker,
        # as every other email of the site is: a slow mail server never holds up a page.
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "site_name": stoa_setting("SITE_NAME"),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next((str(c) for c, kind in message.alternatives if kind == "text/html"), "")
        send_account_email.enqueue(
            subject=str(message.subject),
            body=str(message.body),
            from_email=str(message.from_email),
            to=list(message.to),
            html=html,
            headers=dict(message.extra_headers),
        )
