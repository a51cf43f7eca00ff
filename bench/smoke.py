"""What the bench scripts' smoke tests (bench/test_*.py) share: a script run as a child with
this interpreter, on its own temp dir and SQLite databases whatever the test run's
environment says, and an assertion that says what went wrong and survives `python -O`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# What a bench script must not inherit from the test run: it makes its own site.
NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "STOA_VAR_DIR", "DJANGO_SETTINGS_MODULE"}


def expect(condition: object, message: str = "expectation failed") -> None:
    if not condition:
        pytest.fail(message, pytrace=False)


def run_script(script: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run a bench script to its end; the test fails, with what it printed, if it fails."""
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    done = subprocess.run(  # noqa: S603 - our own script, with this interpreter
        [sys.executable, str(script), *args],
        cwd=script.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    expect(
        done.returncode == 0,
        f"{script.name} exited {done.returncode}\nstdout:\n{done.stdout[-3000:]}\n"
        f"stderr:\n{done.stderr[-3000:]}",
    )
    return done


def table_of(done: subprocess.CompletedProcess[str], output: Path) -> str:
    """The table a script wrote to --output, checked to be the one it printed."""
    text = output.read_text()
    expect(text.strip() in done.stdout, f"the table printed differs from the file\n{done.stdout}")
    return text
