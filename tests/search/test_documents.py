"""Wagtail documents: uploaded, extracted in the background, indexed, flagged, restricted and removed."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from search.backends import get_backend
from search.extraction import FAILED
from search.registry import MEMBERS, PUBLIC
from tests.search import files


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def upload(django_capture_on_commit_callbacks, path, title):
    """Upload into the public collection, so anonymous searches find it (elsewhere a document is for members)."""
    from wagtail.documents import get_document_model

    from portal.core.documents import public_collection

    with django_capture_on_commit_callbacks(execute=True):
        document = get_document_model().objects.create(title=title, file=ContentFile(path.read_bytes(), name=path.name),
                                                       collection=public_collection())
    return document


@pytest.fixture
def embedded(database_settings, db):
    backend = get_backend()
    backend.clear()
    return backend


def test_uploaded_pdf_text_is_searchable(embedded, media, django_capture_on_commit_callbacks):
    path = files.pdf(media / "plan.pdf", ["The consortium's dermatology business case, approved in June."])

    document = upload(django_capture_on_commit_callbacks, path, "Commissioning plan 2007/08")

    assert document.search_text.is_extracted
    results = embedded.search("dermatology business case")
    assert [hit.key for hit in results.hits] == [f"document:{document.pk}"]
    assert results.hits[0].url == document.url


def test_password_protected_upload_is_stored_listed_and_flagged(embedded, media, django_capture_on_commit_callbacks):
    from wagtail.documents import get_document_model

    path = files.encrypted_pdf(media / "locked.pdf", "Confidential tariff")

    document = upload(django_capture_on_commit_callbacks, path, "Locked budget statement")

    document.refresh_from_db()
    assert get_document_model().objects.filter(pk=document.pk).exists()
    assert document.search_text.status == "failed"
    assert document.search_text.reason.startswith(FAILED)
    assert [hit.key for hit in embedded.search("locked budget statement").hits] == [f"document:{document.pk}"]
    assert embedded.search("tariff").total == 0


def test_corrupt_upload_does_not_break_the_upload(embedded, media, django_capture_on_commit_callbacks):
    path = media / "broken.docx"
    path.write_bytes(b"PK\x03\x04 broken")

    document = upload(django_capture_on_commit_callbacks, path, "Broken specification")

    assert document.search_text.get_status_display() == "Text could not be extracted"


def test_deleted_document_leaves_search(embedded, media, django_capture_on_commit_callbacks):
    path = files.docx(media / "spec.docx", ["Community MSK triage specification."])
    document = upload(django_capture_on_commit_callbacks, path, "MSK specification")
    assert embedded.search("musculoskeletal triage").total == 1

    with django_capture_on_commit_callbacks(execute=True):
        document.delete()

    assert embedded.search("musculoskeletal triage").total == 0


def test_document_outside_the_public_collection_is_members_only(embedded, media, django_capture_on_commit_callbacks):
    from wagtail.documents import get_document_model

    path = files.odt(media / "minutes.odt", ["World class commissioning workshop minutes."])
    with django_capture_on_commit_callbacks(execute=True):
        document = get_document_model().objects.create(title="Workshop minutes", file=ContentFile(path.read_bytes(), name=path.name))

    assert embedded.search("workshop minutes", viewer_audience=PUBLIC).total == 0
    assert [h.key for h in embedded.search("workshop minutes", viewer_audience=MEMBERS).hits] == [f"document:{document.pk}"]


def test_document_in_restricted_collection_is_members_only(embedded, media, django_capture_on_commit_callbacks):
    from wagtail.models import CollectionViewRestriction

    from portal.core.documents import public_collection

    private = public_collection().add_child(name="Members' papers")  # a restriction wins over the public collection
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    path = files.odt(media / "minutes.odt", ["World class commissioning workshop minutes."])

    from wagtail.documents import get_document_model

    with django_capture_on_commit_callbacks(execute=True):
        document = get_document_model().objects.create(title="Workshop minutes", collection=private,
                                                       file=ContentFile(path.read_bytes(), name=path.name))

    assert embedded.search("workshop minutes", viewer_audience=PUBLIC).total == 0
    assert [h.key for h in embedded.search("workshop minutes", viewer_audience=MEMBERS).hits] == [f"document:{document.pk}"]


def test_index_object_writes_elasticsearch_and_the_embedded_fallback(elasticsearch_settings, db, media, django_capture_on_commit_callbacks):
    from search.backends.database import DatabaseBackend

    DatabaseBackend().clear()
    path = files.pdf(media / "note.pdf", ["Indicative budgets for every practice in the locality."])

    document = upload(django_capture_on_commit_callbacks, path, "Briefing note")

    key = f"document:{document.pk}"
    assert get_backend().name == "elasticsearch"
    assert [h.key for h in get_backend().search("indicative budget").hits] == [key]
    assert [h.key for h in DatabaseBackend().search("indicative budget").hits] == [key]


def test_rebuild_command_indexes_every_registered_document(database_settings, db, media, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    path = files.pdf(media / "plan.pdf", ["Practice based commissioning plan for dermatology."])
    document = upload(django_capture_on_commit_callbacks, path, "Plan")
    backend = get_backend()
    backend.clear()
    assert backend.search("dermatology").total == 0
    out = StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert [h.key for h in backend.search("PbC dermatology").hits] == [f"document:{document.pk}"]
    assert "database: indexed 1 documents" in out.getvalue()
    assert "[" in out.getvalue() and "1 / 1" in out.getvalue()


def test_rebuild_command_swaps_the_elasticsearch_alias(elasticsearch_settings, db, media, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    path = files.pdf(media / "plan.pdf", ["Freed up resources reinvested in patient care."])
    document = upload(django_capture_on_commit_callbacks, path, "Plan")
    backend = get_backend()
    before = backend._aliased_indices()

    call_command("rebuild_search_index", "--backend", "elasticsearch", "--no-progress", stdout=__import__("io").StringIO())

    after = backend._aliased_indices()
    assert len(after) == 1 and after != before
    assert backend._concrete_indices() == after  # the old index was deleted
    assert [h.key for h in backend.search("freed up resources").hits] == [f"document:{document.pk}"]


def _docx_upload(media, name, paragraphs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = files.docx(media / name, paragraphs)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_template_file_is_found_through_its_template_not_as_a_loose_document(embedded, media, network_admin,
                                                                               django_capture_on_commit_callbacks):
    from redesign import services

    upload = _docx_upload(media, "derm.docx", ["A community dermatology service business case."])
    with django_capture_on_commit_callbacks(execute=True):
        template = services.create_template(actor=network_admin.user, title="Community dermatology service business case",
                                            kind="business_case", upload=upload)

    hits = embedded.search("dermatology business case", viewer_audience=MEMBERS).hits
    assert [hit.key for hit in hits] == [f"template:{template.pk}"]
    assert embedded.search("dermatology", viewer_audience=PUBLIC).total == 0


def test_matrix_entry_attachment_is_found_by_members_only(embedded, media, cluster_lead, region, service_areas,
                                                          django_capture_on_commit_callbacks):
    from redesign import services
    from redesign.models import MatrixEntry

    entry = MatrixEntry.objects.create(organisation=region["cluster"], service_area=service_areas["Dermatology"], title="Skin triage")
    upload = _docx_upload(media, "tariff.docx", ["Tariff savings for teledermatology photographs."])
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attach_document(entry, actor=cluster_lead.user, title="Teledermatology savings", upload=upload)

    assert [hit.key for hit in embedded.search("teledermatology", viewer_audience=MEMBERS).hits] == [f"document:{attachment.document.pk}"]
    assert embedded.search("teledermatology", viewer_audience=PUBLIC).total == 0
