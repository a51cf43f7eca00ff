"""A receiver on 127.0.0.1 (a real HTTP server on a thread, port 0) that answers from a
script and keeps what it was sent; endpoints pointing at it (private addresses allowed for
these tests only, as STOA_WEBHOOKS["ALLOW_PRIVATE_ADDRESSES"] would)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from stoa.webhooks.models import Endpoint, EventType
from stoa.webhooks.services import save_endpoint

DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers each request with the next scripted Answer (the last one once the script
    runs out), and keeps every request."""

    def __init__(self) -> None:
        self.script: list[Answer] = [Answer()]
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    answer = (
                        receiver.script.pop(0) if len(receiver.script) > 1 else receiver.script[0]
                    )
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/stoa?source=test"

    def answer(self, *answers: Answer) -> None:
        self.script = list(answers)


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.STOA_WEBHOOKS = {"ALLOW_PRIVATE_ADDRESSES": True, "TIMEOUT": 5.0}
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def endpoint(db: None, receiver: Receiver) -> Endpoint:
    """An active endpoint on the local receiver, subscribed to every event."""
    return save_endpoint(endpoint=Endpoint(url=receiver.url, events=list(EventType.values)))


@pytest.fixture
def db_tasks(settings: Any) -> None:
    """Tasks queued in the database, as in production (run_after kept), not run at once."""
    settings.TASKS = DB_TASKS
