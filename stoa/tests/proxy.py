"""Stoa behind a real nginx, for tests that attack it the way production is attacked: gunicorn
(gunicorn.conf.py, `--forwarded-allow-ips 127.0.0.1` as docs/deploy.md runs it) on a free
port of 127.0.0.1, and nginx configured from docs/deploy.md's marked blocks (stoa.nginx, the
builder the bench uses too) on another, on a fresh SQLite database with the demo content,
TRUSTED_PROXY_COUNT=1. Made once per test session by the `behind_nginx` fixture
(stoa/tests/conftest.py); tests that use it are marked `proxy`.

    def test_something(behind_nginx: ProxiedSite) -> None:
        source = behind_nginx.new_source()          # a loopback address no test used yet
        answer = behind_nginx.get("/about/", headers={"X-Forwarded-For": "6.6.6.6"},
                                  source=source)
        assert answer.status == 200 and answer.header("x-stoa-cache") == "miss"
        posted = behind_nginx.post("/comments/post/12/", {"body": "..."}, source=source)
        direct = behind_nginx.get("/", direct=True)  # gunicorn itself, from 127.0.0.1

- `get(path, headers=None, source="127.0.0.1", direct=False)` and `post(path, data=None,
  headers=None, source=..., direct=False)` (`data`: a dict, sent as a form, or bytes/str
  as they are) return an `Answer`: `.status`, `.headers` (lower-case names), `.cookies`
  (Set-Cookie, name → value), `.body` (bytes), `.text`, `.header(name)`, `.input_value(name)`
  (a form field's value, e.g. "csrfmiddlewaretoken"). Nothing follows redirects.
- `source`: the client's own address. Every 127.0.0.0/8 address is local on Linux, so a
  client socket bound to 127.0.0.2 reaches nginx on 127.0.0.1 as a different client:
  nginx's `$proxy_add_x_forwarded_for` appends it, and Stoa must count it, not what the
  client wrote. `new_source()` hands out one that no other test of the session used, so
  limits counted per client (log-ins, comments) never carry over between tests.
- `direct=True` talks to gunicorn without nginx, from 127.0.0.1: a peer gunicorn trusts.
- `data`: what the site was prepared with (`member`, `other_member`, `admin`: each a dict
  of `email`, `username`, `password`; `post`: a public post open for comments, `id`,
  `path`; `page`: "/about/").
- `script(code)`: run Python against the site's database in its environment (`python -m
  stoa shell -c`), for data a test needs; its standard output.
- `access_log()`, `server_log()`, `nginx_log()`: what gunicorn and nginx wrote so far.
- `clear_cache()`: empty Stoa's file cache (kept pages, rate-limit counts).
- `metrics_token`: the bearer token of /metrics (which is also allowed from 127.0.0.1 alone).

The site is shared by the session: use new sources and new accounts rather than undoing
what another test did.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from stoa import nginx

REPO = Path(__file__).resolve().parents[2]
DEPLOY_DOC = REPO / "docs" / "deploy.md"
HOST = nginx.HOST
WORKERS = 2
DUMMY_TASKS = "django_tasks.backends.dummy.DummyBackend"
# The site never inherits these from the test run's environment (CI's PostgreSQL pass sets
# DATABASE_URL and REDIS_URL): it always runs on its own fresh SQLite database and files.
NOT_INHERITED = {
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "DEBUG",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "TRUST_X_FORWARDED_FOR",
    "TRUST_X_FORWARDED_PROTO",
    "TRUSTED_PROXY_COUNT",
    "FORWARDED_ALLOW_IPS",
    "MEDIA_ROOT",
    "EMAIL_BACKEND",
    "STOA_SITE_URL",
    "SCRIPT_NAME",
    "WEB_CONCURRENCY",
    "GUNICORN_CMD_ARGS",
    "PROMETHEUS_MULTIPROC_DIR",
    "STOA_METRICS_ALLOWED_IPS",
    "STOA_METRICS_TOKEN",
    "STOA_LOG_FORMAT",
}
PREPARE = """
import json, os
from allauth.account.models import EmailAddress
from stoa.members.models import User
from stoa.publishing.models import Post, PostVisibility

