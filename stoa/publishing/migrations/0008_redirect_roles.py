"""Editors and administrators keep the redirect table (core.Redirect): they see, search, add,
change and remove old addresses. Granted here: core sits below members and its roles."""

from django.db import migrations

from stoa.members.roles import Role, grant

REDIRECT_PERMISSIONS = [f"{a}_redirect" for a in ("add", "change", "delete", "view")]
ROLES = {Role.EDITOR: REDIRECT_PERMISSIONS, Role.ADMINISTRATOR: REDIRECT_PERMISSIONS}


def grant_redirects(apps, schema_editor):
    grant(apps, app_label="core", roles=ROLES)


def revoke_redirects(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(
        content_type__app_label="core", codename__in=REDIRECT_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=[role.value for role in ROLES]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0007_media_item"),
        ("core", "0002_redirect"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_redirects, revoke_redirects)]
