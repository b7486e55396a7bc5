"""Recent questions for the home page: only threads on boards the viewer may read, in two queries."""
from __future__ import annotations

from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

from forum.models import Board, Thread
from portal.core.home_items import HomeItem


def home_items(user, limit: int, request=None) -> list[HomeItem]:
    readable = Board.objects.readable_by(user)
    threads = (
        Thread.objects.filter(board__in=readable, is_hidden=False)
        .select_related("board", "author__user")
        .order_by("-created_at", "-pk")[:limit]
    )
    items = []
    for thread in threads:
        state = "Answered" if thread.accepted_reply_id else ("Referred to the SHA" if thread.escalated_at else "Unanswered")
        items.append(HomeItem(
            title=thread.title,
            url=thread.get_absolute_url(),
            meta=f"{thread.board.name} · {state} · {format_date(localtime(thread.created_at), 'j M Y')}",
        ))
    return items


def busiest_items(user, limit: int, *, days: int = 30) -> list[HomeItem]:
    """The threads with the most visible replies in the last ``days`` days, for the newsletter."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    since = timezone.now() - timedelta(days=days)
    threads = (
        Thread.objects.filter(board__in=Board.objects.readable_by(user), is_hidden=False)
        .annotate(recent_replies=Count("replies", filter=Q(replies__created_at__gte=since, replies__is_hidden=False)))
        .filter(recent_replies__gt=0)
        .select_related("board")
        .order_by("-recent_replies", "-created_at", "-pk")[:limit]
    )
    return [
        HomeItem(
            title=thread.title,
            url=thread.get_absolute_url(),
            meta=f"{thread.board.name} · {thread.recent_replies} {'reply' if thread.recent_replies == 1 else 'replies'} in the last {days} days",
        )
        for thread in threads
    ]
