"""Every change to the message boards goes through these functions.

Views, websocket consumers, management commands and the demo call them, so
the rules hold whichever door a change comes in by: who may post, edit,
accept and moderate; the per-member posting rate; the edit history; the
audit log of moderation.  Each function is atomic, locks the thread (or for
a new thread the board) it changes, writes a ``ThreadEvent`` and announces
it to websockets only after commit, with e-mail and search updates after
commit too.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from directory.areas.services import digest_movements, record_thread_asked
from directory.models import Member, ServiceArea
from forum import queries
from forum.models import (
    Attachment,
    describe_action,
    Board,
    ModerationAction,
    PostRevision,
    Reply,
    Report,
    Subscription,
    Thread,
    ThreadEvent,
)
from forum.text import plain_excerpt, render_markdown
from forum.uploads import check_upload
from portal.core import audit
from portal.core.addresses import absolute_url, base_url
from portal.core.delivery import email_after_commit
from portal.core.notifications import Notification
from portal.core.realtime import broadcast_on_commit, encoded_once, notify_user
from portal.core.roles import Role
from search.services import index_object, remove_object

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "forum.unsubscribe"
LONDON = ZoneInfo("Europe/London")


class ForumError(Exception):
    """Base of the forum's refusals; ``user_message`` is shown to the member as it is."""

    user_message = "That could not be done."

    def __init__(self, user_message: str | None = None):
        if user_message:
            self.user_message = user_message
        super().__init__(self.user_message)


class NotAllowed(ForumError):
    user_message = "You do not have permission to do that."


class ThreadLocked(ForumError):
    user_message = "This thread is locked, so no more replies can be posted."


class PostingTooFast(ForumError):
    user_message = "You are posting very quickly. Please wait a minute and try again."


class InvalidPost(ForumError):
    user_message = "The post could not be saved."


class BadUnsubscribeLink(ForumError):
    user_message = "This unsubscribe link is not valid. Change what you watch from the message boards instead."


# --- rules shared by the services ---------------------------------------------------------------


def _may_moderate(member: Member) -> bool:
    return queries.may_moderate(member.user)


def _require_member(member: Member) -> None:
    if not member.is_approved or not member.user.is_active:
        raise NotAllowed("Only approved members can take part in the message boards.")


def _require_read(member: Member, board: Board) -> None:
    _require_member(member)
    if not queries.may_read_board(member.user, board):
        raise NotAllowed("You cannot post on this board.")


def _require_moderator(member: Member) -> None:
    _require_member(member)
    if not _may_moderate(member):
        raise NotAllowed("Only moderators can do that.")


def _check_posting_rate(member: Member, counting: str = "posts") -> None:
    """At most FORUM_POSTS_PER_WINDOW posts (or, counted apart, edits) per FORUM_RATE_WINDOW_SECONDS per
    member (counted in the cache).

    A fixed window is enough here: the aim is to stop a runaway script or a
    stuck submit button, not to meter honest members.  Edits are counted as
    posts are because each one renders Markdown and keeps a revision.
    """
    limit = getattr(settings, "FORUM_POSTS_PER_WINDOW", 6)
    window = getattr(settings, "FORUM_RATE_WINDOW_SECONDS", 60)
    key = f"forum:{counting}:{member.pk}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        raise PostingTooFast()


def clean_title(title: str) -> str:
    """A title on one line: every run of whitespace (newlines, tabs) becomes one space.

    Titles go into e-mail subjects, where a newline is refused, and into page
    headings and lists, where it means nothing.
    """
    return " ".join((title or "").split())


def _clean_text(body: str, *, what: str = "Your post", max_length: int = 20_000) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidPost(f"{what} is empty. Write something and try again.")
    if len(body) > max_length:
        raise InvalidPost(f"{what} is too long: keep it under {max_length:,} characters.")
    return body


def _is_sha_staff(member: Member) -> bool:
    return member.user.groups.filter(name=str(Role.SHA_EDITOR)).exists()


