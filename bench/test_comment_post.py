"""Smoke test of bench/comment_post.py: a quick run against its own throwaway site (a few
hundred and a few thousand comments, ten writers of 20 comments each) prints both
sequential rows and the writers' row with numbers, every POST answered 302 and every
acknowledged comment stored; the rate as the thread grew, with how many writers were still
posting at its end; and the task worker's row, which emptied the queue with no task failed.
A plain subprocess test: it uses no test database. About 30 s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from smoke import expect, run_script

SCRIPT = Path(__file__).resolve().parent / "comment_post.py"


@pytest.mark.bench
def test_comment_post_prints_sequential_and_concurrent_rows() -> None:
    done = run_script(SCRIPT, "--quick", "--each", "20", timeout=600)
    rows = re.findall(
        r"^\| sequential, one returning guest \| ([\d,]+) \| (\d+\.\d\d) \| (\d+\.\d\d) "
        r"\| (\d+)/(\d+) \|$",
        done.stdout,
        re.MULTILINE,
    )
    expect(len(rows) == 2, done.stdout)
    for _, p50, _, ok, asked in rows:
        expect(float(p50) > 0, "")
        expect(ok == asked, done.stdout)
    writers = re.search(
        r"^\| 10 writers, .* \| (\d+\.\d) \| (\d+\.\d) \| (\d+) \| (\d+) \| (\d+)/(\d+) \|$",
        done.stdout,
        re.MULTILINE,
    )
    expect(writers, done.stdout)
    rate, _, errors, locked, stored, acknowledged = writers.groups()
    expect(float(rate) > 0, "")
    expect((errors, locked) == ("0", "0"), done.stdout)
    expect(stored == acknowledged, done.stdout)
    grew = re.search(
        r"^As the thread grew: (\d+\.\d) writes/s in the first fifth .* (\d+\.\d) in the last",
        done.stdout,
        re.MULTILINE,
    )
    expect(grew, done.stdout)
    grew_cpu = re.search(
        r"CPU per write in the first fifth: (\d+\.\d\d) ms gunicorn, (\d+\.\d\d) ms task "
        r"workers; in the last: (\d+\.\d\d) ms, (\d+\.\d\d) ms\.",
        done.stdout,
        re.MULTILINE,
    )
    expect(grew_cpu, done.stdout)
    expect(float(grew_cpu.group(1)) > 0 and float(grew_cpu.group(3)) > 0, done.stdout)
    # Some writers may be done before the last fifth begins, never more than all of them.
    posting = re.search(
        r"Writers still posting when the last fifth began: (\d+) of 10\.", done.stdout
    )
    expect(posting and 1 <= int(posting.group(1)) <= 10, done.stdout)
    worker = re.search(
        r"^\| 1 × `stoa db_worker` \| ([\d,]+) \| ([\d,]+) \(([\d,]+)\) \| (\d+\.\d) s \| (\d+) "
        r"\| (\d+) \|$",
        done.stdout,
        re.MULTILINE,
    )
    expect(worker, done.stdout)
    queued, _, _, _, failed, worker_locked = worker.groups()
    expect(int(queued.replace(",", "")) > 0, done.stdout)
    expect((failed, worker_locked) == ("0", "0"), done.stdout)
    cpu = re.search(
        r"^CPU per acknowledged write: (\d+\.\d\d) ms gunicorn, (\d+\.\d\d) ms task workers, "
        r"(\d+\.\d\d) ms this load client\.$",
        done.stdout,
        re.MULTILINE,
    )
    expect(cpu, done.stdout)
    expect(float(cpu.group(1)) > 0, done.stdout)
