"""Jinja2 globals and filters this app's templates bring."""

from collections.abc import Callable
from typing import Any

GLOBALS: dict[str, Callable[..., Any]] = {}
FILTERS: dict[str, Callable[..., Any]] = {}
