"""The gunicorn worker Stoa is served by (gunicorn.conf.py's `worker_class`).

gunicorn's threaded worker (gthread) accepts every connection it is woken for, whether or
not a thread of its own is free, and a kept-alive connection stays with the process that
accepted it. Connections that come in a burst (a load test's, nginx's upstream keep-alive
pool after a reload) could all be taken by one process while the other had nothing to do:
measured with wrk -c16 on two workers, a rendered page ran at 88-98 requests/s in the runs
where one process held every connection and at 167-197 in the others, one core idle
(issue 12: the member pages' ratios to WordPress swung two- to three-fold between runs).

EvenThreadWorker is gthread with one rule added: a worker whose threads are all busy stops
accepting until one is free, so a new connection goes to a process that can serve it now
and waits in the kernel's queue when none can (as it waited in the busy worker's before).
gunicorn has no setting for it (`worker_connections` counts idle kept-alive connections
too, and refusing those would stall the clients holding them).
"""

from __future__ import annotations

from typing import Any

from gunicorn.workers.gthread import ThreadWorker


class EvenThreadWorker(ThreadWorker):
    """gthread, accepting only while one of its threads is free."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Requests handed to the thread pool and not finished. Read and written on the
        # worker's main thread only: gunicorn calls enqueue_req from its event loop and
        # finish_request through its method queue, both there.
        self.in_flight = 0

    def _has_free_thread(self) -> bool:
        return self.in_flight < self.cfg.threads

    def enqueue_req(self, conn: Any) -> None:
        self.in_flight += 1
        super().enqueue_req(conn)
        if not self._has_free_thread():
            self.set_accept_enabled(False)

    def finish_request(self, conn: Any, fs: Any) -> None:
        # Before the parent's: a read-ahead request is handed on at once (enqueue_req).
        self.in_flight -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled: bool) -> None:
        # The event loop asks to accept again whenever it is under worker_connections;
        # that holds only while a thread is free.
        super().set_accept_enabled(enabled and self._has_free_thread())
