"""Background work for accounts: sending allauth's emails from the task worker."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task(queue_name="email")
def send_account_email(
    *,
    subject: str,
    body: str,
    from_email: str,
    to: list[str],
    html: str = "",
    headers: dict[str, str] | None = None,
) -> int:
    """Send one email allauth rendered during the request (verification, reset, notices)."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
