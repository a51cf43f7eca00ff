"""Middleware shared by every app."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, reverse

from stoa.core import metrics, pagecache
from stoa.core.cache import forget_request_version
from stoa.core.models import Redirect
from stoa.core.services import normal_query

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger(__name__)


class ContentVersionMiddleware:
    """Let each request read the content version afresh, once (stoa.core.cache)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forget_request_version()
        try:
            return self.get_response(request)
        finally:
            forget_request_version()


# WordPress answers these query parameters on its front page (and on /index.php) whatever
# its permalinks: /?p=12 is post 12, /?page_id=3 a page, /?cat=4 a category... (WP::parse_request
# reads them as query variables before any rewrite rule). Stoa's front page is its home:
# such a request is looked up in the table before the home page is drawn.
WORDPRESS_QUERY_KEYS = ("p", "page_id", "cat", "tag", "author", "attachment_id", "m", "feed")
FRONT_PATHS = frozenset({"/", "/index.php"})
# WordPress's search (/?s=term) goes to the site's search once it has one (issue 13): the
# first of these URL names that exists, given the term as `q`.
SEARCH_URL_NAMES = ("search:search", "search:results", "search:index", "search")
# WordPress pages any list with /page/N/ after its address, and a post's comments with
# /comment-page-N/: Stoa's ?page=N and ?cpage=N (stoa.core.readers' page numbers).
PAGED = (
    (re.compile(r"(?P<base>.*/)page/(?P<number>[1-9][0-9]{0,5})/?"), "page"),
    (re.compile(r"(?P<base>.*/)comment-page-(?P<number>[1-9][0-9]{0,5})/?"), "cpage"),
)
# WordPress's resized copies of an upload: photo-300x200.jpg beside photo.jpg.
RESIZED = re.compile(r"(?P<stem>.+)-[0-9]{1,5}x[0-9]{1,5}(?P<suffix>\.[A-Za-z0-9]{2,5})")


# Browsers keep a 301 with no caching headers for ever (as they may: RFC 9111 section 4.2.2),
# so an editor's change to a redirect would never reach someone who followed it once; an hour
# bounds that. Private: neither nginx's micro-cache nor a CDN keeps it, so a change answers
# at once to everyone else.
REDIRECT_CACHE_CONTROL = "private, max-age=3600"


def moved(location: str) -> HttpResponsePermanentRedirect:
    """A 301 to `location`, kept by the reader's browser for an hour at most."""
    response = HttpResponsePermanentRedirect(location)
    response["Cache-Control"] = REDIRECT_CACHE_CONTROL
    return response


def search_url() -> str | None:
    """The site's search page, if an app provides one."""
    for name in SEARCH_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _with_query(target: str, query: str) -> str:
    """`target` with the request's query added (before a fragment), keeping a campaign's
    parameters across the move."""
    if not query:
        return target
    base, hash_mark, fragment = target.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{query}"
    return f"{joined}{hash_mark}{fragment}"


def _first_target(candidates: list[str]) -> tuple[str, str] | None:
    """(old, new) of the first candidate in the table, by the candidates' order; one query."""
    if not candidates:
        return None
    found = dict(
        Redirect.objects.filter(old_path__in=candidates).values_list("old_path", "new_path")
    )
    for old in candidates:
        if old in found:
            return old, found[old]
    return None


class RedirectMiddleware:
    """Old addresses answer 301 to where their content lives now (stoa.core.models.Redirect).

    The table is read only when it can matter, so a normal page costs nothing: for a GET
    whose page is not found (404), and for the front page asked with one of WordPress's
    query parameters (/?p=12). Neither a 404 nor a 301 is kept by the page cache
    (stoa.core.pagecache keeps 200s only), so a redirect added or changed answers at once.
    Last in MIDDLEWARE, so that a 404 is turned into a 301 before CommonMiddleware would
    add a slash to it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        if query and request.path in FRONT_PATHS:
            answer = self._front_page_query(query)
            if answer is not None:
                return answer
        response = self.get_response(request)
        if response.status_code == 404:
            return self._not_found(request.path, query) or response
        return response

    def _front_page_query(self, query: str) -> HttpResponse | None:
        pairs = parse_qsl(query, keep_blank_values=True)
        keys = {name: value for name, value in pairs if name in WORDPRESS_QUERY_KEYS}
        if keys:
            candidates = [f"/?{normal_query(query)}"]
            candidates += [f"/?{normal_query(urlencode({k: v}))}" for k, v in keys.items()]
            if found := _first_target(list(dict.fromkeys(candidates))):
                return moved(found[1])
        term = next((value for name, value in pairs if name == "s"), None)
        if term is not None and (search := search_url()) is not None:
            return moved(f"{search}?{urlencode({'q': term})}")
        return None

    def _not_found(self, path: str, query: str) -> HttpResponse | None:
        other = path[:-1] if path.endswith("/") and path != "/" else f"{path}/"
        normal = normal_query(query)
        candidates = [f"{path}?{normal}", path, f"{other}?{normal}", other] if normal else []
        candidates = candidates or [path, other]
        if found := _first_target(candidates):
            old, new = found
            # Matched without the query it was asked with: the query goes along.
            return moved(new if "?" in old else _with_query(new, query))
        for pattern, name in PAGED:
            if paged := pattern.fullmatch(path):
                found = _first_target([paged["base"], paged["base"].rstrip("/") or "/"])
                target = found[1] if found else paged["base"]
                number = paged["number"]
                # The first page is the bare address (stoa.core.readers.FIRST_PAGE).
                page = "" if number == "1" else urlencode({name: number})
                return moved(_with_query(target, page))
        resized = RESIZED.fullmatch(path)
        if resized and (found := _first_target([f"{resized['stem']}{resized['suffix']}"])):
            return moved(found[1])
        return None


class MetricsMiddleware:
    """Count and time every request Django answers, by its route's name (stoa.core.metrics).
    Placed first: its time includes every other middleware, the page cache's included."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None:
            view = match.view_name
        elif response.get(pagecache.CACHE_HEADER) == pagecache.HIT:
            view = metrics.PAGE_CACHE_VIEW
        else:
            view = metrics.UNMATCHED_VIEW
        try:
            metrics.observe_request(
                view, request.method, response.status_code, time.perf_counter() - started
            )
        except Exception:  # noqa: BLE001 - counting must never fail the request
            logger.exception("Could not count the request")
        return response
