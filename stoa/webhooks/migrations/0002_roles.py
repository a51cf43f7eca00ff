"""Administrators set up webhooks and read the delivery log: an endpoint holds a secret that
signs what the site sends, and its URL decides where the server connects, so no other role
touches them."""

from django.db import migrations

from stoa.members.roles import Role, grant

ROLES = {Role.ADMINISTRATOR: ["all"]}


def grant_webhooks(apps, schema_editor):
    grant(apps, app_label="webhooks", roles=ROLES)


def revoke_webhooks(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="webhooks")
    for group in Group.objects.filter(name__in=[role.value for role in ROLES]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial"), ("members", "0002_roles")]

    operations = [migrations.RunPython(grant_webhooks, revoke_webhooks)]
