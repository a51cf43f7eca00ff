"""`stoa import-wordpress`: the report table on stdout, quiet in a pipe, the run kept, a
refused file a clear error and a non-zero exit."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stoa.publishing.models import Post
from stoa.wordpress.models import ImportRun, RunStatus

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-export.wordpress.xml"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    return temporary_media


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a console's is."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def console_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich decides by the stream alone: none of the variables that force its answer."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "JUPYTER_COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wordpress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_the_counts_and_problems():
    out, err = run_command(str(SAMPLE))
    assert "Imported (sample-export.wordpress.xml)" in out
    assert "post" in out and "comment" in out
    assert "created" in out and "updated" in out and "skipped" in out and "failed" in out
    assert "[contact-form-7]" in out
    # Not a terminal: no progress bar.
    assert err == ""
    assert Post.objects.count() == 10
    run = ImportRun.objects.get()
    assert run.status == RunStatus.DONE
    assert run.counts["comment"]["created"] == 15
    assert run.started_at is not None and run.finished_at is not None


def test_a_dry_run_says_so_and_writes_nothing():
    out, _ = run_command(str(SAMPLE), "--dry-run")
    assert "Dry run: nothing was written" in out
    assert Post.objects.count() == 0
    run = ImportRun.objects.get()
    assert run.dry_run and run.status == RunStatus.DONE
    assert run.site is None
    assert run.counts["post"]["created"] == 10


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("hostile/external-entity.xml", "DOCTYPE"),
        ("hostile/truncated.xml", "line 624"),
        ("hostile/not-wxr.xml", "Not a WordPress export"),
    ],
)
def test_a_refused_file_exits_with_a_clear_message_and_nothing_written(name, says):
    with pytest.raises(CommandError) as refused:
        run_command(str(DATA / name))
    assert "Nothing was imported" in str(refused.value)
    assert says in str(refused.value)
    assert Post.objects.count() == 0
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert says in run.error


def test_a_missing_file_or_media_folder_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_command(str(tmp_path / "nothing.xml"))
    with pytest.raises(CommandError, match="not a directory"):
        run_command(str(SAMPLE), "--media-from", str(tmp_path / "nowhere"))


def test_on_a_terminal_the_command_shows_a_progress_bar_that_ends_full(monkeypatch, console_env):
    # The bar is drawn on the process's standard error (rich's Console on sys.stderr).
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    out, _ = run_command(str(SAMPLE))
    drawn = terminal.getvalue()
    assert "Importing the WordPress export" in drawn
    assert "\x1b[" in drawn  # drawn with a terminal's escape codes
    # Two passes over the file, counted to the end: "98.0/98.0 kB" (rich's DownloadColumn,
    # in decimal kilobytes).
    total = f"{2 * SAMPLE.stat().st_size / 1000:.1f}"
    told = re.findall(r"([0-9.]+)/([0-9.]+) kB", drawn)
    assert told[-1] == (total, total)
    # The report is on standard output, not mixed with the bar.
    assert "Imported (sample-export.wordpress.xml)" in out
    assert "Imported (" not in drawn
    assert Post.objects.count() == 10


def test_in_a_pipe_the_command_prints_no_progress_bar(monkeypatch, console_env):
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    out, err = run_command(str(SAMPLE))
    assert piped.getvalue() == ""
    assert err == ""
    assert "Imported (sample-export.wordpress.xml)" in out
    assert "Importing the WordPress export" not in out
    assert Post.objects.count() == 10
