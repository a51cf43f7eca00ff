"""Background work for accounts: sending allauth's emails from the task worker, once per
task even when a worker dies and the task runs again (stoa.core.tasks.send_once)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import TaskContext, task

from stoa.core.tasks import send_once


@task(queue_name="email", takes_context=True)
def send_account_email(
    context: TaskContext,
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
    return send_once(message, context)
