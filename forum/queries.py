"""Reads the forum's pages and websockets share: who may read what, listings, live payloads.

Consumers call these through ``database_sync_to_async``; views call them
directly.  Each listing costs a fixed number of queries however many rows
there are (pinned by tests at two data sizes).
"""
from __future__ import annotations

import html
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from forum import extensions
from forum.models import Attachment, Board, Reply, Thread, ThreadEvent
from forum.signals import ALL_REPLIES, BOARDS, THREAD_GUIDANCE, WORK_OPTIONS, thread_replies
from portal.core.fragments import cached_value
from portal.core.permissions import is_member
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
    """A thread's reply rows for ``Paginator``: the count and each page's rows from one read per change to the thread.

    Holds what ``reply_rows`` reads, as (pk, author, hidden) for every reply of the thread, under the thread's
    generations (every reply saved or deleted moves them on): one query and one cache look-up give both the count
    and the page, where counting and reading the page took one of each.
    """

    def __init__(self, thread: Thread):
        self.thread = thread
        self.names = (ALL_REPLIES, thread_replies(thread.pk))
        self._rows: list[tuple] | None = None

    def _all(self) -> list[tuple]:
        if self._rows is None:
            self._rows = cached_value(self.names, ("reply-rows", self.thread.pk), lambda: (
                list(reply_rows(self.thread).values_list("pk", "author_id", "is_hidden")), None))
        return self._rows

    def count(self) -> int:
        return len(self._all())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Reply]:
        return [Reply(pk=pk, thread_id=self.thread.pk, author_id=author_id, is_hidden=is_hidden)
                for pk, author_id, is_hidden in self._all()[index]]


#: What ``forum/includes/reply_content.html`` reads of a reply, its author and the reply it quotes: the rest of the
#: reply, member and user rows (e-mail, password, bio, ...) would cost a page's render about a millisecond unread.
REPLY_CONTENT_FIELDS = (
    "pk", "thread_id", "author_id", "quoted_id", "body_html", "is_hidden", "is_from_sha", "created_at", "edited_at",
    "author__status", "author__user__first_name", "author__user__last_name",
    "quoted__is_hidden", "quoted__body_html", "quoted__author__status", "quoted__author__user__first_name",
    "quoted__author__user__last_name",
)


def rendered_replies(thread: Thread, rows: list[Reply], *, show_hidden: bool = False) -> list[tuple[Reply, SafeString | None]]:
    """Each reply of a page with its content as its readers see it, rendered once per change to the thread.

    The content (author, badges, date, quote, body, attachments) is the same for
    every member: a hidden reply reads "hidden by a moderator".  Moderators
    (``show_hidden``) see a hidden reply's text, marked as hidden, so they have
    their own copy.  The buttons, which do differ, are rendered per request
    from ``rows``.  ``forum.signals`` forgets a thread's copies whenever one of
    its replies, attachments or the thread itself changes, and every thread's
    when a member's name or status changes.
    """
    pks = tuple(row.pk for row in rows)

    def render() -> tuple[dict[int, str], None]:
        # One template and one context for the page's replies, each pushed in turn: render_to_string per reply
        # looked the template up and built a context 25 times a page.
        replies = replies_for_page(thread).filter(pk__in=pks).only(*REPLY_CONTENT_FIELDS)
        template = get_template("forum/includes/reply_content.html").template
        context = Context({"thread": thread, "show_hidden": show_hidden}, autoescape=template.engine.autoescape)
        rendered = {}
        for reply in replies:
            with context.push(reply=reply):
                rendered[reply.pk] = template.render(context)
        return rendered, None

    parts = ("thread-replies", thread.pk, pks, show_hidden)
    rendered = cached_value((ALL_REPLIES, thread_replies(thread.pk)), parts, render) if pks else {}
    return [(row, mark_safe(rendered[row.pk]) if row.pk in rendered else None) for row in rows]


