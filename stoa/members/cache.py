"""A member's own pages, kept: the sections other apps plug into the account page
(settings.STOA["ACCOUNT_SECTIONS"]), rendered once and kept for that member until what they
show changes (issue 12: the account page rebuilt its five sections, five queries and most
of its time, on every view).

What a section shows is the member's own rows (their comments, subscriptions, enrolments,
tokens, verified addresses) and the site's content (post titles, comment addresses). So the
kept sections are stored under a key naming

- the member (nothing of one member is ever under a key another's request reads),
- the member's version: started afresh whenever one of their own rows is saved or deleted,
- the "everyone" version: started afresh by rows that belong to no member yet but may show
  on any member's page (a guest's comment, offered to whoever verifies its address),
- the content version (stoa.core.cache): titles, approvals, scheduled posts going live,
- the sections' paths (a different list draws different sections),

and for no longer than until a member's data changes by itself (a token expires, an
enrolment ends): the CLOCKS each app declares.

Which rows are whose is declared where the rows live, as what readers see is
(stoa.core.freshness): each app's `freshness` module lists `OWNED`, `Owned` declarations,
and `OWN_CLOCKS`, functions `(member) -> datetime | None`. members reads them by name at
ready(), so it imports none of the apps that plug into its page. Writes that send no signal
(`QuerySet.update()`) call `mark_member_changed`.

The profile form as it stands is kept the same way (`kept_piece`), under the member's version
alone: it shows their profile and names, nothing of the content.

The kept pieces are the member's only and the page stays private (never_cache): the page
cache never stores it. A form's CSRF token is never kept: it is cut out before storing and a
fresh one put in for each request.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.utils import timezone
from markupsafe import Markup

from stoa.core import slots
from stoa.core.cache import content_version, forget
from stoa.core.conf import stoa_setting

VERSION_PREFIX = "stoa:member-version:"
EVERYONE = "everyone"
# Kept at most this long, as the content version's fragments are.
KEPT_SECONDS = 3600
# Exactly as Django's csrf_input writes it (django.template.backends.utils): the value is
# a masked token, different at every request, so it is cut out of what is kept.
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
# Where a token was: an HTML comment, which no escaped text (a title, an excerpt) can spell.
CSRF_MARK = "<!--stoa:csrf-->"

Clock = Callable[[Any], Any]


@dataclass(frozen=True)
class Owned:
    """Rows of `model` show on the own pages of the member its field `member` names:
    saving or deleting one starts a new version of that member's pages. A row naming no
    member starts a new version for every member when `unowned_shows` says such a row may
    show on a member's page (a guest comment offered to whoever verified its address)."""

    model: type[models.Model]
    member: str = "user"
    unowned_shows: bool = False

    def member_id(self, row: models.Model) -> Any:
        field = self.model._meta.get_field(self.member)
        return getattr(row, getattr(field, "attname", self.member))


# ------------------------------------------------------------------------------ versions


def _new_version() -> str:
    return f"{time.time_ns():x}"


def _versions(member_id: Any) -> tuple[str, str]:
    """(the everyone version, the member's version), each started when missing."""
    keys = [VERSION_PREFIX + EVERYONE, f"{VERSION_PREFIX}{member_id}"]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # The first reader after a change starts the version; if two do at once, the
            # first one stored wins and both use it.
            cache.add(key, _new_version(), None)
            found[key] = cache.get(key) or _new_version()
    return found[keys[0]], found[keys[1]]


def mark_member_changed(*, member_id: Any) -> None:
    """The member's own rows changed (by a write that sends no signal, or one that does):
    their kept pages are redrawn. At once (their next page shows their own change, even
    inside a transaction) and again at the commit (a page drawn between the write and the
    commit saw the old rows and may have kept them), as stoa.core.freshness does."""
    forget(f"{VERSION_PREFIX}{member_id}")


def mark_everyone_changed() -> None:
    """A row that may show on any member's own pages changed: every member's are redrawn."""
    forget(VERSION_PREFIX + EVERYONE)


# ---------------------------------------------------------------------------- declarations


def _freshness_modules() -> Iterable[Any]:
    for config in apps.get_app_configs():
        name = f"{config.name}.freshness"
        if config.name.startswith("stoa.") and find_spec(name) is not None:
            yield import_module(name)


