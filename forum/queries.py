"""Reads the forum's pages and websockets share: who may read what, listings, live payloads.

Consumers call these through ``database_sync_to_async``; views call them
directly.  Each listing costs a fixed number of queries however many rows
there are (pinned by tests at two data sizes).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from forum.models import Attachment, Board, Reply, Thread, ThreadEvent
from forum.signals import ALL_REPLIES, BOARDS, THREAD_GUIDANCE, WORK_OPTIONS, thread_replies
from portal.core.fragments import cached_value
from portal.core.permissions import is_member
from portal.guidance.models import GuidancePage
from redesign.connections import entries_for_thread_choice
from redesign.views import MATRIX_FRAGMENTS
from search.backends.database import SIMILAR_RESULTS
from search.queries import ANSWERS
from search.registry import searchable_for

REPLIES_PER_PAGE = 25
THREADS_PER_PAGE = 30
CATCH_UP_LIMIT = 500


def thread_group(thread_id: int) -> str:
    return f"forum.thread.{thread_id}"


def board_group(board_id: int) -> str:
    return f"forum.board.{board_id}"


def may_moderate(user) -> bool:
    return is_member(user) and user.has_perm("forum.moderate_forum")


def may_read_board(user, board: Board) -> bool:
    if not is_member(user):
        return False
    return board.audience == Board.Audience.MEMBERS or may_moderate(user)


def may_read_thread(user, thread: Thread) -> bool:
    if not may_read_board(user, thread.board):
        return False
    return not thread.is_hidden or may_moderate(user)


def readable_thread(user, thread_id: int) -> Thread | None:
    """The thread, if this user may read it (used by the thread consumer before joining its group)."""
    thread = Thread.objects.select_related("board").filter(pk=thread_id).first()
    return thread if thread is not None and may_read_thread(user, thread) else None


def readable_board(user, slug: str) -> Board | None:
    board = Board.objects.filter(slug=slug).first()
    return board if board is not None and may_read_board(user, board) else None


def thread_listing(board: Board) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(board=board, is_hidden=False)
        .select_related("author__user", "board")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def replies_for_page(thread: Thread) -> QuerySet[Reply]:
    return (
        Reply.objects.filter(thread=thread)
        .select_related("author__user", "quoted__author__user")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("pk")
    )


def reply_rows(thread: Thread) -> QuerySet[Reply]:
    """A thread's replies with only the columns their buttons read (who wrote it, whether it is hidden)."""
    return Reply.objects.filter(thread=thread).only("pk", "thread_id", "author_id", "is_hidden").order_by("pk")


class CachedReplyRows:
    """A thread's reply rows for ``Paginator``: the count and each page's rows read once per change to the thread.

    Holds what ``reply_rows`` reads, as (pk, author, hidden) per reply, under
    the thread's generations (every reply saved or deleted moves them on).
    """

    def __init__(self, thread: Thread):
        self.thread = thread
        self.names = (ALL_REPLIES, thread_replies(thread.pk))

    def count(self) -> int:
        return cached_value(self.names, ("reply-count", self.thread.pk), lambda: (reply_rows(self.thread).count(), None))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Reply]:
        def read() -> tuple[list[tuple], None]:
            return [(row.pk, row.author_id, row.is_hidden) for row in reply_rows(self.thread)[index]], None

        rows = cached_value(self.names, ("reply-rows", self.thread.pk, index.start, index.stop), read)
        return [Reply(pk=pk, thread_id=self.thread.pk, author_id=author_id, is_hidden=is_hidden) for pk, author_id, is_hidden in rows]


def rendered_replies(thread: Thread, rows: list[Reply]) -> list[tuple[Reply, SafeString | None]]:
    """Each reply of a page with its content as every reader sees it, rendered once per change to the thread.

    The content (author, badges, date, quote, body, attachments) is the same for
    every viewer, moderators included: a hidden reply reads "hidden by a
    moderator" for everyone.  The buttons, which do differ, are rendered per
    request from ``rows``.  ``forum.signals`` forgets a thread's copies whenever
    one of its replies, attachments or the thread itself changes, and every
    thread's when a member's name or status changes.
    """
    pks = tuple(row.pk for row in rows)

    def render() -> tuple[dict[int, str], None]:
        replies = replies_for_page(thread).filter(pk__in=pks)
        return {reply.pk: render_to_string("forum/includes/reply_content.html", {"reply": reply, "thread": thread})
                for reply in replies}, None

    rendered = cached_value((ALL_REPLIES, thread_replies(thread.pk)), ("thread-replies", thread.pk, pks), render) if pks else {}
    return [(row, mark_safe(rendered[row.pk]) if row.pk in rendered else None) for row in rows]


