"""A WSGI application for test_serving: no Django, so that what is measured is the worker.
`/hold/NAME` keeps its thread until the file STOA_TEST_RELEASE.NAME exists (10 s at most),
having written the process's id to STOA_TEST_RELEASE.NAME.held; every answer is the serving
process's id. `/sleep` takes 5 ms of its thread."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from stoa.core.serving import EvenThreadWorker


class PatientWorker(EvenThreadWorker):
    """The worker with a busy worker's wait far longer than a test: what it does while busy,
    without its loop's timing in the way."""

    busy_accept_after = 60.0


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith("/hold/"):
        release = Path(f"{os.environ['STOA_TEST_RELEASE']}.{path.removeprefix('/hold/')}")
        Path(f"{release}.held").write_text(str(os.getpid()))
        deadline = time.monotonic() + 10
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    elif path == "/sleep":
        time.sleep(0.005)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
