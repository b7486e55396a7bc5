"""Demo profiles for the region's forty people (``python manage.py demo``).

Bios, telephone numbers and each person's visibility choices, so the
directory shows every privacy level.  Telephone numbers are from Ofcom's
ranges reserved for drama (01632 960xxx, 07700 900xxx): realistic, and
nobody's real number.  Keyed on e-mail address, so running it again
changes nothing.
"""
from __future__ import annotations

from directory.models import Member, Visibility

# Written for the people the README's demo accounts and the seed documents
# make prominent; everyone else gets a bio built from their role and work.
BIOS = {
    "admin@pbc-network.nhs.uk": "Runs the network day to day: approves new members, organises the events programme and keeps the "
    "portal current, as the Chilford Hall workshop asked. Ask me if you cannot find something.",
    "sha.editor@pbc-network.nhs.uk": "Leads on practice-based commissioning at NHS East of England. I publish the SHA's guidance and "
    "pick up questions the network has not been able to answer.",
    "moderator@pbc-network.nhs.uk": "PbC development manager at Suffolk PCT, supporting the Ipswich and East Suffolk group. I keep "
    "the message boards useful and civil.",
    "cluster.lead@pbc-network.nhs.uk": "GP at Broomfield Road Surgery and lead for Chelmsford North Cluster. We run a GPwSI "
    "dermatology clinic and are redesigning minor surgery; happy to share our business case.",
    "member@pbc-network.nhs.uk": "Practice manager at Castle Gate Surgery. Interested in the MSK pathway and prescribing budgets, "
    "and in how other practices handle the indicative budget reports.",
    "sarah.whitlock@pbc-network.nhs.uk": "Head of PbC development at the SHA. Supports PCTs and PbC groups with the development "
    "framework: sharing good practice, early adopter projects and access to the FESC list of external support.",
    "priya.raman@pbc-network.nhs.uk": "GP at Mersea Road Practice and Colchester Town Cluster lead. Running a community diabetes "
    "service pilot with the practice nurses; interested in heart failure nurse-led clinics.",
    "william.ashdown@pbc-network.nhs.uk": "GPwSI in musculoskeletal medicine. Our Tendring MSK triage service has cut orthopaedic "
    "referrals; I can talk anyone through the specification and the activity figures.",
    "neil.parfitt@pbc-network.nhs.uk": "Chair of the Ipswich and East Suffolk Commissioning Group. Our commissioning plan covers "
    "urgent care, mental health and the shift of outpatient work into the community.",
}

ROLE_BIO = {
    "gp": "GP working on {work}. Glad to compare notes with other practices on referral patterns and pathway redesign.",
    "practice_manager": "Practice manager with an interest in {work}. Can share our practice's approach to budgets and activity data.",
    "nurse": "Nurse working on {work}, running clinics that keep patients out of hospital where that is right for them.",
    "ahp": "Allied health professional working on {work} in the community.",
    "pharmacist": "Pharmacist supporting practices with {work}: formulary choices, budget monitoring and medication reviews.",
    "pct_manager": "PCT manager supporting PbC groups with {work}, from business case to contract.",
    "sha_staff": "SHA staff supporting the network with {work}.",
    "social_care": "Social care commissioner working with health colleagues on {work}.",
    "patient_rep": "Patient representative. I make sure the patient's view is heard in work on {work}.",
}


def _bio(member: Member) -> str:
    if member.user.email in BIOS:
        return BIOS[member.user.email]
    areas = [a.name.lower() if a.name not in {"COPD", "ENT"} else a.name for a in [*member.specialties.all(), *member.interests.all()]]
    work = ", ".join(areas[:-1]) + f" and {areas[-1]}" if len(areas) > 1 else (areas[0] if areas else "service redesign")
    return ROLE_BIO.get(member.job_role, "Working on {work}.").format(work=work)


def _visibilities(index: int, member: Member) -> tuple[str, str]:
    """A spread of choices: most share e-mail with everyone, fewer share their phone."""
    if member.job_role == "patient_rep":
        return Visibility.ADMINS, Visibility.ADMINS
    if member.job_role in {"sha_staff", "pct_manager"}:
        return Visibility.MEMBERS, Visibility.MEMBERS
    email = [Visibility.MEMBERS, Visibility.MEMBERS, Visibility.ORGANISATION][index % 3]
    phone = [Visibility.ORGANISATION, Visibility.ADMINS, Visibility.MEMBERS, Visibility.ORGANISATION][index % 4]
    return email, phone


def build(region: dict) -> None:
    members: dict[str, Member] = region["members"]
    for index, (email, member) in enumerate(sorted(members.items())):
        member = Member.objects.select_related("user").prefetch_related("specialties", "interests").get(pk=member.pk)
        email_visibility, phone_visibility = _visibilities(index, member)
        phone = f"07700 900{index:03d}" if member.job_role in {"gp", "nurse", "ahp"} and index % 2 else f"01632 960{index:03d}"
        member.bio = _bio(member)
        member.phone = phone
        member.email_visibility = email_visibility
        member.phone_visibility = phone_visibility
        member.save(update_fields=["bio", "phone", "email_visibility", "phone_visibility"])
