"""Indexes for very common queries on the embedded backend (``_PostgreSQL._scan_common``).

``search_doc_newest`` reads matches newest first (both databases have it; only
PostgreSQL's common-query path uses it).  On PostgreSQL, a GIN index on the
title's own ``tsvector`` finds the documents with the words in their title
without visiting every match, and gives the planner statistics for titles
(the weighted ``search_vector`` cannot: its statistics ignore weights).
"""
from django.db import migrations, models

TITLE_INDEX = "search_indexeddocument_title_gin"


def _title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TITLE_INDEX} ON search_indexeddocument USING GIN (to_tsvector('english'::regconfig, title))"
        )


def _drop_title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TITLE_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0004_generated_search_vector'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='indexeddocument',
            index=models.Index(models.OrderBy(models.F('date'), descending=True, nulls_last=True), models.F('id'), name='search_doc_newest'),
        ),
        migrations.RunPython(_title_index, _drop_title_index),
    ]
