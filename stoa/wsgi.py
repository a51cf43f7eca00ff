"""WSGI entry point for gunicorn: `gunicorn stoa.wsgi`.

Anonymous readers' pages are answered from the cache before Django handles the request
(stoa.core.pagecache); everything else goes to Django. Each request gets its id first
(stoa.core.logs).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stoa.settings")

django_application = get_wsgi_application()

from stoa.core.logs import RequestIds  # noqa: E402 - needs the settings set up
from stoa.core.pagecache import CachedPages  # noqa: E402

# Outermost: every request, a cached page's too, has an id for its log lines and its
# response (X-Request-ID), never kept with the page.
application = RequestIds(CachedPages(django_application))
