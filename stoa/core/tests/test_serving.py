"""stoa.core.serving.EvenThreadWorker under a real gunicorn on 127.0.0.1: a worker whose
threads are all busy leaves new connections to the others, takes them again once a thread
is free, and takes one anyway when every worker stays busy. Two workers of one thread each,
serving serving_app (no Django)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stoa.nginx import free_port

REPO = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"


WORKER = "stoa.core.serving.EvenThreadWorker"
PATIENT = "stoa.core.tests.serving_app.PatientWorker"


class Gunicorn:
    def __init__(self, tmp_path: Path, worker: str) -> None:
        self.port = free_port()
        self.release = tmp_path / "release"
        config = tmp_path / "empty.conf.py"  # not the repository's gunicorn.conf.py
        config.write_text("")
        self.log = tmp_path / "gunicorn.log"
        args = [
            sys.executable, "-m", "gunicorn", "stoa.core.tests.serving_app",
            "--config", str(config), "--bind", f"{HOST}:{self.port}",
            "--worker-class", worker,
            "--workers", "2", "--threads", "1", "--keep-alive", "30",
            "--graceful-timeout", "2", "--no-control-socket",
        ]  # fmt: skip
        env = {**os.environ, "STOA_TEST_RELEASE": str(self.release)}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - gunicorn, with this interpreter
                args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=8)

    def wait_ready(self) -> None:
        """Until both workers have started (each logs "Booting worker")."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.log.read_text())
            if self.log.read_text().count("Booting worker") == 2:
                return
            time.sleep(0.05)
        raise AssertionError(f"gunicorn did not start:\n{self.log.read_text()}")

    def let_go(self, name: str) -> None:
        Path(f"{self.release}.{name}").touch()

    def stop(self) -> None:
        for held in self.release.parent.glob(f"{self.release.name}.*.held"):
            self.let_go(held.name.split(".")[1])
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture
def gunicorn(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Gunicorn]:
    server = Gunicorn(tmp_path, getattr(request, "param", PATIENT))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def ask(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    assert response.status == 200
    return int(response.read())


def hold(server: Gunicorn, name: str) -> tuple[http.client.HTTPConnection, int]:
    """A request that keeps one worker's only thread busy; that worker's process id."""
    held = Path(f"{server.release}.{name}.held")
    conn = server.connection()
    conn.request("GET", f"/hold/{name}")
    deadline = time.monotonic() + 8
    while not held.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return conn, int(held.read_text())


def test_a_busy_worker_leaves_new_connections_to_a_free_one(gunicorn: Gunicorn) -> None:
    first, busy = hold(gunicorn, "a")
    # Each on a connection of its own, kept open: with gthread as it comes, the busy worker
    # accepted about half of them and left them waiting behind the held request.
    others = [gunicorn.connection() for _ in range(6)]
    served = {ask(conn, "/") for conn in others}
    assert served and busy not in served
    gunicorn.let_go("a")
    assert int(first.getresponse().read()) == busy
    for conn in [first, *others]:
        conn.close()


def test_a_worker_takes_connections_again_once_its_thread_is_free(gunicorn: Gunicorn) -> None:
    first, a = hold(gunicorn, "a")
    second, b = hold(gunicorn, "b")
    assert b != a  # the second went to the worker that was free
    # Both busy: a new connection waits in the kernel's queue, accepted by neither...
    waiting = gunicorn.connection()
    waiting.request("GET", "/")
    # ... until a thread is free: the first worker's, while the second is still held. With
    # gthread as it comes, the second worker might have accepted it already and kept it
    # waiting behind its held request (this read would then time out).
    gunicorn.let_go("a")
    assert int(first.getresponse().read()) == a
    assert int(waiting.getresponse().read()) == a
    gunicorn.let_go("b")
    assert int(second.getresponse().read()) == b
    for conn in (first, second, waiting):
        conn.close()


@pytest.mark.parametrize("gunicorn", [WORKER], indirect=True)
def test_a_new_connection_is_taken_while_kept_alive_clients_keep_every_worker_busy(
    gunicorn: Gunicorn,
) -> None:
    # Kept-alive clients, each sending its next request as soon as it is answered: more than
    # the workers' threads, so that a worker always has one waiting. A worker that accepted
    # only with a thread free never accepted again, and the new connection waited until
    # they stopped.
    stop = threading.Event()

    def client() -> None:
        conn = gunicorn.connection()
        while not stop.is_set():
            ask(conn, "/sleep")
        conn.close()

    clients = [threading.Thread(target=client) for _ in range(6)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(0.5)
        began = time.monotonic()
        ask(gunicorn.connection(), "/")
        waited = time.monotonic() - began
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=10)
    assert waited < 2.0
