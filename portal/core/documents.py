"""Who may download a Wagtail document: members only, unless it sits in the public collection.

Documents are private by default (a document uploaded anywhere else, including
Wagtail's root collection, is for approved members), because a document linked
from a members-only page must not be one guessable ``/documents/<id>/`` address
away from anonymous visitors.  Editors make a document public by putting it in
the "Public documents" collection (made by ``portal/migrations/0009``) or a
collection inside it that has no view restriction of its own.  Wagtail's own
collection privacy still applies on top (its ``check_view_restrictions`` hook).

A document that belongs to re-design work follows that work's audience
instead (``redesign.documents.document_is_members_only``).  Renaming or
moving the public collection makes its documents private: the safe way to fail.
"""
from __future__ import annotations

PUBLIC_COLLECTION_NAME = "Public documents"


def public_collection():
    """The collection whose documents anyone may download, or ``None`` if an editor removed it."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    if root is None:
        return None
    return root.get_children().filter(name=PUBLIC_COLLECTION_NAME).first()


def ensure_public_collection():
    """Create the public collection if it is missing (the migration's work, repeated after a test flush)."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    return public_collection() or root.add_child(name=PUBLIC_COLLECTION_NAME)


def in_public_collection(document) -> bool:
    """True when the document is in the public collection (or one inside it) and no collection on the way restricts it."""
    from wagtail.models import CollectionViewRestriction

    public = public_collection()
    if public is None:
        return False
    collection = document.collection
    if not (collection.pk == public.pk or collection.is_descendant_of(public)):
        return False
    return not CollectionViewRestriction.objects.filter(collection__in=collection.get_ancestors(inclusive=True)).exists()