accounts = {}
for name, staff in (("member", False), ("other_member", False), ("admin", True)):
    email = f"proxy-{name.replace('_', '-')}@example.org"
    password = os.environ["STOA_PROXY_PASSWORD"] + name
    user = User.objects.create_user(
        username=f"proxy-{name.replace('_', '-')}", email=email, password=password,
        is_staff=staff, is_superuser=staff,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    accounts[name] = {"email": email, "username": user.username, "password": password}
post = (
    Post.objects.published()
    .filter(comments_open=True, visibility=PostVisibility.PUBLIC)
    .order_by("-published_at", "pk")
    .first()
)
print(json.dumps({**accounts, "post": {"id": post.pk, "path": post.get_absolute_url()},
                  "page": "/about/"}))
"""


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def nginx_missing() -> str | None:
    """Why the proxy tests cannot run here, or None."""
    if nginx.executable() is None:
        return "nginx is not installed (apt-get install -y nginx); the proxy tests run behind it"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.2", 0))
    except OSError:
        return "this system does not route 127.0.0.2 to the loopback (clients need addresses)"
    return None


# --------------------------------------------------------------------------- an answer


@dataclass
class Answer:
    """One HTTP response, read whole."""

    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def input_value(self, name: str) -> str | None:
        """The value of the first <input name="..."> in the page, or None."""
        for tag in re.findall(r"<input\b[^>]*>", self.text):
            if re.search(rf'\bname="{re.escape(name)}"', tag):
                found = re.search(r'\bvalue="([^"]*)"', tag)
                return unescape(found.group(1)) if found else ""
        return None


def _read(response: http.client.HTTPResponse) -> Answer:
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for name, value in response.getheaders():
        lower = name.lower()
        if lower == "set-cookie":
            cookie, _, _ = value.partition(";")
            key, _, val = cookie.partition("=")
            cookies[key.strip()] = val.strip()
        headers[lower] = f"{headers[lower]}, {value}" if lower in headers else value
    return Answer(response.status, headers, response.read(), cookies)


# --------------------------------------------------------------------------- the site


class ProxiedSite:
    """gunicorn behind nginx on 127.0.0.1, on a database of its own (see the module)."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.password = secrets.token_urlsafe(12)
        self.metrics_token = secrets.token_urlsafe(24)
        self.env = self._environment()
        self.data: dict[str, Any] = {}
        self.gunicorn_port = nginx.free_port()
        self.port = nginx.free_port()
        self.gunicorn: subprocess.Popen[bytes] | None = None
        self.proxy: nginx.Nginx | None = None
        self._sources = self._addresses()
        self._lock = threading.Lock()

    # -- setting up

    def _environment(self) -> dict[str, str]:
        """Production settings (DEBUG off) on plain http, as docs/deploy.md configures them
        behind nginx (TRUSTED_PROXY_COUNT=1, the scheme from X-Forwarded-Proto); a task
        backend that drops tasks (no worker, no emails)."""
        env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        env.update(
            STOA_VAR_DIR=str(self.var_dir),
            DJANGO_SETTINGS_MODULE="stoa.settings",
            STOA_HTTPS="0",
            TRUSTED_PROXY_COUNT="1",
            TRUST_X_FORWARDED_PROTO="1",
            SECURE_SSL_REDIRECT="0",
            TASKS_BACKEND=DUMMY_TASKS,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            STOA_PROXY_PASSWORD=self.password,
            # /metrics (stoa.core.metrics): the workers' counts added up, the scrape allowed
            # from 127.0.0.1 or with the token.
            PROMETHEUS_MULTIPROC_DIR=str(self.var_dir / "prometheus"),
            STOA_METRICS_ALLOWED_IPS="127.0.0.1",
            STOA_METRICS_TOKEN=self.metrics_token,
        )
        return env

    def _step(self, name: str, args: list[str], timeout: float = 300) -> str:
        try:
            done = subprocess.run(  # noqa: S603 - our own commands
                args,
                cwd=REPO,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"{name} did not finish in {timeout:.0f} s") from error
        (self.var_dir / f"{name}.log").write_text(f"{done.stdout}\n{done.stderr}")
        if done.returncode != 0:
            raise RuntimeError(
                f"{name} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )
        return done.stdout

    def prepare(self) -> None:
        """migrate, the demo content and the accounts; collectstatic beside them."""
        python = [sys.executable, "-m", "stoa"]
        collect = subprocess.Popen(  # noqa: S603 - our own command
            [*python, "collectstatic", "--noinput", "-v0"],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            self._step("migrate", [*python, "migrate", "--noinput", "-v0"])
            self._step("demo", [*python, "demo"])
            self.data = _last_json(self.script(PREPARE))
            _, errors = collect.communicate(timeout=300)
            if collect.returncode != 0:
                raise RuntimeError(f"collectstatic exited {collect.returncode}:\n{errors!r}")
        finally:
            if collect.poll() is None:
                collect.kill()
                collect.wait(timeout=10)

    def start(self) -> None:
        """gunicorn, then nginx in front of it; both answering."""
        args = [sys.executable, "-m", "gunicorn", "stoa.wsgi", "-c", str(REPO / "gunicorn.conf.py")]
        args += ["--bind", f"{HOST}:{self.gunicorn_port}", "--workers", str(WORKERS)]
        args += ["--forwarded-allow-ips", HOST, "--graceful-timeout", "5"]
        args += ["--error-logfile", "-", "--access-logfile", str(self.var_dir / "access.log")]
        if _gunicorn_has("--no-control-socket"):
            # gunicorn 25+ opens ~/.gunicorn/gunicorn.ctl, shared with any other instance.
            args.append("--no-control-socket")
        with (self.var_dir / "gunicorn.log").open("wb") as out:
            self.gunicorn = subprocess.Popen(  # noqa: S603 - gunicorn, our arguments
                args, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self._wait_for_gunicorn()
        program = nginx.executable()
        if program is None:
            raise RuntimeError("nginx is not installed")
        blocks = nginx.deploy_blocks(DEPLOY_DOC.read_text())
        home = self.var_dir / "nginx"
        config = nginx.local_config(
            blocks,
            home,
            self.port,
            self.gunicorn_port,
            static_root=self.var_dir / "static",
            access_log=home / "access.log",
        )
        self.proxy = nginx.Nginx(program, home, config, self.port)
        self.proxy.start()

    def _wait_for_gunicorn(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.gunicorn is None or self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.server_log()[-4000:]}")
            try:
                if self.get("/robots.txt", direct=True).status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s:\n{self.server_log()}")

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        process, self.gunicorn = self.gunicorn, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # the master stops its workers, then exits
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group started for it alone
            process.wait(timeout=5)

    # -- asking

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        source: str = HOST,
        direct: bool = False,
        instance: int | None = None,
    ) -> Answer:
        """Through nginx, or straight to a gunicorn: `direct` (the first) or `instance`."""
        if direct and instance is None:
            instance = 0
        port = self.port if instance is None else self.upstream_ports()[instance]
        connection = http.client.HTTPConnection(HOST, port, timeout=30, source_address=(source, 0))
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            return _read(connection.getresponse())
        finally:
            connection.close()

    def get(
        self,
        path: str,
        headers: Mapping[str, str] | None = None,
        *,
        source: str = HOST,
        direct: bool = False,
        instance: int | None = None,
    ) -> Answer:
        return self.request(
            "GET", path, None, headers, source=source, direct=direct, instance=instance
        )

    def post(
        self,
        path: str,
        data: Mapping[str, str] | bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        source: str = HOST,
        direct: bool = False,
        instance: int | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if isinstance(data, Mapping):
            body = urlencode(data).encode()
            if not any(name.lower() == "content-type" for name in sent):
                sent["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = data.encode() if isinstance(data, str) else (data or b"")
        return self.request(
            "POST", path, body, sent, source=source, direct=direct, instance=instance
        )

    def upstream_ports(self) -> list[int]:
        """The gunicorns behind nginx, by index (one here; Topology has two)."""
        return [self.gunicorn_port]

    def new_source(self) -> str:
        """A loopback address (127.0.0.10 and on) no test of this session has used."""
        with self._lock:
            return next(self._sources)

    @staticmethod
    def _addresses() -> Iterator[str]:
        first = int(ipaddress.ip_address("127.0.0.10"))
        last = int(ipaddress.ip_address("127.255.255.254"))
        for number in range(first, last):
            address = ipaddress.ip_address(number)
            if str(address).split(".")[-1] not in {"0", "255"}:
                yield str(address)

    # -- looking inside

    def script(self, code: str) -> str:
        """Run Python with Django set up against the site's database; its standard output."""
        return self._step("script", [sys.executable, "-m", "stoa", "shell", "-c", code])

    def clear_cache(self) -> None:
        """Empty Stoa's file cache (kept pages, rate-limit counts) for a fresh start."""
        for entry in (self.var_dir / "cache").glob("*"):
            if entry.is_file():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)

    def access_log(self) -> str:
        return _read_text(self.var_dir / "access.log")

    def server_log(self) -> str:
        return _read_text(self.var_dir / "gunicorn.log")

    def nginx_log(self) -> str:
        return self.proxy.log_text() if self.proxy else ""


def _read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _last_json(output: str) -> dict[str, Any]:
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"no JSON line in:\n{output}")


def _gunicorn_has(option: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(option in (setting.cli or []) for setting in KNOWN_SETTINGS)
