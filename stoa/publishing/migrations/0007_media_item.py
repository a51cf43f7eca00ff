"""The media library (MediaItem), and the roles' rights on it: editors and administrators
all of them; an author adds and views files, as WordPress's author has upload_files."""

import django.utils.timezone
from django.db import migrations, models

import stoa.publishing.models
from stoa.members.roles import Role, grant

MEDIA_PERMISSIONS = [f"{a}_mediaitem" for a in ("add", "change", "delete", "view")]
ROLES = {
    Role.AUTHOR: ["add_mediaitem", "view_mediaitem"],
    Role.EDITOR: MEDIA_PERMISSIONS,
    Role.ADMINISTRATOR: MEDIA_PERMISSIONS,
}


def grant_media(apps, schema_editor):
    grant(apps, app_label="publishing", roles=ROLES)


def revoke_media(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    media = Permission.objects.filter(
        content_type__app_label="publishing", codename__in=MEDIA_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=[role.value for role in ROLES]):
        group.permissions.remove(*media)


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0006_members_only_summary'),
        ('members', '0002_roles'),
    ]

    operations = [
        migrations.CreateModel(
            name='MediaItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=255)),
                ('file', models.FileField(blank=True, max_length=255, upload_to=stoa.publishing.models.media_upload_to)),
                ('source_url', models.CharField(blank=True, help_text="Where the file was before it came here (an old upload's address).", max_length=2000, verbose_name='source address')),
                ('alt_text', models.CharField(blank=True, help_text='What the picture shows, for readers who cannot see it.', max_length=1000, verbose_name='alternative text')),
                ('caption', models.TextField(blank=True)),
                ('credit', models.CharField(blank=True, max_length=255)),
                ('content_type', models.CharField(blank=True, editable=False, max_length=100)),
                ('width', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('height', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('file_size', models.PositiveBigIntegerField(blank=True, editable=False, null=True)),
                ('checksum', models.CharField(blank=True, db_index=True, editable=False, max_length=64)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'media item',
                'ordering': ['-created_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('file', ''), _negated=True), models.Q(('source_url', ''), _negated=True), _connector='OR'), name='media_item_has_file_or_source')],
            },
        ),
        migrations.RunPython(grant_media, revoke_media),
    ]
