from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person with an account: reader, member, author, editor or moderator."""

    # Custom from the first migration, as Django advises, so that profile fields and login by
    # email can come later without swapping AUTH_USER_MODEL under existing data.

    class Meta:
        swappable = "AUTH_USER_MODEL"
        verbose_name = "user"
        verbose_name_plural = "users"
