"""What the forum tells the service areas (``directory.areas``), which sit below it and import nothing of it.

Forum services record a new question's movement there directly; this module
says who may see a moved thread and what counts as evidence of work on an area
for the expertise finder.  ``connect()`` is called once, from ``ForumConfig.ready``.
"""
from __future__ import annotations

from django.db.models import F
from django.urls import reverse

from directory.areas import expertise, services
from directory.areas.expertise import Evidence
from forum.models import Board, Thread
from forum.queries import may_read_thread


def accepted_answers(area, *, viewer, request=None):
    """An answer accepted on a question tagged with the area (not on one's own question), on boards ``viewer`` reads."""
    accepted = (
        Thread.objects.filter(service_areas=area, is_hidden=False, accepted_reply__isnull=False, accepted_reply__is_hidden=False,
                              board__in=Board.objects.readable_by(viewer))
        .exclude(accepted_reply__author=F("author"))
        .values_list("accepted_reply__author_id", "pk", "title")
        .order_by("-created_at")
    )
    for author_id, thread_pk, title in accepted:
        yield ("member", author_id), Evidence("accepted_answer", f"Answer accepted on {title}", reverse("forum:thread", kwargs={"pk": thread_pk}))


def may_see_thread(user, movement) -> bool:
    return may_read_thread(user, movement.thread)


def connect() -> None:
    services.register_subject("thread", may_see_thread)
    expertise.register_evidence(accepted_answers, order=30)
