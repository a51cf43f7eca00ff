from django.db import migrations, models

# The admin's post list shows every post newest first, whatever its status (issue 12: an
# editor's list page within 300 ms on a 20,000-post site): an index in that order, so a page
# is read from it rather than every post sorted for each page.


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0008_redirect_roles"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["published_at"], name="post_published"),
        ),
    ]
