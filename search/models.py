"""Models for the search app: the embedded index, its spelling vocabulary, and extracted document text."""
from __future__ import annotations

from django.db import models
from wagtail.documents import get_document_model_string


class IndexedDocument(models.Model):
    """One search document in the embedded backend (database full-text).

    The full-text structures live beside this table and are created by
    migration 0002 for the database in use: an FTS5 virtual table on SQLite
    (rowid = this row's id), a tsvector column with a GIN index on PostgreSQL.
    """

    key = models.CharField(max_length=200, unique=True)  # "kind:pk"
    kind = models.CharField(max_length=50, db_index=True)
    object_pk = models.CharField(max_length=100)
    title = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    # Searched like the body, never shown: organisation, service areas, names, abbreviations' long forms (migration 0006).
    keywords = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500)
    audience = models.CharField(max_length=20, db_index=True)
    organisation = models.CharField(max_length=255, blank=True, db_index=True)
    date = models.DateTimeField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    # Multiplies the relevance score: 1.0 normally, less for superseded guidance (SearchDocument.extra["boost"]).
    boost = models.FloatField(default=1.0)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class IndexedArea(models.Model):
    """A service area an indexed document is about (the service-area facet)."""

    document = models.ForeignKey(IndexedDocument, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=255, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["document", "name"], name="search_indexedarea_unique")]

    def __str__(self) -> str:
        return self.name


class SearchTerm(models.Model):
    """A word seen in indexed text: the vocabulary "did you mean" picks corrections from.

    A correction is only offered after a search for it returns results the
    viewer may see, so a word from members-only text never reaches a visitor.
    """

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class DocumentText(models.Model):
    """The text extracted from an uploaded document, or why there is none.

    A document whose text cannot be extracted (encrypted, corrupt, scanned
    images) is still stored, listed and downloadable; only its contents are
    missing from search, and this row says so.
    """

    class Status(models.TextChoices):
        EXTRACTED = "extracted", "Text extracted"
        FAILED = "failed", "Text could not be extracted"
        PENDING = "pending", "Waiting for text extraction"

    document = models.OneToOneField(get_document_model_string(), on_delete=models.CASCADE, related_name="search_text")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    text = models.TextField(blank=True)
    reason = models.CharField(max_length=255, blank=True)  # plain English, shown to editors
    pages = models.PositiveIntegerField(null=True, blank=True)
    truncated = models.BooleanField(default=False)
    extracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document"]
        verbose_name = "document text"

    def __str__(self) -> str:
        return f"{self.document} ({self.get_status_display()})"

    @property
    def is_extracted(self) -> bool:
        return self.status == self.Status.EXTRACTED
