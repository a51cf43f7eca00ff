"""gunicorn's settings for Stoa, read from the working directory by `gunicorn stoa.wsgi`
(make run, make bench and the browser tests start it from here; docs/deploy.md too)."""

import os

# Threaded workers keep a reader's connection open between requests (HTTP keep-alive); the
# sync worker closes it after every response, and reconnecting cost more than the work of a
# page from the cache: `make bench` measured the cached 200-comment post at 1,907 requests/s
# with 2 sync workers and 2,553 with 2 workers of 2 threads. More threads than that lost
# time to the interpreter lock on rendered pages.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
