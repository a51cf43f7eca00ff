"""Give the roles their discussion permissions (the groups come from members.0002_roles)."""

from django.db import migrations

from stoa.members.roles import Role, grant

# A moderator works the comment queue (approve, spam, trash, edit, reply: all "change"), reads
# each comment's history and reports, and sees and removes reply subscriptions. Comments are
# never deleted from the admin (they leave through the trash), and the discussion settings
# stay with editors and administrators.
MODERATOR = [
    "view_comment",
    "change_comment",
    "moderate_comment",
    "view_commentevent",
    "view_commentflag",
    "view_subscription",
    "delete_subscription",
]


def grant_discussion(apps, schema_editor):
    grant(
        apps,
        app_label="discussion",
        roles={Role.MODERATOR: MODERATOR, Role.EDITOR: ["all"], Role.ADMINISTRATOR: ["all"]},
    )


def revoke_discussion(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="discussion")
    for group in Group.objects.filter(name__in=[role.value for role in Role]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0002_settings_row"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_discussion, revoke_discussion)]
