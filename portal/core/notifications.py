"""In-site notifications: a member's own notices, stored and pushed to their open tabs after commit.

The forum (replies, escalations), the service areas (movements) and any other app that tells a member
something store a ``Notification`` here.  The model keeps the ``forum`` app label and table it was
born with (``forum.models`` imports it so Django registers it there); it refers to other apps' models
by name only, so the foundation imports no app.
"""
from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.core.realtime import notify_user


class Notification(models.Model):
    """An in-site notice for one member: a reply in a watched thread, an escalated question, a movement.

    A movement (``areas.Movement``) is news from a service area the member
    follows; it may be about no thread at all, so ``thread`` is optional and the
    link is the movement's own.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", "New reply"
        THREAD = "thread", "New thread"
        ACCEPTED = "accepted", "Answer accepted"
        ESCALATED = "escalated", "Question referred to the SHA"
        MOVEMENT = "movement", "Movement in a service area you follow"

    member = models.ForeignKey("directory.Member", on_delete=models.CASCADE, related_name="forum_notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    thread = models.ForeignKey("forum.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reply = models.ForeignKey("forum.Reply", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    movement = models.ForeignKey("areas.Movement", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "forum"  # where it was born: its table (forum_notification) and migrations stay the forum's
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "read_at"], name="forum_notification_unread")]
        constraints = [
            models.UniqueConstraint(fields=["member", "movement"], condition=Q(movement__isnull=False), name="forum_notification_movement_once"),
        ]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        if self.movement_id is not None:
            return self.movement.url
        url = self.thread.get_absolute_url()
        return f"{url}#post-{self.reply_id}" if self.reply_id else url


def notify_about_movement(members: Sequence, movement) -> list[Notification]:
    """In-site notifications about a movement in a followed service area (``areas``), pushed to open tabs after commit.

    The caller has already decided who may see it; e-mail about movements goes
    out in the digest, not one by one.
    """
    notes = Notification.objects.bulk_create(
        [Notification(member=m, kind=Notification.Kind.MOVEMENT, movement=movement, text=movement.text[:255]) for m in members]
    )
    for note in notes:
        notify_user(note.member.user_id, {"kind": note.kind, "text": note.text, "url": movement.url})
    return notes