# Moderators' decisions go on the portal's audit trail as well as the forum's own log;
# members editing their posts or accepting answers, and the system's escalations, do not.
MODERATION_ACTIONS = {
    "forum.thread.hidden", "forum.reply.hidden", "forum.thread.unhidden", "forum.reply.unhidden",
    "forum.thread.locked", "forum.thread.unlocked", "forum.thread.pinned", "forum.thread.unpinned",
    "forum.thread.moved", "forum.report.dismissed", "forum.revision.redacted",
}


def _log(action: str, actor: Member | None, *, thread: Thread | None = None, reply: Reply | None = None, note: str = "",
         **detail) -> ModerationAction:
    if actor is not None and action in MODERATION_ACTIONS:
        audit.record(actor.user, action, thread, description=describe_action(action), reply=getattr(reply, "pk", None),
                     note=note[:500], **detail)
    return ModerationAction.objects.create(action=action, actor=actor, thread=thread, reply=reply, note=note[:500])


def _lock_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update().select_related("board").get(pk=thread.pk)


def _attach(files: Iterable, member: Member, *, thread: Thread | None = None, reply: Reply | None = None) -> None:
    for upload in files:
        try:
            kind = check_upload(upload)
        except ValidationError as refusal:
            raise InvalidPost(f"{upload.name}: {' '.join(refusal.messages)}") from None
        Attachment.objects.create(
            thread=thread, reply=reply, file=upload, original_name=upload.name[:200],
            content_type=kind.content_type, size=upload.size, uploaded_by=member,
        )


def _record_event(thread: Thread, kind: str, *, reply: Reply | None = None, to_board: bool = False,
                  replies: list[Reply] | None = None) -> ThreadEvent:
    """Write the event and announce it after commit to the thread's page (and the board's, when asked).

    The payload is rendered now, inside the transaction, so it shows exactly
    the state this transaction commits.
    """
    event = ThreadEvent.objects.create(board_id=thread.board_id, thread=thread, reply=reply, kind=kind)
    broadcast_on_commit(queries.thread_group(thread.pk), queries.thread_message(event, replies=replies))
    if to_board:
        broadcast_on_commit(queries.board_group(thread.board_id),
                            {**encoded_once(queries.board_payload(event)), "readers": queries.board_readers(thread.board_id)})
    return event



def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk, "m": subscription.member_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute_url(reverse("forum:unsubscribe", kwargs={"token": unsubscribe_token(subscription)}))


def _notify(members: Iterable[Member], *, kind: str, thread: Thread, text: str, reply: Reply | None = None,
            email_subject: str | None = None, email_body: str | None = None,
            subscriptions: dict[int, Subscription] | None = None) -> list[Notification]:
    """In-site notifications (stored, then pushed to open tabs after commit) and, where asked, e-mail after commit."""
    members = [m for m in members if m.is_approved and queries.may_read_thread(m.user, thread)]
    notes = Notification.objects.bulk_create(
        [Notification(member=m, kind=kind, thread=thread, reply=reply, text=text[:255]) for m in members]
    )
    url = thread.get_absolute_url() + (f"#post-{reply.pk}" if reply else "")
    for note in notes:
        notify_user(note.member.user_id, {"kind": kind, "text": note.text, "url": url})
    if email_subject and email_body:
        messages = []
        for m in members:
            sub = (subscriptions or {}).get(m.pk)
            if sub is not None and sub.frequency != Subscription.Frequency.INSTANT:
                continue
            footer = f"\n\nStop these e-mails: {unsubscribe_url(sub)}\n" if sub is not None else ""
            key = f"forum.{kind}:t{thread.pk}:r{reply.pk if reply else '-'}:m{m.pk}"
            messages.append((email_subject, email_body + footer, m.user.email, key))
        email_after_commit(messages)
    return notes


def _watchers(*, thread: Thread | None = None, board: Board | None = None, exclude: Member | None = None) -> dict[int, Subscription]:
    subs = Subscription.objects.filter(member__status=Member.Status.APPROVED, member__user__is_active=True).select_related("member__user")
    subs = subs.filter(thread=thread) if thread is not None else subs.filter(board=board)
    if exclude is not None:
        subs = subs.exclude(member=exclude)
    return {s.member_id: s for s in subs}


def _sha_staff() -> list[Member]:
    return list(Member.objects.approved().filter(user__groups__name=str(Role.SHA_EDITOR)).select_related("user").distinct())


