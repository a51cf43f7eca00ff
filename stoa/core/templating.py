"""Jinja2 globals and filters every app's reader-facing templates share."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone
from django.utils.http import urlencode

from stoa.core.conf import stoa_setting
from stoa.core.text import cut_at_word


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


def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


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


GLOBALS: dict[str, Callable[..., Any]] = {
    "url": url,
    "static": static,
    "slot": slot,
    "login_url": login_url,
    "now": timezone.now,
}
FILTERS: dict[str, Callable[..., Any]] = {"date": date, "teaser": teaser}
