"""Who has done this: people ranked by evidence of work on a service area, not only by what they declared.

The evidence and its weights are explicit so the page can show why someone
ranks where they do:

* leading a matrix entry in the area — more the further the work got
  (live or evaluated work counts most, approved or in procurement next);
* owning a published case study on the area (the Wagtail page's owner);
* an answer accepted on a question tagged with the area (not one's own question);
* a declared specialty, then a declared interest, count least.

Only approved, active members appear (erased and deactivated people never);
contact details go through ``directory.privacy``.  The page costs a fixed
number of queries however many people and pieces of evidence there are.

The apps that hold the evidence (re-design work, the forum) sit above this
one: each registers a source of it in its AppConfig.ready
(``register_evidence``), so this module imports neither.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Prefetch, Q

from directory.models import Member, Organisation, ServiceArea
from directory.privacy import ContactPolicy, contact_rows

WEIGHTS: dict[str, int] = {
    "lead_finished": 6,
    "lead_approved": 4,
    "lead": 3,
    "case_study": 4,
    "accepted_answer": 3,
    "specialty": 2,
    "interest": 1,
}
MAX_RESULTS = 50


@dataclass(frozen=True)
class Evidence:
    kind: str
    text: str
    url: str = ""

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]


@dataclass
class Expert:
    member: Member
    evidence: list[Evidence] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(e.weight for e in self.evidence)


def areas_matching(text: str):
    """Service areas whose name or description mentions ``text`` (free text mapped to the managed list)."""
    text = (text or "").strip()
    if not text:
        return ServiceArea.objects.none()
    return ServiceArea.objects.filter(Q(name__icontains=text) | Q(description__icontains=text) | Q(slug__iexact=text))


#: Whose a piece of evidence is: a member's (by ``Member`` pk) or a user's (by ``User`` pk, e.g. a page's owner).
Owner = tuple[Literal["member", "user"], int]
EvidenceSource = Callable[..., Iterable[tuple[Owner, Evidence]]]
#: ``(order, source)``: ``source(area, viewer=, request=)`` yields ``((kind, pk), evidence)``; listed by ``order``.
SOURCES: list[tuple[int, EvidenceSource]] = []


def register_evidence(source: EvidenceSource, *, order: int) -> None:
    """Add a source of evidence of work on a service area (called from the owning app's AppConfig.ready).

    ``order`` places its evidence among the others' (people's evidence of equal weight is listed in it).
    """
    if any(known is source for _order, known in SOURCES):
        return
    SOURCES.append((order, source))
    SOURCES.sort(key=lambda item: item[0])


def find_experts(area: ServiceArea, *, viewer, policy: ContactPolicy, request=None) -> list[Expert]:
    """The people with evidence of work on ``area``, best first, as ``viewer`` may see them."""
    by_member: dict[int, list[Evidence]] = {}
    by_user: dict[int, list[Evidence]] = {}
    for _order, source in SOURCES:
        for (kind, pk), evidence in source(area, viewer=viewer, request=request):
            (by_member if kind == "member" else by_user).setdefault(pk, []).append(evidence)

    declared = {"specialty": Member.specialties.through.objects.filter(servicearea=area),
                "interest": Member.interests.through.objects.filter(servicearea=area)}
    for kind, links in declared.items():
        label = "specialty" if kind == "specialty" else "interest"
        for member_id in links.values_list("member_id", flat=True):
            by_member.setdefault(member_id, []).append(Evidence(kind, f"Lists {area.name} as a {label}"))

    members = (
        Member.objects.approved()
        .filter(Q(pk__in=by_member) | Q(user_id__in=by_user))
        .select_related("user")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.only("pk", "name", "slug")))
    )
    experts = []
    for member in members:
        evidence = by_member.get(member.pk, []) + by_user.get(member.user_id, [])
        evidence.sort(key=lambda e: -e.weight)
        experts.append(Expert(member, evidence, contact_rows(policy, member)))
    experts.sort(key=lambda x: (-x.score, x.member.user.last_name, x.member.user.first_name, x.member.pk))
    return experts[:MAX_RESULTS]
