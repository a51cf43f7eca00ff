"""The Jinja2 environment for reader-facing pages, with each app's globals and filters."""

from typing import Any

from jinja2 import Environment, select_autoescape

from stoa.core import templating as core
from stoa.discussion import templating as discussion
from stoa.members import templating as members
from stoa.publishing import templating as publishing
from stoa.webcasts import templating as webcasts

APPS = [core, members, publishing, discussion, webcasts]


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend renders with."""
    # Escape everything but plain-text templates (the text part of emails), which must show
    # "a < b & c" as written.
    options["autoescape"] = select_autoescape(disabled_extensions=("txt",), default=True)
    env = Environment(**options)  # noqa: S701 - autoescape is select_autoescape, set above
    for app in APPS:
        env.globals.update(app.GLOBALS)
        env.filters.update(app.FILTERS)
    return env
