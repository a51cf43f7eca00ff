"""Template context every page needs."""

from django.http import HttpRequest

from stoa.core.conf import stoa_setting


def site(request: HttpRequest) -> dict[str, object]:
    """The site's name and tagline, for headers, titles and feeds."""
    return {"site_name": stoa_setting("SITE_NAME"), "site_tagline": stoa_setting("TAGLINE")}
