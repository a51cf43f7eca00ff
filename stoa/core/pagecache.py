"""Whole pages for anonymous readers, from the cache.

Most readers have no session: they all see the same page at an address, so the finished
page (body, status, headers) is kept in Django's cache under the *content version*
(stoa.core.cache) and the address. Any change to what pages show starts a new version, so
a kept page is dropped the moment it would be stale: it is simply never looked up again
(and expires after STOA_PAGE_CACHE_SECONDS).

Two halves share one test of eligibility (`classify`) and one key (`page_key`):

- `PageCacheMiddleware` (first in MIDDLEWARE, so it sees the response as it leaves, with
  the security headers) stores eligible responses; used without the WSGI half (the test
  client, another entry point) it also answers from the cache.
- `CachedPages`, the WSGI application gunicorn runs (stoa.wsgi), answers eligible requests
  from the cache before Django handles them at all: no middleware, no URL resolving. It
  keeps the pages of the current version in memory too (STOA_PAGE_CACHE_LOCAL_BYTES per
  process), so a hit costs one look-up of the version in the shared cache.

Pages are kept gzipped too, and given so to readers whose browser asks for it
(`Accept-Encoding: gzip`, as every browser does): a thread of 200 comments is a tenth of the
bytes on the wire, and compressing once per version costs less than once per reader.

Pages carry a strong ETag (a hash of the body; another for the gzipped body), Last-Modified and
`Cache-Control: public, max-age=0, must-revalidate`, so browsers and proxies revalidate,
and conditional GETs are answered 304. `X-Accel-Expires` (STOA_PAGE_CACHE_PROXY_SECONDS)
lets an nginx micro-cache keep them briefly (docs/deploy.md); nginx does not pass it on.
`X-Stoa-Cache: hit` says a page came from the cache, `miss` that it was just stored.

Which requests are shared, personal or neither is decided by stoa.core.readers, the one
place for that rule: personal pages (a session, the commenter's remembered details, a token
in the address) are never kept and are marked private; unshared ones (an arbitrary query,
the back office) are handled by Django as if the cache were not here.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from stoa.core import metrics, readers
from stoa.core.cache import content_version, forget_request_version

logger = logging.getLogger(__name__)

MIDDLEWARE_PATH = "stoa.core.pagecache.PageCacheMiddleware"
CACHE_HEADER = "X-Stoa-Cache"
HIT, MISS = "hit", "miss"
# Where CachedPages leaves the key it looked up (and missed), for the middleware to store
# under: the version read *before* the page was made, so a change during the rendering
# leaves the page under the old version, where nobody looks.
KEY_ENVIRON = "stoa.pagecache.key"
FORMAT = 2  # of the kept pages (Page) and their keys: a new format is kept under new keys
CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Smaller pages gain too little from gzip to be worth a second copy.
GZIP_MIN_BYTES = 1024
# A port a Host header may name without naming another address (RFC 9110 section 4.2).
DEFAULT_PORTS = {"http": "80", "https": "443"}

STORED_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "application/rss+xml",
        "application/atom+xml",
        "application/xml",
        "text/xml",
    }
)
# The headers a stored page gets from the cache, not from the response it was made from.
OWN_HEADERS = frozenset(
    {
        "content-length",
        "date",
        "server",
        "etag",
        "last-modified",
        "vary",
        "content-encoding",
        "cache-control",
        "expires",
        "x-accel-expires",
        CACHE_HEADER.lower(),
    }
)
# Headers a 304 repeats from the 200 it stands for (RFC 9110 section 15.4.5).
NOT_MODIFIED_HEADERS = frozenset(
    {"etag", "last-modified", "cache-control", "vary", "x-accel-expires", "content-location"}
)

PAGE, PERSONAL, OTHER = "page", "personal", "other"


class Config(NamedTuple):
    """The settings, read once (and again whenever a setting changes, as in tests)."""

    enabled: bool
    seconds: int
    proxy_seconds: int
    max_bytes: int
    local_bytes: int
    proxy_ssl_header: tuple[str, str] | None
    use_forwarded_host: bool
    script_name: str


@functools.cache
def config() -> Config:
    return Config(
        enabled=MIDDLEWARE_PATH in settings.MIDDLEWARE
        and getattr(settings, "STOA_PAGE_CACHE", True),
        seconds=int(getattr(settings, "STOA_PAGE_CACHE_SECONDS", 600)),
        proxy_seconds=int(getattr(settings, "STOA_PAGE_CACHE_PROXY_SECONDS", 1)),
        max_bytes=int(getattr(settings, "STOA_PAGE_CACHE_MAX_BYTES", 4 * 1024 * 1024)),
        local_bytes=int(getattr(settings, "STOA_PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024)),
        proxy_ssl_header=getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
        use_forwarded_host=bool(getattr(settings, "USE_X_FORWARDED_HOST", False)),
        script_name=getattr(settings, "FORCE_SCRIPT_NAME", None) or "",
    )


def _settings_changed(**kwargs: Any) -> None:
    config.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="stoa-pagecache-config")


# ---------------------------------------------------------------------------- the request


def classify(environ: Mapping[str, Any]) -> str:
    """PAGE: a shared page, served from and stored in the cache; PERSONAL: this reader's
    own GET (stoa.core.readers says which); OTHER: neither (a POST, the back office, an
    arbitrary query, another SCRIPT_NAME), handled by Django as if we were not here."""
    conf = config()
    if not conf.enabled:
        return OTHER
    # A server takes SCRIPT_NAME from its environment, or (gunicorn's forwarder_headers,
    # off in gunicorn.conf.py) from a header of a trusted peer, which then also shortens
    # PATH_INFO: `GET /about/?page=1` with `SCRIPT_NAME: /about` is the home page asked
    # for under another prefix. Only the prefix the site is configured with is its own.
    if environ.get("SCRIPT_NAME", "") != conf.script_name:
        return OTHER
    reader = readers.classify(environ)
    if reader == readers.Reader.SHARED:
        return PAGE
    if reader == readers.Reader.PERSONAL and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
        return PERSONAL
    return OTHER


def _scheme(environ: Mapping[str, Any], conf: Config) -> str:
    """request.scheme, from the environment alone."""
    if conf.proxy_ssl_header:
        name, secure = conf.proxy_ssl_header
        if (value := environ.get(name)) is not None:
            return "https" if value.split(",", 1)[0].strip() == secure else "http"
    return str(environ.get("wsgi.url_scheme", "http"))


def _host(environ: Mapping[str, Any], conf: Config) -> str:
    """The host as request.get_host() reads it (unvalidated: a page is stored only after
    Django accepted its host, so an unknown host finds nothing)."""
    if conf.use_forwarded_host and "HTTP_X_FORWARDED_HOST" in environ:
        return str(environ["HTTP_X_FORWARDED_HOST"])
    if "HTTP_HOST" in environ:
        return str(environ["HTTP_HOST"])
    name, port = str(environ.get("SERVER_NAME", "")), str(environ.get("SERVER_PORT", ""))
    return name if port == DEFAULT_PORTS.get(_scheme(environ, conf)) else f"{name}:{port}"


def normal_host(host: str, scheme: str) -> str:
    """The host as one address has it, however a client writes it: lower case, without the
    trailing dot of a fully qualified name or the scheme's default port (as Django's host
    check reads it: `LOCALHOST.:80` is `localhost`). A host Django would refuse is left as
    it is: nothing is ever kept under it."""
    domain, port = split_domain_port(host)
    if not domain:
        return host
    if port == DEFAULT_PORTS.get(scheme):
        port = ""
    return f"{domain}:{port}" if port else domain


class Address(NamedTuple):
    """A shared request's address as pages are kept under it. The pair (SCRIPT_NAME,
    PATH_INFO) stays a pair: joined, `/about` + `/` and `` + `/about/` would be one key."""

    scheme: str
    host: str
    script_name: str
    path_info: str
    query: str


def address(environ: Mapping[str, Any]) -> tuple[Address, bool]:
    """The address a shared request's page is kept under (host and page numbers normalised,
    stoa.core.readers.canonical_query), and whether the request wrote it that way. A page is
    answered for every spelling of its address but kept only from a request that spelt it
    as kept: pages print their own address (links, `rel=canonical`), and `Host: LOCALHOST.`
    must not put `http://LOCALHOST./` into the page every reader is given."""
    conf = config()
    scheme = _scheme(environ, conf)
    host = _host(environ, conf)
    query = str(environ.get("QUERY_STRING", ""))
    kept = Address(
        scheme,
        normal_host(host, scheme),
        str(environ.get("SCRIPT_NAME", "")),
        str(environ.get("PATH_INFO", "")),
        readers.canonical_query(query) if query else "",
    )
    return kept, (kept.host, kept.query) == (host, query)


def _address_hash(environ: Mapping[str, Any]) -> str:
    text = json.dumps(address(environ)[0], ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def page_key(environ: Mapping[str, Any], version: str) -> str:
    """Where the page at this address is kept in this content version: scheme, host, the
    (SCRIPT_NAME, PATH_INFO) pair and the page numbers (pages print their absolute
    address)."""
    return f"stoa:page:{FORMAT}:{version}:{_address_hash(environ)}"


def _modified_key(environ: Mapping[str, Any]) -> str:
    """Where the Last-Modified last given for this address is kept, across versions."""
    return f"stoa:page-modified:{_address_hash(environ)}"


def current_key(environ: Mapping[str, Any]) -> str:
    """page_key under the content version read afresh."""
    forget_request_version()
    try:
        return page_key(environ, content_version())
    finally:
        forget_request_version()


# ---------------------------------------------------------------------------- the page


class Page(NamedTuple):
    """A kept page, ready to send: status line, headers (with the validators, the length
    and X-Stoa-Cache: hit) and body; and the same gzipped, when that is smaller."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    modified: int | None  # Last-Modified, seconds since the epoch (None: none given)
    expires: float  # when it is dropped from the cache (time.time())
    gzip_headers: tuple[tuple[str, str], ...] = ()
    gzip_body: bytes = b""
    gzip_etag: str = ""

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip_body) + 200 * len(self.headers)


