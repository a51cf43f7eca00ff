"""Page slots: how an app puts a piece into a page it does not own, without being imported
by the page's owner.

A slot is a list in settings.STOA of dotted paths to functions. The view that owns the page
calls `fill(name, request, ...)`: each function is given the request and what the slot
promises (the post, the member, the view's state), decides what this reader may see, reads
what it needs, and returns its piece rendered; the page's template only prints the pieces.
So a template never queries, builds forms or reads the request.

Slots (each function returns rendered HTML, "" for nothing):
- POST_HEAD: `(request, post)` — links in the post page's <head> (its comment feed).
- POST_HEADER, POST_FOOTER: `(request, post, state)` — above the article, below it.
  `state` is what the view hands on from a POST it answered (a comment form with errors).
- ACCOUNT_SECTIONS, PROFILE_SECTIONS: `(request, member)` — a member's own account page,
  their public page (never anything private there).

The site's chrome (header links, the sidebar's widgets, the footer) is the same for every
reader and every page, kept under the content version: templates listed in SITE_NAV,
ACCOUNT_NAV, HEAD_LINKS, FOOTER_LINKS and SIDEBAR_WIDGETS are included by the site layout
(core's base.html), each with the globals its app brings. The head's links, the sidebar's
widgets and the footer's links are drawn once per content version for every reader
(stoa.core.templating.shared_chrome): they are given the site's name and tagline, no
request, and must show nothing that depends on the reader or the page. SITE_NAV (it marks
the page being read) and ACCOUNT_NAV (it names the reader's account and carries their form
token) are drawn for each request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string
from markupsafe import Markup

from stoa.core.conf import stoa_setting

Filler = Callable[..., str]


@functools.cache
def _function(path: str) -> Filler:
    return import_string(path)


def fill(name: str, request: HttpRequest, *args: Any) -> list[Markup]:
    """The pieces STOA[name]'s functions make for this request, in order (empty ones left
    out). The functions are the apps' own code and render with autoescape: trusted markup."""
    pieces = []
    for path in stoa_setting(name):
        piece = _function(path)(request, *args)
        if piece:
            pieces.append(Markup(piece))  # noqa: S704 - rendered by the app's own template
    return pieces
