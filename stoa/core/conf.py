"""Stoa's own settings, read at call time from settings.STOA with defaults."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "Stoa",
    "TAGLINE": "",
    "POSTS_PER_PAGE": 10,
    "FEED_ITEMS": 20,
    "EMBED_PREFIXES": [],
    "SIDEBAR_WIDGETS": [],
    "SITE_NAV": [],
    "ACCOUNT_NAV": [],
    "HEADER_TOOLS": [],
    "HEAD_LINKS": [],
    "FOOTER_LINKS": [],
    "POST_HEAD": [],
    "POST_HEADER": [],
    "CONTENT_CLOCKS": [],
    "MODERATION_POLICY": "",
    "POST_FOOTER": [],
    "ACCOUNT_SECTIONS": [],
    "PROFILE_SECTIONS": [],
    "ACCOUNT_EXPORTERS": [],
    "COMMENT_MARKUP": [],
    "POST_AUTHOR_CHECKS": [],
    "FRESHNESS_FOLLOWERS": [],
    "ADMIN_SEARCH": [],
    "BODY_EDITOR_WIDGET": "",
}


def stoa_setting(name: str) -> Any:
    """Return STOA[name], falling back to Stoa's default."""
    return getattr(settings, "STOA", {}).get(name, DEFAULTS[name])
