from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Posts, pages, people, categories and tags, with their archives, feeds and sitemaps."""

    name = "stoa.publishing"
    verbose_name = "Publishing"
