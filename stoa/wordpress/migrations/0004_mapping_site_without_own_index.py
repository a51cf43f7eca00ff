import django.db.models.deletion
from django.db import migrations, models

from stoa.core.operations import DropOwnIndex

# The site's own index repeated the unique constraint's, which begins with the site; every
# comment an import brings writes a mapping row, and each index of the table grows with it.


class Migration(migrations.Migration):
    dependencies = [
        ("wordpress", "0003_mapping_key_index"),
    ]

    operations = [
        DropOwnIndex(
            model_name="mapping",
            name="site",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mappings",
                to="wordpress.sourcesite",
            ),
        ),
    ]
