"""Give the roles their discussion permissions (the groups come from members.0002_roles)."""

from django.db import migrations

from stoa.members.roles import Role, grant_operation

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


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0002_settings_row"),
        ("members", "0002_roles"),
    ]

    operations = [
        grant_operation(
            app_label="discussion",
            roles={Role.MODERATOR: MODERATOR, Role.EDITOR: ["all"], Role.ADMINISTRATOR: ["all"]},
        )
    ]