#: Stands for the viewer's CSRF token in a cached list of replies; replaced by the real one on every request.
CSRF_PLACEHOLDER = "forum-csrf-token-placeholder"


def reply_list(thread: Thread, page, rows: list[Reply], *, member, may_moderate: bool, may_accept: bool,
               may_quote: bool) -> SafeString:
    """A page of replies with their buttons, rendered once per change to the thread and per kind of viewer.

    The buttons differ by viewer only through what the key holds: which of the
    page's replies are the viewer's own (Edit), whether they moderate (Edit,
    Hide), may accept an answer, or may quote (the thread is open to them).
    The forms' CSRF token is the only per-request part: the HTML holds
    ``CSRF_PLACEHOLDER``, which the view replaces with the request's own token.
    """
    own = tuple(row.pk for row in rows if member is not None and row.author_id == member.pk)
    parts = ("reply-list", thread.pk, page.number, tuple(row.pk for row in rows), own, may_moderate, may_accept, may_quote)

    def render() -> tuple[str, None]:
        return render_to_string("forum/includes/reply_list.html", {
            "replies": rendered_replies(thread, rows), "thread": thread, "page_obj": page, "member": member,
            "may_moderate": may_moderate, "may_accept": may_accept, "reply_form": may_quote, "csrf_token": CSRF_PLACEHOLDER,
        }), None

    return mark_safe(cached_value((ALL_REPLIES, thread_replies(thread.pk)), parts, render))  # noqa: S308 - rendered template output


@dataclass(frozen=True)
class ThreadViewer:
    """What about the viewer changes a thread page's main column (``thread_main``)."""

    member: object | None
    may_moderate: bool
    watching: bool
    is_sha_editor: bool


def thread_main(thread: Thread, page, rows: list[Reply], viewer: ThreadViewer, *, audience: str, render) -> str:
    """The thread page's main column, rendered once per change to what it shows and per kind of viewer.

    Everything in it is either the thread's (its replies, attachments, status,
    tags, guidance, similar work: each family below is moved on by the change
    that alters it) or decided by what the key holds about the viewer: which of
    the page's replies are theirs, whether they asked the question, moderate,
    watch the thread, edit SHA guidance, and their search audience.  Who may read
    the thread is checked by the view on every request, before this.  The
    forms' CSRF token is left as ``CSRF_PLACEHOLDER`` for the view to fill in.
    """
    member = viewer.member
    own = tuple(row.pk for row in rows if member is not None and row.author_id == member.pk)
    parts = ("thread-main", thread.pk, page.number, tuple(row.pk for row in rows), own,
             member is not None and member.pk == thread.author_id, member is not None and is_member(member.user),
             viewer.may_moderate, viewer.watching, viewer.is_sha_editor, audience)
    families = (thread_replies(thread.pk), ALL_REPLIES, WORK_OPTIONS, THREAD_GUIDANCE, BOARDS, MATRIX_FRAGMENTS,
                SIMILAR_RESULTS, ANSWERS)
    return cached_value(families, parts, render)


def similar_document(thread: Thread):
    """The thread as the search index holds it (its question and visible replies), to find similar work by.

    Read once per change to the thread (its replies, or the thread itself), not
    on every view: it reads up to 200 replies.  None when the thread is not
    searchable (hidden, or on a board only moderators read).
    """
    parts = ("thread-document", thread.pk, thread.is_hidden, thread.board_id, thread.board.audience)
    return cached_value((ALL_REPLIES, thread_replies(thread.pk)), parts, lambda: (searchable_for(thread).to_document(thread), None))


def work_options(thread: Thread) -> SafeString:
    """The ``<option>``s of the thread's "tag to re-design work" list, rendered once per change to the work or its tags.

    The same for every viewer allowed to tag (the view checks who is); up to
    200 entries, so rendering them on every view by the author cost ~5 ms.
    """
    def render() -> tuple[str, None]:
        choices = entries_for_thread_choice(thread, None)
        return render_to_string("forum/includes/work_options.html", {"work_choices": choices}) if choices else "", None

    return mark_safe(cached_value((WORK_OPTIONS, ALL_REPLIES), ("work-options", thread.pk), render))  # noqa: S308 - rendered template output


