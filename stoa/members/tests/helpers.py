"""What the members' tests share: reading pages and emails, and members who can log in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from allauth.account.models import EmailAddress
from django.core import mail

from stoa.members.models import User
from stoa.members.tests.factories import UserFactory

PASSWORD = "a-long-test-password"
LINK = re.compile(r"https?://\S+")


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def squash(text: str) -> str:
    return " ".join(text.split())


def text_of(node) -> str:
    return squash(node.text_content())


def main_text(response) -> str:
    return text_of(page(response).xpath("//main")[0])


def errors(response) -> str:
    """Every error message shown with a form."""
    doc = page(response)
    found = doc.xpath("//*[contains(@class, 'form-errors') or contains(@class, 'field-error')]")
    return squash(" ".join(node.text_content() for node in found))


def verified_member(**kwargs) -> User:
    """A member whose email address is verified, as after signing up: they can log in."""
    member = UserFactory(**kwargs)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member


def last_email_to(address: str) -> mail.EmailMessage:
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no email to {address}"
    return sent[-1]


def link_in(message: mail.EmailMessage) -> str:
    """The one link in an email, as a path the test client can open."""
    links = LINK.findall(message.body)
    assert len(links) == 1, links
    url = urlsplit(links[0])
    return f"{url.path}?{url.query}" if url.query else url.path