# --- posting ---------------------------------------------------------------------------------------------


@transaction.atomic
def post_thread(member: Member, board: Board, *, title: str, body: str, service_areas: Sequence[ServiceArea] = (),
                attachments: Iterable = ()) -> Thread:
    """Start a thread on a board; watchers of the board hear of it, and questions to the SHA go straight to SHA staff."""
    _require_read(member, board)
    title = _clean_text(clean_title(title), what="The title", max_length=200)
    body = _clean_text(body)
    _check_posting_rate(member)
    board = Board.objects.select_for_update().get(pk=board.pk)  # orders this board's events
    now = timezone.now()
    thread = Thread.objects.create(
        board=board, title=title, body=body, body_html=render_markdown(body), author=member,
        created_at=now, last_activity_at=now, escalated_at=now if board.is_sha_board else None,
    )
    thread.service_areas.set(service_areas)
    record_thread_asked(thread, service_areas, actor=member.user)
    _attach(attachments, member, thread=thread)
    Subscription.objects.get_or_create(member=member, thread=thread)
    _record_event(thread, ThreadEvent.Kind.THREAD_POSTED, to_board=True)
    watchers = _watchers(board=board, exclude=member)
    _notify(
        [s.member for s in watchers.values()], kind=Notification.Kind.THREAD, thread=thread,
        text=f"New thread on {board.name}: {title}", subscriptions=watchers,
        email_subject=f"New thread on {board.name}: {title}",
        email_body=f"{member.display_name} asked:\n\n{plain_excerpt(body, 600)}\n\nRead and reply: {absolute_url(thread.get_absolute_url())}",
    )
    if board.is_sha_board:
        _notify_sha_of(thread, reason="asked the SHA")
    index_object(thread)
    return thread


@transaction.atomic
def post_reply(member: Member, thread: Thread, *, body: str, quoted: Reply | None = None, attachments: Iterable = ()) -> Reply:
    """Reply to a thread (optionally quoting an earlier reply); the thread's watchers are told."""
    thread = _lock_thread(thread)
    _require_read(member, thread.board)
    if thread.is_hidden:
        raise NotAllowed("This thread has been removed by a moderator.")
    if thread.is_locked and not _may_moderate(member):
        raise ThreadLocked()
    body = _clean_text(body)
    if quoted is not None and (quoted.thread_id != thread.pk or quoted.is_hidden):
        raise InvalidPost("You can only quote a visible reply in the same thread.")
    _check_posting_rate(member)
    now = timezone.now()
    reply = Reply.objects.create(
        thread=thread, author=member, body=body, body_html=render_markdown(body), quoted=quoted,
        is_from_sha=_is_sha_staff(member), created_at=now,
    )
    _attach(attachments, member, reply=reply)
    thread.reply_count += 1
    thread.last_activity_at = now
    thread.save(update_fields=["reply_count", "last_activity_at"])
    Subscription.objects.get_or_create(member=member, thread=thread)
    _record_event(thread, ThreadEvent.Kind.REPLY_POSTED, reply=reply, to_board=True)
    watchers = _watchers(thread=thread, exclude=member)
    _notify(
        [s.member for s in watchers.values()], kind=Notification.Kind.REPLY, thread=thread, reply=reply,
        text=f"{member.display_name} replied to {thread.title}", subscriptions=watchers,
        email_subject=f"New reply: {thread.title}",
        email_body=f"{member.display_name} replied:\n\n{plain_excerpt(body, 600)}\n\nRead the thread: {absolute_url(reply.get_absolute_url())}",
    )
    index_object(thread)
    return reply


