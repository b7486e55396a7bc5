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
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q
from django.urls import reverse

from directory.models import Member, Organisation, ServiceArea
from directory.privacy import ContactPolicy, contact_rows
from forum.models import Board, Thread
from redesign.models import CaseStudyPage, MatrixEntry, Stage

WEIGHTS: dict[str, int] = {
    "lead_finished": 6,
    "lead_approved": 4,
    "lead": 3,
    "case_study": 4,
    "accepted_answer": 3,
    "specialty": 2,
    "interest": 1,
}
FINISHED_STAGES = {Stage.LIVE, Stage.EVALUATED}
APPROVED_STAGES = {Stage.APPROVED, Stage.PROCUREMENT}
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


def _lead_kind(stage: str) -> str:
    if stage in FINISHED_STAGES:
        return "lead_finished"
    if stage in APPROVED_STAGES:
        return "lead_approved"
    return "lead"


def find_experts(area: ServiceArea, *, viewer, policy: ContactPolicy, request=None) -> list[Expert]:
    """The people with evidence of work on ``area``, best first, as ``viewer`` may see them."""
    by_member: dict[int, list[Evidence]] = {}
    by_user: dict[int, list[Evidence]] = {}

    Leads = MatrixEntry.leads.through
    for link in Leads.objects.filter(matrixentry__service_area=area).select_related("matrixentry__organisation").order_by("matrixentry__title"):
        entry = link.matrixentry
        by_member.setdefault(link.member_id, []).append(Evidence(
            _lead_kind(entry.stage), f"Leads {entry.title} ({entry.organisation.name}), now at {entry.get_stage_display().lower()}",
            entry.get_absolute_url(),
        ))
    for page in CaseStudyPage.objects.live().public().filter(service_area=area, owner__isnull=False).order_by("title"):
        by_user.setdefault(page.owner_id, []).append(Evidence("case_study", f"Wrote the case study {page.title}", page.get_url(request)))
    accepted = (
        Thread.objects.filter(service_areas=area, is_hidden=False, accepted_reply__isnull=False, accepted_reply__is_hidden=False,
                              board__in=Board.objects.readable_by(viewer))
        .exclude(accepted_reply__author=F("author"))
        .values_list("accepted_reply__author_id", "pk", "title")
        .order_by("-created_at")
    )
    for author_id, thread_pk, title in accepted:
        by_member.setdefault(author_id, []).append(Evidence("accepted_answer", f"Answer accepted on {title}", reverse("forum:thread", kwargs={"pk": thread_pk})))

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
