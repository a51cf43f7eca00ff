"""How allauth works here: usernames that say nothing about the member, the site's name in
emails, emails sent by the task worker rather than inside the request, and the client address
its rate limits count by (stoa.core.clients, as every other part of the site)."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.utils.encoding import force_str

from stoa.core.clients import client_ip
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

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client as the whole site sees it (stoa.core.clients.client_ip): behind nginx,
        the X-Forwarded-For entry the trusted proxy added, never one the client wrote. So
        every rate limit of allauth's ("…/ip") is one client's, not everyone's behind the
        proxy. allauth itself groups an IPv6 client by its /64 before counting
        (ALLAUTH_RATE_LIMIT_IPV6_PREFIX, 64 by default, as clients.IPV6_LIMIT_PREFIX) and
        puts the full address in its security notices, so the address goes out whole; an
        IPv4 client on an IPv6 socket (::ffff:a.b.c.d) as its IPv4 address, since /64 of
        such addresses would put every IPv4 client in one bucket."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        ip = ipaddress.ip_address(address)
        if ip.version == 6 and ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return address

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth's limit on failed log-ins ("login_failed": per client and per account),
        with one difference: a client over its own limit is refused with 429 Too Many
        Requests and the site's "Too many tries" page, as every other limit of the site
        refuses, whatever account it names; an account locked by failures keeps allauth's
        message on the form, so its owner learns why the right password did not work."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            if not _client_may_try(request):
                raise ImmediateHttpResponse(ratelimit.respond_429(request)) from None
            raise


def _client_may_try(request: HttpRequest) -> bool:
    """Whether this client's own "login_failed" limit leaves it another try: the rates
    checked without counting (dry run) for an account nobody has tried, so that only the
    per-client ones can refuse."""
    untried = f"stoa-untried-account:{secrets.token_hex(16)}"
    return ratelimit.consume(request, action="login_failed", key=untried, dry_run=True)
