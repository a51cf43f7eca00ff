"""Give the roles their webcast permissions (the groups come from members.0002_roles).

Editors and administrators run the webcasts: series and sessions, clips, enrolments,
access codes and release-notice requests. Authors see series and clips and may add a clip
to go with their article. Moderators touch comments only.
"""

from django.db import migrations

from stoa.members.roles import Role, grant_operation

AUTHOR = ["view_series", "view_session", "view_clip", "add_clip"]


class Migration(migrations.Migration):
    dependencies = [
        ("webcasts", "0001_initial"),
        ("members", "0002_roles"),
    ]

    operations = [
        grant_operation(
            app_label="webcasts",
            roles={Role.AUTHOR: AUTHOR, Role.EDITOR: ["all"], Role.ADMINISTRATOR: ["all"]},
        )
    ]
