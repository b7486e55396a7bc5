"""PostgreSQL: indexes for very common queries on the embedded backend (``_PostgreSQL._scan_common``).

A GIN index on the title's own ``tsvector`` finds the documents with the words
in their title without visiting every match, and gives the planner statistics
for titles (the weighted ``search_vector``'s statistics ignore weights);
``search_indexeddocument_newest`` (date, newest first) lets the planner read a
common title word's newest matches first and stop early.  SQLite is unchanged
(it answers every query exactly, and its indexes cannot say NULLS LAST).
"""
from django.db import migrations

UP = [
    "CREATE INDEX IF NOT EXISTS search_indexeddocument_title_gin ON search_indexeddocument "
    "USING GIN (to_tsvector('english'::regconfig, title))",
    "CREATE INDEX IF NOT EXISTS search_indexeddocument_newest ON search_indexeddocument (date DESC NULLS LAST, id)",
]
DOWN = [
    "DROP INDEX IF EXISTS search_indexeddocument_title_gin",
    "DROP INDEX IF EXISTS search_indexeddocument_newest",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_generated_search_vector")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
