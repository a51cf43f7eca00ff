"""Smoke test of bench/pages.py: a quick run against its own throwaway site prints a row for
every page, with numbers, and the listing pages keep to issue 12's query budget as a member
(at most five warm). A plain subprocess test: it uses no test database. About 20 s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from smoke import expect, run_script

PAGES = Path(__file__).resolve().parent / "pages.py"
ROWS = [
    "home",
    "category",
    "tag",
    "author",
    "month",
    "series",
    "account",
    "feed",
    "category feed",
    "a post",
]
LISTINGS = {"home", "category", "tag", "author", "month", "series", "feed", "category feed"}
MS = re.compile(r"^\d+\.\d\d \(\d+\.\d\d\)$")


@pytest.mark.bench
def test_pages_prints_every_page_with_queries_and_milliseconds() -> None:
    done = run_script(PAGES, "--requests", "3", "--posts", "0")
    rows = {}
    for line in done.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0] in ROWS:
            rows[cells[0]] = cells
    expect(sorted(rows) == sorted(ROWS), f"rows: {sorted(rows)}\n{done.stdout}")
    for page, (_, address, queries, ms, visitor_queries, visitor_ms) in rows.items():
        expect(address.startswith("`/"), f"{page}: {address}")
        expect(queries.isdigit() and bool(MS.match(ms)), f"{page}: {queries} {ms}")
        if page != "account":  # a visitor is sent to log in
            expect(
                visitor_queries.isdigit() and bool(MS.match(visitor_ms)),
                f"{page}: {visitor_queries} {visitor_ms}",
            )
        if page in LISTINGS:
            expect(int(queries) <= 5, f"{page}: {queries} queries warm as a member")