@transaction.atomic
def edit_post(member: Member, post: Thread | Reply, *, body: str, title: str | None = None) -> Thread | Reply:
    """Change a post's text, keeping the old text as a revision. The author or a moderator may edit."""
    thread = _lock_thread(post if isinstance(post, Thread) else post.thread)
    post = thread if isinstance(post, Thread) else Reply.objects.get(pk=post.pk)
    if post.author_id != member.pk and not _may_moderate(member):
        raise NotAllowed("You can only edit your own posts.")
    _require_read(member, thread.board)
    if post.author_id == member.pk and not _may_moderate(member) and (thread.is_locked or getattr(post, "is_hidden", False)):
        raise NotAllowed("This post can no longer be edited.")
    _check_posting_rate(member, "edits")
    body = _clean_text(body)
    now = timezone.now()
    if isinstance(post, Thread):
        PostRevision.objects.create(thread=post, title=post.title, body=post.body, edited_by=member, edited_at=now)
        if title is not None:
            post.title = _clean_text(clean_title(title), what="The title", max_length=200)
        post.body, post.body_html, post.edited_at = body, render_markdown(body), now
        post.save(update_fields=["title", "body", "body_html", "edited_at"])
        _record_event(thread, ThreadEvent.Kind.POST_EDITED, to_board=title is not None)
    else:
        PostRevision.objects.create(reply=post, body=post.body, edited_by=member, edited_at=now)
        post.body, post.body_html, post.edited_at = body, render_markdown(body), now
        post.save(update_fields=["body", "body_html", "edited_at"])
        _record_event(thread, ThreadEvent.Kind.POST_EDITED, reply=post)
    if post.author_id != member.pk:
        _log("forum.post.edited", member, thread=thread, reply=post if isinstance(post, Reply) else None)
    index_object(thread)
    return post


@transaction.atomic
def accept_answer(member: Member, reply: Reply) -> Thread:
    """Mark a reply as the accepted answer. Only the person who asked, or a moderator, may."""
    thread = _lock_thread(reply.thread)
    reply = Reply.objects.get(pk=reply.pk)
    if thread.author_id != member.pk and not _may_moderate(member):
        raise NotAllowed("Only the person who asked, or a moderator, can accept an answer.")
    _require_read(member, thread.board)
    if reply.is_hidden or reply.thread_id != thread.pk:
        raise InvalidPost("A hidden reply cannot be the accepted answer.")
    previous_id = thread.accepted_reply_id
    thread.accepted_reply = reply
    thread.save(update_fields=["accepted_reply"])
    changed = list(queries.replies_for_page(thread).filter(pk__in={reply.pk, previous_id} - {None}))
    _record_event(thread, ThreadEvent.Kind.ANSWER_ACCEPTED, reply=reply, to_board=True, replies=changed)
    _log("forum.answer.accepted", member, thread=thread, reply=reply)
    if reply.author_id != member.pk:
        _notify([reply.author], kind=Notification.Kind.ACCEPTED, thread=thread, reply=reply,
                text=f"Your reply to {thread.title} was accepted as the answer")
    return thread


# --- moderation ---------------------------------------------------------------------------------------------


@transaction.atomic
def hide_post(moderator: Member, post: Thread | Reply, *, reason: str = "") -> Thread | Reply:
    """Hide a thread or reply from members (kept for the record), and close the reports about it."""
    _require_moderator(moderator)
    thread = _lock_thread(post if isinstance(post, Thread) else post.thread)
    now = timezone.now()
    if isinstance(post, Thread):
        post = thread
        if not thread.is_hidden:
            thread.is_hidden = True
            thread.save(update_fields=["is_hidden"])
            _log("forum.thread.hidden", moderator, thread=thread, note=reason)
            _record_event(thread, ThreadEvent.Kind.POST_HIDDEN, to_board=True)
            remove_object(thread)
        Report.objects.filter(thread=thread, reply__isnull=True, status=Report.Status.OPEN).update(
            status=Report.Status.ACTIONED, resolved_at=now, resolved_by=moderator)
        return thread
    reply = Reply.objects.select_for_update().get(pk=post.pk)
    if not reply.is_hidden:
        reply.is_hidden = True
        reply.save(update_fields=["is_hidden"])
        thread.reply_count = max(thread.reply_count - 1, 0)
        fields = ["reply_count"]
        if thread.accepted_reply_id == reply.pk:
            thread.accepted_reply = None
            fields.append("accepted_reply")
        thread.save(update_fields=fields)
        _log("forum.reply.hidden", moderator, thread=thread, reply=reply, note=reason)
        _record_event(thread, ThreadEvent.Kind.POST_HIDDEN, reply=reply)
        index_object(thread)
    Report.objects.filter(reply=reply, status=Report.Status.OPEN).update(
        status=Report.Status.ACTIONED, resolved_at=now, resolved_by=moderator)
    return reply


