"""The service re-design matrix, case studies and the template library.

Members asked for "service re-design information to avoid re-inventing the
wheel" and "templates of documents e.g. business cases" (seed 002).  A
``MatrixEntry`` is one piece of re-design work by one cluster, consortium or
PCT on one service area; every change to it is kept as an ``EntryChange``
written by ``redesign.services``.  Case studies are Wagtail pages; templates
are Wagtail documents with metadata and versions.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.blocks import RichTextBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.core.permissions import is_member
from redesign.permissions import Audience, editable_organisation_ids, visible_case_studies

# Work not touched for this long is flagged and its leads are reminded.
STALE_AFTER = timedelta(days=90)
# A lead is not reminded about the same entry more often than this.
REMIND_AGAIN_AFTER = timedelta(days=30)


class Stage(models.TextChoices):
    """Where a piece of re-design work has got to, in the order the network works."""

    IDEA = "idea", "Idea"
    SCOPING = "scoping", "Scoping"
    BUSINESS_CASE = "business_case", "Business case"
    APPROVED = "approved", "Approved by PCT"
    PROCUREMENT = "procurement", "Procurement"
    LIVE = "live", "Live"
    EVALUATED = "evaluated", "Evaluated"
    STOPPED = "stopped", "Stopped"


# The stages work can move to from each stage: forwards one step, back one step
# (a business case sent back for more scoping), or stopped (with a reason).  A
# stopped piece of work can be restarted as an idea or at scoping.
STAGE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.IDEA: (Stage.SCOPING, Stage.STOPPED),
    Stage.SCOPING: (Stage.BUSINESS_CASE, Stage.IDEA, Stage.STOPPED),
    Stage.BUSINESS_CASE: (Stage.APPROVED, Stage.SCOPING, Stage.STOPPED),
    Stage.APPROVED: (Stage.PROCUREMENT, Stage.LIVE, Stage.BUSINESS_CASE, Stage.STOPPED),
    Stage.PROCUREMENT: (Stage.LIVE, Stage.APPROVED, Stage.STOPPED),
    Stage.LIVE: (Stage.EVALUATED, Stage.STOPPED),
    Stage.EVALUATED: (),
    Stage.STOPPED: (Stage.IDEA, Stage.SCOPING),
}

# Finished work does not go stale.
CLOSED_STAGES = (Stage.EVALUATED, Stage.STOPPED)


class MatrixEntryQuerySet(models.QuerySet):
    def stale(self, now=None) -> "MatrixEntryQuerySet":
        """Open work nobody has updated for ``STALE_AFTER``."""
        now = now or timezone.now()
        return self.filter(updated_at__lt=now - STALE_AFTER).exclude(stage__in=CLOSED_STAGES)

    def editable_by(self, user) -> "MatrixEntryQuerySet":
        if user.has_perm("redesign.change_any_entry"):
            return self
        member = getattr(user, "member", None)
        if member is None:
            return self.none()
        return self.filter(models.Q(organisation_id__in=editable_organisation_ids(user)) | models.Q(leads=member)).distinct()

    def for_listing(self) -> "MatrixEntryQuerySet":
        return self.select_related("organisation", "service_area").prefetch_related("leads__user")


class MatrixEntry(models.Model):
    """One piece of service re-design work: who is doing what, where it has got to, what it saved."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="matrix_entries",
        limit_choices_to={"kind__in": ["cluster", "consortium", "pct"]},
        help_text="The PbC cluster, consortium or PCT doing the work.",
    )
    service_area = models.ForeignKey("directory.ServiceArea", on_delete=models.PROTECT, related_name="matrix_entries")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What the work is and why, in a few sentences.")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDEA, db_index=True)
    stop_reason = models.TextField(blank=True, help_text="Why the work was stopped.")
    leads = models.ManyToManyField("directory.Member", blank=True, related_name="led_matrix_entries")
    start_date = models.DateField(null=True, blank=True)
    expected_go_live = models.DateField(null=True, blank=True)
    actual_go_live = models.DateField(null=True, blank=True)
    expected_savings = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, help_text="In pounds.")
    realised_savings = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, help_text="In pounds.")
    freed_up_resources = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="In pounds: resources freed up for reinvestment in patient care."
    )
    ppi = models.TextField("Patient and public involvement", blank=True)
    outcomes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The work's connected knowledge, linked both ways (each other page lists the entries it belongs to).
    # Changed only through ``redesign.services.link_to_entry`` / ``unlink_from_entry``, which record the change.
    templates = models.ManyToManyField(
        "Template", blank=True, related_name="matrix_entries", help_text="Its business case, specification and other library documents."
    )
    case_studies = models.ManyToManyField("CaseStudyPage", blank=True, related_name="matrix_entries")
    threads = models.ManyToManyField("forum.Thread", blank=True, related_name="matrix_entries", help_text="Forum threads tagged to this work.")
    events = models.ManyToManyField("events.EventPage", blank=True, related_name="matrix_entries", help_text="Related training and events.")

    objects = MatrixEntryQuerySet.as_manager()

    class Meta:
        ordering = ["service_area__name", "organisation__name", "title"]
        verbose_name = "matrix entry"
        verbose_name_plural = "matrix entries"
        permissions = [
            ("change_any_entry", "Can edit any organisation's matrix entries"),
            ("import_entries", "Can import matrix entries from CSV"),
        ]
        # The second: lists of work by title (a thread's "tag to re-design work" options read the first 200 in order).
        indexes = [models.Index(fields=["service_area", "organisation"]), models.Index(fields=["title"], name="redesign_matrixentry_title")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("redesign:entry", kwargs={"pk": self.pk})

    @property
    def is_stale(self) -> bool:
        return self.stage not in CLOSED_STAGES and self.updated_at < timezone.now() - STALE_AFTER

    def allowed_next_stages(self) -> list[tuple[str, str]]:
        return [(s, Stage(s).label) for s in STAGE_TRANSITIONS[Stage(self.stage)]]


class EntryDocument(models.Model):
    """A document attached to a matrix entry (business case, specification, evaluation)."""

    entry = models.ForeignKey(MatrixEntry, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.document.title


class EntryChange(models.Model):
    """One recorded change to a matrix entry: who, when, which fields, which stage move.

    Written only by ``redesign.services`` so that the history is complete.
    ``changes`` maps a field name to ``[old, new]`` as display strings.
    """

    entry = models.ForeignKey(MatrixEntry, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=60)  # dotted code, e.g. "redesign.entry.stage_changed"
    changes = models.JSONField(default=dict, blank=True)
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} on {self.entry_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def actor_name(self) -> str:
        if self.actor is None:
            return "The portal"
        return self.actor.get_full_name() or self.actor.email


class RedesignSectionPage(Page):
    """The /redesign/ section in the page tree, so case studies live at /redesign/case-studies/.

    Its own URL is answered by the matrix view (app URLs come before Wagtail's),
    so it only ever redirects there when reached some other way.
    """

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["redesign.CaseStudyIndexPage"]
    max_count = 1

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        return redirect("redesign:matrix")


class CaseStudyIndexPage(Page):
    """The list of case studies at /redesign/case-studies/."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["redesign.RedesignSectionPage", "portal.HomePage"]
    subpage_types = ["redesign.CaseStudyPage"]
    max_count = 1

    def case_studies(self, user):
        return visible_case_studies(CaseStudyPage.objects.child_of(self), user).order_by("-first_published_at")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["case_studies"] = self.case_studies(request.user).select_related("service_area", "organisation")
        return context


class CaseStudyPage(Page):
    """A write-up of re-design work others can learn from: the problem, what was done, what came of it."""

    summary = models.TextField(blank=True, help_text="One or two sentences for lists and search.")
    problem = RichTextField(blank=True, help_text="The problem the work set out to solve.")
    what_was_done = RichTextField(blank=True)
    outcomes = RichTextField(blank=True)
    contacts = models.TextField(blank=True, help_text="Who to contact, one per line.")
    service_area = models.ForeignKey("directory.ServiceArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies")
    organisation = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies")
    documents = StreamField([("document", DocumentChooserBlock()), ("note", RichTextBlock())], blank=True, use_json_field=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("service_area"),
        FieldPanel("organisation"),
        FieldPanel("audience"),
        FieldPanel("problem"),
        FieldPanel("what_was_done"),
        FieldPanel("outcomes"),
        FieldPanel("contacts"),
        FieldPanel("documents"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("problem"),
        index.SearchField("what_was_done"),
        index.SearchField("outcomes"),
        index.FilterField("audience"),
    ]
    parent_page_types = ["redesign.CaseStudyIndexPage"]
    subpage_types: list[str] = []

    @property
    def contact_lines(self) -> list[str]:
        return [line.strip() for line in self.contacts.splitlines() if line.strip()]

    def serve(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login
        from django.http import Http404

        if self.audience == Audience.MEMBERS and not is_member(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404("This case study is for members of the network.")
        return super().serve(request, *args, **kwargs)


class Template(models.Model):
    """A reusable document in the library: a business-case template, a specification, a contract …

    The file itself is a Wagtail document held by each ``TemplateVersion``; the
    newest version is current, older ones stay downloadable, marked superseded.
    """

    class Kind(models.TextChoices):
        BUSINESS_CASE = "business_case", "Business-case template"
        SERVICE_SPECIFICATION = "service_specification", "Service specification"
        CONTRACT = "contract", "Contract template"
        COMMISSIONING_PLAN = "commissioning_plan", "Commissioning plan"
        GOVERNANCE = "governance", "Governance framework"
        PPI_STRATEGY = "ppi_strategy", "PPI strategy"
        EVALUATION = "evaluation", "Evaluation"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.TextField(blank=True)
    service_area = models.ForeignKey("directory.ServiceArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="templates")
    organisation = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="templates")
    licence = models.CharField(max_length=120, blank=True, default="Open Government Licence v3.0")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    download_count = models.PositiveIntegerField(default=0, editable=False)
    adapted_from = models.ForeignKey(
        "TemplateVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="adaptations",
        help_text="The exact version of another template this one was adapted from.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("redesign:template", kwargs={"pk": self.pk})

    @property
    def current_version(self) -> "TemplateVersion | None":
        versions = [v for v in self.versions.all() if v.superseded_at is None]
        return versions[0] if versions else None


class TemplateVersion(models.Model):
    """One uploaded version of a template; a newer one supersedes it but it stays reachable."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(max_length=255, blank=True, help_text="What changed in this version.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="redesign_template_version_unique")]

    def __str__(self) -> str:
        return f"{self.template.title}, version {self.number}"

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    def get_download_url(self) -> str:
        return reverse("redesign:template_download", kwargs={"pk": self.template_id, "number": self.number})


class AdaptationNotice(models.Model):
    """The record that an adapter was told about a new version of the template they adapted.

    One row per adapted copy and new version, created by the notifying task
    before its e-mail is sent, so running the task twice tells nobody twice.
    The adapted copy's page shows the notice until the adapter has seen it.
    """

    adaptation = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="notices")
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-notified_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["adaptation", "version"], name="redesign_adaptation_notice_once")]

    def __str__(self) -> str:
        return f"{self.adaptation} told of {self.version}"
