"""Who may see which of a member's contact details: the one place that decides.

Every way a contact detail leaves the database — profile and list pages, the
CSV export, vCards, the personal-data download, the search document, and the
re-design matrix's leads (entry form, CSV export, print view, business-case
draft) — asks this module, so a field set to "administrators only" cannot leak through a
door someone forgot to check.

The rules, per field:

* the member always sees their own details, and administrators (the
  ``directory.view_private_contact`` permission) see everyone's;
* ``members``: any approved member sees it;
* ``organisation``: only members who share at least one organisation;
* ``admins``: nobody else.

An erased member has no contact details at all, whoever asks.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from directory.models import Member, Visibility
from portal.core.permissions import is_member

# (field name, label, visibility attribute).  A new contact field is added here
# and in the model, and every page, export and document picks it up.
CONTACT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("email", "E-mail", "email_visibility"),
    ("phone", "Telephone", "phone_visibility"),
)


def contact_value(member: Member, field: str) -> str:
    if field == "email":
        return member.user.email
    return getattr(member, field) or ""


@dataclass(frozen=True)
class ContactPolicy:
    """What one viewer may see; built once per request so a list costs no extra queries.

    ``viewer_member_pk`` and ``viewer_org_ids`` describe the viewer;
    ``anonymous_member`` is the policy for "any member" (used for the search
    index, which must only hold what every member may see).
    """

    viewer_member_pk: int | None
    viewer_org_ids: frozenset[int]
    sees_everything: bool
    is_member: bool

    def may_see(self, member: Member, field: str, organisation_ids: Iterable[int] | None = None) -> bool:
        """Whether this viewer may see ``member``'s ``field``.

        ``organisation_ids``: the member's organisations' ids when the caller has read them already (a list of
        member cards reads them for the whole page at once); otherwise they are read from ``member.organisations``.
        """
        if member.status == Member.Status.ERASED:
            return False
        if self.sees_everything or (self.viewer_member_pk is not None and member.pk == self.viewer_member_pk):
            return True
        if not self.is_member:
            return False
        visibility = getattr(member, dict((f, v) for f, _, v in CONTACT_FIELDS)[field])
        if visibility == Visibility.MEMBERS:
            return True
        if visibility == Visibility.ORGANISATION:
            # Uses the prefetched organisations when the caller prefetched them.
            if organisation_ids is None:
                organisation_ids = [org.pk for org in member.organisations.all()]
            return any(pk in self.viewer_org_ids for pk in organisation_ids)
        return False

    def visible_fields(self, member: Member, organisation_ids: Iterable[int] | None = None) -> dict[str, str]:
        """The contact fields this viewer may see, as {field: value}, empty values left out (``organisation_ids``:
        as for ``may_see``)."""
        shown = {}
        for field, _label, _attr in CONTACT_FIELDS:
            value = contact_value(member, field)
            if value and self.may_see(member, field, organisation_ids):
                shown[field] = value
        return shown


def policy_for(viewer) -> ContactPolicy:
    """The contact policy for a user (or None / anonymous for "nobody")."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return ContactPolicy(None, frozenset(), False, False)
    member = getattr(viewer, "member", None)
    # From the link table alone: no join to the organisations and no ordering by name, which only the ids need.
    org_ids = (
        frozenset(Member.organisations.through.objects.filter(member_id=member.pk).values_list("organisation_id", flat=True))
        if member is not None else frozenset()
    )
    return ContactPolicy(
        viewer_member_pk=member.pk if member is not None else None,
        viewer_org_ids=org_ids,
        sees_everything=viewer.is_active and viewer.has_perm("directory.view_private_contact"),
        is_member=is_member(viewer),
    )


# Any approved member who shares no organisation with anyone: what the search
# index may hold, since search results are shown to every member.
ANY_MEMBER = ContactPolicy(viewer_member_pk=None, viewer_org_ids=frozenset(), sees_everything=False, is_member=True)


def visible_contact_fields(viewer, member: Member) -> dict[str, str]:
    """The contact details of ``member`` that ``viewer`` may see, as {field: value}."""
    return policy_for(viewer).visible_fields(member)


def contact_rows(policy: ContactPolicy, member: Member, organisation_ids: Iterable[int] | None = None) -> list[dict]:
    """Labelled contact details for templates: [{"field", "label", "value"}] (``organisation_ids``: as for ``may_see``)."""
    shown = policy.visible_fields(member, organisation_ids)
    return [{"field": f, "label": label, "value": shown[f]} for f, label, _ in CONTACT_FIELDS if f in shown]


def name_with_email(policy: ContactPolicy, member: Member) -> str:
    """``Name (e-mail)`` when the viewer may see the address, the name alone when not.

    How a person is labelled wherever a list, export or document names them beside their address (the
    re-design matrix's leads).  For an organisation-only address, prefetch ``organisations``.
    """
    email = policy.visible_fields(member).get("email")
    return f"{member.display_name} ({email})" if email else member.display_name


def email_or_name(policy: ContactPolicy, member: Member) -> str:
    """The address when the viewer may see it, otherwise the name: a CSV column of leads."""
    return policy.visible_fields(member).get("email") or member.display_name


def person_label(member: Member) -> str:
    """How a member is named where other members pick people (the leads picker): name and organisations only.

    Never a contact detail: a picker is shown to every member who records
    work, whatever each person's visibility settings.  Prefetch
    ``organisations`` when labelling many members.
    """
    organisations = ", ".join(organisation.name for organisation in member.organisations.all())
    return f"{member.display_name} ({organisations})" if organisations else member.display_name
