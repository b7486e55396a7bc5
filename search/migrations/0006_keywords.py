"""Keywords beside the text, and trigram matching of the spelling vocabulary on PostgreSQL.

``IndexedDocument.keywords`` holds what a document is found by without being
its text: its organisation, service areas and kind-specific names (a matrix
entry's stage and leads, an event's type), the long form of every capitalised
abbreviation it uses ("DES" → "directed enhanced services", so the stemmer
never meets "des") and its hyphenated words joined up.  It is searched like
the body but never shown as a snippet.

SQLite: the FTS5 table gains a ``keywords`` column (rebuilt, rows copied).
PostgreSQL: the generated ``search_vector`` takes keywords with the body's
weight, and ``pg_trgm`` (Debian's postgresql-contrib) indexes the vocabulary
for "did you mean" and fuzzy matching; where the extension cannot be created
the backend falls back to matching in Python.
"""
from django.db import migrations, models, transaction

VECTOR = ("setweight(to_tsvector('english'::regconfig, title), 'A') || "
          "setweight(to_tsvector('english'::regconfig, body), 'B') || "
          "setweight(to_tsvector('english'::regconfig, keywords), 'B')")
OLD_VECTOR = ("setweight(to_tsvector('english'::regconfig, title), 'A') || "
              "setweight(to_tsvector('english'::regconfig, body), 'B')")


def _vector(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS search_indexeddocument_vector_gin",
        "ALTER TABLE search_indexeddocument DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE search_indexeddocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED, "
        "ALTER COLUMN search_vector SET STORAGE MAIN",
        "CREATE INDEX search_indexeddocument_vector_gin ON search_indexeddocument USING GIN (search_vector)",
    ]


SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts_new USING fts5(title, body, keywords, tokenize = 'porter unicode61')",
    "INSERT INTO search_fts_new (rowid, title, body, keywords) SELECT rowid, title, body, '' FROM search_fts",
    "DROP TABLE search_fts",
    "ALTER TABLE search_fts_new RENAME TO search_fts",
]
SQLITE_DOWN = [
    "CREATE VIRTUAL TABLE search_fts_old USING fts5(title, body, tokenize = 'porter unicode61')",
    "INSERT INTO search_fts_old (rowid, title, body) SELECT rowid, title, body FROM search_fts",
    "DROP TABLE search_fts",
    "ALTER TABLE search_fts_old RENAME TO search_fts",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        for statement in _vector(VECTOR):
            schema_editor.execute(statement)
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                schema_editor.execute("CREATE INDEX IF NOT EXISTS search_searchterm_trgm ON search_searchterm USING GIN (word gin_trgm_ops)")
        except Exception:  # noqa: BLE001 - no contrib package or no right to create it: the backend matches in Python
            pass


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_searchterm_trgm")
        for statement in _vector(OLD_VECTOR):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_newest_index")]

    operations = [
        migrations.AddField(model_name="indexeddocument", name="keywords", field=models.TextField(blank=True, default="")),
        migrations.RunPython(up, down),
    ]
