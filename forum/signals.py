"""Receivers that forget a thread's cached replies whenever something they show may have changed.

A thread page's replies (their author, badges, date, quote, body and attachments;
not the buttons, which depend on who is looking) are rendered once and kept in
the shared cache (``forum.queries.rendered_replies``).  Each thread has its own
generation, moved on when one of its replies or attachments, or the thread
itself (the accepted answer), is saved or deleted.  When a member's profile,
name or status changes (authors' names, and "Former member" after erasure),
only the threads that member wrote in are moved on: a profile edit no longer
makes every thread page render its replies again.
"""
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from directory.models import Member
from forum.models import Reply, Thread
from portal.core import fragments

ALL_REPLIES = fragments.family("forum.replies")


def thread_replies(thread_id: int) -> str:
    return f"forum.thread.{thread_id}.replies"


@receiver(post_save, sender="forum.Reply", dispatch_uid="forum.replies.reply_saved")
@receiver(post_delete, sender="forum.Reply", dispatch_uid="forum.replies.reply_deleted")
def forget_replies_after_reply_change(sender, instance, **kwargs) -> None:
    fragments.forget(thread_replies(instance.thread_id))


@receiver(post_save, sender="forum.Thread", dispatch_uid="forum.replies.thread_saved")
@receiver(post_delete, sender="forum.Thread", dispatch_uid="forum.replies.thread_deleted")
def forget_replies_after_thread_change(sender, instance, **kwargs) -> None:
    fragments.forget(thread_replies(instance.pk))


@receiver(post_save, sender="forum.ThreadEvent", dispatch_uid="forum.replies.event_saved")
def forget_thread_after_event(sender, instance, **kwargs) -> None:
    """The thread page's last event id (where live updates resume) is kept with the replies."""
    fragments.forget(thread_replies(instance.thread_id))


@receiver(post_save, sender="forum.Attachment", dispatch_uid="forum.replies.attachment_saved")
@receiver(post_delete, sender="forum.Attachment", dispatch_uid="forum.replies.attachment_deleted")
def forget_replies_after_attachment_change(sender, instance, **kwargs) -> None:
    if instance.reply_id is None:
        return

    thread_id = Reply.objects.filter(pk=instance.reply_id).values_list("thread_id", flat=True).first()
    if thread_id is not None:
        fragments.forget(thread_replies(thread_id))


def forget_threads_written_by(member_id: int) -> None:
    """Move on the replies of every thread ``member_id`` asked or replied in: those pages show the member."""
    threads = set(Reply.objects.filter(author_id=member_id).values_list("thread_id", flat=True).distinct())
    threads.update(Thread.objects.filter(author_id=member_id).values_list("pk", flat=True))
    for thread_id in sorted(threads):
        fragments.forget(thread_replies(thread_id))


@receiver(post_save, sender="directory.Member", dispatch_uid="forum.replies.member_saved")
@receiver(post_delete, sender="directory.Member", dispatch_uid="forum.replies.member_deleted")
def forget_replies_after_member_change(sender, instance, **kwargs) -> None:
    forget_threads_written_by(instance.pk)


@receiver(post_save, sender="portal.User", dispatch_uid="forum.replies.user_saved")
def forget_replies_after_name_change(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # signing in, or a new password: no name shown on a thread changed
    member_id = Member.objects.filter(user_id=instance.pk).values_list("pk", flat=True).first()
    if member_id is not None:
        forget_threads_written_by(member_id)


# --- the "tag this thread to re-design work" list ------------------------------------------------------------

#: The options of a thread's "tag to re-design work" list (``forum.queries.work_options``): every entry's title and
#: organisation, less the entries the thread is already tagged to, on the thread's service areas.
WORK_OPTIONS = fragments.family("forum.work-options")


@receiver(post_save, sender="redesign.MatrixEntry", dispatch_uid="forum.work_options.entry_saved")
@receiver(post_delete, sender="redesign.MatrixEntry", dispatch_uid="forum.work_options.entry_deleted")
@receiver(post_save, sender="directory.Organisation", dispatch_uid="forum.work_options.organisation_saved")
@receiver(post_delete, sender="directory.Organisation", dispatch_uid="forum.work_options.organisation_deleted")
@receiver(m2m_changed, sender="redesign.MatrixEntry_threads", dispatch_uid="forum.work_options.links_changed")
@receiver(m2m_changed, sender="forum.Thread_service_areas", dispatch_uid="forum.work_options.areas_changed")
def forget_work_options(sender, **kwargs) -> None:
    fragments.forget(WORK_OPTIONS)


# --- guidance made from a thread's answer ---------------------------------------------------------------------

#: Whether any guidance page (draft or live) was made from a thread: most threads have none, and then the page
#: reads nothing about guidance.  Moved on whenever a guidance page is saved (published, unpublished) or deleted.
THREAD_GUIDANCE = fragments.family("forum.thread-guidance")


@receiver(post_save, sender="portal.GuidancePage", dispatch_uid="forum.guidance.page_saved")
@receiver(post_delete, sender="portal.GuidancePage", dispatch_uid="forum.guidance.page_deleted")
def forget_thread_guidance(sender, **kwargs) -> None:
    fragments.forget(THREAD_GUIDANCE)


# --- the boards a thread page offers to move it to --------------------------------------------------------------

#: The thread page's main column (``forum.views.thread``) shows moderators every board to move the thread to:
#: moved on whenever a board or subsection is saved or deleted.
BOARDS = fragments.family("forum.boards")


@receiver(post_save, sender="forum.Board", dispatch_uid="forum.boards.board_saved")
@receiver(post_delete, sender="forum.Board", dispatch_uid="forum.boards.board_deleted")
@receiver(post_save, sender="forum.Subsection", dispatch_uid="forum.boards.subsection_saved")
@receiver(post_delete, sender="forum.Subsection", dispatch_uid="forum.boards.subsection_deleted")
def forget_boards(sender, **kwargs) -> None:
    fragments.forget(BOARDS)
