"""An index on a matrix entry's title: lists of work by title read the first rows in order instead of sorting all 5,000."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("redesign", "0002_connected_knowledge"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="matrixentry",
            index=models.Index(fields=["title"], name="redesign_matrixentry_title"),
        ),
    ]
