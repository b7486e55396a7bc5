"""Full-text structures for the embedded backend, for the database in use.

SQLite: an FTS5 virtual table (Porter stemming) whose rowid is the
IndexedDocument id.  PostgreSQL: a weighted tsvector column (english
configuration) with a GIN index.  Other databases get neither and the
backend says so.
"""
from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, tokenize = 'porter unicode61')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES_UP = [
    "ALTER TABLE search_indexeddocument ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE INDEX IF NOT EXISTS search_indexeddocument_vector_gin ON search_indexeddocument USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_indexeddocument_vector_gin",
    "ALTER TABLE search_indexeddocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_indexed_documents")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
