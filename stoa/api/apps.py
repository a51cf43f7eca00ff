from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API under /api/v1/ (django-ninja) and members' personal API tokens."""

    name = "stoa.api"
    label = "api"
    verbose_name = "API"
