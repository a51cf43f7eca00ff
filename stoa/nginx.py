"""docs/deploy.md's nginx, run on 127.0.0.1 in front of a local gunicorn: the one place that
turns the guide's marked blocks into a configuration that runs, for the bench (bench/run.py)
and for the tests that attack Stoa through a real proxy (stoa/tests/proxy.py).

The guide marks three blocks `<!-- bench:http -->` (upstream and micro-cache), `<!--
bench:bypass -->` (the maps printed by `stoa nginx-config`) and `<!-- bench:proxy -->` (the
site's `location /`). They are used as written; only the upstream's address and the cache's
directory are pointed at the run's own, and everything nginx writes (pid, logs, cache, temp
files) stays in one directory. nginx runs in the foreground in a process group of its own,
checked with `nginx -t` first and stopped with SIGQUIT.

Nothing here imports Django: the bench runs it outside any settings.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"  # the only address this module serves on or connects to
BLOCKS = ("http", "bypass", "proxy")
# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
SBIN_NGINX = Path("/usr/sbin/nginx")


class NginxError(Exception):
    """nginx could not be configured or started; the message says why."""


def executable() -> str | None:
    """The nginx program, or None where it is not installed."""
    if found := shutil.which("nginx"):
        return found
    if SBIN_NGINX.is_file() and os.access(SBIN_NGINX, os.X_OK):
        return str(SBIN_NGINX)
    return None


def deploy_blocks(text: str) -> dict[str, str]:
    """The nginx blocks of docs/deploy.md marked `<!-- bench:NAME -->`, by NAME."""
    found = re.findall(r"<!-- bench:(\w+) -->\s*```nginx\n(.*?)```", text, re.DOTALL)
    return dict(found)


def local_config(
    blocks: dict[str, str],
    home: Path,
    port: int,
    upstream: int,
    *,
    static_root: Path | None = None,
    access_log: Path | None = None,
    more_upstreams: tuple[int, ...] = (),
    log_format: str = "",
) -> str:
    """The guide's http-level blocks and proxy snippet, in a plain-http server on
    127.0.0.1:`port` in front of gunicorn on 127.0.0.1:`upstream`; every file nginx writes
    under `home`. With `static_root`, /static/ is served from it (as the guide does).
    `more_upstreams`: other gunicorns beside the first in the upstream (several machines,
    stoa/tests/topology.py); `log_format`: the access log's line (nginx variables)."""
    if missing := [name for name in BLOCKS if name not in blocks]:
        raise NginxError(f"docs/deploy.md: no <!-- bench:{'|'.join(missing)} --> block")
    for sub in ("cache", "client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    http = re.sub(
        r"(upstream stoa \{\s*server )[^;\s]+", rf"\g<1>{HOST}:{upstream}", blocks["http"]
    )
    http = re.sub(r"(proxy_cache_path )\S+", rf"\g<1>{home / 'cache'}", http)
    for other in more_upstreams:
        http = re.sub(
            rf"(server {re.escape(HOST)}:{upstream})([^;]*);",
            rf"\g<1>\g<2>;\n    server {HOST}:{other}\g<2>;",
            http,
        )
    if f"{HOST}:{upstream}" not in http or str(home / "cache") not in http:
        raise NginxError("docs/deploy.md: no `upstream stoa` or `proxy_cache_path` to rewrite")
    # Run by root, nginx would hand its workers to "nobody", who may not read the temp dir.
    user = "user root;" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    static = f"location /static/ {{ alias {static_root}/; }}" if static_root else ""
    return f"""daemon off;
worker_processes auto;
pid {home / "nginx.pid"};
error_log {home / "error.log"} warn;
{user}
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    types {{ text/html html; text/css css; application/javascript js; }}
    {f"log_format stoa '{log_format}';" if log_format else ""}
    access_log {access_log or "off"}{" stoa" if log_format and access_log else ""};
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {home / "client"};
    proxy_temp_path {home / "proxy"};
    fastcgi_temp_path {home / "fastcgi"};
    uwsgi_temp_path {home / "uwsgi"};
    scgi_temp_path {home / "scgi"};

{http}
{blocks["bypass"]}
    server {{
        listen {HOST}:{port};
        server_name {HOST};
        {static}
        location / {{
{blocks["proxy"]}
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Nginx:
    """nginx with `config` written to `home`/nginx.conf, in the foreground (`daemon off`),
    in a process group of its own."""

    def __init__(self, program: str, home: Path, config: str, port: int) -> None:
        self.executable = program
        self.home = home
        self.port = port
        self.config = config
        self.config_path = home / "nginx.conf"
        self.log_path = home / "nginx.out"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def args(self) -> list[str]:
        """The command line that runs this configuration (add -t to check it)."""
        error_log = ["-e", str(self.home / "error.log")] if self._has_e() else []
        return [self.executable, "-p", str(self.home), "-c", str(self.config_path), *error_log]

    def _has_e(self) -> bool:
        """nginx 1.19.5+ takes -e (the error log before the configuration is read)."""
        done = subprocess.run(  # noqa: S603 - nginx itself, fixed arguments
            [self.executable, "-h"], capture_output=True, text=True, check=False, timeout=60
        )
        return "-e filename" in done.stdout + done.stderr

    def check(self) -> None:
        """`nginx -t`, or NginxError with what it said."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config)
        test = subprocess.run(  # noqa: S603 - nginx itself, our own configuration
            [*self.args(), "-t"], capture_output=True, text=True, check=False, timeout=60
        )
        if test.returncode != 0:
            raise NginxError(f"nginx -t refused the configuration:\n{test.stderr}")

    def start(self, timeout: float = 30) -> None:
        """Check the configuration, start nginx and wait until it listens."""
        self.check()
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - nginx itself
                self.args(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NginxError(f"nginx exited at start:\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise NginxError(f"nginx did not listen within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group started for it alone
            process.wait(timeout=5)

    def log_text(self) -> str:
        parts = []
        for path in (self.log_path, self.home / "error.log"):
            with contextlib.suppress(OSError):
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])
