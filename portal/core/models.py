"""The foundation's models: the user account, the audit trail, e-mails sent once and the task outbox.

They belong to the ``portal`` app (``portal.models`` imports them so Django registers them there).
"""
from __future__ import annotations

from django.conf import settings as _settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class User(AbstractUser):
    """A person who can sign in. Profile details live on ``directory.Member``.

    People sign in with their e-mail address; ``username`` is filled in by
    allauth and never shown.
    """

    email = models.EmailField("e-mail address")

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_unique_ci", condition=~models.Q(email="")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.username


class AuditTrailIsReadOnly(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    """Audit events can be added and read; bulk changes are refused like single ones."""

    def update(self, **kwargs):
        raise AuditTrailIsReadOnly("The audit trail cannot be changed.")

    def delete(self):
        raise AuditTrailIsReadOnly("The audit trail cannot be deleted.")


class AuditEvent(models.Model):
    """One administrative action: who did what to which record, and when.

    Written only through ``portal.core.audit.record``.  Rows are never changed:
    ``save`` refuses an update, the query set refuses bulk updates and
    deletes, and on PostgreSQL a trigger (migration 0005) refuses UPDATE and
    DELETE from any client.  The one change the trigger allows is setting
    ``actor`` or ``subject`` to NULL, which Django does when an account is
    deleted outright (``on_delete=SET_NULL``).

    Erasure policy: no name or e-mail address is copied into the trail.  The
    actor and the person acted on (``subject``) are foreign keys to the
    account, shown with the account's *current* name; erasing a member
    blanks that account in place (``directory.services.erase_member``), so
    the trail then reads "Former member (account 42)" without anyone editing
    it.  What is frozen is what an auditor needs and is not personal: the
    account number and the actor's roles at the time.  Callers keep personal
    data out of ``target_label`` and ``detail`` (``record`` leaves the label
    of a person empty and shows the subject instead).
    """

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        _settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events", editable=False
    )
    actor_account = models.PositiveBigIntegerField(null=True, blank=True, editable=False, help_text="The actor's account number, kept if the account is deleted.")
    actor_roles = models.CharField(max_length=200, blank=True, editable=False, help_text="The actor's roles when they acted.")
    action = models.CharField(max_length=100, db_index=True, editable=False, help_text="Dotted code, e.g. directory.member.approved.")
    description = models.CharField(max_length=300, editable=False)
    target_type = models.CharField(max_length=100, blank=True, editable=False, help_text="app_label.model of the record acted on.")
    target_id = models.CharField(max_length=64, blank=True, editable=False)
    target_label = models.CharField(max_length=300, blank=True, editable=False)
    subject = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_about",
        editable=False,
        help_text="The person the action was about, if any (shown by current name, so erasure applies).",
    )
    subject_account = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    detail = models.JSONField(default=dict, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["actor", "-occurred_at"], name="portal_audit_actor_when")]
        verbose_name = "audit event"

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsReadOnly("Audit events cannot be changed once recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsReadOnly("Audit events cannot be deleted.")

    @staticmethod
    def _person(user, account: int | None) -> str:
        if user is None:
            return f"Deleted account ({account})" if account else "The system"
        member = getattr(user, "member", None)
        if member is not None and member.is_erased:
            return f"Former member (account {user.pk})"
        return str(user)

    @property
    def actor_display(self) -> str:
        return self._person(self.actor, self.actor_account)

    @property
    def target_display(self) -> str:
        if self.subject_account:
            person = self._person(self.subject, self.subject_account)
            return f"{person}: {self.target_label}" if self.target_label else person
        return self.target_label


class SentEmail(models.Model):
    """One e-mail that background work has sent, under a key naming its purpose, object and recipient.

    Background tasks can run more than once (a retry after a failure, or after
    the worker died mid-task), so each e-mail a task sends is recorded here in
    the same transaction as the sending (``portal.core.delivery.send_once``): a
    re-run finds the key and sends nothing twice.
    """

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sent e-mail"

    def __str__(self) -> str:
        return self.key


class OutboxTask(models.Model):
    """A background task recorded in the same transaction as the operation that asked for it.

    Putting a task on the queue (Redis) cannot be part of a database
    transaction: enqueued before the commit, the task may run against rows
    that then roll back; enqueued after it, the task is lost if Redis is down
    at that moment.  So the operation writes this row inside its transaction
    (``portal.core.outbox.enqueue_on_commit``), tries the queue once it commits,
    and the task workers put any row still waiting on the queue as soon as
    Redis answers (``portal.core.outbox.dispatch_outbox``, run by each worker's
    maintenance loop).  A task can therefore reach the queue twice (a crash
    between enqueueing and marking the row), which every task tolerates: they
    are idempotent.
    """

    task_path = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    result_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "queued task record"
        indexes = [models.Index(fields=["enqueued_at", "id"], name="portal_outbox_waiting")]

    def __str__(self) -> str:
        return f"{self.task_path} ({'on the queue' if self.enqueued_at else 'waiting'})"