def has_guidance(thread: Thread) -> bool:
    """Whether any guidance page, draft or live, was made from this thread (most have none: then nothing more is read)."""
    return cached_value((THREAD_GUIDANCE, ALL_REPLIES), ("thread-guidance", thread.pk),
                        lambda: (GuidancePage.objects.filter(source_thread_id=thread.pk).exists(), None))


def thread_last_event_id(thread: Thread) -> int:
    """``last_event_id`` for a thread page, read once per change to the thread (every event moves its generation on)."""
    return cached_value((ALL_REPLIES, thread_replies(thread.pk)), ("last-event", thread.pk), lambda: (last_event_id(thread=thread), None))


def last_event_id(*, thread: Thread | None = None, board: Board | None = None) -> int:
    events = ThreadEvent.objects.all()
    events = events.filter(thread=thread) if thread is not None else events.filter(board=board, kind__in=BOARD_KINDS)
    return events.order_by("-pk").values_list("pk", flat=True).first() or 0


BOARD_KINDS = (ThreadEvent.Kind.THREAD_POSTED, ThreadEvent.Kind.THREAD_CHANGED, ThreadEvent.Kind.REPLY_POSTED)


# --- live payloads ---------------------------------------------------------------


def _render_reply(reply: Reply, thread: Thread) -> str:
    return render_to_string("forum/includes/reply.html", {"reply": reply, "thread": thread, "live": True})


def _render_opening(thread: Thread) -> str:
    return render_to_string("forum/includes/opening_post.html", {"thread": thread, "live": True})


def _render_status(thread: Thread) -> str:
    return render_to_string("forum/includes/thread_status.html", {"thread": thread})


def _render_thread_row(thread: Thread) -> str:
    return render_to_string("forum/includes/thread_row.html", {"thread": thread})


def thread_payload(event: ThreadEvent, *, replies: list[Reply] | None = None) -> dict:
    """What a thread page needs to show one event: the posts to insert or replace, and the thread's status."""
    thread = Thread.objects.select_related("board", "author__user").get(pk=event.thread_id)
    posts = []
    if event.kind == ThreadEvent.Kind.THREAD_POSTED or (event.kind == ThreadEvent.Kind.POST_EDITED and event.reply_id is None):
        posts.append({"id": "thread-body", "html": _render_opening(thread)})
    if replies is None:
        replies = list(replies_for_page(thread).filter(pk=event.reply_id)) if event.reply_id else []
    for reply in replies:
        posts.append({"id": f"post-{reply.pk}", "html": _render_reply(reply, thread)})
    return {
        "type": "forum.event",
        "scope": "thread",
        "event": event.pk,
        "kind": event.kind,
        "thread": thread.pk,
        "posts": posts,
        "status_html": _render_status(thread),
        "is_locked": thread.is_locked,
        "is_hidden": thread.is_hidden,
    }


def board_payload(event: ThreadEvent) -> dict:
    """What a board page needs to show one event: the thread's row, to insert or replace."""
    thread = Thread.objects.select_related("board", "author__user").get(pk=event.thread_id)
    return {
        "type": "forum.event",
        "scope": "board",
        "event": event.pk,
        "kind": event.kind,
        "thread": thread.pk,
        "row_id": f"thread-{thread.pk}",
        "html": "" if thread.is_hidden or thread.board_id != event.board_id else _render_thread_row(thread),
    }


def thread_events_after(user, thread_id: int, after: int) -> list[dict]:
    """Everything a reconnecting thread page missed since event ``after``, oldest first.

    Re-rendered from the rows as they are now, so a post edited twice is
    sent in its latest form; the client skips event ids it has already seen.
    """
    thread = readable_thread(user, thread_id)
    if thread is None:
        return []
    events = list(ThreadEvent.objects.filter(thread=thread, pk__gt=after).order_by("pk")[:CATCH_UP_LIMIT])
    return [thread_payload(event) for event in events]


def board_events_after(user, board_id: int, after: int) -> list[dict]:
    board = Board.objects.filter(pk=board_id).first()
    if board is None or not may_read_board(user, board):
        return []
    events = ThreadEvent.objects.filter(board=board, kind__in=BOARD_KINDS, pk__gt=after).order_by("pk")[:CATCH_UP_LIMIT]
    return [board_payload(event) for event in events]