#: Stands for the viewer's CSRF token in a cached list of replies; replaced by the real one on every request.
CSRF_PLACEHOLDER = "forum-csrf-token-placeholder"
#: Stands for the "similar work" list in the cached main column; drawn for every request (see forum.views.thread).
SIMILAR_PLACEHOLDER = "forum-similar-work-placeholder"


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
            "replies": rendered_replies(thread, rows, show_hidden=may_moderate), "thread": thread, "page_obj": page, "member": member,
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
    tags, guidance: each family below is moved on by the change that alters it)
    or decided by what the key holds about the viewer: which of the page's
    replies are theirs, whether they asked the question, moderate, watch the
    thread, edit SHA guidance, and their search audience.  Who may read the
    thread is checked by the view on every request, before this.  The forms'
    CSRF token is left as ``CSRF_PLACEHOLDER`` and the similar work list as
    ``SIMILAR_PLACEHOLDER`` for the view to fill in: similar work changes with
    the rest of the index, not with the thread, and is checked against it on
    every request.
    """
    member = viewer.member
    own = tuple(row.pk for row in rows if member is not None and row.author_id == member.pk)
    parts = ("thread-main", thread.pk, page.number, tuple(row.pk for row in rows), own,
             member is not None and member.pk == thread.author_id, member is not None and is_member(member.user),
             viewer.may_moderate, viewer.watching, viewer.is_sha_editor, audience)
    families = (thread_replies(thread.pk), ALL_REPLIES, WORK_OPTIONS, THREAD_GUIDANCE, BOARDS, *extensions.families())
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
    200 entries, joined here rather than in a template loop (which cost ~15 ms
    of CPU for 200 options: three lookups, localisation and escaping per row).
    """
    def render() -> tuple[str, None]:
        choices = extensions.work.choices(thread) if extensions.work is not None else ()
        # The standard library's escape (the same characters as Django's, without its lazy-string wrapper per call).
        return "".join(f'<option value="{int(pk)}">{html.escape(str(title))} ({html.escape(str(organisation))})</option>'
                       for pk, title, organisation in choices), None

    return mark_safe(cached_value((WORK_OPTIONS, ALL_REPLIES), ("work-options", thread.pk), render))  # noqa: S308 - rendered template output


def has_guidance(thread: Thread) -> bool:
    """Whether any guidance page, draft or live, was made from this thread (most have none: then nothing more is read)."""
    if extensions.guidance is None:
        return False
    return cached_value((THREAD_GUIDANCE, ALL_REPLIES), ("thread-guidance", thread.pk),
                        lambda: (extensions.guidance.pages_from(thread.pk).exists(), None))


def thread_last_event_id(thread: Thread) -> int:
    """``last_event_id`` for a thread page, read once per change to the thread (every event moves its generation on)."""
    return cached_value((ALL_REPLIES, thread_replies(thread.pk)), ("last-event", thread.pk), lambda: (last_event_id(thread=thread), None))


def last_event_id(*, thread: Thread | None = None, board: Board | None = None) -> int:
    events = ThreadEvent.objects.all()
    events = events.filter(thread=thread) if thread is not None else events.filter(board=board, kind__in=BOARD_KINDS)
    return events.order_by("-pk").values_list("pk", flat=True).first() or 0


BOARD_KINDS = (ThreadEvent.Kind.THREAD_POSTED, ThreadEvent.Kind.THREAD_CHANGED, ThreadEvent.Kind.REPLY_POSTED)


# --- live payloads ---------------------------------------------------------------
#
# A reply that arrives live is the same as one loaded with the page, for the viewer's role: its Quote,
# Edit, Report, Accept and Hide buttons, and (for moderators) a hidden reply's text marked as hidden.
# The sender renders each post once per kind of viewer (``VIEWER_KINDS``, and each reply's author,
# who may edit it) and encodes each rendering once; every socket forwards the one for its viewer
# (``live_viewer_key``).  A catch-up renders only the asking viewer's.  Every message also says who may
# read the thread now (``readers``): a socket whose viewer may not is closed, not sent to.

