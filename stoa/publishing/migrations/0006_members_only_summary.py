"""A members-only post without an excerpt no longer derives its summary from its body:
listings, feeds and descriptions show a neutral line instead (Post.teaser)."""

from django.db import migrations, models

from stoa.core.text import plain_excerpt


def forget_members_bodies(apps, schema_editor):
    Post = apps.get_model("publishing", "Post")
    Post.objects.filter(visibility="members", excerpt="").update(summary="")


def derive_again(apps, schema_editor):
    Post = apps.get_model("publishing", "Post")
    posts = Post.objects.filter(visibility="members", excerpt="").only("body")
    for post in posts.iterator():
        post.summary = plain_excerpt(post.body)
        post.save(update_fields=["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0005_roles"),
    ]

    operations = [
        migrations.AlterField(
            model_name="post",
            name="excerpt",
            field=models.TextField(
                blank=True,
                help_text="Shown in listings and feeds; derived from the body when empty "
                "(except for a members-only post, which then gets a neutral line).",
            ),
        ),
        migrations.RunPython(forget_members_bodies, derive_again),
    ]
