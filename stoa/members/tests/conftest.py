"""Fixtures the members' tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# The account page's sections and the export's parts this project's own apps bring; the
# webcasts app plugs its own in beside them (tested with it).
OWN_SECTIONS = [
    "stoa.discussion.slots.account_comments",
    "stoa.discussion.slots.account_subscriptions",
]
OWN_EXPORTERS = ["stoa.discussion.exports.member_data"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded pictures land in a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def own_slots(settings: Any) -> None:
    settings.STOA = {
        **settings.STOA,
        "ACCOUNT_SECTIONS": OWN_SECTIONS,
        "ACCOUNT_EXPORTERS": OWN_EXPORTERS,
    }
