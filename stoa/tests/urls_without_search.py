"""The site without its search app's pages: what core's redirects do on a site that has none."""

from django.urls import URLResolver

from stoa.urls import urlpatterns as site

urlpatterns = [
    pattern
    for pattern in site
    if not (isinstance(pattern, URLResolver) and pattern.namespace == "search")
]
