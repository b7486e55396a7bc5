"""Service areas across the region: who follows which, and what moved in each.

Issue 12: "a member finds who has already done the work".  A member follows a
service area (dermatology, MSK …) with a ``ServiceAreaWatch``; their declared
specialties and interests start watches by default, and each can be switched
off for good.  Whenever work in an area moves — a matrix entry changes stage,
a template or a new version of one is added, a case study is published, a
question is asked — ``areas.services`` writes one ``Movement``; background
work then tells the followers who may see it (in the site, and in the digest
e-mail's "Movements in your areas" section).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ServiceAreaWatch(models.Model):
    """One member following one service area.

    ``source`` says how the watch began: from the member's declared specialties
    and interests (``declared``), or because they chose to follow it
    (``explicit``).  Switching a watch off keeps the row with ``is_active``
    false, so editing the profile later never switches it back on.
    """

    class Source(models.TextChoices):
        DECLARED = "declared", "From your specialties and interests"
        EXPLICIT = "explicit", "You chose to follow it"

    class Digest(models.TextChoices):
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"
        NONE = "none", "On the site only"

    member = models.ForeignKey("directory.Member", on_delete=models.CASCADE, related_name="area_watches")
    service_area = models.ForeignKey("directory.ServiceArea", on_delete=models.CASCADE, related_name="watches")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.EXPLICIT)
    is_active = models.BooleanField(default=True)
    digest = models.CharField(max_length=10, choices=Digest.choices, default=Digest.WEEKLY)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["service_area__name"]
        constraints = [
            models.UniqueConstraint(fields=["member", "service_area"], name="areas_watch_member_area_unique"),
        ]
        indexes = [models.Index(fields=["service_area", "is_active"], name="areas_watch_area_active")]

    def __str__(self) -> str:
        state = "follows" if self.is_active else "stopped following"
        return f"{self.member} {state} {self.service_area}"


class Movement(models.Model):
    """Something that changed in one or more service areas, told to their followers once.

    Exactly one of ``entry``, ``template``, ``case_study`` and ``thread`` names
    what moved, so whether a follower may see it is decided when the
    notification is sent (a thread hidden meanwhile reaches nobody).
    ``notified_at`` is set by the background task that told the followers.
    """

    class Kind(models.TextChoices):
        ENTRY_STARTED = "entry.started", "New re-design work"
        STAGE_CHANGED = "entry.stage_changed", "Re-design work changed stage"
        TEMPLATE_ADDED = "template.added", "New template"
        TEMPLATE_VERSION = "template.version", "New version of a template"
        CASE_STUDY = "case_study.published", "New case study"
        THREAD_ASKED = "thread.asked", "New question"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    service_areas = models.ManyToManyField("directory.ServiceArea", related_name="movements")
    text = models.CharField(max_length=255)
    url = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entry = models.ForeignKey("redesign.MatrixEntry", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey("redesign.Template", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    case_study = models.ForeignKey("redesign.CaseStudyPage", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey("forum.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(entry__isnull=False, template__isnull=True, case_study__isnull=True, thread__isnull=True)
                    | Q(entry__isnull=True, template__isnull=False, case_study__isnull=True, thread__isnull=True)
                    | Q(entry__isnull=True, template__isnull=True, case_study__isnull=False, thread__isnull=True)
                    | Q(entry__isnull=True, template__isnull=True, case_study__isnull=True, thread__isnull=False)
                ),
                name="areas_movement_one_subject",
            ),
            # A case study is announced once, on its first publication.
            models.UniqueConstraint(fields=["case_study"], condition=Q(case_study__isnull=False), name="areas_movement_case_study_once"),
        ]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return self.url
