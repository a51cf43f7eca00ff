"""Smoke test of bench/search.py: a small corpus (200 posts, 2,000 comments) is written,
indexed and searched, and the table has a row per reader (and one for the most frequent
word) with numbers. A plain subprocess test on a throwaway SQLite site: it uses no test
database. About 15 s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from smoke import expect, run_script

SCRIPT = Path(__file__).resolve().parent / "search.py"
NUMBER = re.compile(r"^\d[\d,]*(\.\d)?$")


@pytest.mark.bench
def test_search_bench_prints_a_row_per_reader() -> None:
    done = run_script(SCRIPT, "--posts", "200", "--comments", "2000", "--searches", "16")
    rows = {}
    for line in done.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 11 and cells[0] == "sqlite":
            rows[cells[1]] = cells
    expect(sorted(rows) == ["member", "visitor", "visitor (most frequent word)"], done.stdout)
    for reader, cells in rows.items():
        expect(cells[2] == "200 / 2,000", f"{reader}: {cells}")
        expect(cells[3] == "2,200", f"{reader}: every post and comment indexed: {cells}")
        expect(all(NUMBER.match(cell) for cell in cells[4:]), f"{reader}: {cells}")
