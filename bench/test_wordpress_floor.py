"""Smoke test of bench/wordpress_floor.py: with a tiny export it measures every piece of the
floor, puts them together as an import needs them (two parses), sets the sum against the
goal and, beside it, Stoa's own import of the same file, which stores the comments. A plain
subprocess test with its own temp dir and SQLite databases; 20-40 s (deselect with
`-m "not bench"`)."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
from smoke import expect, run_script, table_of

SCRIPT = Path(__file__).resolve().parent / "wordpress_floor.py"


def seconds(text: str, row: str) -> float:
    """The CPU seconds of the row that starts with `row` (the table's second column)."""
    for line in text.splitlines():
        if line.startswith(f"| {row}"):
            return float(line.split("|")[2].strip().strip("*").removesuffix(" s"))
    pytest.fail(f"no row {row!r}\n{text}", pytrace=False)


@pytest.mark.bench
def test_a_tiny_run_sums_the_floor_as_an_import_needs_it_beside_stoa(tmp_path: Path) -> None:
    output = tmp_path / "floor.md"
    done = run_script(
        SCRIPT, "--posts", "12", "--comments", "150", "--repeat", "1", "--output", str(output)
    )
    text = table_of(done, output)
    expect("150 comments" in text, f"not every comment of the file was read\n{text}")
    pieces = [
        seconds(text, name)
        for name in (
            "parse",
            "reading every comment",
            "nh3.clean",
            "SQLite: INSERT",
            "SQLite: building",
            "SQLite: the commit",
        )
    ]
    floor = seconds(text, "**the floor**")
    # Two parses and the rest once: the sum of rounded figures (a hundredth either way per row).
    expect(
        abs(floor - (pieces[0] + sum(pieces))) <= 0.07,
        f"the floor is not two parses and the rest\n{text}",
    )
    expect("CPU-seconds on" in text and "of it:" in text, f"no verdict against the goal\n{text}")
    stored = re.search(r"; ([\d,]+) comments stored", text)
    if stored is None:
        pytest.fail(f"no line for Stoa's import\n{text}", pytrace=False)
    expect(int(stored[1].replace(",", "")) > 0, f"Stoa's import stored no comment\n{text}")
    expect("Problem" not in text, f"a problem was reported\n{text}")


def floor_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("wordpress_floor", SCRIPT)
    assert spec is not None and spec.loader is not None  # noqa: S101 - the file is there
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.bench
def test_the_floor_counts_two_parses_and_is_set_against_the_goal_on_every_cpu() -> None:
    floor = floor_module()
    pieces = [
        floor.Piece("parse", cpu=1.0, wall=1.0, times_in_floor=2),
        floor.Piece("fields", cpu=0.5, wall=0.5),
        floor.Piece("nh3", cpu=0.25, wall=0.25),
    ]
    cpus = os.cpu_count() or 1
    # 2.75 CPU-seconds; the goal allows comments / 20,000 s on each CPU.
    within = floor.table(pieces, 20_000 * 3 // cpus, 10, 1_000_000, None)
    expect("**2.75 s**" in within, f"not two parses and the rest\n{within}")
    expect("within reach" in within, f"2.75 s is within 3 CPU-seconds\n{within}")
    beyond = floor.table(pieces, 20_000 * 2 // cpus, 10, 1_000_000, None)
    expect("OUT OF REACH" in beyond, f"2.75 s is beyond 2 CPU-seconds\n{beyond}")
    stoa = floor.Stoa(run_seconds=2.0, cpu_seconds=5.5, comments=0)
    with_stoa = floor.table(pieces, 1000, 10, 1_000_000, stoa)
    expect("(2.0x the floor)" in with_stoa, f"Stoa's CPU against the floor\n{with_stoa}")
    expect("Problem: Stoa stored no comment." in with_stoa, f"no comment stored\n{with_stoa}")
