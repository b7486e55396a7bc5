"""Wagtail documents are for members unless they sit in the public collection (portal/core/documents.py).

Serving (``/documents/<id>/<file>``, through the ``before_serve_document`` hook)
and search (``redesign/searchable.py``) follow the same rule.
"""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from portal.core.documents import PUBLIC_COLLECTION_NAME, public_collection


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def embedded_search(settings, db):
    from search.backends import get_backend

    settings.SEARCH_BACKEND = "search.backends.database.DatabaseBackend"
    settings.ELASTICSEARCH_URL = None
    backend = get_backend()
    backend.clear()
    return backend


def make_document(django_capture_on_commit_callbacks, title, collection=None, text=b"Minutes of the locality meeting."):
    from wagtail.documents import get_document_model

    fields = {"collection": collection} if collection is not None else {}
    with django_capture_on_commit_callbacks(execute=True):  # extraction and indexing run after commit
        return get_document_model().objects.create(title=title, file=ContentFile(text, name="minutes.txt"), **fields)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_public_collection_exists_after_migrating(db):
    assert public_collection().name == PUBLIC_COLLECTION_NAME


def test_anonymous_visitor_is_sent_to_sign_in_for_a_document_outside_the_public_collection(client, media, db, django_capture_on_commit_callbacks):
    document = make_document(django_capture_on_commit_callbacks, "Locality meeting minutes")

    response = client.get(document.url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_account_awaiting_approval_is_refused_a_members_only_document(client_for, make_member, media, django_capture_on_commit_callbacks):
    document = make_document(django_capture_on_commit_callbacks, "Locality meeting minutes")
    pending = make_member(status="pending")

    response = client_for(pending).get(document.url)

    assert response.status_code == 403


def test_member_downloads_a_members_only_document(client_for, member, media, django_capture_on_commit_callbacks):
    document = make_document(django_capture_on_commit_callbacks, "Locality meeting minutes")

    response = client_for(member).get(document.url)

    assert response.status_code == 200
    assert body(response) == b"Minutes of the locality meeting."


def test_anonymous_visitor_downloads_a_document_in_the_public_collection(client, media, db, django_capture_on_commit_callbacks):
    document = make_document(django_capture_on_commit_callbacks, "Briefing note for practices", collection=public_collection())

    response = client.get(document.url)

    assert response.status_code == 200
    assert body(response) == b"Minutes of the locality meeting."


def test_anonymous_visitor_downloads_a_document_in_a_collection_inside_the_public_one(client, media, db, django_capture_on_commit_callbacks):
    leaflets = public_collection().add_child(name="Leaflets")
    document = make_document(django_capture_on_commit_callbacks, "Network leaflet", collection=leaflets)

    assert client.get(document.url).status_code == 200


def test_restricting_a_collection_inside_the_public_one_makes_its_documents_members_only(client, media, db,
                                                                                        django_capture_on_commit_callbacks):
    from wagtail.models import CollectionViewRestriction

    drafts = public_collection().add_child(name="Drafts")
    CollectionViewRestriction.objects.create(collection=drafts, restriction_type=CollectionViewRestriction.LOGIN)
    document = make_document(django_capture_on_commit_callbacks, "Draft leaflet", collection=drafts)

    assert client.get(document.url).status_code == 302


def test_renamed_public_collection_makes_its_documents_members_only(client, media, db, django_capture_on_commit_callbacks):
    collection = public_collection()
    document = make_document(django_capture_on_commit_callbacks, "Briefing note for practices", collection=collection)
    collection.name = "Old public documents"
    collection.save()

    assert client.get(document.url).status_code == 302


def test_anonymous_search_does_not_show_a_members_only_document_title(client, client_for, member, media, embedded_search,
                                                                     django_capture_on_commit_callbacks):
    make_document(django_capture_on_commit_callbacks, "Locality meeting minutes on tariff unbundling")

    anonymous = client.get("/search/", {"q": "tariff unbundling"})

    assert anonymous.status_code == 200
    assert b"Locality meeting minutes" not in anonymous.content
    assert b"Locality meeting minutes" in client_for(member).get("/search/", {"q": "tariff unbundling"}).content


def test_anonymous_search_shows_a_public_collection_document_title(client, media, embedded_search, django_capture_on_commit_callbacks):
    make_document(django_capture_on_commit_callbacks, "Briefing note on tariff unbundling", collection=public_collection())

    assert b"Briefing note on tariff unbundling" in client.get("/search/", {"q": "tariff unbundling"}).content
