"""Who may see and change re-design work, answered in one place.

A member edits the entries of the organisations they work for (a practice
member works for the practice's cluster or consortium too: practices are
what clusters are made of) and any entry they lead.  Network administrators
(``redesign.change_any_entry``) edit everything.
"""
from __future__ import annotations

from django.db import models

from directory.models import Member, Organisation
from portal.core.permissions import is_member



class Audience(models.TextChoices):
    """Who may see a case study or template (the models' ``audience`` field)."""

    PUBLIC = "public", "Everyone, including the public"
    MEMBERS = "members", "Members of the network only"


COMMISSIONING_KINDS = {Organisation.Kind.CLUSTER, Organisation.Kind.CONSORTIUM, Organisation.Kind.PCT}


def editable_organisation_ids(user) -> set[int]:
    """The commissioning organisations ``user`` records work for."""
    member = getattr(user, "member", None)
    if member is None:
        return set()
    ids: set[int] = set()
    for org in member.organisations.select_related("parent"):
        if org.kind in COMMISSIONING_KINDS:
            ids.add(org.pk)
        elif org.kind == Organisation.Kind.PRACTICE and org.parent is not None and org.parent.kind in COMMISSIONING_KINDS:
            ids.add(org.parent_id)
    return ids


def organisations_for(user):
    """The organisations ``user`` may choose when recording work."""
    qs = Organisation.objects.commissioning()
    if user.has_perm("redesign.change_any_entry"):
        return qs
    return qs.filter(pk__in=editable_organisation_ids(user))


def can_edit_entry(user, entry) -> bool:
    if not is_member(user):
        return False
    if user.has_perm("redesign.change_any_entry"):
        return True
    if entry.organisation_id in editable_organisation_ids(user):
        return True
    member = getattr(user, "member", None)
    return member is not None and entry.leads.filter(pk=member.pk).exists()


def can_record_for(user, organisation) -> bool:
    if not is_member(user):
        return False
    if user.has_perm("redesign.change_any_entry"):
        return organisation.kind in COMMISSIONING_KINDS
    return organisation.pk in editable_organisation_ids(user)


def can_manage_templates(user) -> bool:
    return is_member(user) and user.has_perm("redesign.add_template")


def template_organisations_for(user):
    """The organisations ``user`` may file a template under: those they record work for, or any for
    administrators (``redesign.change_template``).  Nobody files a template in another cluster's name."""
    if not can_manage_templates(user):
        return Organisation.objects.none()
    if user.has_perm("redesign.change_template"):
        return Organisation.objects.all()
    return organisations_for(user)


def can_file_template_for(user, organisation) -> bool:
    """Whether ``user`` may share a template as ``organisation``'s (None: "the network", administrators only)."""
    if not can_manage_templates(user):
        return False
    if user.has_perm("redesign.change_template"):
        return True
    return organisation is not None and can_record_for(user, organisation)


def can_add_template_version(user, template) -> bool:
    """Whether ``user`` may upload a new current version of ``template``.

    A new version replaces what every adopter is told "its owners" published, so only members of the
    organisation that owns the template (directly, or through a practice in that cluster) or
    administrators (``redesign.change_template``) may add one; a template owned by nobody is the network's
    and only administrators change it.
    """
    if not can_manage_templates(user):
        return False
    if user.has_perm("redesign.change_template"):
        return True
    if template.organisation_id is None:
        return False
    member = user.member
    own = set(Member.organisations.through.objects.filter(member_id=member.pk).values_list("organisation_id", flat=True))
    return template.organisation_id in own | editable_organisation_ids(user)


def can_see_audience(user, audience: str) -> bool:
    return audience == Audience.PUBLIC or is_member(user)


def visible_case_studies(queryset, user):
    queryset = queryset.live()
    if is_member(user):
        return queryset
    return queryset.filter(audience=Audience.PUBLIC)


def visible_templates(queryset, user):
    if is_member(user):
        return queryset
    return queryset.filter(audience=Audience.PUBLIC)
