"""Create the site's roles; each app's own data migration grants its permissions."""

from django.db import migrations

from stoa.members.roles import Role, grant


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    # Administrators manage accounts and roles.
    grant(apps, app_label="members", roles={Role.ADMINISTRATOR: ["all"]})
    grant(apps, app_label="auth", roles={Role.ADMINISTRATOR: ["all"]})


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[r.value for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
