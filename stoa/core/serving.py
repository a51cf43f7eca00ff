"""The gunicorn worker Stoa is served by (gunicorn.conf.py's `worker_class`).

gunicorn's threaded worker (gthread) accepts every connection it is woken for, whether or
not a thread of its own is free, and a kept-alive connection stays with the process that
accepted it. Connections that come in a burst (a load test's, nginx's upstream keep-alive
pool after a reload) could all be taken by one process while the other had nothing to do:
measured with wrk -c16 on two workers, a rendered page ran at 88-98 requests/s in the runs
where one process held every connection and at 167-197 in the others, one core idle
(issue 12: the member pages' ratios to WordPress swung two- to three-fold between runs).

EvenThreadWorker is gthread with one rule added: a worker whose threads are all busy leaves
new connections for BUSY_ACCEPT_AFTER seconds, so that one goes to a process that can serve
it now. Past that, it accepts one again: when every worker is kept busy by the requests of
connections it already holds (each kept-alive client sends its next request as soon as it
is answered), a worker that waited for a free thread never accepted, and a new connection
waited in the kernel's queue until the load ended (the first version of this rule: wrk's
p99 on a rendered page 5.6 s). gunicorn has no setting for any of it (`worker_connections`
counts idle kept-alive connections too, and refusing those would stall their clients).
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# How long a worker whose threads are all busy leaves new connections to the others: a few
# rendered pages' time. Its event loop runs whenever one of its requests ends or a kept-alive
# client sends one, so under load it takes a waiting connection about this often.
BUSY_ACCEPT_AFTER = 0.02


class EvenThreadWorker(ThreadWorker):
    """gthread that leaves new connections to the other workers while its threads are all
    busy, for BUSY_ACCEPT_AFTER at a time."""

    busy_accept_after = BUSY_ACCEPT_AFTER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Requests handed to the thread pool and not finished. Read and written on the
        # worker's main thread only: gunicorn calls enqueue_req from its event loop and
        # finish_request through its method queue, both there.
        self.in_flight = 0
        # When this worker last stopped accepting because its threads were all busy.
        self.busy_since = 0.0

    def _may_accept(self) -> bool:
        if self.in_flight < self.cfg.threads:
            return True
        return time.monotonic() - self.busy_since >= self.busy_accept_after

    def enqueue_req(self, conn: Any) -> None:
        self.in_flight += 1
        super().enqueue_req(conn)
        # Busy from now, if it was accepting: on the way from a free thread to none, or having
        # just taken a waiting connection after BUSY_ACCEPT_AFTER. A kept-alive client's next
        # request, come while it was not accepting, does not start the wait again (under
        # load one always comes, and the worker would never accept).
        if self.in_flight >= self.cfg.threads and self._accepting:
            self.busy_since = time.monotonic()
            super().set_accept_enabled(False)

    def finish_request(self, conn: Any, fs: Any) -> None:
        # Before the parent's: a read-ahead request is handed on at once (enqueue_req).
        self.in_flight -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled: bool) -> None:
        # The event loop asks to accept again whenever it is under worker_connections (each
        # time round: a request ended, a kept-alive client sent one, or a second went by);
        # that holds while a thread is free, or once the others had their time.
        super().set_accept_enabled(enabled and self._may_accept())
