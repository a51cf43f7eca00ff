"""Whose page a request asks for: the one rule that says whether the answer may be shared.

Most readers have no account and nothing of their own on the page: they may all be given
the same page, from Stoa's page cache or nginx's micro-cache. A request is *personal* when
the page would carry something of this reader's: a session (a member, staff), credentials,
or what an app declares in its `freshness` module as a reader's own —
`PERSONAL_COOKIES` (the discussion's remembered commenter) and `PERSONAL_QUERY` parameters
(a comment's owner token `?c=`, a reply in progress `?replytocom=`). `SHARED_QUERY` names the
parameters a shared page may have (`?page=`, `?cpage=` numbers, written as the site's links
write them: `canonical_query` is the form the page cache keys); any other query is
*unshared*: anonymous, answered fresh, never kept (tracking parameters or padded page
numbers would otherwise fill the cache with copies).

The page cache (stoa.core.pagecache), the post page's discussion section
(stoa.discussion.slots) and the nginx configuration (`stoa nginx-config`, printed into
docs/deploy.md and compared with it by a test) all ask this module, and nothing else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.http.cookie import parse_cookie

# Never shared, whoever asks: the back office, comment actions and the pages behind emailed
# links (some act on a GET), previews, and files (served with their own headers)...
DEFAULT_UNSHARED_PATHS = ("/admin/", "/comments/", "/preview/", "/media/", "/static/")
# ... except the public comment feeds.
SHARED_UNDER_UNSHARED = re.compile(r"/comments/(?:post/\d{1,12}/)?feed/(?:atom/)?")
# Nor the operations probes and metrics (stoa.core.urls), these addresses exactly: asked
# every few seconds, answered fresh without even a cache lookup.
OPERATIONS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# A page number as the site's own links write it: no leading zero, at most six digits (a
# shared page has at most a million pages of anything). "01" or "0" is no page of its own:
# answered fresh, never kept, so a bot cannot mint copies of a page by padding its number
# (and "0" means different things to different lists: a 404 for posts, the first comment
# page for a thread).
NUMBER = r"[1-9]\d{0,5}"
# The first page of a list or a thread is its bare address (the site's links and canonical
# addresses never write page 1): `?page=1` is kept as, and answered with, the bare page.
FIRST_PAGE = "1"


class Reader(StrEnum):
    SHARED = "shared"  # the page every anonymous reader at this address is given
    PERSONAL = "personal"  # this reader's own: never kept, marked private
    UNSHARED = "unshared"  # anonymous but not kept (a POST-free odd query, the back office)


@dataclass(frozen=True)
class Rules:
    """The declarations, gathered once."""

    personal_cookies: tuple[str, ...]
    personal_query: tuple[str, ...]
    shared_query: tuple[str, ...]
    unshared_paths: tuple[str, ...]

    @functools.cached_property
    def shared_query_pattern(self) -> re.Pattern[str]:
        names = "|".join(re.escape(name) for name in self.shared_query)
        one = rf"(?:{names})={NUMBER}"
        return re.compile(rf"{one}(?:&{one}){{0,{max(len(self.shared_query) - 1, 0)}}}")

    @functools.cached_property
    def personal_query_pattern(self) -> re.Pattern[str]:
        names = "|".join(re.escape(name) for name in self.personal_query)
        return re.compile(rf"(?:^|&)(?:{names})=")


def _declared(name: str) -> list[str]:
    found: list[str] = []
    for config in apps.get_app_configs():
        module = f"{config.name}.freshness"
        if config.name.startswith("stoa.") and find_spec(module) is not None:
            found.extend(getattr(import_module(module), name, ()))
    return found


@functools.cache
def rules() -> Rules:
    """The session cookie and every app's declarations (read once; again after a setting
    changes, as in tests)."""
    return Rules(
        personal_cookies=tuple(
            dict.fromkeys([settings.SESSION_COOKIE_NAME, *_declared("PERSONAL_COOKIES")])
        ),
        personal_query=tuple(dict.fromkeys(_declared("PERSONAL_QUERY"))),
        shared_query=tuple(dict.fromkeys(_declared("SHARED_QUERY"))),
        unshared_paths=tuple(getattr(settings, "STOA_PAGE_CACHE_EXCLUDE", DEFAULT_UNSHARED_PATHS)),
    )


def _settings_changed(**kwargs: Any) -> None:
    rules.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="stoa-readers-rules")


def classify(environ: Mapping[str, Any]) -> Reader:
    """Whose page this request (a WSGI environ, or request.META) asks for."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        # What a POST answers (a form with the reader's text, an error) is theirs.
        return Reader.PERSONAL
    if environ.get("HTTP_AUTHORIZATION"):
        return Reader.PERSONAL
    found = rules()
    if (cookies := environ.get("HTTP_COOKIE")) and not set(found.personal_cookies).isdisjoint(
        parse_cookie(cookies)
    ):
        return Reader.PERSONAL
    query = environ.get("QUERY_STRING", "")
    if query and not _shared_query(found, query):
        if found.personal_query and found.personal_query_pattern.search(query):
            return Reader.PERSONAL
        return Reader.UNSHARED
    path = environ.get("PATH_INFO", "")
    if path in OPERATIONS_PATHS:
        return Reader.UNSHARED
    if path.startswith(found.unshared_paths) and not SHARED_UNDER_UNSHARED.fullmatch(path):
        return Reader.UNSHARED
    return Reader.SHARED


def _shared_query(found: Rules, query: str) -> bool:
    """Page numbers only, each parameter once (Django reads the last of repeated ones, so
    `?page=2&page=3` would be another address of page 3)."""
    if not found.shared_query_pattern.fullmatch(query):
        return False
    names = [part.partition("=")[0] for part in query.split("&")]
    return len(names) == len(set(names))


def canonical_query(query: str) -> str:
    """The query of a shared request as the page cache keys it: its page numbers in one
    order, without a first page (FIRST_PAGE): `?cpage=2&page=3` and `?page=3&cpage=2` are one
    page, `?page=1&cpage=2` and `?cpage=2` another. Only for a query classify calls shared."""
    pairs = sorted(part.partition("=")[::2] for part in query.split("&") if part)
    return "&".join(f"{name}={value}" for name, value in pairs if value != FIRST_PAGE)


def is_personal(environ: Mapping[str, Any]) -> bool:
    """Whether the page carries something of this reader's (see classify)."""
    return classify(environ) == Reader.PERSONAL


def nginx_maps() -> str:
    """The same rule for nginx, as `map` blocks setting `$stoa_bypass` to 1 for a personal
    request: nginx neither answers it from its micro-cache nor keeps the answer."""
    found = rules()
    cookies = "|".join(re.escape(name) for name in found.personal_cookies)
    query = "|".join(re.escape(name) for name in found.personal_query)
    return f"""# Generated by `stoa nginx-config` from stoa.core.readers, the rule Stoa's page cache
# follows: a request is personal when it carries credentials, a personal cookie or a
# personal query parameter (POSTs nginx never caches). A test fails if this copy differs.
map $http_cookie $stoa_personal_cookie {{
    default 0;
    "~(^|;)\\s*({cookies})=" 1;
}}
map $args $stoa_personal_query {{
    default 0;
    "~(^|&)({query})=" 1;
}}
map "$stoa_personal_cookie$stoa_personal_query$http_authorization" $stoa_bypass {{
    "00" 0;
    default 1;
}}
"""