@transaction.atomic
def unhide_post(moderator: Member, post: Thread | Reply, *, reason: str = "") -> Thread | Reply:
    """Show a hidden thread or reply to members again (a moderator's mistake, or a post corrected since).

    Recorded on the moderation log and the audit trail like hiding.  A reply
    that was the accepted answer when it was hidden stays unaccepted: the
    person who asked can accept it again.
    """
    _require_moderator(moderator)
    thread = _lock_thread(post if isinstance(post, Thread) else post.thread)
    if isinstance(post, Thread):
        if thread.is_hidden:
            thread.is_hidden = False
            thread.save(update_fields=["is_hidden"])
            _log("forum.thread.unhidden", moderator, thread=thread, note=reason)
            # The opening post and the board's row come back; members' pages can open sockets again.
            _record_event(thread, ThreadEvent.Kind.POST_EDITED, to_board=True)
            index_object(thread)
        return thread
    reply = Reply.objects.select_for_update().get(pk=post.pk)
    if reply.thread_id != thread.pk:
        raise InvalidPost("That reply is not in this thread.")
    if reply.is_hidden:
        reply.is_hidden = False
        reply.save(update_fields=["is_hidden"])
        thread.reply_count += 1
        thread.save(update_fields=["reply_count"])
        _log("forum.reply.unhidden", moderator, thread=thread, reply=reply, note=reason)
        _record_event(thread, ThreadEvent.Kind.POST_EDITED, reply=reply)
        index_object(thread)
    return reply


@transaction.atomic
def redact_revision(moderator: Member, revision: PostRevision, *, reason: str = "") -> PostRevision:
    """Blank an earlier version of a post for good (patient-identifiable or other text that must go).

    The revision stays in the history as "redacted by a moderator", with who
    and when; the text itself is not kept anywhere, including the audit trail.
    """
    _require_moderator(moderator)
    revision = PostRevision.objects.select_for_update().get(pk=revision.pk)
    thread = revision.thread if revision.thread_id else revision.reply.thread
    if revision.redacted_at is None:
        revision.title, revision.body = "", ""
        revision.redacted_at, revision.redacted_by = timezone.now(), moderator
        revision.save(update_fields=["title", "body", "redacted_at", "redacted_by"])
        _log("forum.revision.redacted", moderator, thread=thread, reply=revision.reply, note=reason, revision=revision.pk)
    return revision


@transaction.atomic
def lock_thread(moderator: Member, thread: Thread, *, locked: bool = True) -> Thread:
    """Stop (or allow again) replies to a thread."""
    _require_moderator(moderator)
    thread = _lock_thread(thread)
    if thread.is_locked != locked:
        thread.is_locked = locked
        thread.save(update_fields=["is_locked"])
        _log("forum.thread.locked" if locked else "forum.thread.unlocked", moderator, thread=thread)
        _record_event(thread, ThreadEvent.Kind.THREAD_CHANGED, to_board=True)
    return thread


@transaction.atomic
def pin_thread(moderator: Member, thread: Thread, *, pinned: bool = True) -> Thread:
    """Keep a thread at the top of its board (or stop doing so)."""
    _require_moderator(moderator)
    thread = _lock_thread(thread)
    if thread.is_pinned != pinned:
        thread.is_pinned = pinned
        thread.save(update_fields=["is_pinned"])
        _log("forum.thread.pinned" if pinned else "forum.thread.unpinned", moderator, thread=thread)
        _record_event(thread, ThreadEvent.Kind.THREAD_CHANGED, to_board=True)
    return thread


@transaction.atomic
def move_thread(moderator: Member, thread: Thread, board: Board) -> Thread:
    """Move a thread to another board; both boards' pages update."""
    _require_moderator(moderator)
    thread = _lock_thread(thread)
    old_board = thread.board
    if old_board.pk == board.pk:
        return thread
    thread.board = board
    thread.save(update_fields=["board"])
    _log("forum.thread.moved", moderator, thread=thread, note=f"From {old_board.name} to {board.name}")
    # The old board's page drops the row; the event (on the new board) adds it there.
    broadcast_on_commit(queries.board_group(old_board.pk), encoded_once({
        "type": "forum.event", "scope": "board", "event": 0, "kind": "thread.removed",
        "thread": thread.pk, "row_id": f"thread-{thread.pk}", "html": "",
    }))
    _record_event(thread, ThreadEvent.Kind.THREAD_CHANGED, to_board=True)
    index_object(thread)
    return thread


