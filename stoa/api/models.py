"""Personal API tokens: a member's key for scripts and apps, scoped, revocable, stored hashed.
Embedded threads: another site's page, and the post whose discussion it shows (stoa.api.embed).

A token is 32 random bytes (secrets.token_urlsafe), so guessing one is hopeless and a
password hash's slowness would buy nothing: only its SHA-256 digest is kept, looked up by
an index, as GitHub and Django REST Knox keep theirs. The secret is shown once, when it is
made (services.create_token); the first characters (`prefix`) are kept plain so that a
member can tell their tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    """What a token may be used for (access.token_allows)."""

    READ = "read", "Read what the member may read"
    COMMENT = "comment", "Write, change and report comments as the member"
    MODERATE = "moderate", "Moderate comments (moderators only)"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Reads of tokens."""

    def live(self) -> ApiTokenQuerySet:
        """Tokens that still open the API: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True).exclude(expires_at__lte=timezone.now())


class ApiToken(models.Model):
    """One of a member's personal API tokens."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the member uses it for.")
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # Space-separated Scope values (a handful; no table of their own).
    scopes = models.CharField(max_length=100, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A token the embedded discussion's login window gives (stoa.api.embed): it ends by
    # itself, and only answers requests from the page's origin (a browser's Origin header).
    # A personal token has neither.
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    origin = models.CharField(max_length=200, blank=True, default="", editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(condition=~Q(scopes=""), name="api_token_has_a_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class EmbeddedThread(models.Model):
    """A page of another site (an origin in STOA_EMBED_ORIGINS) whose embedded discussion is
    this post's: the post was made for it the first time the page asked (services.
    embedded_thread). A Stoa post's own address needs no row: it names its post."""

    url = models.CharField(
        max_length=500, unique=True, help_text="The page, without its #fragment."
    )
    origin = models.CharField(max_length=200, editable=False)
    post = models.OneToOneField(
        "publishing.Post", on_delete=models.CASCADE, related_name="embedded_thread"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "embedded thread"

    def __str__(self) -> str:
        return self.url
