"""The tests of this folder ask what the index finds, not when: the comment tasks that the
freshness follower queues (after the commit, with the tests' immediate task backend, a commit
a test's transaction never makes) run at once here. test_freshness.py asks the when, with
the queue as it really is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from stoa.search import freshness


@pytest.fixture(autouse=True)
def search_tasks_at_once(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if request.node.module.__name__.endswith("test_freshness"):
        yield
        return

    def run(task: Any, *args: Any, **kwargs: Any) -> None:
        task.call(*args, **kwargs)

    def run_joined(task: Any, *, key: str, values: list[Any], **kwargs: Any) -> None:
        task.call(**{key: values})

    monkeypatch.setattr(freshness, "enqueue", run)
    if hasattr(freshness, "enqueue_joined"):  # the comments' task, joined to a waiting one
        monkeypatch.setattr(freshness, "enqueue_joined", run_joined)
    yield
