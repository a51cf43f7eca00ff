"""Give the roles their publishing permissions (the groups come from members.0002_roles)."""

from django.db import migrations

from stoa.members.roles import Role, grant_operation

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


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0004_post_visibility_publish_permission"),
        ("members", "0002_roles"),
    ]

    operations = [
        grant_operation(
            app_label="publishing",
            roles={Role.AUTHOR: AUTHOR, Role.EDITOR: ["all"], Role.ADMINISTRATOR: ["all"]},
        )
    ]
