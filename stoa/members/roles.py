"""The site's roles, as Django groups that data migrations fill with permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group
from django.db import models, transaction

if TYPE_CHECKING:
    from stoa.members.models import User


class Role(models.TextChoices):
    # WordPress's roles, less Contributor/Subscriber (a member is a subscriber), plus a
    # moderator who may touch comments and nothing else.
    MEMBER = "Member", "Member"
    AUTHOR = "Author", "Author"
    EDITOR = "Editor", "Editor"
    MODERATOR = "Moderator", "Moderator"
    ADMINISTRATOR = "Administrator", "Administrator"


def grant(apps: Any, *, app_label: str, roles: dict[Role, list[str]]) -> None:
    """Give each role these permissions of one app ("all" means every one), in a migration."""
    # Permissions are normally created after the last migration (post_migrate); a data
    # migration that assigns them must create its app's rows first.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    of_app = Permission.objects.filter(content_type__app_label=app_label)
    for role, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        chosen = of_app if codenames == ["all"] else of_app.filter(codename__in=codenames)
        missing = set(codenames) - {"all"} - set(chosen.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"{app_label} has no permission {sorted(missing)}")
        group.permissions.add(*chosen)


# Every role but Member works in the back office.
STAFF_ROLES = frozenset({Role.AUTHOR, Role.EDITOR, Role.MODERATOR, Role.ADMINISTRATOR})


@transaction.atomic
def assign_role(*, user: User, role: Role) -> User:
    """Make this role the user's one group, with back-office access for the staff roles."""
    # An administrator's rights come from the group as everyone else's do, never from the
    # superuser flag, so that each can be read (and changed) in one place: the migrations.
    user.groups.set([Group.objects.get(name=role.value)])
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = False
    user.save(update_fields=["is_staff", "is_superuser"])
    # ModelBackend keeps the permissions it read on the user object: read them afresh.
    for cached in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cached, None)
    return user


def revoke(apps: Any, *, app_label: str) -> None:
    """Take one app's permissions back from every role, in a migration (grant's reverse)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label=app_label)
    for group in Group.objects.filter(name__in=[role.value for role in Role]):
        group.permissions.remove(*ours)


def grant_operation(*, app_label: str, roles: dict[Role, list[str]]) -> Any:
    """A migration operation that grants these permissions and revokes them when reversed."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        grant(apps, app_label=app_label, roles=roles)

    def backwards(apps: Any, schema_editor: Any) -> None:
        revoke(apps, app_label=app_label)

    return migrations.RunPython(forwards, backwards)
