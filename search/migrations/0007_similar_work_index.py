"""PostgreSQL: a full-text index of the documents "similar work" looks through, so it never scans the whole index.

Similar work (``DatabaseBackend.similar``) only ever points at re-design work,
case studies, templates and forum threads (``search.queries.SIMILAR_KINDS``):
about 6,000 of the benchmark's 116,000 documents.  Its query is a dozen words
OR'd together, some of them common, so through the full ``search_vector``
index it matched about 62,000 documents (70 ms) before the kind filter cut
them to 3,000.  This partial GIN index holds only those kinds; the planner
uses it whenever the query's ``kind IN (…)`` is a subset of them (1 ms for the
same query).  SQLite is unchanged.
"""
from django.db import migrations

UP = [
    "CREATE INDEX IF NOT EXISTS search_indexeddocument_work_gin ON search_indexeddocument USING GIN (search_vector) "
    "WHERE kind IN ('matrix_entry', 'case_study', 'template', 'thread')",
]
DOWN = ["DROP INDEX IF EXISTS search_indexeddocument_work_gin"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0006_keywords")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
