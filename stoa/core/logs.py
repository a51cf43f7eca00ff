"""Every log line of a request carries the request's id, and the logs may be JSON.

The id: nginx makes one per request (`$request_id`, 32 hex digits) and sends it as
X-Request-ID (docs/deploy.md), so its access log, gunicorn's and Stoa's lines can be joined.
A client can write that header too: it is believed only where a proxy is in front to replace
it (STOA_TRUSTED_PROXY_COUNT > 0, the same trust as X-Forwarded-For, stoa.core.clients) and
only when it looks like an id (REQUEST_ID); otherwise Stoa makes its own. The response
carries it back (X-Request-ID), so a reader's report of an error can name the lines.

`RequestIds` wraps the whole WSGI application (stoa.wsgi), outside the page cache: a page
answered from the cache gets an id too, and a kept page never stores one (it would then be
given to every reader).

STOA_LOG_FORMAT=json (settings.LOGGING) writes one JSON object a line through
python-json-logger: time, level, logger, message, request_id, and the record's extras except
the request object (whose repr is all Django would add). Nothing here logs an address or an
email; the access log (gunicorn.conf.py) is the one place that names the client.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HEADER = "X-Request-ID"
ENVIRON_KEY = "stoa.request_id"
# What an id may look like: nginx's 32 hex digits, a UUID, most tracing ids; nothing that
# could break a log line or a header (no spaces, quotes or control characters).
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")
NO_REQUEST = "-"

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("stoa_request_id", default="")


def current_request_id() -> str:
    """The id of the request this thread is answering, or "" outside one."""
    return _request_id.get()


def request_id_for(environ: WSGIEnvironment | dict[str, Any]) -> str:
    """The proxy's id for this request when a proxy is in front and it looks like one;
    else a new one."""
    given = str(environ.get("HTTP_X_REQUEST_ID", ""))
    behind_proxy = int(getattr(settings, "STOA_TRUSTED_PROXY_COUNT", 0)) > 0
    if behind_proxy and REQUEST_ID.fullmatch(given):
        return given
    return os.urandom(16).hex()  # nginx's form; cheaper than a uuid4 object


class RequestIds:
    """WSGI middleware: the request's id set for its log lines and sent back in the
    response's X-Request-ID (see the module)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = request_id_for(environ)
        environ[ENVIRON_KEY] = request_id

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [(k, v) for k, v in headers if k.lower() != HEADER.lower()]
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        token = _request_id.set(request_id)
        try:
            return self.app(environ, start)
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record a handler writes ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or NO_REQUEST
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, request_id,
    then the record's extras (status_code...), never the request object itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        super().__init__(*args, **kwargs)


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """settings.LOGGING: the console, as text (the default) or JSON (`json`), each line
    with the request's id in JSON."""
    if log_format not in {"text", "json"}:
        raise ValueError(f"STOA_LOG_FORMAT must be text or json, not {log_format!r}")
    handler: dict[str, Any] = {
        "class": "logging.StreamHandler",
        "filters": ["request_id"],
    }
    formatters: dict[str, Any] = {}
    if log_format == "json":
        formatters["json"] = {"()": JsonFormatter}
        handler["formatter"] = "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": formatters,
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
    }
