"""gunicorn's settings for Stoa, read from the working directory by `gunicorn stoa.wsgi`
(make run, make bench and the browser tests start it from here; docs/deploy.md too)."""

import os
from typing import Any

from gunicorn.glogging import Logger

# Threaded workers keep a reader's connection open between requests (HTTP keep-alive); the
# sync worker closes it after every response, and reconnecting cost more than the work of a
# page from the cache: `make bench` measured the cached 200-comment post at 1,907 requests/s
# with 2 sync workers and 2,553 with 2 workers of 2 threads. More threads than that lost
# time to the interpreter lock on rendered pages.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))

# What a trusted peer (forwarded_allow_ips: 127.0.0.1, the nginx in front) may tell gunicorn.
# Not SCRIPT_NAME or PATH_INFO (gunicorn's default forwarder_headers): nginx never sets them,
# so a client could, and `SCRIPT_NAME: /about` on `GET /about/` made Django serve the home
# page at /about/ (issue 10). Stoa is served at the root, or under FORCE_SCRIPT_NAME.
forwarder_headers = ""
# The scheme only from X-Forwarded-Proto, which nginx sets ($scheme) over any client's
# value; gunicorn's default also believes X-Forwarded-Protocol and X-Forwarded-Ssl, which
# nginx passes through from the client untouched.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}


class ClientAddressLogger(Logger):
    """The access log's first field (%(h)s) is the client as Stoa sees it
    (stoa.core.clients.client_ip: the X-Forwarded-For entry the outermost trusted proxy
    added, TRUSTED_PROXY_COUNT), not the proxy's socket address, and never an entry the
    client wrote itself."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = dict(super().atoms(resp, req, environ, request_time))
        try:
            from stoa.core.clients import client_ip

            atoms["h"] = client_ip(environ) or atoms["h"]
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.exception("Could not read the client address for the access log")
        return atoms


logger_class = ClientAddressLogger
