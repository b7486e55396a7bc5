"""The portal's own models: the user account and the site's general pages.

Each app's listing for the home page lives with that app (``home_items``
functions), so the home page never needs to know how guidance, events,
threads or case studies are stored.
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.blocks import ContentBlocks


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


class HomePage(Page):
    """The front page: what is new across the network, for whoever is looking."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences under the title saying what the network is for.",
    )
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from portal.home import home_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections(request.user)
        return context

    def serve(self, request, *args, **kwargs):
        from portal.page_cache import serve_cached

        return serve_cached(request, lambda: super(HomePage, self).serve(request, *args, **kwargs))


class StandardPage(Page):
    """A plain content page: about the network, how to join, accessibility statement."""

    introduction = models.TextField(blank=True)
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)
    is_public = models.BooleanField(
        default=True, help_text="Untick to show this page to signed-in members only."
    )

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body"), FieldPanel("is_public")]
    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    subpage_types = ["portal.StandardPage"]

    def serve(self, request, *args, **kwargs):
        from portal.permissions import is_member

        if not self.is_public and not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


# --- Guidance, the links library and the newsletter (issue 8) -----------------
# SHA staff publish guidance through a two-person review (see portal.guidance);
# members asked for "links to guidance/useful information, everything to do
# with PBC" and a newsletter (seed 002).  Services live in
# portal.guidance_services, page views in portal.guidance_views.

from django import forms as _forms  # noqa: E402
from django.conf import settings as _settings  # noqa: E402
from django.core.exceptions import PermissionDenied as _PermissionDenied  # noqa: E402
from modelcluster.fields import ParentalManyToManyField  # noqa: E402
from wagtail.admin.panels import MultiFieldPanel, PageChooserPanel  # noqa: E402
from wagtail.contrib.routable_page.models import RoutablePageMixin  # noqa: E402
from wagtail.contrib.routable_page.models import path as subpage_path  # noqa: E402
from wagtail.models import PageManager, PageQuerySet  # noqa: E402
from wagtail.models.workflows import AbstractGroupApprovalTask  # noqa: E402
from wagtail.snippets.models import register_snippet  # noqa: E402


class Audience(models.TextChoices):
    PUBLIC = "public", "Everyone, including visitors who are not signed in"
    MEMBERS = "members", "Members of the network only"


