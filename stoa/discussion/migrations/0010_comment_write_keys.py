from django.db import migrations, models
from django.db.models.functions import Lower, Substr

# Two rules asked on every comment read a writer's comments through their address alone, so a
# writer's 100th comment read their 99 others (issue 12: 50 writers x 100 comments into one
# thread, the rate fell as it grew):
# - the duplicate rule (moderation.duplicate) reads the post's comments that begin with the
#   same words; its statement repeats the index's expression, which both databases need;
# - the flood rule (moderation.too_fast) reads the address's, or the member's, comments of
#   the last seconds;
# - the first-comment rule's good standing (moderation.in_good_standing) reads a member's
#   comments marked spam.


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0009_comment_reported_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                models.F("post"), Substr("text", 1, 64), name="comment_duplicate_key"
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                Lower("author_email"), models.F("created_at"), name="comment_email_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["user", "created_at"], name="comment_user_recent"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["user", "status"], name="comment_user_status"),
        ),
    ]
