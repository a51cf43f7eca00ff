from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0003_members_vector")]

    operations = [
        migrations.CreateModel(
            name="Embedding",
            fields=[
                ("post_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("model", models.CharField(max_length=100)),
                ("digest", models.CharField(max_length=64)),
                ("vector", models.BinaryField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
    ]
