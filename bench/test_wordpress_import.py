"""Smoke test of the WordPress import benchmark: bench/wordpress_import.py with tiny files runs
end to end (generate, migrate, import in a child, count) and prints its table, with every
comment outside trashed posts in the database. A plain subprocess test with its own temp dir
and SQLite databases; 20-60 s (deselect with `-m "not bench"`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "wordpress_import.py"


def expect(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message, pytrace=False)


@pytest.mark.bench
def test_a_tiny_run_measures_both_sizes_and_loses_no_comment(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "STOA_VAR_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    output = tmp_path / "import.md"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *("--posts", "12", "--comments", "150", "--scale", "2"),
            *("--output", str(output)),
        ],
        cwd=SCRIPT.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    expect(done.returncode == 0, f"wordpress_import.py exited {done.returncode}\n{log}")
    text = output.read_text()
    expect(text.strip() in done.stdout, f"the table printed differs from the file\n{log}")
    rows = [line for line in text.splitlines() if line.startswith("| 12 posts") or "x2:" in line]
    expect(len(rows) == 2, f"not one row per size\n{text}")
    expect("Problem" not in text, f"comments went missing\n{text}")
    expect("Peak memory, larger file against smaller" in text, f"no memory verdict\n{text}")
