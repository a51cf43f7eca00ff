"""Clip files (video, captions, poster) move from the public media folder to the protected
storage, where only the clip view sends them: a clip on a members-only article must never be
at a public address (its article may become members-only at any time, so all of them move).

Files are copied first and the public copies deleted only once the migration has committed:
if it fails, every row still finds its file where the old code looks for it.
"""

from django.core.files.storage import storages
from django.db import migrations, models, transaction

import stoa.webcasts.storage
import stoa.webcasts.validators
from stoa.webcasts.storage import protected_storage

FILE_FIELDS = ("video", "captions", "poster")


def _move_all(apps, source, target):
    Clip = apps.get_model("webcasts", "Clip")
    moved = []
    for clip in Clip.objects.only(*FILE_FIELDS).iterator():
        changes = {}
        for field in FILE_FIELDS:
            name = getattr(clip, field).name
            if not name or not source.exists(name):
                continue  # no file, or already moved by an earlier, interrupted run
            if target.exists(name):
                stored = name  # copied by an earlier run that failed before committing
            else:
                with source.open(name, "rb") as content:
                    stored = target.save(name, content)
            if stored != name:
                changes[field] = stored
            moved.append(name)
        if changes:
            Clip.objects.filter(pk=clip.pk).update(**changes)

    def delete_originals():
        for name in moved:
            source.delete(name)

    transaction.on_commit(delete_originals)


def to_protected(apps, schema_editor):
    _move_all(apps, storages["default"], protected_storage())


def to_public(apps, schema_editor):
    _move_all(apps, protected_storage(), storages["default"])


class Migration(migrations.Migration):

    dependencies = [
        ('webcasts', '0002_roles'),
    ]

    operations = [
        migrations.AlterField(
            model_name='clip',
            name='captions',
            field=models.FileField(blank=True, help_text='WebVTT (.vtt) captions in English (for an uploaded or self-hosted video).', storage=stoa.webcasts.storage.ProtectedStorage(), upload_to=stoa.webcasts.storage.UploadPath('webcasts/clips/captions'), validators=[stoa.webcasts.validators.FileTypeValidator(kinds=('vtt',), limit='captions')]),
        ),
        migrations.AlterField(
            model_name='clip',
            name='poster',
            field=models.ImageField(blank=True, help_text='The still shown before the clip plays; re-encoded on upload.', storage=stoa.webcasts.storage.ProtectedStorage(), upload_to=stoa.webcasts.storage.UploadPath('webcasts/posters'), validators=[stoa.webcasts.validators.ImageValidator()]),
        ),
        migrations.AlterField(
            model_name='clip',
            name='video',
            field=models.FileField(blank=True, help_text='MP4 or WebM. Or give a video address instead.', storage=stoa.webcasts.storage.ProtectedStorage(), upload_to=stoa.webcasts.storage.UploadPath('webcasts/clips'), validators=[stoa.webcasts.validators.FileTypeValidator(kinds=('mp4', 'webm'), limit='clip')]),
        ),
        migrations.RunPython(to_protected, to_public),
    ]
