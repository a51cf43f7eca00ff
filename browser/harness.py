"""The machinery of the browser suite: the site under test (gunicorn on a fresh SQLite
database with the demo content) and a per-test `Browsing` that opens browser contexts,
watches their pages (dialogs, console, uncaught errors) and screenshots the last one.

The fixtures that use these live in conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Error, Page

from stoa.tests import proxy

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "var" / "screenshots"
SITE_SCRIPT = Path(__file__).with_name("site_script.py")
HOST = "127.0.0.1"
WORKERS = 2
DUMMY_TASKS = "django_tasks.backends.dummy.DummyBackend"
MODERATOR = "moderator"
# Headless, and nothing that reaches the network: no updates, sync, field trials or QUIC.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}
# The site under test never inherits these from the test run's environment: the list the
# proxy tests' site uses (stoa/tests/proxy.py), one for every test server.
NOT_INHERITED = proxy.NOT_INHERITED


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return (
        f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install -y chromium); "
        "the browser tests use it, and Playwright never downloads a browser of its own"
    )


# --------------------------------------------------------------------------- the site


def site_env(var_dir: Path, password: str) -> dict[str, str]:
    """Production settings (DEBUG unset) on plain http, a database and cache of the run's
    own, and no task worker: tasks (emails) are dropped by the dummy backend."""
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        STOA_VAR_DIR=str(var_dir),
        STOA_HTTPS="0",
        TASKS_BACKEND=DUMMY_TASKS,
        DJANGO_SETTINGS_MODULE="stoa.settings",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        STOA_BROWSER_USERNAME=MODERATOR,
        STOA_BROWSER_PASSWORD=password,
    )
    return env


def run_step(name: str, args: list[str], env: dict[str, str], var_dir: Path) -> str:
    """Run one command against the site's database to the end; its standard output."""
    try:
        done = subprocess.run(
            args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"site: {name} did not finish in 300 s", pytrace=False)
    (var_dir / f"{name}.log").write_text(f"$ {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    if done.returncode != 0:
        pytest.fail(
            f"site: {name} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    return done.stdout


def last_json(output: str) -> dict[str, Any]:
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise AssertionError(f"no JSON line in:\n{output}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def gunicorn_has(option: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(option in (setting.cli or []) for setting in KNOWN_SETTINGS)


@dataclass
class Site:
    """The running site: where it answers, who moderates it, which posts the tests use."""

    var_dir: Path
    env: dict[str, str]
    password: str
    username: str = MODERATOR
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    # Another origin (a port of its own on 127.0.0.1) the site lets embed its discussions
    # (STOA_EMBED_ORIGINS); browser/test_embed.py serves a plain page there.
    embed_origin: str = ""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.var_dir / "gunicorn.log"

    def script(self, *args: str) -> dict[str, Any]:
        """Run browser/site_script.py against the site's database; its JSON answer."""
        command = [sys.executable, str(SITE_SCRIPT), *args]
        return last_json(run_step(args[0], command, self.env, self.var_dir))

    def prepare(self) -> None:
        """migrate, collectstatic, the demo content, then site_script.py prepare."""
        python = sys.executable
        # collectstatic touches no database: it runs beside the rest.
        collect = subprocess.Popen(
            [python, "-m", "stoa", "collectstatic", "--noinput", "-v0"],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            stoa = [python, "-m", "stoa"]
            run_step("migrate", [*stoa, "migrate", "--noinput", "-v0"], self.env, self.var_dir)
            run_step("demo", [*stoa, "demo"], self.env, self.var_dir)
            self.posts = self.script("prepare")
            _, errors = collect.communicate(timeout=300)
            if collect.returncode != 0:
                pytest.fail(
                    f"site: collectstatic exited {collect.returncode}\n{errors.decode()[-4000:]}",
                    pytrace=False,
                )
        finally:
            if collect.poll() is None:
                collect.kill()
                collect.wait(timeout=10)

    def start(self) -> None:
        """gunicorn, 2 workers, on a free port, in a process group of its own."""
        self.port = free_port()
        args = [sys.executable, "-m", "gunicorn", "stoa.wsgi", "--bind", f"{HOST}:{self.port}"]
        args += ["--workers", str(WORKERS), "--graceful-timeout", "5", "--error-logfile", "-"]
        args += ["--access-logfile", str(self.var_dir / "access.log")]
        if gunicorn_has("--no-control-socket"):
            # gunicorn 25+ opens ~/.gunicorn/gunicorn.ctl, shared with any other instance.
            args.append("--no-control-socket")
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                args,
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                pytest.fail(f"gunicorn exited at start:\n{self.log_tail()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{self.base_url}/", timeout=5) as answer:  # noqa: S310 - 127.0.0.1
                    answer.read()
                return
            except urllib.error.HTTPError as error:
                pytest.fail(f"the home page answered {error.code}:\n{self.log_tail()}")
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # the master stops its workers, then exits
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group started for it alone
            process.wait(timeout=5)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def new_site(var_dir: Path) -> Site:
    """A site in this directory, with a moderator's password made for this run."""
    password = secrets.token_urlsafe(18)
    env = site_env(var_dir, password)
    env["STOA_EMBED_ORIGINS"] = embed_origin = f"http://{HOST}:{free_port()}"
    return Site(var_dir=var_dir, env=env, password=password, embed_origin=embed_origin)


# --------------------------------------------------------------------------- per test

# Set up in every page before its own scripts run: Content-Security-Policy violations.
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sample || ""}`.trim());
});
"""


@dataclass
class Watch:
    """What happened in one page: dialogs opened, console messages, uncaught errors."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Browsing:
    """The browser contexts of one test. Every page is watched; the page that loaded last
    is the test's last page, screenshotted into var/screenshots/<test>.png at the end."""

    def __init__(self, browser: Browser, site: Site, viewport: str, name: str) -> None:
        self.browser = browser
        self.site = site
        self.viewport = viewport
        self.name = name
        self.contexts: list[BrowserContext] = []
        self.watches: dict[Page, Watch] = {}
        self.last: Page | None = None
        self.log_offset = len(site.log_text())

    def context(self, *, javascript: bool = True, bypass_csp: bool = False) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.site.base_url,
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            locale="en-US",
            timezone_id="America/New_York",
            **VIEWPORTS[self.viewport],
        )
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        context.add_init_script(WATCH_SCRIPT)
        context.on("page", self._watch)
        self.contexts.append(context)
        return context

    def page(self, *, javascript: bool = True, bypass_csp: bool = False) -> Page:
        """A new page in a new context: a reader of its own, sharing no cookies."""
        return self.context(javascript=javascript, bypass_csp=bypass_csp).new_page()

    def _watch(self, page: Page) -> None:
        watch = self.watches[page] = Watch()

        def dialog(opened: Dialog) -> None:
            watch.dialogs.append(f"{opened.type}: {opened.message} ({page.url})")
            opened.dismiss()

        def console(message: ConsoleMessage) -> None:
            source = message.location.get("url", "") or page.url
            if "/favicon.ico" in source:
                return  # the site has no icon: Chromium's request for one is answered 404
            watch.console.append(f"{message.type}: {message.text} ({source})")

        def error(raised: Error) -> None:
            watch.errors.append(f"{raised} ({page.url})")

        def load(loaded: Page) -> None:
            self.last = loaded

        page.on("dialog", dialog)
        page.on("console", console)
        page.on("pageerror", error)
        page.on("load", load)
        self.last = page

    def watch(self, page: Page) -> Watch:
        return self.watches[page]

    def login(self, page: Page, next_path: str = "/admin/") -> None:
        """Sign the moderator in through the admin's login form."""
        page.goto(f"/admin/login/?next={next_path}")
        page.get_by_label("Username").fill(self.site.username)
        page.get_by_label("Password").fill(self.site.password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        if "/admin/login/" in page.url:
            pytest.fail("the moderator could not log in", pytrace=False)

    def server_errors(self) -> list[str]:
        """Lines the server logged during this test that tell of a failure."""
        new = self.site.log_text()[self.log_offset :]
        needles = ("Traceback", "Internal Server Error", "WORKER TIMEOUT")
        return [line for line in new.splitlines() if any(n in line for n in needles)]

    def problems(self) -> list[str]:
        errors = [f"uncaught script error: {e}" for w in self.watches.values() for e in w.errors]
        return errors + [f"server log: {line}" for line in self.server_errors()]

    def close(self) -> None:
        if self.last is not None and not self.last.is_closed():
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                self.last.screenshot(path=SCREENSHOTS / f"{self.name}.png", full_page=True)
            except Error as error:  # a failed screenshot must not hide the test's result
                sys.stderr.write(f"no screenshot for {self.name}: {error}\n")
        for context in self.contexts:
            try:
                context.close()
            except Error:
                sys.stderr.write(f"{self.name}: a browser context did not close\n")


def screenshot_name(node_name: str) -> str:
    """test_reply[js-phone] -> test_reply-js-phone"""
    name = node_name.replace("[", "-").replace("]", "")
    return re.sub(r"[^\w.-]+", "_", name)
