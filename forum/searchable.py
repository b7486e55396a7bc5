"""Threads are searchable by members: the question, its visible replies and its service areas."""
from __future__ import annotations

from forum.models import Board, Thread
from search.registry import MEMBERS, Searchable, SearchDocument, register


class ThreadSearchable(Searchable):
    kind = "thread"
    label = "Forum questions"
    model = Thread

    def queryset(self):
        return (
            Thread.objects.filter(is_hidden=False, board__audience=Board.Audience.MEMBERS)
            .select_related("board", "author__user")
            .prefetch_related("service_areas")
        )

    def to_document(self, obj: Thread) -> SearchDocument | None:
        if obj.is_hidden or obj.board.audience != Board.Audience.MEMBERS:
            return None
        replies = obj.replies.filter(is_hidden=False).order_by("pk").values_list("body", flat=True)[:200]
        organisation = obj.author.organisations.order_by("name").values_list("name", flat=True).first() or ""
        return SearchDocument(
            kind=self.kind,
            pk=str(obj.pk),
            title=obj.title,
            body="\n\n".join([obj.body, *replies]),
            url=obj.get_absolute_url(),
            audience=MEMBERS,
            service_areas=tuple(a.name for a in obj.service_areas.all()),
            organisation=organisation,
            date=obj.last_activity_at,
            extra={"board": obj.board.name, "answered": obj.accepted_reply_id is not None,
                   "referred_to_sha": obj.escalated_at is not None},
        )


register(ThreadSearchable())
