"""The import's reading of a file (reading.py): a large file is read in a process of its own,
which gives the import exactly what reading it in the importer's process gives, with the same
guarantees (a refused file writes nothing, a dry run writes nothing, a second run changes
nothing)."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import pickle
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from stoa.discussion.models import Comment
from stoa.discussion.services import comment_markup
from stoa.publishing.models import Post
from stoa.wordpress import reading, services, wxr
from stoa.wordpress.tests.test_services import DATA, EDGES, SAMPLE, imported, photo, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    return temporary_media


@pytest.fixture
def in_a_process(monkeypatch) -> list[Path]:
    """Every file read in a process of its own, however small; the paths so read."""
    monkeypatch.setattr(reading, "PROCESS_FROM_BYTES", 0)
    read: list[Path] = []
    original = reading.events_in_process

    def spy(path, **kwargs):
        read.append(Path(path))
        return original(path, **kwargs)

    monkeypatch.setattr(reading, "events_in_process", spy)
    return read


@pytest.fixture
def started(monkeypatch) -> list:
    """Every reading process the test starts, as started (subprocess.Popen, spied on)."""
    processes: list = []
    popen = reading.subprocess.Popen

    def spy(*args, **kwargs):
        processes.append(popen(*args, **kwargs))
        return processes[-1]

    monkeypatch.setattr(reading.subprocess, "Popen", spy)
    return processes


def test_a_small_file_is_read_in_the_importers_own_process(monkeypatch):
    monkeypatch.setattr(reading, "events_in_process", None)  # would fail if called
    assert imported(SAMPLE).count("comment", "created") > 0


def test_a_file_read_in_a_process_of_its_own_reports_what_the_importer_would(
    in_a_process, monkeypatch
):
    monkeypatch.setattr(reading, "PROCESS_FROM_BYTES", 10**12)
    here = imported(EDGES, dry_run=True)
    assert in_a_process == []
    monkeypatch.setattr(reading, "PROCESS_FROM_BYTES", 0)
    there = imported(EDGES, dry_run=True)
    assert in_a_process == [EDGES]
    assert there.counts == here.counts
    assert there.problem_lines() == here.problem_lines()


def test_comments_read_in_a_process_are_drawn_as_the_importer_draws_them(in_a_process):
    imported(SAMPLE)
    assert in_a_process == [SAMPLE]
    comments = list(Comment.objects.select_related("post"))
    assert comments
    for comment in comments:
        assert comment.html == comment_markup(comment.post, comment.text)


def test_a_second_run_read_the_other_way_changes_nothing(in_a_process, monkeypatch):
    """The fingerprints a process of its own computes are the importer's own."""
    first = imported(SAMPLE)
    before = snapshot()
    monkeypatch.setattr(reading, "PROCESS_FROM_BYTES", 10**12)
    again = imported(SAMPLE)
    assert in_a_process == [SAMPLE]
    assert snapshot() == before
    assert again.count("comment", "skipped") == first.count("comment", "created")
    assert again.count("comment", "created") == 0


def test_a_file_cut_off_in_the_middle_is_refused_from_the_process_naming_the_line(
    in_a_process,
):
    before = snapshot()
    with pytest.raises(wxr.WXRError) as refused:
        imported(DATA / "hostile" / "truncated.xml")
    assert in_a_process
    assert refused.value.line == 624
    assert "line 624" in str(refused.value)
    assert snapshot() == before


def test_a_reading_process_that_fails_says_why(tmp_path):
    events = reading.events_in_process(tmp_path / "gone.xml", local_zone=dt.UTC)
    with pytest.raises(reading.ReaderFailed, match="FileNotFoundError"):
        next(events)


def large_export(tmp_path: Path, copies: int = 400) -> Path:
    """The sample with its items written `copies` times: far more than the pipe and the
    queue hold, so that its reader cannot have finished when the importer stops early."""
    text = SAMPLE.read_text()
    start, end = text.index("<item>"), text.rindex("</item>") + len("</item>")
    path = tmp_path / "large.wordpress.xml"
    path.write_text(text[:start] + text[start:end] * copies + text[end:])
    return path