def accepts_gzip(environ: Mapping[str, Any]) -> bool:
    """Whether the reader's Accept-Encoding admits gzip (RFC 9110 section 12.5.3)."""
    accept = environ.get("HTTP_ACCEPT_ENCODING", "").lower()
    if "gzip" not in accept and "*" not in accept:
        return False
    admitted = {}
    for part in accept.split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        admitted[coding.strip()] = q
    return admitted.get("gzip", admitted.get("*", 0.0)) > 0


def not_modified(page: Page, environ: Mapping[str, Any], etag: str | None = None) -> bool:
    """Would the reader's copy (of the representation whose ETag is `etag`) do (RFC 9110
    section 13.2.2)? If-None-Match decides when sent (weak comparison); If-Modified-Since
    only without it."""
    if (if_none_match := environ.get("HTTP_IF_NONE_MATCH")) is not None:
        tags = parse_etags(if_none_match)
        return "*" in tags or (etag or page.etag) in {tag.removeprefix("W/") for tag in tags}
    if since := environ.get("HTTP_IF_MODIFIED_SINCE"):
        when = parse_http_date_safe(since)
        return when is not None and page.modified is not None and page.modified <= when
    return False


def answer(page: Page, environ: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status line, headers and body for this request: the page (gzipped if the reader
    accepts it), its headers alone for a HEAD, or 304 Not Modified."""
    if page.gzip_body and accepts_gzip(environ):
        headers, body, etag = page.gzip_headers, page.gzip_body, page.gzip_etag
    else:
        headers, body, etag = page.headers, page.body, page.etag
    if not_modified(page, environ, etag):
        kept = [(k, v) for k, v in headers if k.lower() in NOT_MODIFIED_HEADERS]
        return "304 Not Modified", [*kept, (CACHE_HEADER, HIT)], b""
    if environ.get("REQUEST_METHOD") == "HEAD":
        body = b""
    return page.status, list(headers), body


def _storable(request: HttpRequest, response: HttpResponseBase) -> bytes | None:
    """The body of a response every anonymous reader may be given, else None."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if not isinstance(response, HttpResponse):
        return None
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type not in STORED_TYPES:
        return None
    directives = {
        part.split("=", 1)[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
    }
    if directives & {"private", "no-store", "no-cache"}:
        return None
    # The key tells readers apart by their cookies (classify) and nothing else: a page that
    # varies on another header (Accept-Encoding, Accept-Language) is not kept.
    if not {v.strip().lower() for v in response.get("Vary", "").split(",")} <= {"", "cookie"}:
        return None
    # A nonce must be new on every response; a cached page would repeat it to everyone.
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    # No session cookie, so this reads no session; but an authenticated request by any
    # other means is not anonymous.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    body = response.content
    return body if len(body) <= config().max_bytes else None


def _last_modified(environ: Mapping[str, Any], etag: str, now: int, seconds: int) -> int | None:
    """Last-Modified for a new page at this address: when it was made, or when this body
    was first given if it is unchanged. Times are whole seconds, so a changed page made in
    the same second as the last one given could not be told from it by If-Modified-Since:
    it gets none then (its ETag still validates it), and the next version's page does."""
    key = _modified_key(environ)
    previous: tuple[int, str] | None = cache.get(key)
    if previous is not None:
        modified, known = previous
        if known == etag:
            return modified
        if now <= modified:
            return None
    cache.set(key, (now, etag), seconds)
    return now


def make_page(environ: Mapping[str, Any], response: HttpResponseBase, body: bytes) -> Page:
    """The page to keep, from a storable response."""
    conf = config()
    etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    now = int(time.time())
    modified = _last_modified(environ, etag, now, conf.seconds)
    # mtime=0: the same body always compresses to the same bytes (and the same ETag).
    packed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else b""
    if len(packed) >= len(body):
        packed = b""
    vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    if packed:
        vary.append("Accept-Encoding")
    common = [(k, v) for k, v in response.items() if k.lower() not in OWN_HEADERS]
    if vary:
        common.append(("Vary", ", ".join(vary)))
    tail = []
    if modified is not None:
        tail.append(("Last-Modified", http_date(modified)))
    if conf.proxy_seconds > 0:
        # Before Cache-Control: nginx before 1.23 reads them in order, and max-age=0 seen
        # first would make the page uncacheable to it.
        tail.append(("X-Accel-Expires", str(conf.proxy_seconds)))
    tail += [("Cache-Control", CACHE_CONTROL), (CACHE_HEADER, HIT)]
    headers = (*common, ("Content-Length", str(len(body))), ("ETag", etag), *tail)
    status = f"{response.status_code} {response.reason_phrase}"
    if not packed:
        return Page(status, headers, body, etag, modified, now + conf.seconds)
    # A strong ETag names one representation: the gzipped one gets its own (RFC 9110
    # section 8.8.3).
    gzip_etag = f'{etag[:-1]}-gz"'
    gzip_headers = (
        *common,
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(packed))),
        ("ETag", gzip_etag),
        *tail,
    )
    return Page(
        status, headers, body, etag, modified, now + conf.seconds, gzip_headers, packed, gzip_etag
    )


