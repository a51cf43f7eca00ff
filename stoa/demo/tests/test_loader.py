"""The demo's data files (stoa/demo/loader.py): `stoa demo` reads every file under data/, so
none is left behind unnoticed, and a file it cannot use stops it before anything is written,
with the file's path and the place in it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stoa.demo import loader
from stoa.discussion.models import Comment
from stoa.publishing.models import Person, Post
from stoa.webcasts.models import Series


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of data/ that a test may break, read instead of the real one."""
    copy = tmp_path / "data"
    shutil.copytree(loader.DATA, copy)
    monkeypatch.setattr(loader, "DATA", copy)
    yield copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.django_db
def test_stoa_demo_and_webcasts_code_read_every_data_file(monkeypatch: pytest.MonkeyPatch) -> None:
    read: set[str] = set()
    read_text = loader.read_text

    def spy(name: str, **options: str) -> str:
        read.add(name)
        return read_text(name, **options)

    monkeypatch.setattr(loader, "read_text", spy)
    call_command("demo", stdout=StringIO())
    call_command("webcasts_code", stdout=StringIO())

    files = loader.DATA.rglob("*")
    assert {path.relative_to(loader.DATA).as_posix() for path in files if path.is_file()} == read


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        ("publishing/posts.toml", "[[posts]]", "[[posts]", "not valid TOML"),
        (
            "publishing/posts.toml",
            "featured = true",
            "featurd = true",
            "posts[5]: unknown key 'featurd' (known: authors, body, categories,",
        ),
        ("publishing/posts.toml", "title = ", "titel = ", "posts[0]: unknown key 'titel'"),
        ("publishing/posts.toml", "featured = true", 'featured = "yes"', "posts[5].featured"),
        ("publishing/posts.toml", 'status = "pending"', 'status = "later"', "no such status"),
        (
            "publishing/posts.toml",
            'authors = ["Tomas Lindqvist"]',
            'authors = ["Tomas Lindquist"]',
            "posts[1]: author not in magazine.toml: 'Tomas Lindquist'",
        ),
        (
            "publishing/pages.toml",
            'body = "pages/about.md"',
            'body = "pages/abuot.md"',
            "publishing/pages/abuot.md: no such file (named in ",
        ),
        (
            "discussion/commenters.toml",
            "robot_browser = ",
            "# robot_browser = ",
            "commenters.toml: 'robot_browser' is missing",
        ),
        (
            "discussion/threads/the-pause-before-the-answer.txt",
            "[p=tucson]",
            "[p=tuscon]",
            "the-pause-before-the-answer.txt: line 16: no reader 'tuscon'",
        ),
        (
            "discussion/threads/the-pause-before-the-answer.txt",
            ">>>> [again] Fair.",
            ">>>>> [again] Fair.",
            "the-pause-before-the-answer.txt: line 8: a reply deeper than its parent allows",
        ),
        (
            "webcasts/series.toml",
            "minutes = 52",
            'minutes = "52"',
            "series[0].sessions[0].minutes: expected an integer, found '52'",
        ),
        (
            "webcasts/series.toml",
            "colour = [43, 58, 66]",
            "colour = [43, 58]",
            "series[0].colour: expected 3 values, found 2",
        ),
        ("webcasts/members.toml", 'username = "lapsed"', 'username = "gone"', "no member 'lapsed'"),
    ],
)
def test_a_data_file_the_demo_cannot_use_is_named_and_nothing_is_written(
    data: Path, file: str, old: str, new: str, problem: str
) -> None:
    edit(data / file, old, new)

    with pytest.raises(CommandError) as raised:
        call_command("demo", stdout=StringIO())

    message = str(raised.value)
    assert str(data / file) in message
    assert problem in message
    for model in (Person, Post, Comment, Series):
        assert not model.objects.exists()


@pytest.mark.django_db
def test_the_code_command_names_a_broken_members_file(data: Path) -> None:
    edit(data / "webcasts/members.toml", "max_uses = 50", "max_uses = fifty")

    with pytest.raises(CommandError, match=r"data/webcasts/members\.toml: not valid TOML"):
        call_command("webcasts_code", stdout=StringIO())


def test_errors_show_the_path_from_the_repository() -> None:
    error = loader.DemoDataError(loader.path("publishing/posts.toml"), "posts[2]: a problem")
    assert str(error) == "stoa/demo/data/publishing/posts.toml: posts[2]: a problem"
