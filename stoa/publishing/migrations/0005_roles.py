"""Give the roles their publishing permissions (the groups come from members.0002_roles)."""

from django.db import migrations

from stoa.members.roles import Role, grant

# An author writes and revises their own posts and submits them for review; which posts are
# their own, and that they cannot publish, the admin enforces (publish_post and
# change_others_post are the editors'). As WordPress's contributor, they file under existing
# categories and may add tags.
AUTHOR = [
    "view_post",
    "add_post",
    "change_post",
    "view_category",
    "view_tag",
    "add_tag",
    "view_person",
]


def grant_publishing(apps, schema_editor):
    grant(
        apps,
        app_label="publishing",
        roles={Role.AUTHOR: AUTHOR, Role.EDITOR: ["all"], Role.ADMINISTRATOR: ["all"]},
    )


def revoke_publishing(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="publishing")
    for group in Group.objects.filter(name__in=[role.value for role in Role]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0004_post_visibility_publish_permission"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_publishing, revoke_publishing)]
