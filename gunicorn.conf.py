"""gunicorn's settings for Stoa, read from the working directory by `gunicorn stoa.wsgi`
(make run, make bench and the browser tests start it from here; docs/deploy.md too)."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

# Threaded workers keep a reader's connection open between requests (HTTP keep-alive); the
# sync worker closes it after every response, and reconnecting cost more than the work of a
# page from the cache: `make bench` measured the cached 200-comment post at 1,907 requests/s
# with 2 sync workers and 2,553 with 2 workers of 2 threads. More threads than that lost
# time to the interpreter lock on rendered pages. stoa.core.serving's worker is gthread whose
# worker, while its threads are all busy, leaves new connections to the others for 20 ms at
# a time, so a burst of connections is shared by the workers instead of all going to
# whichever was woken first (issue 12).
worker_class = "stoa.core.serving.EvenThreadWorker"
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

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """With STOA_LOG_FORMAT=json, one JSON object a line, with the same fields as the
        text line (settings.LOGGING writes Stoa's own lines so)."""
        if os.environ.get("STOA_LOG_FORMAT", "").strip().lower() != "json":
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "client": atoms["h"],
            "request": atoms["r"],
            "status": atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "referer": atoms["f"],
            "user_agent": atoms["a"],
            "request_id": atoms.get("{x-request-id}o") or "-",
        }
        try:
            self.access_log.info(json.dumps(line))
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.exception("Could not write the access log line")
        return None


logger_class = ClientAddressLogger
# gunicorn's default line, then the request's id (X-Request-ID: nginx's, or Stoa's own,
# stoa.core.logs) to join it with the lines Stoa and nginx wrote for the same request.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)


def on_starting(server: Any) -> None:
    """Prometheus's multiprocess mode (stoa.core.metrics): the workers' count files start
    empty with each start of gunicorn, or a restarted one would add up old workers' counts."""
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        for counts in Path(folder).glob("*.db"):
            counts.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker gone (restarted, killed): its live gauges leave the sum; its counters stay,
    as Prometheus expects of a counter."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