MEMBER, ASKER, MODERATOR = "member", "asker", "moderator"
VIEWER_KINDS = (MEMBER, ASKER, MODERATOR)
#: A message's ``readers``: who may read the thread or board it is about, now.
READ_BY_MEMBERS, READ_BY_MODERATORS = "members", "moderators"


@dataclass(frozen=True)
class LiveViewer:
    """What about a socket's viewer decides which rendering of a live post it is sent."""

    member_id: int | None
    may_moderate: bool
    is_asker: bool

    @property
    def kind(self) -> str:
        return MODERATOR if self.may_moderate else ASKER if self.is_asker else MEMBER


def own_key(member_id: int) -> str:
    return f"own:{member_id}"


def live_viewer_key(viewer: LiveViewer, keys) -> str:
    """The rendering a viewer is sent: a moderator's, else their own reply's (with Edit), else their kind's."""
    if viewer.may_moderate:
        return MODERATOR
    if viewer.member_id is not None and own_key(viewer.member_id) in keys:
        return own_key(viewer.member_id)
    return viewer.kind


def thread_readers(thread: Thread) -> str:
    """Who may read the thread now: "members", or only "moderators" (hidden, or on the moderators' board)."""
    return READ_BY_MODERATORS if thread.is_hidden or thread.board.audience == Board.Audience.MODERATORS else READ_BY_MEMBERS


