"""Existing members follow the service areas they already declared as specialties and interests."""
from django.db import migrations


def start_default_watches(apps, schema_editor):
    Member = apps.get_model("directory", "Member")
    ServiceAreaWatch = apps.get_model("areas", "ServiceAreaWatch")
    watches = []
    for member in Member.objects.prefetch_related("specialties", "interests").iterator(chunk_size=500):
        declared = {a.pk for a in member.specialties.all()} | {a.pk for a in member.interests.all()}
        watches += [ServiceAreaWatch(member_id=member.pk, service_area_id=pk, source="declared") for pk in sorted(declared)]
    ServiceAreaWatch.objects.bulk_create(watches, batch_size=500, ignore_conflicts=True)


def remove_default_watches(apps, schema_editor):
    apps.get_model("areas", "ServiceAreaWatch").objects.filter(source="declared").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_watches_and_movements"),
    ]

    operations = [
        migrations.RunPython(start_default_watches, remove_default_watches),
    ]
