"""Every change of state of the API app: tokens made, used and revoked; the short-lived
tokens of the embedded discussion's login window; the post made for another site's page."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify

from stoa.api import access
from stoa.api.limits import api_setting
from stoa.api.models import ApiToken, EmbeddedThread, Scope
from stoa.members import cache as members_cache
from stoa.members.models import User
from stoa.publishing import services as publishing
from stoa.publishing.models import Category, Person, Post, PostStatus

# Tokens say what they are, so that a leaked one is recognised by secret scanners.
TOKEN_PREFIX = "stoa_"  # noqa: S105 - a label, not a secret
# last_used_at is written at most this often per token: not one write per request.
LAST_USED_PRECISION_SECONDS = 60


def digest(secret: str) -> str:
    """What is stored of a token: its SHA-256 (the secret is 256 random bits; see models)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_token(*, user: User, name: str, scopes: Iterable[str]) -> tuple[str, list[str]]:
    """The name and scopes of a new token, cleaned, or ValidationError: a missing name, no
    scope, an unknown one, or moderate for someone who does not moderate."""
    name = name.strip()
    chosen = sorted(set(scopes))
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Please give the token a name, to tell it apart later."
    if not chosen:
        errors["scopes"] = "Please choose at least one scope."
    offered = {str(scope) for scope in access.scopes_offered(user)}
    if any(scope not in offered for scope in chosen):
        known = {str(scope) for scope in Scope}
        unknown = [scope for scope in chosen if scope not in known]
        errors["scopes"] = (
            f"Unknown scope: {', '.join(unknown)}."
            if unknown
            else "Only moderators may have a token with the moderate scope."
        )
    if errors:
        raise ValidationError(errors)
    return name, chosen


@transaction.atomic
def create_token(*, user: User, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Make a token for the member; returns it and its secret, which is never stored and
    must be shown to them now. Raises ValidationError for a missing name or a scope the
    member may not have (moderate without being a moderator)."""
    name, chosen = check_token(user=user, name=name, scopes=scopes)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=digest(secret),
        scopes=" ".join(chosen),
    )
    return token, secret


def revoke_token(*, token: ApiToken) -> ApiToken:
    """Stop the token opening the API, for good (kept, so its owner sees when it stopped)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_token(secret: str) -> ApiToken | None:
    """The live token with this secret, with its member, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    return ApiToken.objects.live().select_related("user").filter(digest=digest(secret)).first()


def note_use(*, token: ApiToken) -> None:
    """Remember when the token was last used (to the minute: at most one write a minute)."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        # Shown on the member's account page: update() sends no signal.
        members_cache.mark_member_changed(member_id=token.user_id)


# --------------------------------------------------------------------------- embedded threads

# What the embedded discussion's login window gives a member: enough to read and comment as
# themselves, nothing more (no moderation, whatever their role).
EMBED_SCOPES = (Scope.READ, Scope.COMMENT)


@transaction.atomic
def create_embed_token(*, user: User, origin: str) -> tuple[ApiToken, str]:
    """A token for the embedded discussion on `origin`'s pages (stoa.api.embed): read and
    comment only, ending after STOA_API["EMBED_TOKEN_SECONDS"], answering only requests
    whose Origin is `origin` (stoa.api.auth). Its secret is handed to that page once, by the
    login window's postMessage, and kept there in memory only."""
    now = timezone.now()
    # The member's login tokens that have ended are nothing to keep or show: each login
    # clears them, so they never pile up.
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = dt.timedelta(seconds=int(api_setting("EMBED_TOKEN_SECONDS")))
    token = ApiToken.objects.create(
        user=user,
        name=f"Comments on {origin}"[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=digest(secret),
        scopes=" ".join(EMBED_SCOPES),
        expires_at=now + lifetime,
        origin=origin,
    )
    return token, secret


def _embed_category() -> Category:
    slug = str(api_setting("EMBED_CATEGORY"))
    found = Category.objects.filter(slug=slug).first()
    if found is not None:
        return found
    return publishing.create_category(
        name=slug.replace("-", " ").capitalize(),
        slug=slug,
        description="Discussions of articles on other sites, where they are embedded.",
    )


def _site_person(origin: str) -> Person:
    host = urlsplit(origin).netloc
    slug = slugify(host.replace(".", "-").replace(":", "-"))[:120] or "elsewhere"
    found = Person.objects.filter(slug=slug).first()
    return found or publishing.create_person(name=host, slug=slug)


@transaction.atomic
def embedded_thread(*, url: str, title: str, origin: str) -> tuple[Post, bool]:
    """The post whose discussion another site's page `url` shows, made the first time it is
    asked for, and whether it was made now. As Discourse does for an embedded topic, the post
    is published on the site, in STOA_API["EMBED_CATEGORY"], under the other site's name, and
    says where the article is: the discussion is readable here too, without JavaScript.
    The caller checked that `origin` may have threads (STOA_EMBED_ORIGINS) and that `url` is
    on it (stoa.api.embed)."""
    found = EmbeddedThread.objects.select_related("post").filter(url=url).first()
    if found is not None:
        return found.post, False
    title = " ".join(title.split())[:200] or url[:200]
    body = format_html(
        '<p>The discussion of <a href="{}">{}</a>, an article on {}.</p>',
        url,
        title,
        urlsplit(origin).netloc,
    )
    post = publishing.create_post(
        title=title,
        body=str(body),
        authors=[_site_person(origin)],
        categories=[_embed_category()],
        status=PostStatus.PUBLISHED,
        published_at=timezone.now(),
        # Readable at its address, never on the home page, in feeds, the sitemap or search:
        # the title comes from the embedding page, and a partner's pages are not articles.
        listed=False,
    )
    # Two first visits at once: the second's row breaks the url's uniqueness, the whole
    # transaction (its post too) is undone and IntegrityError raised; its caller reads again.
    EmbeddedThread.objects.create(url=url, origin=origin, post=post)
    return post, True