def live_viewer(user_id: int, thread_id: int) -> LiveViewer | None:
    """The viewer facts of a thread socket, read afresh; None when this account may no longer read the thread."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("member").filter(pk=user_id).first()
    thread = readable_thread(user, thread_id) if user is not None else None
    if thread is None:
        return None
    member = getattr(user, "member", None)
    return LiveViewer(member_id=getattr(member, "pk", None), may_moderate=may_moderate(user),
                      is_asker=member is not None and member.pk == thread.author_id)


def _render_reply(reply: Reply, thread: Thread, *, page_number: int, kind: str, own: bool = False) -> str:
    """A reply with its buttons as ``kind`` of viewer sees it on the thread page (``own``: its author)."""
    moderator = kind == MODERATOR
    return render_to_string("forum/includes/reply.html", {
        "reply": reply, "thread": thread, "show_hidden": moderator,
        "member": reply.author if own else None, "may_moderate": moderator, "may_accept": kind in (ASKER, MODERATOR),
        "reply_form": moderator or not thread.is_locked, "page_obj": {"number": page_number},
        "csrf_token": CSRF_PLACEHOLDER,
    })


def _render_opening(thread: Thread) -> str:
    return render_to_string("forum/includes/opening_post.html", {"thread": thread, "live": True})


def _render_status(thread: Thread) -> str:
    return render_to_string("forum/includes/thread_status.html", {"thread": thread})


def _render_thread_row(thread: Thread) -> str:
    return render_to_string("forum/includes/thread_row.html", {"thread": thread})


def _page_numbers(thread: Thread, replies: list[Reply]) -> dict[int, int]:
    """The page of the thread each reply is on (its Quote link opens that page)."""
    return {reply.pk: Reply.objects.filter(thread=thread, pk__lt=reply.pk).count() // REPLIES_PER_PAGE + 1 for reply in replies}


def _payloads(event: ThreadEvent, *, replies: list[Reply] | None, keys: tuple[str, ...] | None) -> dict[str, dict]:
    """The event's payload for each viewer key asked for (``None``: every kind of viewer and each reply's author)."""
    thread = Thread.objects.select_related("board", "author__user").get(pk=event.thread_id)
    opening = []
    if event.kind == ThreadEvent.Kind.THREAD_POSTED or (event.kind == ThreadEvent.Kind.POST_EDITED and event.reply_id is None):
        opening.append({"id": "thread-body", "html": _render_opening(thread)})
    if replies is None:
        replies = list(replies_for_page(thread).filter(pk=event.reply_id)) if event.reply_id else []
    if keys is None:
        keys = VIEWER_KINDS + tuple(dict.fromkeys(own_key(reply.author_id) for reply in replies))
    pages = _page_numbers(thread, replies) if replies else {}
    base = {
        "type": "forum.event", "scope": "thread", "event": event.pk, "kind": event.kind, "thread": thread.pk,
        "status_html": _render_status(thread), "is_locked": thread.is_locked, "is_hidden": thread.is_hidden,
    }
    payloads = {}
    for key in keys:
        # An own-reply rendering is for that reply's author, who is the asker or a member.
        kind = key if key in VIEWER_KINDS else ASKER if key == own_key(thread.author_id) else MEMBER
        posts = list(opening)
        for reply in replies:
            own = key == own_key(reply.author_id)
            posts.append({"id": f"post-{reply.pk}", "html": _render_reply(reply, thread, page_number=pages[reply.pk], kind=kind, own=own)})
        payloads[key] = {**base, "posts": posts}
    return payloads


def thread_payload(event: ThreadEvent, viewer: LiveViewer, *, replies: list[Reply] | None = None) -> dict:
    """What one viewer's thread page needs to show one event: the posts to insert or replace, and the thread's status."""
    keys = (own_key(viewer.member_id),) if viewer.member_id is not None else ()
    reply_authors = set()
    if replies is not None:
        reply_authors = {reply.author_id for reply in replies}
    elif event.reply_id:
        reply_authors = set(Reply.objects.filter(pk=event.reply_id).values_list("author_id", flat=True))
    key = live_viewer_key(viewer, {own_key(author) for author in reply_authors} & set(keys))
    return _payloads(event, replies=replies, keys=(key,))[key]


def thread_message(event: ThreadEvent, *, replies: list[Reply] | None = None) -> dict:
    """The channel-layer message announcing one event to a thread's sockets: each viewer's rendering, encoded once.

    A thousand open pages would otherwise cost a thousand encodings; each
    consumer forwards the text for its viewer (``live_viewer_key``).
    """
    import json

    thread = Thread.objects.select_related("board").get(pk=event.thread_id)
    texts = {key: json.dumps(payload) for key, payload in _payloads(event, replies=replies, keys=None).items()}
    return {"type": "forum.event", "event": event.pk, "readers": thread_readers(thread), "texts": texts}


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


def board_readers(board_id: int) -> str:
    audience = Board.objects.filter(pk=board_id).values_list("audience", flat=True).first()
    return READ_BY_MEMBERS if audience == Board.Audience.MEMBERS else READ_BY_MODERATORS


def thread_events_after(user_id: int, thread_id: int, after: int, *, limit: int = CATCH_UP_LIMIT) -> list[dict] | None:
    """At most ``limit`` events a reconnecting thread page missed since event ``after``, oldest first, for its viewer.

    Re-rendered from the rows as they are now, so a post edited twice is
    sent in its latest form; the client skips event ids it has already seen.
    None when the account may no longer read the thread.
    """
    viewer = live_viewer(user_id, thread_id)
    if viewer is None:
        return None
    events = list(ThreadEvent.objects.filter(thread_id=thread_id, pk__gt=after).order_by("pk")[:limit])
    return [thread_payload(event, viewer) for event in events]


def board_events_after(user_id: int, board_id: int, after: int, *, limit: int = CATCH_UP_LIMIT) -> list[dict] | None:
    """At most ``limit`` events a board page missed since ``after``; None when the account may no longer read the board."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("member").filter(pk=user_id).first()
    board = Board.objects.filter(pk=board_id).first()
    if user is None or board is None or not may_read_board(user, board):
        return None
    events = ThreadEvent.objects.filter(board=board, kind__in=BOARD_KINDS, pk__gt=after).order_by("pk")[:limit]
    return [board_payload(event) for event in events]


def may_moderate_now(user_id: int) -> bool:
    """Whether the account moderates, read afresh (a board socket re-checks this when told roles changed)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("member").filter(pk=user_id).first()
    return user is not None and may_moderate(user)
