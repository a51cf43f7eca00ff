"""Give the roles their webcast permissions (the groups come from members.0002_roles).

Editors and administrators run the webcasts: series and sessions, clips, enrolments,
access codes and release-notice requests. Authors see series and clips and may add a clip
to go with their article. Moderators touch comments only.
"""

from django.db import migrations

from stoa.members.roles import Role, grant

AUTHOR = ["view_series", "view_session", "view_clip", "add_clip"]


def grant_webcasts(apps, schema_editor):
    grant(
        apps,
        app_label="webcasts",
        roles={Role.AUTHOR: AUTHOR, Role.EDITOR: ["all"], Role.ADMINISTRATOR: ["all"]},
    )


def revoke_webcasts(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="webcasts")
    for group in Group.objects.filter(name__in=[role.value for role in Role]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("webcasts", "0001_initial"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_webcasts, revoke_webcasts)]
