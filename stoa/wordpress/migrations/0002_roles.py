"""Editors and administrators move sites in: they start imports from the admin and read
their reports (a report is never changed)."""

from django.db import migrations

from stoa.members.roles import Role, grant

IMPORT_PERMISSIONS = [f"{a}_importrun" for a in ("add", "delete", "view")]
ROLES = {Role.EDITOR: IMPORT_PERMISSIONS, Role.ADMINISTRATOR: IMPORT_PERMISSIONS}


def grant_imports(apps, schema_editor):
    grant(apps, app_label="wordpress", roles=ROLES)


def revoke_imports(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(
        content_type__app_label="wordpress", codename__in=IMPORT_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=[role.value for role in ROLES]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [("wordpress", "0001_initial"), ("members", "0002_roles")]

    operations = [migrations.RunPython(grant_imports, revoke_imports)]