def declarations() -> list[Owned]:
    """Every installed app's `freshness.OWNED`, in INSTALLED_APPS order."""
    return [one for module in _freshness_modules() for one in getattr(module, "OWNED", [])]


@functools.cache
def clocks() -> tuple[Clock, ...]:
    """Every installed app's `freshness.OWN_CLOCKS` (read once: the apps are fixed)."""
    return tuple(
        one for module in _freshness_modules() for one in getattr(module, "OWN_CLOCKS", [])
    )


def _changed(owned: Owned) -> Callable[..., None]:
    def receiver(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        member_id = owned.member_id(instance)
        if member_id is not None:
            mark_member_changed(member_id=member_id)
        elif owned.unowned_shows:
            mark_everyone_changed()

    return receiver


def connect(owned: Iterable[Owned] | None = None) -> None:
    """Connect the receivers for these declarations (every installed app's, by default;
    called so once from members' ready())."""
    for one in declarations() if owned is None else owned:
        receiver = _changed(one)
        uid = f"stoa-owned-{one.model._meta.label_lower}-{one.member}"
        post_save.connect(receiver, sender=one.model, weak=False, dispatch_uid=uid)
        post_delete.connect(receiver, sender=one.model, weak=False, dispatch_uid=uid)


# --------------------------------------------------------------------------- kept pieces


def _kept_until(member: Any) -> tuple[float, int]:
    """Until the first moment the member's data changes by itself, at most KEPT_SECONDS:
    (that moment as a timestamp, seconds from now). The moment is kept with the pieces and
    checked against this process's clock when read: the cache's own expiry runs on its
    server's clock (Redis), which need not agree with ours to the second."""
    now = timezone.now()
    moments = [m for clock in clocks() if (m := clock(member)) is not None and m > now]
    until = min([now + dt.timedelta(seconds=KEPT_SECONDS), *moments])
    return until.timestamp(), max(1, math.ceil((until - now).total_seconds()))


def _request_versions(request: HttpRequest, member: Any) -> tuple[str, str]:
    """The member's versions, read once per request however many pieces are kept."""
    known = request.__dict__.get("_stoa_member_versions")
    if known is None or known[0] != member.pk:
        known = (member.pk, _versions(member.pk))
        request.__dict__["_stoa_member_versions"] = known
    return known[1]


def kept_sections(name: str, request: HttpRequest, member: Any) -> list[Markup]:
    """The pieces slot `name` makes for the member's own page (stoa.core.slots.fill), drawn
    once and kept until the member's rows, the site's content or a clock says otherwise."""
    paths = "\n".join(stoa_setting(name))
    drawn = hashlib.blake2b(paths.encode(), digest_size=8).hexdigest()
    everyone, own = _request_versions(request, member)
    key = f"stoa:own:{name}:{member.pk}:{drawn}:{everyone}:{own}:{content_version()}"
    kept: tuple[float, list[str]] | None = cache.get(key)
    if kept is not None and kept[0] > timezone.now().timestamp():
        pieces = kept[1]
    else:
        pieces = [CSRF_INPUT.sub(CSRF_MARK, piece) for piece in slots.fill(name, request, member)]
        until, seconds = _kept_until(member)
        cache.set(key, (until, pieces), seconds)
    if any(CSRF_MARK in piece for piece in pieces):
        token = str(csrf_input(request))
        pieces = [piece.replace(CSRF_MARK, token) for piece in pieces]
    return [Markup(piece) for piece in pieces]  # noqa: S704 - the apps' own rendered templates


def kept_piece(name: str, request: HttpRequest, member: Any, draw: Callable[[], str]) -> Markup:
    """A piece of the member's own page drawn from their own rows alone (their profile
    form as it stands), kept until one of those rows changes. It must hold no form token
    and nothing of the site's content."""
    own = _request_versions(request, member)[1]
    key = f"stoa:own:{name}:{member.pk}:{own}"
    piece: str | None = cache.get(key)
    if piece is None:
        piece = str(draw())
        cache.set(key, piece, KEPT_SECONDS)
    return Markup(piece)  # noqa: S704 - members' own rendered template