def test_an_importer_that_stops_early_stops_its_reader(tmp_path, started):
    events = reading.events_in_process(large_export(tmp_path), local_zone=dt.UTC)
    first = next(events)
    assert isinstance(first.record, wxr.Site)
    events.close()  # the importer failed: the generator's end kills and waits for the reader
    (process,) = started
    assert process.returncode == -signal.SIGKILL


def test_a_refusal_crosses_the_process_boundary_with_its_line():
    error = pickle.loads(pickle.dumps(wxr.WXRError("Not a WordPress export", 12)))  # noqa: S301
    assert type(error) is wxr.WXRError
    assert error.line == 12
    assert str(error) == "Not a WordPress export (line 12)"


def test_a_failure_halfway_leaves_the_database_as_it_was_and_stops_the_reader(
    in_a_process, monkeypatch, tmp_path, started
):
    def broken(self, item):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services._Importer, "_queue_attachment", broken)
    before = snapshot()
    with pytest.raises(RuntimeError, match="the disk is full"):
        imported(large_export(tmp_path))
    assert snapshot() == before
    assert [process.returncode for process in started] == [-signal.SIGKILL]


def test_records_cross_the_process_boundary_as_they_were_read():
    with EDGES.open("rb") as handle:
        read = list(reading.events(handle, local_zone=dt.UTC))
    assert any(isinstance(event.record, wxr.Item) and event.drawn for event in read)
    crossed = pickle.loads(pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert crossed == read
    assert [type(event.record) for event in crossed] == [type(event.record) for event in read]


def test_a_message_cut_short_by_the_reader_is_a_failure_not_garbage(monkeypatch):
    # A reader that stops while writing a message (killed, out of memory) leaves a length
    # the pipe does not deliver: said plainly, never unpickled from the bytes there are.
    popen = reading.subprocess.Popen
    cut = "import sys; sys.stdout.buffer.write((1000).to_bytes(8, 'big') + b'x' * 10)"

    def cut_short(args, **kwargs):
        return popen([args[0], "-c", cut], **kwargs)

    monkeypatch.setattr(reading.subprocess, "Popen", cut_short)
    events = reading.events_in_process("unused.xml", local_zone=dt.UTC)
    with pytest.raises(reading.ReaderFailed, match="mid-message"):
        next(events)


def test_a_pipe_that_fails_under_the_importer_stops_the_reader_rather_than_waiting_for_it(
    monkeypatch,
):
    # The reader writes on (a whole file's events), the pipe read fails in the importer: the
    # reader, whose writes nobody takes any more, would wait for ever, and so would the
    # importer waiting for its exit code. It is given EXIT_WAIT seconds, then stopped.
    popen = reading.subprocess.Popen
    endless = "import sys\nwhile True: sys.stdout.buffer.write(b'x' * 65536)"
    started: list[reading.subprocess.Popen] = []

    def writes_on(args, **kwargs):
        started.append(popen([args[0], "-c", endless], **kwargs))
        return started[-1]

    def fails(stream, size):
        raise OSError("the pipe failed")

    monkeypatch.setattr(reading.subprocess, "Popen", writes_on)
    monkeypatch.setattr(reading, "_read_all", fails)
    monkeypatch.setattr(reading, "EXIT_WAIT", 0.1)
    outcome: list[BaseException] = []

    def importer() -> None:
        try:
            next(reading.events_in_process("unused.xml", local_zone=dt.UTC))
        except BaseException as error:  # noqa: BLE001 - what it raised, for the test to see
            outcome.append(error)

    thread = threading.Thread(target=importer, daemon=True)
    thread.start()
    thread.join(timeout=60)
    hung = thread.is_alive()
    for process in started:
        if process.poll() is None:
            process.kill()  # the old way's wait: freed, or the test run would hang
    assert not hung, "the importer waited for a reader that could not end"
    assert len(outcome) == 1 and isinstance(outcome[0], reading.ReaderFailed)
    assert "its output could not be read, and it was still running 0.1 s later" in str(outcome[0])
    assert [process.returncode for process in started] == [-signal.SIGKILL]


def _state(process) -> str:
    """The process's state letter in /proc (R running, S asleep, T stopped, Z ended)."""
    return Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _stop_and_continue_once_blocked(process) -> bool:
    """SIGSTOP then SIGCONT the reader once it sleeps: with the importer not taking its events,
    the queue and the pipe fill, and its only wait is the write to the full pipe, most likely
    part of the way through a message larger than the pipe. Whether it was stopped (it may
    have written its last message instead). No timing: each wait is for a state it must reach."""
    while process.poll() is None and _state(process) != "S":
        time.sleep(0.005)
    if process.poll() is not None:
        return False
    os.kill(process.pid, signal.SIGSTOP)
    # Not continued before the stop took hold: a SIGCONT would discard a SIGSTOP still
    # pending, and the write would wait on as if nothing had happened.
    while process.poll() is None and _state(process) != "T":
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGCONT)
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_reader_stopped_and_continued_while_writing_hands_over_every_event_whole(
    tmp_path, monkeypatch, started
):
    # Ctrl-Z and fg, or a profiler pausing it: a stop signal ends the reader's write to the
    # full pipe with the count written so far (write(2), signal(7)), and Python run
    # unbuffered (PYTHONUNBUFFERED, as many containers set it) hands that count back
    # rather than writing the rest. The stream must stay framed all the same.
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    path = large_export(tmp_path, copies=200)
    with path.open("rb") as handle:
        expected = list(reading.events(handle, local_zone=dt.UTC))
    received, stops = [], 0
    for event in reading.events_in_process(path, local_zone=dt.UTC):
        received.append(event)
        if len(received) % reading.CHUNK_EVENTS == 1:
            stops += _stop_and_continue_once_blocked(started[0])
    assert stops > 3
    assert received == expected


