from django.db import migrations, models
from django.db.models.functions import Lower, Substr

# The duplicate rule (moderation.duplicate) read the post's comments that begin with the same
# 64 characters, whoever wrote them: comments that begin alike (a quotation, a greeting, the
# load test's five texts) made it read a fifth of a 5,000-comment thread, twice a comment, and
# the writers' rate fell as the thread grew (issue 12). A guest's comments are now found by
# the post, the beginning and the address together.


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0010_comment_write_keys"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="comment", name="comment_duplicate_key"),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                models.F("post"),
                Substr("text", 1, 64),
                Lower("author_email"),
                name="comment_duplicate_key",
            ),
        ),
    ]
