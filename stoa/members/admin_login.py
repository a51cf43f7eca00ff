"""The back office's log-in (/admin/login/) under the same limits as the site's (allauth's
ACCOUNT_RATE_LIMITS): Django's admin authenticates with no limit at all, so twelve wrong
passwords and then the right one got in (issue 10, item 5).

Each try goes through allauth's adapter (stoa.members.adapter.AccountAdapter.authenticate):
"login_failed" counts failures per client (stoa.core.clients' address) and per account, the
account's bucket being the one the site's log-in fills (its email address), so the two doors
share one count; a right password takes its own try back, as allauth does. "login" limits
every POST per client. Over a limit: 429 Too Many Requests, with the site's "Too many tries"
page for a client, and the admin's log-in form saying why for a locked account.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_post_parameters

from stoa.members.models import User

# allauth's code for the form error of an account locked by failed log-ins.
ACCOUNT_LOCKED = "too_many_login_attempts"


def _account_email(login: str) -> str | None:
    """The email address of the account a username names (the key allauth counts that
    account's failures under on the site's log-in), or None for an address or no account."""
    if "@" in login:
        return None
    return User.objects.filter(username=login).values_list("email", flat=True).first()


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's log-in form, authenticating through allauth's adapter (its limits)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            credentials = {"username": username, "password": password}
            if email := _account_email(username):
                credentials["email"] = email
            # Raises the form error for a locked account, or answers 429 for a client over
            # its limit (the adapter's pre_authenticate).
            self.user_cache = get_adapter(self.request).authenticate(self.request, **credentials)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


@sensitive_post_parameters()
def login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """admin.site.login (whose login_form stoa.urls sets to AdminLoginForm) with allauth's
    "login" limit per client, as allauth's LoginView has it; a locked account's form is
    answered 429."""
    if refused := ratelimit.consume_or_429(request, action="login"):
        return refused
    response = admin.site.login(request, extra_context)
    if isinstance(response, TemplateResponse) and request.method == "POST":
        form = (response.context_data or {}).get("form")
        if form is not None and form.has_error("__all__", code=ACCOUNT_LOCKED):
            response.status_code = 429
    return response
