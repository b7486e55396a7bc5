"""The "Public documents" collection: the one place a Wagtail document is downloadable by anyone (portal.documents)."""
from django.db import migrations

NAME = "Public documents"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # django-treebeard's materialised-path alphabet, four characters a level


def _step(number: int) -> str:
    digits = ""
    for _ in range(4):
        number, digit = divmod(number, len(ALPHABET))
        digits = ALPHABET[digit] + digits
    return digits


def create_public_collection(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        root = Collection.objects.create(name="Root", path=_step(1), depth=1, numchild=0)
    children = Collection.objects.filter(depth=2, path__startswith=root.path)
    if children.filter(name=NAME).exists():
        return
    last = children.order_by("-path").first()
    number = int(last.path[-4:], 36) + 1 if last else 1
    Collection.objects.create(name=NAME, path=root.path + _step(number), depth=2, numchild=0)
    Collection.objects.filter(pk=root.pk).update(numchild=children.count())


def remove_public_collection(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    public = Collection.objects.filter(depth=2, name=NAME).first()
    if public is None or Collection.objects.filter(path__startswith=public.path, depth__gt=2).exists():
        return  # editors have put collections inside it: leave it
    Document = apps.get_model("wagtaildocs", "Document")
    if Document.objects.filter(collection=public).exists():
        return
    root_path = public.path[:4]
    public.delete()
    Collection.objects.filter(path=root_path).update(numchild=Collection.objects.filter(depth=2, path__startswith=root_path).count())


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0008_guidance_source_thread"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_public_collection, remove_public_collection)]
