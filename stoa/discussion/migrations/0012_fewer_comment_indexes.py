import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from stoa.core.operations import DropOwnIndex

# Every comment written grows each of the comment table's indexes (issue 11: an import of
# 400,000 comments built fourteen). Three answered nothing another did not: the post's and
# the user's own indexes (comment_thread and comment_user_recent begin with them), and
# comment_author_email, which matched an address case by case, where every reading now
# matches it whatever its case (comment_email_key).


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0011_comment_duplicate_key_author"),
        ("publishing", "0011_post_listed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="comment", name="comment_author_email"),
        DropOwnIndex(
            model_name="comment",
            name="post",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to="publishing.post",
            ),
        ),
        DropOwnIndex(
            model_name="comment",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="comments",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
