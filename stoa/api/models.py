"""Personal API tokens: a member's key for scripts and apps, scoped, revocable, stored hashed.

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


class Scope(models.TextChoices):
    """What a token may be used for (access.token_allows)."""

    READ = "read", "Read what the member may read"
    COMMENT = "comment", "Write, change and report comments as the member"
    MODERATE = "moderate", "Moderate comments (moderators only)"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Reads of tokens."""

    def live(self) -> ApiTokenQuerySet:
        """Tokens that still open the API: not revoked."""
        return self.filter(revoked_at__isnull=True)


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
        return self.revoked_at is None