def _as_response(page: Page, environ: Mapping[str, Any], label: str) -> HttpResponse:
    status, headers, body = answer(page, environ)
    response = HttpResponse(body) if status.startswith("200") else HttpResponseNotModified()
    for name, value in headers:
        if name.lower() != "content-length" or status.startswith("200"):
            response[name] = value
    response[CACHE_HEADER] = label
    return response


# ---------------------------------------------------------------------------- middleware


class PageCacheMiddleware:
    """Store the pages anonymous readers are given (and, without CachedPages in front,
    answer from the cache). First in MIDDLEWARE: the stored response is the one that
    leaves, with every header the other middleware adds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        kind = classify(request.META)
        if kind != PAGE:
            response = self.get_response(request)
            if kind == PERSONAL and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            return response
        key = request.META.get(KEY_ENVIRON)
        if key is None:  # CachedPages did not look: look here
            try:
                key = current_key(request.META)
                page = _fetch(key)
            except Exception:  # noqa: BLE001 - a cache outage must not fail the page
                logger.exception("Could not read the page cache")
                key, page = "", None
            if key:
                metrics.count_page_cache(HIT if page is not None else MISS)
            if page is not None:
                return _as_response(page, request.META, HIT)
        response = self.get_response(request)
        if (
            not key
            or request.method != "GET"
            or not address(request.META)[1]
            or (body := _storable(request, response)) is None
        ):
            return response
        try:
            page = make_page(request.META, response, body)
            cache.set(key, page, config().seconds)
        except Exception:  # noqa: BLE001 - a cache outage must not fail the page
            logger.exception("Could not store the page in the cache")
            return response
        if (page.gzip_body and accepts_gzip(request.META)) or not_modified(page, request.META):
            return _as_response(page, request.META, MISS)
        # The response itself goes out (the test client reads its context), with the page's
        # validators and caching headers, in the page's order.
        for name in OWN_HEADERS:
            del response[name]
        for name, value in page.headers:
            if name.lower() in OWN_HEADERS:
                response[name] = value
        response[CACHE_HEADER] = MISS
        return response


def _fetch(key: str) -> Page | None:
    page = cache.get(key)
    if isinstance(page, Page) and page.expires > time.time():
        return page
    return None


# ---------------------------------------------------------------------------- WSGI


class CachedPages:
    """WSGI application: eligible requests answered from the cache, the rest (and misses)
    passed to `app`. Pages of the current content version are also kept in this process's
    memory, at most STOA_PAGE_CACHE_LOCAL_BYTES, oldest dropped first; a new version empties
    it, so it never answers with a page the shared cache has dropped."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._version = ""
        self._pages: dict[str, Page] = {}
        self._bytes = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if classify(environ) != PAGE:
            return self.app(environ, start_response)
        key = ""  # if the version cannot be read, Django makes the page and nobody keeps it
        try:
            forget_request_version()
            version = content_version()
            key = page_key(environ, version)
            page = self._lookup(key, version)
        except Exception:  # noqa: BLE001 - a cache outage must not fail the page
            logger.exception("Could not read the page cache")
            environ[KEY_ENVIRON] = key
            return self.app(environ, start_response)
        finally:
            forget_request_version()
        if page is None:
            metrics.count_page_cache(MISS)
            environ[KEY_ENVIRON] = key
            return self.app(environ, start_response)
        status, headers, body = answer(page, environ)
        start_response(status, headers)
        metrics.count_page_cache(HIT)
        metrics.count_request(metrics.PAGE_CACHE_VIEW, environ.get("REQUEST_METHOD"), status)
        return [body]

    def _lookup(self, key: str, version: str) -> Page | None:
        now = time.time()
        with self._lock:
            if version != self._version:
                self._version, self._pages, self._bytes = version, {}, 0
            page = self._pages.get(key)
        if page is not None and page.expires > now:
            return page
        page = _fetch(key)
        limit = config().local_bytes
        if page is None or page.size > limit:
            return page
        with self._lock:
            if version == self._version:
                old = self._pages.pop(key, None)
                self._bytes -= old.size if old else 0
                while self._pages and self._bytes + page.size > limit:
                    self._bytes -= self._pages.pop(next(iter(self._pages))).size
                self._pages[key] = page
                self._bytes += page.size
        return page