@transaction.atomic
def report_post(member: Member, thread: Thread, *, reply: Reply | None = None, reason: str) -> Report:
    """Ask the moderators to look at a post. A member's second report of the same post is folded into the first."""
    _require_read(member, thread.board)
    reason = _clean_text(reason, what="The reason", max_length=500)
    if reply is not None and reply.thread_id != thread.pk:
        raise InvalidPost("That reply is not in this thread.")
    report, _ = Report.objects.get_or_create(
        thread=thread, reply=reply, reporter=member, status=Report.Status.OPEN, defaults={"reason": reason}
    )
    return report


@transaction.atomic
def dismiss_report(moderator: Member, report: Report, *, note: str = "") -> Report:
    """Close a report with no action on the post."""
    _require_moderator(moderator)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status == Report.Status.OPEN:
        report.status, report.resolved_at, report.resolved_by = Report.Status.DISMISSED, timezone.now(), moderator
        report.save(update_fields=["status", "resolved_at", "resolved_by"])
        _log("forum.report.dismissed", moderator, thread=report.thread, reply=report.reply, note=note)
    return report


# --- escalation to the SHA ---------------------------------------------------------------------------------


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` moved on by ``days`` working days (Monday to Friday, London time), keeping the time of day."""
    local = timezone.localtime(start, LONDON)
    while days > 0:
        local = local + timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local


def escalation_due(thread: Thread) -> datetime:
    return add_working_days(thread.created_at, getattr(settings, "FORUM_ESCALATION_WORKING_DAYS", 3))


def _notify_sha_of(thread: Thread, *, reason: str) -> None:
    _notify(
        _sha_staff(), kind=Notification.Kind.ESCALATED, thread=thread,
        text=f"Referred to the SHA: {thread.title}",
        email_subject=f"Question referred to the SHA: {thread.title}",
        email_body=(f"{thread.author.display_name} {reason} on {thread.board.name}:\n\n{thread.title}\n\n"
                    f"{plain_excerpt(thread.body, 600)}\n\nAnswer it: {absolute_url(thread.get_absolute_url())}"),
    )


@transaction.atomic
def escalate_unanswered(now: datetime | None = None) -> list[Thread]:
    """Refer to SHA staff every question nobody else has answered within FORUM_ESCALATION_WORKING_DAYS working days.

    Run by the ``forum_escalate`` command (hourly from the scheduler).  A
    thread is referred once; SHA staff are told in the site and by e-mail.
    """
    now = now or timezone.now()
    days = getattr(settings, "FORUM_ESCALATION_WORKING_DAYS", 3)
    answered_by_others = Reply.objects.filter(thread=OuterRef("pk"), is_hidden=False).exclude(author=OuterRef("author"))
    candidates = (
        Thread.objects.filter(escalated_at__isnull=True, is_hidden=False, accepted_reply__isnull=True,
                              board__audience=Board.Audience.MEMBERS, created_at__lte=now - timedelta(days=days))
        .exclude(Exists(answered_by_others))
        .order_by("pk")
    )
    escalated = []
    for thread in candidates:
        if escalation_due(thread) > now:
            continue
        thread = _lock_thread(thread)
        if thread.escalated_at is not None:
            continue
        thread.escalated_at = now
        thread.save(update_fields=["escalated_at"])
        _log("forum.thread.escalated", None, thread=thread, note=f"No answer within {days} working days")
        _record_event(thread, ThreadEvent.Kind.THREAD_CHANGED, to_board=True)
        _notify_sha_of(thread, reason=f"asked a question that has had no answer for {days} working days")
        escalated.append(thread)
    return escalated


# --- watching, notifications and digests ---------------------------------------------------------------------


@transaction.atomic
def subscribe(member: Member, *, thread: Thread | None = None, board: Board | None = None,
              frequency: str = Subscription.Frequency.INSTANT) -> Subscription:
    """Watch a thread or a board (changing how often e-mail comes if already watching)."""
    target_board = thread.board if thread is not None else board
    if target_board is None or (thread is not None and board is not None):
        raise InvalidPost("Choose one thread or one board to watch.")
    _require_read(member, target_board)
    if frequency not in Subscription.Frequency.values:
        raise InvalidPost("Choose how often you want e-mail.")
    sub, _ = Subscription.objects.update_or_create(member=member, thread=thread, board=board, defaults={"frequency": frequency})
    return sub


@transaction.atomic
def unsubscribe(member: Member, *, thread: Thread | None = None, board: Board | None = None) -> int:
    """Stop watching a thread or board. Returns how many subscriptions ended (0 or 1)."""
    return Subscription.objects.filter(member=member, thread=thread, board=board).delete()[0]


@transaction.atomic
def unsubscribe_with_token(token: str) -> Subscription:
    """End the subscription named by a signed link from an e-mail; a tampered or foreign token is refused."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        sub = Subscription.objects.select_related("thread", "board").get(pk=data["s"], member_id=data["m"])
    except (signing.BadSignature, KeyError, TypeError, Subscription.DoesNotExist):
        raise BadUnsubscribeLink() from None
    sub.delete()
    return sub


def subscription_for_token(token: str) -> Subscription:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return Subscription.objects.select_related("thread", "board").get(pk=data["s"], member_id=data["m"])
    except (signing.BadSignature, KeyError, TypeError, Subscription.DoesNotExist):
        raise BadUnsubscribeLink() from None


@transaction.atomic
def mark_notifications_read(member: Member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def send_digest(frequency: str, now: datetime | None = None) -> int:
    """E-mail each member a digest of new threads on the boards they watch at this frequency,
    and of movements in the service areas they follow at this frequency (``areas``). Returns e-mails sent.

    Run daily and weekly by the ``forum_digest`` command.  Each subscription
    and each area watch remembers when it was last sent, so a digest never
    repeats an item and a missed run is caught up by the next.
    """
    if frequency not in (Subscription.Frequency.DAILY, Subscription.Frequency.WEEKLY):
        raise InvalidPost("A digest is daily or weekly.")
    now = now or timezone.now()
    period = timedelta(days=1 if frequency == Subscription.Frequency.DAILY else 7)
    subs = list(
        Subscription.objects.select_for_update(of=("self",))
        .filter(board__isnull=False, frequency=frequency, member__status=Member.Status.APPROVED, member__user__is_active=True)
        .select_related("board", "member__user")
        .order_by("member_id", "pk")
    )
    by_member: dict[int, dict] = {}
    for sub in subs:
        if not queries.may_read_board(sub.member.user, sub.board):
            continue
        since = sub.last_digest_at or max(sub.created_at, now - period)
        threads = list(
            Thread.objects.filter(board=sub.board, is_hidden=False, created_at__gt=since, created_at__lte=now)
            .select_related("author__user").order_by("created_at")
        )
        sub.last_digest_at = now
        if threads:
            digest = by_member.setdefault(sub.member_id, {"member": sub.member, "sections": [], "movements": []})
            digest["sections"].append({"board": sub.board, "threads": threads, "unsubscribe_url": unsubscribe_url(sub)})
    Subscription.objects.bulk_update(subs, ["last_digest_at"], batch_size=500)
    for member_id, (member, movements) in digest_movements(frequency, now).items():
        by_member.setdefault(member_id, {"member": member, "sections": [], "movements": []})["movements"] = movements
    messages = []
    areas_url = absolute_url(reverse("areas:following"))
    for digest in by_member.values():
        member = digest["member"]
        body = render_to_string("forum/email/digest.txt", {
            **digest, "frequency": frequency, "base_url": base_url(), "areas_url": areas_url,
        })
        label = "Daily" if frequency == Subscription.Frequency.DAILY else "Weekly"
        key = f"forum.digest.{frequency}:{now.isoformat()}:m{member.pk}"
        messages.append((f"{label} digest from the message boards", body, member.user.email, key))

    email_after_commit(messages)
    return len(messages)
