"""Reading the demo's data files: TOML made into typed records, and the text files they name.

The demo content is data under data/, so that the apps hold only the product and changing the
demo means editing words, not code. Every read goes through here so that a mistake in a file
(TOML that does not parse, a key missing, misspelt or of the wrong type, a named file that is
not there) stops `stoa demo` with the file's path and the place in it, instead of a KeyError
halfway through writing the content.
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from pathlib import Path
from typing import Any, TypeVar

DATA = Path(__file__).resolve().parent / "data"
# Error messages give paths from here, as people find the files in the repository.
REPOSITORY = Path(__file__).resolve().parents[2]

Record = TypeVar("Record")


class DemoDataError(ValueError):
    """A data file the demo cannot use. The message starts with the file's path."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{shown(path)}: {problem}")
        self.path = path


def shown(path: Path) -> str:
    """A data file's path as people find it in the repository (stoa/demo/data/...)."""
    return str(path.relative_to(REPOSITORY)) if path.is_relative_to(REPOSITORY) else str(path)


def path(name: str) -> Path:
    """The data file `name` (relative to data/, with "/" between folders)."""
    return DATA.joinpath(*name.split("/"))


def read_text(name: str, *, named_in: str = "") -> str:
    """A text file's content (UTF-8); `named_in`: the data file that names it, if any."""
    where = path(name)
    try:
        return where.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        problem = f"no such file (named in {shown(path(named_in))})" if named_in else "no such file"
        raise DemoDataError(where, problem) from error
    except (OSError, UnicodeDecodeError) as error:
        raise DemoDataError(where, f"cannot be read: {error}") from error


def read_record(name: str, kind: type[Record]) -> Record:
    """A TOML file made into the dataclass `kind`: one field per key, nested tables as nested
    dataclasses, arrays as tuples; a key the class does not know is an error too, so a typo
    cannot quietly leave a default in place."""
    try:
        table = tomllib.loads(read_text(name))
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(path(name), f"not valid TOML: {error}") from error
    return _convert(kind, table, where=(path(name), ""))


def _convert(kind: Any, value: object, *, where: tuple[Path, str]) -> Any:
    file, place = where
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if dataclasses.is_dataclass(kind):
        return _record(kind, value, where=where)
    if origin is tuple:
        if not isinstance(value, list):
            raise _wrong(where, "an array", value)
        if len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],) * len(value)
        elif len(args) != len(value):
            raise DemoDataError(file, f"{place}: expected {len(args)} values, found {len(value)}")
        return tuple(
            _convert(arg, item, where=(file, f"{place}[{n}]"))
            for n, (arg, item) in enumerate(zip(args, value, strict=True))
        )
    # TOML's true and false are Python bools, which are ints too: check bool first.
    if kind is bool or isinstance(value, bool):
        if kind is not bool or not isinstance(value, bool):
            raise _wrong(where, _described(kind), value)
        return value
    if kind in (str, int) and isinstance(value, kind):
        return value
    raise _wrong(where, _described(kind), value)


def _record(kind: Any, value: object, *, where: tuple[Path, str]) -> Any:
    file, place = where
    if not isinstance(value, dict):
        raise _wrong(where, "a table", value)
    fields = {field.name: field for field in dataclasses.fields(kind)}
    prefix = f"{place}: " if place else ""
    if unknown := sorted(value.keys() - fields.keys()):
        known = ", ".join(sorted(fields))
        raise DemoDataError(file, f"{prefix}unknown key {unknown[0]!r} (known: {known})")
    hints = typing.get_type_hints(kind)
    values = {}
    for name, field in fields.items():
        if name in value:
            inner = f"{place}.{name}" if place else name
            values[name] = _convert(hints[name], value[name], where=(file, inner))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise DemoDataError(file, f"{prefix}{name!r} is missing")
    return kind(**values)


def _described(kind: Any) -> str:
    return {str: "a string", int: "an integer", bool: "true or false"}.get(kind, str(kind))


def _wrong(where: tuple[Path, str], expected: str, value: object) -> DemoDataError:
    file, place = where
    return DemoDataError(file, f"{place or 'the file'}: expected {expected}, found {value!r}")
