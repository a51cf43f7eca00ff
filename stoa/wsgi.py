"""WSGI entry point for gunicorn: `gunicorn stoa.wsgi`.

Anonymous readers' pages are answered from the cache before Django handles the request
(stoa.core.pagecache); everything else goes to Django.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stoa.settings")

django_application = get_wsgi_application()

from stoa.core.pagecache import CachedPages  # noqa: E402 - needs the settings set up

application = CachedPages(django_application)
