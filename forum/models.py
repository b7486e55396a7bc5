"""The message boards members asked for at Chilford Hall (seed 002).

"A message board to post queries … if no answers refer to SHA", with
"subsections to enable separate debate about clinical and management
issues".  Boards sit in subsections; a thread is a question with replies;
one reply may be accepted as the answer; a thread nobody answers is referred
to the SHA.  Every state change goes through ``forum.services``; each one
that a watching browser must see also writes a ``ThreadEvent``, whose
increasing id lets a reconnecting client fetch exactly what it missed.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from portal.core.notifications import Notification  # noqa: F401 - Django registers the forum app's models from this module
from portal.core.permissions import is_member


class Subsection(models.Model):
    """A group of boards: Clinical, Management, Ask the SHA, Hot topics."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class BoardQuerySet(models.QuerySet):
    def readable_by(self, user) -> "BoardQuerySet":
        """Boards this user may read: members' boards for members, and moderators' boards for moderators."""
        if not is_member(user):
            return self.none()
        if user.has_perm("forum.moderate_forum"):
            return self
        return self.filter(audience=Board.Audience.MEMBERS)


class Board(models.Model):
    """A place for one kind of question, edited by network administrators as a Wagtail snippet."""

    class Audience(models.TextChoices):
        MEMBERS = "members", "All members"
        MODERATORS = "moderators", "Moderators and administrators only"

    subsection = models.ForeignKey(Subsection, on_delete=models.PROTECT, related_name="boards")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=255, blank=True)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.MEMBERS)
    is_sha_board = models.BooleanField(
        default=False, help_text="Questions here go straight to SHA staff (the 'Ask the SHA' boards)."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["subsection__position", "position", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forum:board", kwargs={"slug": self.slug})


class ThreadQuerySet(models.QuerySet):
    def readable_by(self, user) -> "ThreadQuerySet":
        return self.filter(board__in=Board.objects.readable_by(user))

    def visible(self) -> "ThreadQuerySet":
        return self.filter(is_hidden=False)

    def answered(self) -> "ThreadQuerySet":
        return self.filter(accepted_reply__isnull=False)

    def unanswered(self) -> "ThreadQuerySet":
        return self.filter(accepted_reply__isnull=True)


class Thread(models.Model):
    """A question (or discussion) on a board, with its replies."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown as the author wrote it.")
    body_html = models.TextField(editable=False, help_text="The body rendered and sanitised; never edited directly.")
    service_areas = models.ManyToManyField("directory.ServiceArea", blank=True, related_name="forum_threads")
    author = models.ForeignKey("directory.Member", on_delete=models.PROTECT, related_name="forum_threads")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    reply_count = models.PositiveIntegerField(default=0, help_text="Visible replies, kept by the services.")
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    accepted_reply = models.ForeignKey("Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="When the unanswered question was referred to the SHA.")

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at", "-pk"]
        permissions = [
            ("moderate_forum", "Can hide, lock, move and pin posts and handle reports"),
            ("view_answer_report", "Can see the time-to-answer report"),
        ]
        indexes = [models.Index(fields=["board", "-is_pinned", "-last_activity_at"], name="forum_thread_board_listing")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", kwargs={"pk": self.pk})

    @property
    def is_answered(self) -> bool:
        return self.accepted_reply_id is not None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None


class Reply(models.Model):
    """An answer or comment in a thread, optionally quoting an earlier reply."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey("directory.Member", on_delete=models.PROTECT, related_name="forum_replies")
    body = models.TextField()
    body_html = models.TextField(editable=False)
    quoted = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quoted_by")
    is_hidden = models.BooleanField(default=False)
    is_from_sha = models.BooleanField(default=False, help_text="Written by SHA staff: shown with a badge.")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply {self.pk} to {self.thread_id}"

    def get_absolute_url(self) -> str:
        return f"{self.thread.get_absolute_url()}#post-{self.pk}"


class PostRevision(models.Model):
    """The text of a thread or reply before an edit: the post's edit history.

    Members read the history of posts they can see; the history of a hidden
    post is for moderators only.  A moderator can redact a revision (text that
    should never have been posted, such as patient-identifiable details): its
    title and text are blanked for good and who did it, and when, is kept.
    """

    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey("directory.Member", on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)
    redacted_at = models.DateTimeField(null=True, blank=True)
    redacted_by = models.ForeignKey("directory.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-edited_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, reply__isnull=True) | Q(thread__isnull=True, reply__isnull=False),
                name="forum_revision_one_post",
            )
        ]

    def __str__(self) -> str:
        return f"Revision of {'reply ' + str(self.reply_id) if self.reply_id else 'thread ' + str(self.thread_id)}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: an uploaded file name must never choose where it is stored.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"forum/attachments/{secrets.token_hex(16)}.{ext}"


class Attachment(models.Model):
    """A document attached to a thread or reply, checked by ``forum.uploads`` before it is stored."""

    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("directory.Member", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("forum:attachment", kwargs={"pk": self.pk})


class Subscription(models.Model):
    """A member watching a thread or a board, with how often they want e-mail."""

    class Frequency(models.TextChoices):
        INSTANT = "instant", "Straight away"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"
        NONE = "none", "On the site only"

    member = models.ForeignKey("directory.Member", on_delete=models.CASCADE, related_name="forum_subscriptions")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.INSTANT)
    created_at = models.DateTimeField(default=timezone.now)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, board__isnull=True) | Q(thread__isnull=True, board__isnull=False),
                name="forum_subscription_one_target",
            ),
            models.UniqueConstraint(fields=["member", "thread"], condition=Q(thread__isnull=False), name="forum_subscription_thread_unique"),
            models.UniqueConstraint(fields=["member", "board"], condition=Q(board__isnull=False), name="forum_subscription_board_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} watches {self.thread or self.board}"


class Report(models.Model):
    """A member's report of a post to the moderators."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        ACTIONED = "actioned", "Post hidden"
        DISMISSED = "dismissed", "No action needed"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reports")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("directory.Member", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey("directory.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.reason[:40]}"


#: Each moderation log code in plain English, as the moderators' queue and the audit trail show it.
ACTION_DESCRIPTIONS = {
    "forum.thread.hidden": "Question hidden",
    "forum.thread.unhidden": "Question shown again",
    "forum.reply.hidden": "Reply hidden",
    "forum.reply.unhidden": "Reply shown again",
    "forum.thread.locked": "Thread locked",
    "forum.thread.unlocked": "Thread unlocked",
    "forum.thread.pinned": "Thread pinned",
    "forum.thread.unpinned": "Thread unpinned",
    "forum.thread.moved": "Thread moved",
    "forum.thread.escalated": "Question referred to the SHA",
    "forum.report.dismissed": "Report closed with no action",
    "forum.answer.accepted": "Answer accepted",
    "forum.post.edited": "Post edited by someone other than its author",
    "forum.revision.redacted": "Earlier version of a post redacted",
}


def describe_action(action: str) -> str:
    """A moderation log code in plain English (an unknown code in words, never the code itself)."""
    if action in ACTION_DESCRIPTIONS:
        return ACTION_DESCRIPTIONS[action]
    words = " ".join(part.replace("_", " ") for part in action.split(".")[1:]) or action
    return words[:1].upper() + words[1:]


class ModerationAction(models.Model):
    """Who did what to which post, and when: the forum's audit log (dotted action codes, shown in plain English)."""

    action = models.CharField(max_length=60)  # e.g. "forum.reply.hidden", "forum.thread.moved"
    actor = models.ForeignKey("directory.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_actions")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.description} by {self.actor} at {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def description(self) -> str:
        return describe_action(self.action)


class ThreadEvent(models.Model):
    """One change a watching browser must see, in commit order.

    Written inside the same transaction as the change, while the thread (or,
    for a new thread, the board) row is locked, so within one thread or board
    the ids increase in commit order.  A client remembers the last id it saw
    and, on reconnect, asks for everything after it: nothing lost, nothing twice.
    """

    class Kind(models.TextChoices):
        THREAD_POSTED = "thread.posted"
        REPLY_POSTED = "reply.posted"
        POST_EDITED = "post.edited"
        POST_HIDDEN = "post.hidden"
        ANSWER_ACCEPTED = "answer.accepted"
        THREAD_CHANGED = "thread.changed"  # locked, pinned, moved, escalated

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="events")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
