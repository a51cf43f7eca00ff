"""Stoa on several machines, on one: two gunicorn instances (separate process groups, separate
ports, as two machines would be) behind docs/deploy.md's nginx (the micro-cache included)
load-balancing them, over one PostgreSQL database and one Redis. The `topology` fixture
(stoa/tests/test_topology.py) makes one per module; tests that use it are marked `topology`.

- PostgreSQL: a fresh database (`stoa_topology_<random>`) on the server of DATABASE_URL,
  dropped at the end. Redis: a redis-server of its own on a free port (no disk), so the
  page cache, sessions, rate-limit counts, content version and RQ queues of this site are
  its own and nothing of another test run's.
- Both instances run the production settings behind one proxy (TRUSTED_PROXY_COUNT=1), with
  REDIS_URL, so the task queue is RQ's; `drain_tasks()` runs an RQ worker (a third process,
  `stoa rqworker --burst`) over what they queued, emails written to files.
- `get/post(..., instance=None|0|1)`: through nginx (None) or straight to one instance (from
  127.0.0.1, a peer gunicorn trusts: X-Forwarded-For's last entry is then the client).
- `kill(0)`: SIGKILL to the instance's whole process group (master and workers, as when a
  machine dies); `restart(0)` starts it again on the same port.
- `sql(query, params)`: rows from the site's database, read by the test itself.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from stoa import nginx
from stoa.tests.proxy import (
    DEPLOY_DOC,
    HOST,
    REPO,
    ProxiedSite,
    _gunicorn_has,
    nginx_missing,
)

INSTANCES = 2
# What nginx logs of each request: enough to tell which instance answered, and whether a
# 5xx came from an instance (its address and status) or from nginx itself.
LOG_FORMAT = (
    "$msec $status $request_method $request_uri upstream=$upstream_addr "
    "upstream_status=$upstream_status cache=$upstream_cache_status"
)
# The load needs its comments taken as they come: no flood interval (flood counts are
# checked on their own), no first comment held (each is on the page at once).
OPEN_DISCUSSION = """
from stoa.discussion.models import DiscussionSettings
row = DiscussionSettings.current()
row.rate_limit_seconds = 0
row.hold_first_comment = False
row.save()
print("{}")
"""


def missing() -> str | None:
    """Why the topology cannot run here, or None."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "needs PostgreSQL: DATABASE_URL=postgres://... (.ci/run's PostgreSQL pass sets it)"
    if shutil.which("redis-server") is None:
        return "needs redis-server (apt-get install -y redis-server)"
    return nginx_missing()


