"""Members in the portal's search: approved members only, members-only audience.

The document carries only contact details every member may see (the
``ANY_MEMBER`` policy), because a search result is shown to every member.
"""
from __future__ import annotations

from directory.models import Member
from directory.privacy import ANY_MEMBER, CONTACT_FIELDS
from search.registry import MEMBERS, Searchable, SearchDocument, register


#: How a person's entry weighs against topical results wherever the two are ranked together: a profile that lists
#: "dermatology" as an interest is not what someone searching for dermatology wants first.  The search page never
#: ranks them together: people have a small block of their own there (``own_block``).
PEOPLE_BOOST = 0.3


class MemberSearchable(Searchable):
    kind = "member"
    label = "People"
    model = Member
    own_block = True

    def queryset(self):
        return (
            Member.objects.approved()
            .select_related("user")
            .prefetch_related("organisations", "specialties", "interests")
        )

    def to_document(self, member: Member) -> SearchDocument | None:
        if not member.is_approved or not member.user.is_active:
            return None
        shown = ANY_MEMBER.visible_fields(member)
        orgs = [o.name for o in member.organisations.all()]
        areas = sorted({a.name for a in member.specialties.all()} | {a.name for a in member.interests.all()})
        body_parts = [member.job_title, member.get_job_role_display(), ", ".join(orgs), ", ".join(areas), member.bio]
        body_parts += [shown[f] for f, _label, _attr in CONTACT_FIELDS if f in shown]
        return SearchDocument(
            kind=self.kind,
            pk=str(member.pk),
            title=member.display_name,
            body="\n".join(p for p in body_parts if p),
            url=member.get_absolute_url(),
            audience=MEMBERS,
            service_areas=tuple(areas),
            organisation=orgs[0] if orgs else "",
            date=member.joined_at,
            extra={"contact": shown, "job_role": member.get_job_role_display(), "boost": PEOPLE_BOOST},
        )


register(MemberSearchable())
