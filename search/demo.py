"""Demo content for search: the network's founding papers as Wagtail documents, then a full index rebuild.

Runs last in ``manage.py demo`` (after every other app has made its content),
so the rebuild picks up everything registered in ``search.registry``.
Idempotent: documents are found by title, the index is rebuilt in place
(``rebuild_index=False``, ``manage.py demo --no-search-rebuild``, leaves it alone).
"""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from django.core.files import File
from django.db import transaction

from portal.core.documents import ensure_public_collection
from search.services import iter_all_documents, writing_backends

DEMO_DIR = Path(__file__).resolve().parent / "demo"

#: (file, title, members only, tags, when it was published: the date line and Year facet show this, not the demo's build date)
PAPERS = [
    ("pbc-briefing-note-for-practices.txt", "Practice based commissioning: a briefing note for practices (Essex LMCs)", False, ["Prescribing"],
     date(2005, 12, 1)),
    ("pbc-policy-into-practice.txt", "Practice Based Commissioning: policy into practice (NHS Alliance, 2005)", False, ["COPD"],
     date(2005, 12, 1)),
    ("pbc-network-workshop-notes-2008.txt", "Notes of the PbC Network workshop at Chilford Hall, 10 April 2008", True, [],
     date(2008, 4, 10)),
    ("pbc-for-local-authorities.txt", "Practice based commissioning: an introduction for a local authority audience", False, [],
     date(2006, 9, 4)),
    ("banes-pbc-commissioning-plan-2007-08.txt", "BANES PBC Consortium commissioning plan 2007/08 (draft)", True, ["Dermatology", "Musculoskeletal"],
     date(2007, 6, 22)),
]


def build(region: dict, *, rebuild_index: bool = True) -> None:
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    Document = get_document_model()
    root = Collection.get_first_root_node()
    # Public papers sit inside the public collection (anyone may download them); members' papers in a restricted one.
    public = ensure_public_collection()
    papers = public.get_children().filter(name="Network papers").first() or public.add_child(name="Network papers")
    members_papers = root.get_children().filter(name="Members' papers").first() or root.add_child(name="Members' papers")
    CollectionViewRestriction.objects.get_or_create(collection=members_papers, restriction_type=CollectionViewRestriction.LOGIN)
    from django.utils import timezone

    for filename, title, members_only, tags, published in PAPERS:
        published_at = timezone.make_aware(datetime.combine(published, time(12)))
        if Document.objects.filter(title=title).exists():
            Document.objects.filter(title=title).update(created_at=published_at)
            continue
        with transaction.atomic(), open(DEMO_DIR / filename, "rb") as handle:
            document = Document(title=title, collection=members_papers if members_only else papers)
            document.file.save(filename, File(handle), save=False)
            document.save()
            document.tags.add(*tags)
        Document.objects.filter(pk=document.pk).update(created_at=published_at)
    if not rebuild_index:
        return
    for backend in writing_backends():
        try:
            backend.rebuild(iter_all_documents())
        except Exception as error:  # the demo still works on the embedded index
            print(f"  search: could not rebuild the {backend.name} index ({error})")
