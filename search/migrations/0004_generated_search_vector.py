"""PostgreSQL: the weighted tsvector becomes a stored generated column, kept inline.

Before, each indexing batch inserted rows and then UPDATEd their vector: every
document was written twice, leaving a dead tuple per document (index and heap
bloat) until vacuum.  A ``GENERATED ALWAYS … STORED`` column is computed in the
INSERT (and on every UPDATE of title or body) by the database itself.

``STORAGE MAIN`` keeps the vector in the row (compressed if need be), so the
body is moved to TOAST first: matching and ranking then read the vector
without a TOAST fetch per candidate row, which was most of a query's cost
when a common word matches most of the index.  SQLite is unchanged (FTS5).
"""
from django.db import migrations

VECTOR = ("setweight(to_tsvector('english'::regconfig, title), 'A') || "
          "setweight(to_tsvector('english'::regconfig, body), 'B')")

POSTGRES_UP = [
    "DROP INDEX IF EXISTS search_indexeddocument_vector_gin",
    "ALTER TABLE search_indexeddocument DROP COLUMN IF EXISTS search_vector",
    # One statement, so the table is rewritten once, already with the column's storage set.
    f"ALTER TABLE search_indexeddocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED, "
    "ALTER COLUMN search_vector SET STORAGE MAIN",
    "CREATE INDEX search_indexeddocument_vector_gin ON search_indexeddocument USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_indexeddocument_vector_gin",
    "ALTER TABLE search_indexeddocument DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE search_indexeddocument ADD COLUMN search_vector tsvector",
    f"UPDATE search_indexeddocument SET search_vector = {VECTOR}",
    "CREATE INDEX search_indexeddocument_vector_gin ON search_indexeddocument USING GIN (search_vector)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_document_boost")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
