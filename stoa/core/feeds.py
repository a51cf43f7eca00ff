"""Feeds written once per content version (stoa.core.templating.kept) and served from there.

A feed is the same for everyone allowed to read it (feed readers carry no login, and an item
is what any reader may see), so it is kept per address, with the host and scheme its links
are made with (the host is one ALLOWED_HOSTS accepted). Who may read it is asked before the
kept copy is looked up (`check`), never cached. A slug that names nothing is a 404, never
kept. The site's posts feed and its comments feed both are (issue 12: the comments feed at
400,000 comments took 577 ms a request when written every time).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, NamedTuple

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse

from stoa.core.templating import kept

# The origin (scheme and host) of the request a feed is being written for: Django makes
# items' links absolute, not enclosures'. One Feed instance serves every request and thread,
# hence a context variable.
origin: ContextVar[str] = ContextVar("feed_origin", default="")


class WrittenFeed(NamedTuple):
    """A feed as written once per content version: its type, date and bytes."""

    content_type: str
    last_modified: str | None
    body: bytes


class KeptFeed(Feed):
    """A syndication Feed kept under the content version (see the module's docstring)."""

    def check(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        """Raise Http404 when this request may not read this feed (asked every time)."""

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check(request, *args, **kwargs)
        name = f"feed:{request.scheme}:{request.get_host()}:{request.path}"
        written = kept(name, lambda: self._write(request, *args, **kwargs))
        if written is None:  # _write answers or raises Http404: never so
            raise Http404("No such feed.")
        response = HttpResponse(written.body, content_type=written.content_type)
        if written.last_modified:
            response.headers["Last-Modified"] = written.last_modified
        return response

    def _write(self, request: HttpRequest, *args: Any, **kwargs: Any) -> WrittenFeed:
        token = origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            response = super().__call__(request, *args, **kwargs)
        finally:
            origin.reset(token)
        return WrittenFeed(
            content_type=response["Content-Type"],
            last_modified=response.headers.get("Last-Modified"),
            body=response.content,
        )
