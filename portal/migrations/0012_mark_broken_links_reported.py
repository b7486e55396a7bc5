"""Links already broken were reported by the check that found them (the old rule: only a change to broken was
news), so they count as reported now; without this, the first check after the upgrade would report them all again."""

from django.db import migrations
from django.db.models import F


def mark_broken_links_reported(apps, schema_editor):
    Link = apps.get_model("portal", "Link")
    Link.objects.filter(is_broken=True, broken_reported_at=None).update(broken_reported_at=F("last_checked_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0011_link_broken_reported_at"),
    ]

    operations = [
        migrations.RunPython(mark_broken_links_reported, migrations.RunPython.noop),
    ]
