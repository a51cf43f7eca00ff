"""Operations behind a real nginx (issue 14): /metrics only for the scraper, whatever a
client writes in X-Forwarded-For; every worker's counts in one scrape; the request id nginx
makes, in the response and gunicorn's access log, never the client's nor a cached copy's."""

from __future__ import annotations

import os
import re
import secrets
import signal
import time
from pathlib import Path

from stoa.tests.proxy import ProxiedSite
from stoa.tests.test_proxy_clients import logged

LOOKS_LOCAL = (
    {"X-Forwarded-For": "127.0.0.1"},
    {"X-Forwarded-For": "127.0.0.1, 127.0.0.1"},
    {"X-Real-IP": "127.0.0.1"},
    {"Forwarded": "for=127.0.0.1"},
    {"X-Forwarded-For": "::1"},
)
NGINX_ID = re.compile(r"[0-9a-f]{32}")


def test_metrics_are_refused_to_a_client_pretending_to_be_local(behind_nginx: ProxiedSite):
    site = behind_nginx
    # The allowed address (127.0.0.1, nginx's client here) reads them...
    allowed = site.get("/metrics")
    assert allowed.status == 200
    assert "stoa_http_requests_total" in allowed.text
    # ...and right after, from another address, no header makes a client look like it, and
    # nginx's micro-cache does not hand over the answer it just passed.
    for headers in LOOKS_LOCAL:
        answer = site.get("/metrics", headers, source=site.new_source())
        assert answer.status == 403, (headers, answer.status)
        assert "stoa_" not in answer.text
        assert answer.header("x-cache-status") != "HIT"


def test_the_token_opens_metrics_from_anywhere_and_a_wrong_one_does_not(
    behind_nginx: ProxiedSite,
) -> None:
    site = behind_nginx
    good = {"Authorization": f"Bearer {site.metrics_token}", "X-Forwarded-For": "127.0.0.1"}
    assert site.get("/metrics", good, source=site.new_source()).status == 200
    wrong = {"Authorization": "Bearer " + secrets.token_urlsafe(24)}
    assert site.get("/metrics", wrong, source=site.new_source()).status == 403
    # The token is not the only thing checked: a wrong one from the allowed address fails too.
    assert site.get("/metrics", wrong).status == 403


def test_counts_outlive_the_worker_that_made_them(behind_nginx: ProxiedSite) -> None:
    """gunicorn restarts workers (max_requests, a crash, a deploy's HUP): a worker's counts
    stay in PROMETHEUS_MULTIPROC_DIR after it is gone, and any worker's scrape adds them up."""
    site = behind_nginx
    assert site.gunicorn is not None

    def probes_counted() -> float:
        found = re.search(
            r'^stoa_http_requests_total\{method="GET",status="200",view="core:healthz"\} (\S+)$',
            site.get("/metrics").text,
            re.MULTILINE,
        )
        return float(found.group(1)) if found else 0.0

    before = probes_counted()
    for _ in range(20):
        assert site.get("/healthz", source=site.new_source()).status == 200
    workers = children(site.gunicorn.pid)
    for pid in workers:  # every worker goes; the master starts new ones
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = children(site.gunicorn.pid)
        if len(now) >= len(workers) and not now & workers:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("gunicorn did not replace its workers in 60 s")
    assert probes_counted() - before == 20  # counted by workers that no longer exist
    files = {path.name for path in (site.var_dir / "prometheus").glob("counter_*.db")}
    assert {f"counter_{pid}.db" for pid in now} & files  # the new workers count too


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (gunicorn's workers, for its master)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_readiness_through_nginx_names_its_checks_and_nothing_else(
    behind_nginx: ProxiedSite,
) -> None:
    answer = behind_nginx.get("/readyz", source=behind_nginx.new_source())
    assert answer.status == 200
    assert answer.text == "ready: database, cache, task_queue\n"
    assert answer.header("cache-control") == "no-store"


def test_the_request_id_is_nginxs_never_the_clients(behind_nginx: ProxiedSite) -> None:
    site = behind_nginx
    marker = secrets.token_hex(6)
    forged = "forged-by-the-client-0123456789"
    answer = site.get(
        f"/robots.txt?seen={marker}", {"X-Request-ID": forged}, source=site.new_source()
    )
    given = answer.header("x-request-id") or ""
    assert answer.status == 200
    assert NGINX_ID.fullmatch(given), given
    # gunicorn's access log line ends with the same id: the lines can be joined.
    (line,) = logged(site, marker)
    assert line.split()[-1] == given
    assert forged not in site.access_log()


def test_a_page_from_nginxs_cache_carries_this_requests_id(behind_nginx: ProxiedSite) -> None:
    site = behind_nginx
    path = site.data["page"]
    ids = []
    for _ in range(3):
        answer = site.get(path, source=site.new_source())
        assert answer.status == 200
        ids.append(answer.header("x-request-id"))
        assert len(answer.headers.get("x-request-id", "").split(",")) == 1
    assert len(set(ids)) == 3, ids