class GuidanceIndexPage(RoutablePageMixin, Page):
    """The guidance section: current guidance filtered by topic, audience and date, and the links library."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.GuidancePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from portal.guidance_views import guidance_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(guidance_index_context(self, request))
        return context

    @subpage_path("links/", name="links")
    def links_library(self, request):
        from portal.guidance_views import links_library

        return links_library(self, request)


class GuidancePageQuerySet(PageQuerySet):
    def current(self):
        """Guidance that has not been replaced by newer guidance."""
        return self.filter(superseded_by__isnull=True)

    def visible_to(self, user):
        """What ``user`` may read: public guidance for everyone, members-only guidance for members."""
        from portal.permissions import is_member

        if is_member(user):
            return self
        return self.filter(audience=Audience.PUBLIC)

    def due_for_review(self, on):
        return self.filter(review_by__isnull=False, review_by__lte=on)


class GuidancePage(Page):
    """One piece of guidance, drafted by an SHA editor and approved by a second before it goes live.

    ``superseded_by`` points at the guidance that replaces it: the old page
    stays readable (people have bookmarked it) with a banner pointing to the
    current one, but leaves the default listings and sinks in search.
    """

    summary = models.TextField(help_text="One or two sentences shown in listings and the newsletter.")
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    topics = ParentalManyToManyField("directory.ServiceArea", blank=True, related_name="guidance_pages")
    content_owner = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_guidance",
        help_text="Who keeps this guidance up to date; they are reminded when the review date arrives.",
    )
    review_by = models.DateField(null=True, blank=True, help_text="When this guidance must next be checked.")
    review_reminder_sent_for = models.DateField(
        null=True, blank=True, editable=False, help_text="The review date the owner was last reminded about."
    )
    superseded_by = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The guidance that replaces this one. Superseded guidance shows a warning and leaves the listings.",
    )
    change_note = models.CharField(
        max_length=255, blank=True, help_text="What changed in this version, for the “What changed recently” list."
    )
    source_thread = models.ForeignKey(
        "forum.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="guidance_pages", editable=False,
        help_text="The forum question whose accepted answer this guidance grew from.",
    )

    objects = PageManager.from_queryset(GuidancePageQuerySet)()

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("change_note"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("topics", widget=_forms.CheckboxSelectMultiple),
                FieldPanel("content_owner"),
                FieldPanel("review_by"),
                PageChooserPanel("superseded_by", page_type="portal.GuidancePage"),
            ],
            heading="Audience, topics and review",
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("audience"),
    ]
    parent_page_types = ["portal.GuidanceIndexPage"]
    subpage_types: list[str] = []

    @property
    def is_members_only(self) -> bool:
        return self.audience == Audience.MEMBERS

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by_id is not None

    def permissions_for_user(self, user):
        from portal.guidance import GuidancePermissionTester

        return GuidancePermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        from portal.permissions import is_member

        if self.is_members_only and not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        from portal.page_cache import serve_cached

        return serve_cached(request, lambda: super(GuidancePage, self).serve(request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        replacement = self.superseded_by.specific if self.superseded_by_id and self.superseded_by.live else None
        context["replacement"] = replacement
        return context


class Link(models.Model):
    """An external resource in the links library: NICE, DH, NHS Alliance, PbC Academy and the like.

    ``check_links`` visits each one on a schedule and records the result, so
    administrators hear about broken links before members do.
    """

    class Category(models.TextChoices):
        DH = "dh", "Department of Health"
        NICE = "nice", "NICE"
        NHS_ALLIANCE = "nhs_alliance", "NHS Alliance"
        PBC_ACADEMY = "pbc_academy", "PbC Academy"
        NHS_CONFEDERATION = "nhs_confederation", "NHS Confederation"
        OTHER = "other", "Other useful sites"

    title = models.CharField(max_length=200)
    url = models.URLField("web address", max_length=500, unique=True)
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=255, blank=True, editable=False)
    is_broken = models.BooleanField(default=False, editable=False)
    # When network administrators were told this link is broken; cleared when it works again.  A broken
    # link with no date here is still to be reported, so a check that dies between recording the break
    # and queuing the alert leaves the alert for the next check rather than losing it.
    broken_reported_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("category"), FieldPanel("description")]

    class Meta:
        ordering = ["category", "title"]

    def __str__(self) -> str:
        return self.title


register_snippet("portal.guidance.LinkViewSet")


class NewsletterArchivePage(RoutablePageMixin, Page):
    """Past newsletter issues, and where administrators compose and send the next one."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.NewsletterIssuePage"]
    max_count = 1

    @subpage_path("", name="archive")
    def index_route(self, request, *args, **kwargs):
        # Unsubscribing (below) works from the e-mail without signing in; the archive is for members.
        from portal.guidance_views import newsletter_archive

        return newsletter_archive(self, request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["issues"] = NewsletterIssuePage.objects.child_of(self).live().order_by("-first_published_at")
        return context

    @subpage_path("compose/", name="compose")
    def compose(self, request):
        from portal.guidance_views import compose_newsletter

        return compose_newsletter(self, request)

    @subpage_path("subscription/", name="subscription")
    def subscription(self, request):
        from portal.guidance_views import newsletter_subscription

        return newsletter_subscription(self, request)

    @subpage_path("unsubscribe/<str:token>/", name="unsubscribe")
    def unsubscribe(self, request, token):
        from portal.guidance_views import unsubscribe

        return unsubscribe(self, request, token)


class NewsletterIssuePage(Page):
    """One newsletter issue as it was sent: the administrator's words and the items chosen, kept as a page."""

    introduction = models.TextField(help_text="The editor's words at the top of the issue.", blank=True)
    items = models.JSONField(default=list, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    composed_by = models.ForeignKey(
        _settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["portal.NewsletterArchivePage"]
    subpage_types: list[str] = []

    def serve(self, request, *args, **kwargs):
        from portal.permissions import is_member

        if not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


class NewsletterSubscription(models.Model):
    """Whether a member wants the newsletter. Members opt in; the e-mail's link opts out in one click."""

    user = models.OneToOneField(_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newsletter_subscription")
    is_subscribed = models.BooleanField(default=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {'subscribed' if self.is_subscribed else 'unsubscribed'}"


class NewsletterDelivery(models.Model):
    """One recipient of one issue.

    The unique (issue, user) row is claimed (pending → sending) in its own
    transaction before the e-mail goes, and marked sent in the transaction
    that records the copy's ``SentEmail`` key.  A send that stops half-way
    resumes from the waiting rows; a row left "sending" by a crash is claimed
    again and sent only if its key is missing, so nobody gets two copies.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending (interrupted if it stays here)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    issue = models.ForeignKey(NewsletterIssuePage, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newsletter_deliveries")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "user"], name="portal_newsletter_delivery_once")]
        indexes = [models.Index(fields=["issue", "status"])]

    def __str__(self) -> str:
        return f"{self.issue} → {self.email} ({self.status})"


class TwoEditorApprovalTask(AbstractGroupApprovalTask):
    """A group approval step where the person who drafted or submitted a change cannot approve it.

    "A single editor cannot approve their own draft": the submitter and the
    author of the revision under review get no approve action in the admin,
    and ``on_action`` refuses them even if they forge the request.
    """

    @staticmethod
    def _is_own_work(task_state, user) -> bool:
        if user is None or not user.is_authenticated:
            return False
        authors = {task_state.workflow_state.requested_by_id}
        if task_state.revision_id and task_state.revision.user_id:
            authors.add(task_state.revision.user_id)
        return user.pk in authors

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        task_state = obj.current_workflow_task_state if hasattr(obj, "current_workflow_task_state") else None
        if task_state is not None and self._is_own_work(task_state, user):
            # They may still withdraw it through "cancel workflow", but not approve or reject it.
            return []
        return actions

    def get_task_states_user_can_moderate(self, user, **kwargs):
        # Keep people's own drafts out of their "awaiting your review" list.
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user).exclude(revision__user=user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if self._is_own_work(task_state, user):
            raise _PermissionDenied("You cannot approve or reject your own draft; another SHA editor must review it.")
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "Members of the chosen groups approve, but never the person who drafted or submitted the change."

    class Meta:
        verbose_name = "Two-editor approval task"
        verbose_name_plural = "Two-editor approval tasks"


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

    Written only through ``portal.audit.record``.  Rows are never changed:
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
    the same transaction as the sending (``portal.delivery.send_once``): a
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
    (``portal.outbox.enqueue_on_commit``), tries the queue once it commits,
    and the task workers put any row still waiting on the queue as soon as
    Redis answers (``portal.outbox.dispatch_outbox``, run by each worker's
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
