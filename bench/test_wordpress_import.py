"""Smoke test of the WordPress import benchmark: bench/wordpress_import.py with tiny files runs
end to end (generate, migrate, import in a child, count) and prints its table, with every
comment outside trashed posts in the database. A plain subprocess test with its own temp dir
and SQLite databases; 20-60 s (deselect with `-m "not bench"`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from smoke import expect, run_script, table_of

SCRIPT = Path(__file__).resolve().parent / "wordpress_import.py"


@pytest.mark.bench
def test_a_tiny_run_measures_both_sizes_and_loses_no_comment(tmp_path: Path) -> None:
    output = tmp_path / "import.md"
    done = run_script(
        SCRIPT, "--posts", "12", "--comments", "150", "--scale", "2", "--output", str(output)
    )
    text = table_of(done, output)
    rows = [line for line in text.splitlines() if line.startswith("| 12 posts") or "x2:" in line]
    expect(len(rows) == 2, f"not one row per size\n{text}")
    expect("Problem" not in text, f"comments went missing\n{text}")
    expect("Peak memory, larger file against smaller" in text, f"no memory verdict\n{text}")
