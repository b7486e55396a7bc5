"""The demonstration region, built from the network's own documents (its seed papers, shipped in ``search/demo/``).

NHS East of England (the SHA whose 2008 Chilford Hall workshop asked for this
portal, seed 002) with some of its PCTs, their PbC consortia and clusters,
practices with list sizes, and about forty members in every role.
Everything is keyed on natural names, so running it again changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from directory.areas.services import sync_declared_watches
from directory.models import AllowedDomain, Member, Organisation, ServiceArea
from portal.core.addresses import sync_site
from portal.core.roles import Role, grant_role, sync_roles
from portal.site.models import HomePage, StandardPage

DEMO_PASSWORD = "Commission-2008"
# The demo administrators' authenticator secret (base32).  Add it to an
# authenticator app, or run ``manage.py demo_totp EMAIL`` for the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

SERVICE_AREAS = [
    ("Dermatology", "Skin conditions, community dermatology and GPwSI services"),
    ("Musculoskeletal", "MSK: orthopaedics, rheumatology, physiotherapy and pain management"),
    ("ENT", "Ear, nose and throat"),
    ("Ophthalmology", "Eye care: glaucoma, cataracts and low vision"),
    ("Diabetes", "Diabetes care and retinal screening"),
    ("COPD", "Chronic obstructive pulmonary disease and respiratory care"),
    ("Heart failure", "Heart failure and cardiology"),
    ("Mental health", "Primary care mental health and psychological therapies"),
    ("Urgent care", "Urgent and unscheduled care, A&E attendances, out of hours"),
    ("Prescribing", "Medicines management and prescribing budgets"),
    ("Long-term conditions", "LTC case management and community matrons"),
    ("Gynaecology", "Community gynaecology"),
    ("Urology", "Community urology and continence"),
    ("End of life care", "Palliative and end of life care"),
    ("Falls prevention", "Falls services for older people"),
    ("Intermediate care", "Intermediate care and admission avoidance, with social care"),
    ("Anticoagulation", "Community anticoagulation monitoring"),
    ("Minor surgery", "Minor surgery in practices"),
    ("Diagnostics", "Direct access diagnostics and near-patient testing"),
    ("Sexual health", "Contraception and sexual health services"),
]

# (name, kind, parent name, locality, list size)
ORGANISATIONS = [
    ("NHS East of England", "sha", None, "Cambridge", None),
    ("Mid Essex PCT", "pct", "NHS East of England", "Chelmsford", None),
    ("North East Essex PCT", "pct", "NHS East of England", "Colchester", None),
    ("Suffolk PCT", "pct", "NHS East of England", "Ipswich", None),
    ("Cambridgeshire PCT", "pct", "NHS East of England", "Cambridge", None),
    ("Chelmsford PbC Consortium", "consortium", "Mid Essex PCT", "Chelmsford", None),
    ("Colchester Commissioning Consortium", "consortium", "North East Essex PCT", "Colchester", None),
    ("Ipswich and East Suffolk Commissioning Group", "consortium", "Suffolk PCT", "Ipswich", None),
    ("Cambridge Association to Commission Health", "consortium", "Cambridgeshire PCT", "Cambridge", None),
    ("Chelmsford North Cluster", "cluster", "Chelmsford PbC Consortium", "Broomfield", None),
    ("Maldon and South Chelmsford Cluster", "cluster", "Chelmsford PbC Consortium", "Maldon", None),
    ("Colchester Town Cluster", "cluster", "Colchester Commissioning Consortium", "Colchester", None),
    ("Tendring Cluster", "cluster", "Colchester Commissioning Consortium", "Clacton-on-Sea", None),
    ("Ipswich Central Cluster", "cluster", "Ipswich and East Suffolk Commissioning Group", "Ipswich", None),
    ("Felixstowe and Deben Cluster", "cluster", "Ipswich and East Suffolk Commissioning Group", "Felixstowe", None),
    ("Cambridge City Cluster", "cluster", "Cambridge Association to Commission Health", "Cambridge", None),
    ("South Cambridgeshire Cluster", "cluster", "Cambridge Association to Commission Health", "Sawston", None),
    ("Broomfield Road Surgery", "practice", "Chelmsford North Cluster", "Chelmsford", 11240),
    ("Writtle Medical Centre", "practice", "Chelmsford North Cluster", "Writtle", 7310),
    ("Blackwater Medical Practice", "practice", "Maldon and South Chelmsford Cluster", "Maldon", 14620),
    ("Danbury Surgery", "practice", "Maldon and South Chelmsford Cluster", "Danbury", 6480),
    ("Castle Gate Surgery", "practice", "Colchester Town Cluster", "Colchester", 12950),
    ("Mersea Road Practice", "practice", "Colchester Town Cluster", "Colchester", 9870),
    ("Frinton Road Medical Centre", "practice", "Tendring Cluster", "Holland-on-Sea", 8120),
    ("Walton Harbour Surgery", "practice", "Tendring Cluster", "Walton-on-the-Naze", 5930),
    ("Orwell Quay Medical Practice", "practice", "Ipswich Central Cluster", "Ipswich", 15400),
    ("Christchurch Park Surgery", "practice", "Ipswich Central Cluster", "Ipswich", 10210),
    ("Deben Valley Surgery", "practice", "Felixstowe and Deben Cluster", "Woodbridge", 8840),
    ("Landguard Practice", "practice", "Felixstowe and Deben Cluster", "Felixstowe", 7650),
    ("Mill Road Surgery", "practice", "Cambridge City Cluster", "Cambridge", 13100),
    ("Chesterton Health Centre", "practice", "Cambridge City Cluster", "Cambridge", 9420),
    ("Sawston Medical Practice", "practice", "South Cambridgeshire Cluster", "Sawston", 11780),
    ("Linton Health Centre", "practice", "South Cambridgeshire Cluster", "Linton", 7020),
]


@dataclass(frozen=True)
class DemoPerson:
    first: str
    last: str
    email: str
    job_role: str
    organisations: tuple[str, ...]
    roles: tuple[Role, ...] = (Role.MEMBER,)
    specialties: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    job_title: str = ""


M, L, MOD, ADM, SHA = Role.MEMBER, Role.CLUSTER_LEAD, Role.MODERATOR, Role.NETWORK_ADMIN, Role.SHA_EDITOR

PEOPLE = [
    # One account per role first: these are the ones the README lists.
    DemoPerson("Ruth", "Okafor", "admin@pbc-network.nhs.uk", "sha_staff", ("NHS East of England",), (M, ADM), (), ("Urgent care",), "Network administrator"),
    DemoPerson("Andrew", "Vale", "sha.editor@pbc-network.nhs.uk", "sha_staff", ("NHS East of England",), (M, SHA), ("Urgent care",), ("Prescribing",), "Assistant Director of Commissioning"),
    DemoPerson("Judith", "Oakley", "moderator@pbc-network.nhs.uk", "pct_manager", ("Suffolk PCT",), (M, MOD), (), ("Mental health",), "PbC development manager"),
    DemoPerson("Jeremy", "Hollis", "cluster.lead@pbc-network.nhs.uk", "gp", ("Chelmsford North Cluster", "Broomfield Road Surgery"), (M, L), ("Dermatology",), ("Minor surgery",), "GP and cluster lead"),
    DemoPerson("Fiona", "Marsh", "member@pbc-network.nhs.uk", "practice_manager", ("Castle Gate Surgery",), (M,), (), ("Musculoskeletal", "Prescribing"), "Practice manager"),
    # The rest of the region.
    DemoPerson("Sarah", "Whitlock", "sarah.whitlock@pbc-network.nhs.uk", "sha_staff", ("NHS East of England",), (M, SHA), ("Long-term conditions",), (), "Head of PbC development"),
    DemoPerson("Colin", "Barrett", "colin.barrett@pbc-network.nhs.uk", "sha_staff", ("NHS East of England",), (M, ADM), (), ("Diagnostics",), "Network co-ordinator"),
    DemoPerson("Priya", "Raman", "priya.raman@pbc-network.nhs.uk", "gp", ("Colchester Town Cluster", "Mersea Road Practice"), (M, L, MOD), ("Diabetes",), ("Heart failure",), "GP, cluster lead"),
    DemoPerson("William", "Ashdown", "william.ashdown@pbc-network.nhs.uk", "gp", ("Tendring Cluster", "Frinton Road Medical Centre"), (M, L), ("Musculoskeletal",), ("Falls prevention",), "GPwSI musculoskeletal"),
    DemoPerson("Simon", "Carver", "simon.carver@pbc-network.nhs.uk", "gp", ("Ipswich Central Cluster", "Orwell Quay Medical Practice"), (M, L), ("ENT", "Ophthalmology"), (), "GP with a special interest in ENT"),
    DemoPerson("Helen", "Ng", "helen.ng@pbc-network.nhs.uk", "gp", ("Cambridge City Cluster", "Mill Road Surgery"), (M, L), ("Mental health",), ("Sexual health",), "GP and cluster chair"),
    DemoPerson("Tom", "Fairweather", "tom.fairweather@pbc-network.nhs.uk", "practice_manager", ("Maldon and South Chelmsford Cluster", "Blackwater Medical Practice"), (M, L), (), ("Urgent care", "Intermediate care"), "Practice manager, cluster lead"),
    DemoPerson("Grace", "Adeyemi", "grace.adeyemi@pbc-network.nhs.uk", "nurse", ("Felixstowe and Deben Cluster", "Landguard Practice"), (M, L), ("COPD",), ("Long-term conditions",), "Nurse practitioner, cluster lead"),
    DemoPerson("Martin", "Pryce", "martin.pryce@pbc-network.nhs.uk", "gp", ("South Cambridgeshire Cluster", "Sawston Medical Practice"), (M, L), ("Heart failure",), ("Anticoagulation",), "GP, cluster lead"),
    DemoPerson("Anne", "Lockwood", "anne.lockwood@pbc-network.nhs.uk", "pct_manager", ("Mid Essex PCT",), (M,), (), ("Urgent care", "Prescribing"), "PbC lead manager"),
    DemoPerson("David", "Kerr", "david.kerr@pbc-network.nhs.uk", "pct_manager", ("North East Essex PCT",), (M,), (), ("Musculoskeletal", "Dermatology"), "Head of commissioning"),
    DemoPerson("Nadia", "Hussain", "nadia.hussain@pbc-network.nhs.uk", "pharmacist", ("Suffolk PCT",), (M,), ("Prescribing",), ("Anticoagulation",), "Prescribing adviser"),
    DemoPerson("Peter", "Langley", "peter.langley@pbc-network.nhs.uk", "pct_manager", ("Cambridgeshire PCT",), (M,), (), ("Ophthalmology",), "Service redesign manager"),
    DemoPerson("Karen", "Doyle", "karen.doyle@pbc-network.nhs.uk", "practice_manager", ("Broomfield Road Surgery",), (M,), (), ("Dermatology",), "Practice manager"),
    DemoPerson("Rajesh", "Patel", "rajesh.patel@pbc-network.nhs.uk", "gp", ("Writtle Medical Centre",), (M,), ("Dermatology",), ("Minor surgery",), "GP partner"),
    DemoPerson("Elaine", "Morris", "elaine.morris@pbc-network.nhs.uk", "nurse", ("Danbury Surgery",), (M,), ("Diabetes",), (), "Practice nurse"),
    DemoPerson("Gareth", "Evans", "gareth.evans@pbc-network.nhs.uk", "ahp", ("Colchester Town Cluster",), (M,), ("Musculoskeletal",), ("Falls prevention",), "Extended scope physiotherapist"),
    DemoPerson("Lucy", "Thornton", "lucy.thornton@pbc-network.nhs.uk", "practice_manager", ("Mersea Road Practice",), (M,), (), ("Urgent care",), "Practice manager"),
    DemoPerson("Oliver", "Grant", "oliver.grant@pbc-network.nhs.uk", "gp", ("Walton Harbour Surgery",), (M,), ("End of life care",), (), "GP partner"),
    DemoPerson("Bethan", "Rees", "bethan.rees@pbc-network.nhs.uk", "nurse", ("Frinton Road Medical Centre",), (M,), ("COPD",), ("Long-term conditions",), "Community matron"),
    DemoPerson("Samuel", "Osei", "samuel.osei@pbc-network.nhs.uk", "gp", ("Christchurch Park Surgery",), (M,), ("Ophthalmology",), (), "GP partner"),
    DemoPerson("Claire", "Benton", "claire.benton@pbc-network.nhs.uk", "practice_manager", ("Orwell Quay Medical Practice",), (M,), (), ("Prescribing",), "Practice manager"),
    DemoPerson("Hugh", "Merriman", "hugh.merriman@pbc-network.nhs.uk", "gp", ("Deben Valley Surgery",), (M,), ("Gynaecology",), (), "GP partner"),
    DemoPerson("Alison", "Frost", "alison.frost@pbc-network.nhs.uk", "social_care", ("Suffolk PCT",), (M,), ("Intermediate care",), ("Falls prevention",), "Joint commissioning manager, Suffolk County Council"),
    DemoPerson("Imran", "Qureshi", "imran.qureshi@pbc-network.nhs.uk", "gp", ("Chesterton Health Centre",), (M,), ("Urology",), (), "GP partner"),
    DemoPerson("Jenny", "Wolfe", "jenny.wolfe@pbc-network.nhs.uk", "practice_manager", ("Mill Road Surgery",), (M,), (), ("Mental health",), "Practice manager"),
    DemoPerson("Robert", "Ainsley", "robert.ainsley@pbc-network.nhs.uk", "gp", ("Linton Health Centre",), (M,), ("Diagnostics",), (), "GP partner"),
    DemoPerson("Mary", "Chilvers", "mary.chilvers@pbc-network.nhs.uk", "patient_rep", ("Cambridge City Cluster",), (M,), (), ("Long-term conditions",), "Patient representative, PPI forum"),
    DemoPerson("Stephen", "Boyd", "stephen.boyd@pbc-network.nhs.uk", "ahp", ("South Cambridgeshire Cluster",), (M,), ("Falls prevention",), (), "Occupational therapist"),
    DemoPerson("Fatima", "Begum", "fatima.begum@pbc-network.nhs.uk", "pharmacist", ("Mid Essex PCT",), (M,), ("Prescribing",), ("Diabetes",), "Medicines management lead"),
    DemoPerson("Keith", "Harlow", "keith.harlow@pbc-network.nhs.uk", "pct_manager", ("Chelmsford PbC Consortium",), (M,), (), ("Urgent care",), "Consortium manager"),
    DemoPerson("Linda", "Marsh", "linda.marsh@pbc-network.nhs.uk", "pct_manager", ("Colchester Commissioning Consortium",), (M,), (), ("Heart failure",), "Consortium business manager"),
    DemoPerson("Neil", "Parfitt", "neil.parfitt@pbc-network.nhs.uk", "gp", ("Ipswich and East Suffolk Commissioning Group",), (M, L), ("Urgent care",), ("Mental health",), "Consortium chair"),
    DemoPerson("Vivienne", "Shaw", "vivienne.shaw@pbc-network.nhs.uk", "patient_rep", ("Tendring Cluster",), (M,), (), ("End of life care",), "Patient representative"),
    DemoPerson("Daniel", "Kemp", "daniel.kemp@pbc-network.nhs.uk", "gp", ("Cambridge Association to Commission Health",), (M,), ("Sexual health",), ("Prescribing",), "GP, commissioning executive"),
]

# One entry per role for the README's table.
README_ACCOUNTS = [
    ("Member", "member@pbc-network.nhs.uk"),
    ("Cluster lead", "cluster.lead@pbc-network.nhs.uk"),
    ("Moderator", "moderator@pbc-network.nhs.uk"),
    ("Network administrator (MFA)", "admin@pbc-network.nhs.uk"),
    ("SHA editor (MFA)", "sha.editor@pbc-network.nhs.uk"),
    # Guidance goes live only when a second SHA editor approves it: the approval journey needs two.
    ("Second SHA editor (MFA)", "sarah.whitlock@pbc-network.nhs.uk"),
]


def build_service_areas() -> dict[str, ServiceArea]:
    areas = {}
    for name, description in SERVICE_AREAS:
        area, _ = ServiceArea.objects.update_or_create(name=name, defaults={"description": description})
        areas[name] = area
    return areas


def build_organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for name, kind, parent, locality, list_size in ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(
            name=name,
            kind=kind,
            defaults={"parent": orgs.get(parent) if parent else None, "locality": locality, "list_size": list_size},
        )
        orgs[name] = org
    return orgs


def _give_totp(user) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


def build_people(orgs: dict[str, Organisation], areas: dict[str, ServiceArea]) -> dict[str, Member]:
    from allauth.account.models import EmailAddress

    User = get_user_model()
    members = {}
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            email=person.email,
            defaults={"username": person.email.split("@")[0][:150], "first_name": person.first, "last_name": person.last},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=person.email, defaults={"verified": True, "primary": True})
        member, _ = Member.objects.update_or_create(
            user=user,
            defaults={
                "status": Member.Status.APPROVED,
                "job_role": person.job_role,
                "job_title": person.job_title,
                "decided_at": timezone.now(),
            },
        )
        member.organisations.set([orgs[name] for name in person.organisations])
        member.specialties.set([areas[name] for name in person.specialties])
        member.interests.set([areas[name] for name in person.interests])
        sync_declared_watches(member)  # specialties and interests start service-area watches
        for role in person.roles:
            grant_role(user, role)
        if Role.NETWORK_ADMIN in person.roles or Role.SHA_EDITOR in person.roles:
            _give_totp(user)
        members[person.email] = member
    return members


@transaction.atomic
def build_region() -> dict:
    sync_roles()
    AllowedDomain.objects.get_or_create(domain="nhs.net", defaults={"note": "NHSmail: every NHS organisation"})
    areas = build_service_areas()
    orgs = build_organisations()
    members = build_people(orgs, areas)
    return {"areas": areas, "organisations": orgs, "members": members}


SITE_PAGES = [
    (
        "about",
        "About the network",
        "The East of England Practice-based Commissioning Network brings together GP practices, PbC clusters and "
        "consortia, PCTs and the SHA to share what works instead of re-inventing it.",
        [
            ("heading", "Why the network exists"),
            ("paragraph", "<p>At the Chilford Hall workshop on 10 April 2008, members asked for a website that is very easy to use "
             "and always up to date: a directory of everyone with their special interests, service re-design information to avoid "
             "re-inventing the wheel, templates of business cases, a calendar of events, and a message board where questions "
             "that get no answer are referred to the SHA.</p>"),
            ("paragraph", "<p>The network is owned by its PbC groups. The SHA facilitates it; it does not direct it.</p>"),
        ],
    ),
    (
        "accessibility",
        "Accessibility statement",
        "We want as many people as possible to be able to use this portal.",
        [("paragraph", "<p>The portal is built with the NHS.UK design system and tested against WCAG 2.2 AA with automated checks "
                       "and keyboard-only journeys. If you find a problem, tell a network administrator.</p>")],
    ),
    (
        "privacy",
        "Privacy",
        "What we hold about members and who can see it.",
        [("paragraph", "<p>Each contact detail in your profile has its own visibility: all members, your organisation only, or "
                       "administrators only. You can download everything we hold about you from your profile, and ask an "
                       "administrator to erase your record.</p>")],
    ),
]


def build_site_pages() -> None:
    from wagtail.models import Site

    home = HomePage.objects.first()
    home.title = "Practice-based commissioning: share what works"
    home.introduction = (
        "The meeting place for GP cluster leads, practice managers, PCT managers and SHA staff across the East of England: "
        "find who is already redesigning a service, borrow their business case, book training and ask the network."
    )
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.site_name = "PbC Network Portal"
    site.save(update_fields=["site_name"])
    sync_site()
    for slug, title, intro, body in SITE_PAGES:
        if StandardPage.objects.filter(slug=slug).exists():
            continue
        page = StandardPage(title=title, slug=slug, introduction=intro, body=[{"type": t, "value": v} for t, v in body])
        home.add_child(instance=page)
        page.save_revision().publish()