def test_messages_larger_than_the_pipe_arrive_whole_through_an_unbuffered_pipe(
    tmp_path, monkeypatch
):
    # Read raw, the pipe gives at most what it holds (64 KiB) a read: the importer reads on
    # to each message's length rather than taking a short read for a reader that stopped.
    popen = reading.subprocess.Popen

    def unbuffered(*args, **kwargs):
        return popen(*args, **{**kwargs, "bufsize": 0})

    monkeypatch.setattr(reading.subprocess, "Popen", unbuffered)
    path = large_export(tmp_path, copies=20)
    with path.open("rb") as handle:
        expected = list(reading.events(handle, local_zone=dt.UTC))
    assert list(reading.events_in_process(path, local_zone=dt.UTC)) == expected


def test_the_garbage_collector_runs_less_often_while_an_import_writes_and_as_before_after(
    monkeypatch,
):
    seen: list[tuple[int, int, int]] = []
    original = services.discussion.import_threads

    def spy(**kwargs):
        seen.append(gc.get_threshold())
        return original(**kwargs)

    monkeypatch.setattr(services.discussion, "import_threads", spy)
    before = gc.get_threshold()
    assert before[0] < reading.IMPORT_GC_THRESHOLD
    imported(SAMPLE)
    assert seen
    assert {threshold[0] for threshold in seen} == {reading.IMPORT_GC_THRESHOLD}
    assert {threshold[1:] for threshold in seen} == {before[1:]}
    assert gc.get_threshold() == before


def test_a_failed_import_gives_the_garbage_collector_its_thresholds_back(monkeypatch):
    def broken(self, item):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services._Importer, "_queue_attachment", broken)
    before = gc.get_threshold()
    with pytest.raises(RuntimeError, match="the disk is full"):
        imported(SAMPLE)
    assert gc.get_threshold() == before


