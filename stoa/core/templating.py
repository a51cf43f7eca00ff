"""Jinja2 globals and filters every app's reader-facing templates share."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from markupsafe import Markup

from stoa.core.cache import content_version
from stoa.core.conf import stoa_setting
from stoa.core.text import cut_at_word

T = TypeVar("T")


@functools.lru_cache(maxsize=4096)
def _reversed(prefix: str, name: str, args: tuple[Any, ...], kwargs: tuple[Any, ...]) -> str:
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """Reverse a URL name, as {% url %} does; remembered, as the URLs never change while the
    process runs (a page reverses a dozen, at a tenth of a millisecond each)."""
    try:
        return _reversed(get_script_prefix(), name, args, tuple(sorted(kwargs.items())))
    except TypeError:  # an argument that cannot be a key: reverse it every time
        return reverse(name, args=args or None, kwargs=kwargs or None)


@functools.lru_cache(maxsize=256)
def _static(path: str) -> str:
    return static(path)


def static_url(path: str) -> str:
    """A static file's address (hashed by the manifest in production), as {% static %};
    remembered, as the manifest never changes while the process runs."""
    return _static(path)


def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT"}:
        _static.cache_clear()


setting_changed.connect(_forget_urls, dispatch_uid="stoa-templating-urls")


def login_url(next_path: str = "") -> str:
    """The login page (settings.LOGIN_URL, read now), coming back to `next_path`."""
    page = resolve_url(settings.LOGIN_URL)
    return f"{page}?{urlencode({'next': next_path})}" if next_path else page


def date(value: dt.datetime | None, fmt: str = "F j, Y") -> str:
    """Format a moment in the site's time zone with Django's date format characters."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)


def teaser(text: str | None, length: int = 40) -> str:
    """Cut text at a word boundary near `length` characters, ending with ' ...'."""
    return cut_at_word(str(text or ""), int(length))


def slot(name: str) -> list[str]:
    """The templates STOA[name] lists for a place in the site's chrome, to include in order
    (the header's links, the sidebar's widgets: the same for every reader; pieces that depend
    on the reader come from functions the view calls, stoa.core.slots)."""
    return list(stoa_setting(name))


# ------------------------------------------------------------------------- pieces of pages

# Pieces of pages kept in this process too, each with the content version it was made
# under: a page's pieces then cost a dictionary look-up, not a read of the shared cache (a
# file, or a round trip to Redis, and unpickling). The version is read from the shared
# store once per request, so a piece here is exactly as fresh as the one in the cache.
KEPT_IN_PROCESS = 512
_kept: OrderedDict[str, tuple[str, Any]] = OrderedDict()
_kept_lock = threading.Lock()


def kept(name: str, build: Callable[[], T | None], timeout: int = 3600) -> T | None:
    """The piece `build()` makes, kept under the content version, in this process and in
    the shared cache (stoa.core.cache.memoize's keys). `None` (nothing there: a page that
    does not exist) is never kept, so addresses made up by the thousand fill no cache.

    A piece is shared by every reader who asks for it by this name: it must never hold
    anything about one reader (their name, a form's token); what decides what a reader may
    see goes into the name (an "is member" flag, never a user)."""
    version = content_version()
    with _kept_lock:
        found = _kept.get(name)
        if found is not None and found[0] == version:
            _kept.move_to_end(name)
            return found[1]
    key = f"stoa:{name}:{version}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is None:
            return None
        cache.set(key, value, timeout)
    with _kept_lock:
        _kept[name] = (version, value)
        _kept.move_to_end(name)
        while len(_kept) > KEPT_IN_PROCESS:
            _kept.popitem(last=False)
    return value


def forget_kept() -> None:
    """Empty this process's pieces (tests that change what a piece is made from without a
    change of content: a setting)."""
    with _kept_lock:
        _kept.clear()


def _forget_kept_pieces(**kwargs: Any) -> None:
    forget_kept()


setting_changed.connect(_forget_kept_pieces, dispatch_uid="stoa-templating-kept")


def shared_chrome(name: str) -> Markup:
    """The templates STOA[name] lists (the head's links, the sidebar's widgets, the footer's
    links), rendered once per content version for every reader: they are given the site's
    name and tagline, never the request or anything of the reader (stoa.core.slots)."""

    def build() -> str:
        context = {"site_name": stoa_setting("SITE_NAME"), "site_tagline": stoa_setting("TAGLINE")}
        return "".join(render_to_string(template, context) for template in stoa_setting(name))

    return Markup(kept(f"chrome-{name}", build) or "")  # noqa: S704 - the apps' own templates


GLOBALS: dict[str, Callable[..., Any]] = {
    "url": url,
    "static": static_url,
    "slot": slot,
    "shared_chrome": shared_chrome,
    "login_url": login_url,
    "now": timezone.now,
}
FILTERS: dict[str, Callable[..., Any]] = {"date": date, "teaser": teaser}
