"""Guidance, the links library and the newsletter (issue 8).

SHA staff publish guidance through a two-person review (see GuidancePermissionTester);
members asked for "links to guidance/useful information, everything to do
with PBC" and a newsletter (seed 002).  Services live in
portal.guidance.services, page views in portal.guidance.views.  They belong to the
``portal`` app (``portal.models`` imports them so Django registers them there).
"""
from __future__ import annotations

from django import forms as _forms
from django.conf import settings as _settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied as _PermissionDenied
from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.routable_page.models import path as subpage_path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager, PagePermissionTester, PageQuerySet, TaskState, WorkflowState
from wagtail.models.workflows import AbstractGroupApprovalTask
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from portal.core.blocks import ContentBlocks
from portal.core.page_cache import serve_cached
from portal.core.permissions import has_role, is_member
from portal.core.roles import Role


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

    def permissions_for_user(self, user):
        return GuidanceIndexPermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from portal.guidance.views import guidance_index_context  # Wagtail route: the view imports these models

        context = super().get_context(request, *args, **kwargs)
        context.update(guidance_index_context(self, request))
        return context

    @subpage_path("links/", name="links")
    def links_library(self, request):
        from portal.guidance.views import links_library  # Wagtail route: the view imports these models

        return links_library(self, request)


class GuidancePageQuerySet(PageQuerySet):
    def current(self):
        """Guidance that has not been replaced by newer guidance."""
        return self.filter(superseded_by__isnull=True)

    def visible_to(self, user):
        """What ``user`` may read: public guidance for everyone, members-only guidance for members."""
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
        return GuidancePermissionTester(user, self)

    def publish(self, revision, user=None, changed=True, log_action=True, previous_revision=None, skip_permission_checks=False):
        """Refuse, whatever ``skip_permission_checks`` says, a person publishing a revision no second SHA editor approved.

        ``user=None`` is the system: the demo, data fixes and scheduled publishing of a revision that was
        approved when it was scheduled.
        """
        if user is not None and not has_two_editor_approval(self, revision.pk):
            raise _PermissionDenied("Guidance goes live only after a second SHA editor approves it. Submit it for review.")
        return super().publish(revision, user=user, changed=changed, log_action=log_action,
                               previous_revision=previous_revision, skip_permission_checks=skip_permission_checks)

    def serve(self, request, *args, **kwargs):
        if self.is_members_only and not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())

        return serve_cached(request, self, lambda: super(GuidancePage, self).serve(request, *args, **kwargs))

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


register_snippet("portal.guidance.admin.LinkViewSet")


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
        from portal.guidance.views import newsletter_archive  # Wagtail route: the view imports these models

        return newsletter_archive(self, request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["issues"] = NewsletterIssuePage.objects.child_of(self).live().order_by("-first_published_at")
        return context

    @subpage_path("compose/", name="compose")
    def compose(self, request):
        from portal.guidance.views import compose_newsletter  # Wagtail route: the view imports these models

        return compose_newsletter(self, request)

    @subpage_path("subscription/", name="subscription")
    def subscription(self, request):
        from portal.guidance.views import newsletter_subscription  # Wagtail route: the view imports these models

        return newsletter_subscription(self, request)

    @subpage_path("progress/<int:issue_id>/", name="progress")
    def progress(self, request, issue_id):
        from portal.guidance.views import newsletter_progress  # Wagtail route: the view imports these models

        return newsletter_progress(self, request, issue_id)

    @subpage_path("unsubscribe/<str:token>/", name="unsubscribe")
    def unsubscribe(self, request, token):
        from portal.guidance.views import unsubscribe  # Wagtail route: the view imports these models

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
        if not is_member(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def delivery_counts(self) -> dict[str, int]:
        """How many copies of this issue are waiting, being sent and sent, and how many in all."""
        counts = {status: 0 for status in NewsletterDelivery.Status.values}
        for row in NewsletterDelivery.objects.filter(issue=self).values("status").annotate(n=models.Count("pk")):
            counts[row["status"]] = row["n"]
        counts["total"] = sum(counts[status] for status in NewsletterDelivery.Status.values)
        return counts

    def get_context(self, request, *args, **kwargs):
        """For network administrators, how far the sending has got (the page updates it as it goes)."""
        context = super().get_context(request, *args, **kwargs)
        if has_role(request.user, Role.NETWORK_ADMIN):
            archive = self.get_parent().specific
            context["progress"] = self.delivery_counts()
            context["progress_url"] = archive.url + archive.reverse_subpage("progress", args=[self.pk])
        return context


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


def has_two_editor_approval(page, revision_id: int | None) -> bool:
    """Whether revision ``revision_id`` of ``page`` was approved in a finished two-editor review.

    The approval must come from a ``TwoEditorApprovalTask`` (where nobody approves their own draft) in a
    workflow that finished approved, for that very revision: an edit after approval needs approving again.
    """
    if not revision_id:
        return False
    return TaskState.objects.filter(
        workflow_state__in=WorkflowState.objects.for_instance(page).filter(status=WorkflowState.STATUS_APPROVED),
        task__content_type=ContentType.objects.get_for_model(TwoEditorApprovalTask),
        status=TaskState.STATUS_APPROVED,
        revision_id=revision_id,
    ).exists()


class GuidancePermissionTester(PagePermissionTester):
    """Page permissions for guidance: only a revision a second SHA editor approved may go live.

    Publication of guidance requires a completed two-editor approval of that
    revision, whatever the user's other page permissions: network
    administrators and superusers included, and superseding included (it is a
    change to the old page).  Wagtail publishes an approved page as the
    approver, so the approver may publish exactly the revision they have just
    approved; nobody may publish any other.  ``GuidancePage.publish``, the
    ``before_publish_page`` hook and ``GuidanceIndexPermissionTester`` close
    the doors that do not ask this tester (portal/wagtail_hooks.py).
    """

    def can_publish(self):
        return self.user.is_active and has_two_editor_approval(self.page, self.page.latest_revision_id)


class GuidanceIndexPermissionTester(PagePermissionTester):
    """Nobody creates guidance as live, or copies it live, under a guidance index: it is drafted and reviewed."""

    def can_publish_subpage(self):
        return False
