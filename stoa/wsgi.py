"""WSGI entry point for gunicorn: `gunicorn stoa.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stoa.settings")

application = get_wsgi_application()