class Topology(ProxiedSite):
    """Two gunicorns behind nginx over one PostgreSQL and one Redis (see the module)."""

    def __init__(self, var_dir: Path, server_url: str) -> None:
        self.database_name = f"stoa_topology_{secrets.token_hex(4)}"
        parts = urlsplit(server_url)
        self.server_url = urlunsplit(parts._replace(path="/postgres"))
        self.database_url = urlunsplit(parts._replace(path=f"/{self.database_name}"))
        self.redis_port = nginx.free_port()
        self.redis_url = f"redis://{HOST}:{self.redis_port}/0"
        self.redis: subprocess.Popen[bytes] | None = None
        self.ports = [nginx.free_port() for _ in range(INSTANCES)]
        self.instances: list[subprocess.Popen[bytes] | None] = [None] * INSTANCES
        super().__init__(var_dir)
        self.gunicorn_port = self.ports[0]

    def _environment(self) -> dict[str, str]:
        env = super()._environment()
        env.pop("TASKS_BACKEND", None)  # REDIS_URL: the site's own choice, RQ
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CACHE_KEY_PREFIX="topology",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            # Small enough to reach across the two instances in a test (api rate limits).
            STOA_API_RATE_PER_ADDRESS="6",
        )
        return env

    # -- setting up

    def create(self) -> None:
        """The database, Redis, then the site's data (ProxiedSite.prepare) and settings."""
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database_name}"')
        self.redis = subprocess.Popen(  # noqa: S603 - redis-server, our arguments
            [
                str(shutil.which("redis-server")),
                "--bind", HOST, "--port", str(self.redis_port), "--save", "",
                "--appendonly", "no", "--dir", str(self.var_dir),
            ],
            stdout=(self.var_dir / "redis.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        # The metrics' folder (ProxiedSite's environment) before any command: django-rq's
        # admin, loaded with the site, makes a Prometheus metric as it is imported.
        Path(self.env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
        self.prepare()
        self.script(OPEN_DISCUSSION)

    def start(self) -> None:
        for index in range(INSTANCES):
            self.restart(index)
        program = nginx.executable()
        if program is None:
            raise RuntimeError("nginx is not installed")
        home = self.var_dir / "nginx"
        config = nginx.local_config(
            nginx.deploy_blocks(DEPLOY_DOC.read_text()),
            home,
            self.port,
            self.ports[0],
            static_root=self.var_dir / "static",
            access_log=home / "access.log",
            more_upstreams=tuple(self.ports[1:]),
            log_format=LOG_FORMAT,
        )
        self.proxy = nginx.Nginx(program, home, config, self.port)
        self.proxy.start()

    def restart(self, index: int) -> None:
        """Instance `index` started (again), answering on its port."""
        port = self.ports[index]
        args = [sys.executable, "-m", "gunicorn", "stoa.wsgi", "-c", str(REPO / "gunicorn.conf.py")]
        args += ["--bind", f"{HOST}:{port}", "--workers", "2", "--threads", "2"]
        args += ["--forwarded-allow-ips", HOST, "--graceful-timeout", "5"]
        args += [
            "--error-logfile",
            "-",
            "--access-logfile",
            str(self.var_dir / f"access-{index}.log"),
        ]
        if _gunicorn_has("--no-control-socket"):
            args.append("--no-control-socket")
        with (self.var_dir / f"gunicorn-{index}.log").open("ab") as out:
            self.instances[index] = subprocess.Popen(  # noqa: S603 - gunicorn, our arguments
                args, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            process = self.instances[index]
            if process is None or process.poll() is not None:
                raise RuntimeError(f"instance {index} exited at start:\n{self.log(index)[-4000:]}")
            try:
                if self.get("/robots.txt", instance=index).status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"instance {index} did not answer in 60 s:\n{self.log(index)}")

    def kill(self, index: int) -> float:
        """kill -9 of the instance: its master and its workers at once. Returns the moment
        (time.monotonic) its port refused connections: until then the dying processes
        still held their socket, and a request sent to it was in flight on them."""
        process = self.instances[index]
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.ports[index]), timeout=1):
                    pass
            except OSError:
                return time.monotonic()
            time.sleep(0.01)
        raise RuntimeError(f"instance {index} still accepts connections 10 s after kill -9")

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        for index, process in enumerate(self.instances):
            self.instances[index] = None
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def destroy(self) -> None:
        """Everything stopped, the database dropped."""
        self.stop()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')

    # -- asking (ProxiedSite's request/get/post, with `instance=` choosing a gunicorn)

    def upstream_ports(self) -> list[int]:
        return self.ports

    # -- looking inside

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as connection:
            return list(connection.execute(query, params).fetchall())  # type: ignore[arg-type]

    def drain_tasks(self, timeout: float = 300) -> str:
        """An RQ worker, a process of its own as on a third machine, run until the queues
        are empty (--burst); what it printed."""
        args = [sys.executable, "-m", "stoa", "rqworker", "--burst", "--job-class"]
        args += ["django_tasks_rq.Job", "--worker-class", "rq.SimpleWorker", "default", "email"]
        return self._step("rqworker", args, timeout=timeout)

    def log(self, index: int) -> str:
        try:
            return (self.var_dir / f"gunicorn-{index}.log").read_text(errors="replace")
        except OSError:
            return ""

    def nginx_lines(self) -> list[dict[str, str]]:
        """nginx's access log, one dict a request (LOG_FORMAT's fields)."""
        try:
            text = (self.var_dir / "nginx" / "access.log").read_text(errors="replace")
        except OSError:
            return []
        lines = []
        for line in text.splitlines():
            fields = line.split()
            if len(fields) < 7:
                continue
            entry = {"msec": fields[0], "status": fields[1], "method": fields[2], "uri": fields[3]}
            for field in fields[4:]:
                key, _, value = field.partition("=")
                entry[key] = value
            lines.append(entry)
        return lines