def test_the_reading_process_collects_less_often_while_it_reads(monkeypatch):
    seen: list[int] = []
    original = reading.events

    def spy(handle, **kwargs):
        for event in original(handle, **kwargs):
            seen.append(gc.get_threshold()[0])
            yield event

    monkeypatch.setattr(reading, "events", spy)
    before = gc.get_threshold()
    out = io.BytesIO()
    reading._write_events(str(SAMPLE), dt.UTC, out)
    assert seen
    assert set(seen) == {reading.IMPORT_GC_THRESHOLD}
    assert gc.get_threshold() == before
    assert b"done" in out.getvalue()


def test_bodies_the_reader_converts_are_the_ones_the_importer_would(monkeypatch, tmp_path, media):
    """A post's body that needs none of the imported media is converted by the reader; the
    posts and pages come out the same as when the importer converts every body."""
    posts = []
    for path in (SAMPLE, EDGES):
        with path.open("rb") as handle:
            posts += [
                event
                for event in reading.events(handle, local_zone=dt.UTC)
                if isinstance(event.record, wxr.Item) and event.record.post_type == "post"
            ]
    assert any(event.body is not None for event in posts)
    assert any(event.body is None for event in posts)  # a gallery, an old upload

    # The old uploads copied: their addresses in the bodies are rewritten to new ones.
    uploads = tmp_path / "uploads"
    (uploads / "2024" / "03").mkdir(parents=True)
    for name in ("waiting-room.jpg", "two-chairs.jpg"):
        (uploads / "2024" / "03" / name).write_bytes(photo((40, 30)))

    class Undone(Exception):
        pass

    def outcome(report: services.Report) -> tuple[list, list, list[str]]:
        # Without ids: PostgreSQL's sequences go on after a rollback (the media's too).
        state = snapshot()
        posts, pages = (
            [{k: v for k, v in row.items() if k != "id" and not k.endswith("_id")} for row in rows]
            for rows in (state["Post"], state["Page"])
        )
        return posts, pages, report.problem_lines()

    # A post whose only old upload is an absolute address of the old site (no gallery).
    no_gallery = tmp_path / "no-gallery.wordpress.xml"
    no_gallery.write_text(SAMPLE.read_text().replace('[gallery ids="5,6" columns="2"]', ""))
    rewritten = []
    for path in (SAMPLE, EDGES, no_gallery):
        with pytest.raises(Undone), transaction.atomic():
            drawn = outcome(imported(path, media_from=uploads))
            rewritten += [post["body"] for post in drawn[0] if "/wp-content/" not in post["body"]]
            raise Undone
        for stored in media.iterdir():  # the same file names again
            shutil.rmtree(stored)
        with monkeypatch.context() as patched:
            patched.setattr(reading.markup, "convert_alone", lambda text, **kwargs: None)
            with pytest.raises(Undone), transaction.atomic():
                assert outcome(imported(path, media_from=uploads)) == drawn
                raise Undone
        for stored in media.iterdir():
            shutil.rmtree(stored)
    assert any(settings.MEDIA_URL in body for body in rewritten)


def test_the_reading_process_sanitises_bodies_with_the_importers_embed_prefixes(
    in_a_process, monkeypatch, settings
):
    """The reading process loads no project settings: it is handed the one its sanitiser
    reads, so the players a body may embed are the importer's, not a default."""
    settings.STOA = {**settings.STOA, "EMBED_PREFIXES": ["https://player.vimeo.com/video/"]}

    def bodies() -> dict[str, str]:
        return dict(Post.objects.values_list("slug", "body"))

    class Undone(Exception):
        pass

    monkeypatch.setattr(reading, "PROCESS_FROM_BYTES", 10**12)
    with pytest.raises(Undone), transaction.atomic():
        imported(SAMPLE)
        here = bodies()
        raise Undone
    assert in_a_process == []
    monkeypatch.setattr(reading, "PROCESS_FROM_BYTES", 0)
    imported(SAMPLE)
    assert in_a_process == [SAMPLE]
    assert bodies() == here
    embedded = [body for body in here.values() if "<iframe" in body]
    assert embedded
    assert all("player.vimeo.com/video/" in body for body in embedded)
    assert not any("youtube" in body for body in here.values() if "<iframe" in body)
