"""Who is in the network: organisations, members and the shared vocabulary.

``ServiceArea`` is the one managed list of service areas (dermatology, MSK,
diabetes …) that the directory, the re-design matrix, events, the forum and
search all share, so "people working on dermatology" and "dermatology
re-design work" mean the same thing everywhere.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify


class ServiceArea(models.Model):
    """A clinical or service area that members work on and content is tagged with."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class OrganisationQuerySet(models.QuerySet):
    def of_kind(self, *kinds: str) -> "OrganisationQuerySet":
        return self.filter(kind__in=kinds)

    def commissioning(self) -> "OrganisationQuerySet":
        """Organisations that run re-design work: clusters, consortia and PCTs."""
        return self.filter(kind__in=[Organisation.Kind.CLUSTER, Organisation.Kind.CONSORTIUM, Organisation.Kind.PCT])


class Organisation(models.Model):
    """A body in the NHS commissioning hierarchy: practice → cluster → consortium → PCT → SHA."""

    class Kind(models.TextChoices):
        SHA = "sha", "Strategic Health Authority"
        PCT = "pct", "Primary Care Trust"
        CONSORTIUM = "consortium", "PbC consortium"
        CLUSTER = "cluster", "PbC cluster"
        PRACTICE = "practice", "GP practice"

    # Which kinds may sit directly under which: the hierarchy the network works in.
    ALLOWED_PARENTS = {
        Kind.SHA: set(),
        Kind.PCT: {Kind.SHA},
        Kind.CONSORTIUM: {Kind.PCT},
        Kind.CLUSTER: {Kind.CONSORTIUM, Kind.PCT},
        Kind.PRACTICE: {Kind.CLUSTER, Kind.CONSORTIUM},
    }

    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    locality = models.CharField(max_length=120, blank=True, help_text="Town or area, e.g. Colchester.")
    list_size = models.PositiveIntegerField(null=True, blank=True, help_text="Registered patients (practices only).")
    code = models.CharField(max_length=12, blank=True, help_text="ODS code, where there is one.")
    website = models.URLField(blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "kind", name="directory_org_name_kind_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(f"{self.name}")[:160]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        allowed = self.ALLOWED_PARENTS[self.Kind(self.kind)]
        if self.parent is None and allowed and self.kind != self.Kind.SHA:
            raise ValidationError({"parent": f"A {self.get_kind_display()} must belong to a {' or '.join(sorted(self.Kind(k).label for k in allowed))}."})
        if self.parent is not None and self.parent.kind not in allowed:
            raise ValidationError({"parent": f"A {self.get_kind_display()} cannot sit under a {self.parent.get_kind_display()}."})
        if self.list_size is not None and self.kind != self.Kind.PRACTICE:
            raise ValidationError({"list_size": "Only practices have a list size."})

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation", kwargs={"slug": self.slug})

    def ancestors(self) -> list["Organisation"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Visibility(models.TextChoices):
    """Who may see one contact field of a member's profile.

    The member themselves and administrators (``directory.view_private_contact``)
    always see every field; ``directory.privacy`` is the one place that applies this.
    """

    MEMBERS = "members", "All members of the network"
    ORGANISATION = "organisation", "People in my organisations only"
    ADMINS = "admins", "Network administrators only"


def member_photo_path(instance: "Member", filename: str) -> str:
    # A random name: the file name must not reveal who the photo is of, and a
    # new photo must not be served from a cached old URL.
    return f"directory/photos/{secrets.token_hex(16)}.jpg"


class MemberQuerySet(models.QuerySet):
    def listed(self) -> "MemberQuerySet":
        """Members who appear in the directory: approved and able to sign in."""
        return self.approved()

    def approved(self) -> "MemberQuerySet":
        return self.filter(status=Member.Status.APPROVED, user__is_active=True)

    def pending(self) -> "MemberQuerySet":
        return self.filter(status=Member.Status.PENDING)


class Member(models.Model):
    """A person's place in the network: their role, organisations and approval.

    Created at sign-up (or by the demo command and CSV import). A member who is
    not approved can sign in to nothing but the "waiting for approval" page.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        ERASED = "erased", "Erased"

    class JobRole(models.TextChoices):
        GP = "gp", "GP"
        PRACTICE_MANAGER = "practice_manager", "Practice manager"
        NURSE = "nurse", "Nurse"
        AHP = "ahp", "Allied health professional"
        PHARMACIST = "pharmacist", "Pharmacist"
        PCT_MANAGER = "pct_manager", "PCT manager"
        SHA_STAFF = "sha_staff", "SHA staff"
        SOCIAL_CARE = "social_care", "Social care"
        PATIENT_REP = "patient_rep", "Patient representative"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    job_role = models.CharField(max_length=20, choices=JobRole.choices, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="members")
    specialties = models.ManyToManyField(ServiceArea, blank=True, related_name="specialists")
    interests = models.ManyToManyField(ServiceArea, blank=True, related_name="interested_members")
    bio = models.TextField(blank=True, max_length=2000)
    phone = models.CharField(max_length=30, blank=True)
    photo = models.ImageField(upload_to=member_photo_path, blank=True, width_field="photo_width", height_field="photo_height")
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # One visibility per contact field; ``directory.privacy.CONTACT_FIELDS`` names them.
    email_visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS)
    phone_visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.ORGANISATION)
    erased_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        permissions = [
            ("approve_member", "Can approve, decline and deactivate members"),
            ("invite_member", "Can invite people to join"),
            ("view_private_contact", "Can see contact details restricted to administrators"),
            ("erase_member", "Can erase a member's personal data"),
            ("import_members", "Can import members and organisations from CSV"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.status == self.Status.ERASED:
            return "Former member"
        # Never the e-mail address: it is shown only as the member's privacy settings allow (directory.privacy). An
        # account made without a name (manage.py createsuperuser) is named by its number until its owner adds one.
        return self.user.get_full_name() or f"Member {self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_erased(self) -> bool:
        return self.status == self.Status.ERASED

    def get_absolute_url(self) -> str:
        return reverse("directory:member", kwargs={"pk": self.pk})


class AllowedDomain(models.Model):
    """An e-mail domain whose owners are approved as soon as they verify their address."""

    domain = models.CharField(max_length=120, unique=True, help_text="For example nhs.net")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An administrator's invitation: whoever signs up with this address is approved."""

    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()

    def get_absolute_url(self) -> str:
        return reverse("directory:accept-invitation", kwargs={"token": self.token})
