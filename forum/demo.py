"""Demonstration boards and threads, from the questions members asked at Chilford Hall (seed 002).

The subsections are the ones the workshop asked for ("separate debate about
clinical and management issues", a place to "refer to SHA", "hot issues e.g.
fair shares").  Threads are the workshop's own questions, asked and answered
by the demo members, with one accepted answer and questions referred to the
SHA.  Rows are written directly (no e-mail, no rate limit) and keyed on
natural names, so running the demo again changes nothing.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from forum.models import Board, Reply, Subscription, Subsection, Thread
from forum.text import render_markdown
from portal.core.roles import Role

SUBSECTIONS = [
    ("Clinical", "Clinical pathways, service re-design and prescribing: debate between clinicians.", [
        ("Clinical pathways and re-design", "Moving care closer to home: specifications, pathways and what worked."),
        ("Prescribing and medicines management", "Prescribing budgets, incentive schemes and formularies."),
    ]),
    ("Management", "Budgets, contracts, procurement and running a PbC group.", [
        ("Commissioning, contracts and procurement", "Business cases, tendering, standard contracts and the procurement guide."),
        ("Practice-based providing", "GP-led provider arms and companies: the rules, the risks and the barriers."),
    ]),
    ("Ask the SHA", "Questions for NHS East of England. SHA staff answer here.", [
        ("Questions for the SHA", "Ask NHS East of England directly. Questions here go straight to SHA staff."),
    ]),
    ("Hot topics", "The issues members raise most often.", [
        ("Fair shares", "Indicative budgets, fair shares targets and the pace of change."),
        ("Urgent care", "Getting a grip on urgent care, which is killing the system financially."),
        ("World Class Commissioning", "What WCC means for PbC clusters in practice: competencies, assurance and support."),
    ]),
]
MODERATORS_BOARD = ("Moderators' room", "Management", "Moderators and administrators only: reports and house rules.")

# (board, asker, title, body, days ago, service areas, [(replier, body, hours after)], accepted reply index, escalated)
THREADS = [
    ("Commissioning, contracts and procurement", "keith.harlow@pbc-network.nhs.uk",
     "When are we likely to see the draft Procurement Guide?",
     "Andy Vowles said at Chilford Hall that the **Procurement Guide** was due out in May 2008. Has anyone seen a draft? "
     "Our consortium has two business cases waiting on it.",
     40, [], [
         ("tom.fairweather@pbc-network.nhs.uk", "Same here: our PCT will not let us tender the community dermatology service until it is out.", 3),
         ("sha.editor@pbc-network.nhs.uk", "The guide is due out in **May 2008**. Until then, follow the *Principles and Rules for "
          "Co-operation and Competition*; the standard NHS contracts are already available.", 26),
     ], 1, False),
    ("Commissioning, contracts and procurement", "grace.adeyemi@pbc-network.nhs.uk",
     "Business cases take an average of 12 months: how can we speed this up?",
     "To keep the clinicians engaged we need simplified processes. It currently takes us an average of 12 months "
     "from idea to contract. What has worked for you?",
     30, ["Long-term conditions"], [
         ("anne.lockwood@pbc-network.nhs.uk", "Mid Essex agreed a one-page outline case first, then the full case only if the PCT "
          "panel says yes in principle. It cut months off.", 5),
         ("priya.raman@pbc-network.nhs.uk", "Borrow a specification someone else has already had approved; see the re-design matrix.", 30),
     ], None, False),
    ("Fair shares", "member@pbc-network.nhs.uk",
     "Fair shares: how far from target is your practice budget?",
     "Our indicative budget is about 4% under our fair shares target. How quickly are other PCTs moving practices "
     "towards target, and does it affect what you can re-invest?",
     21, ["Prescribing"], [
         ("linda.marsh@pbc-network.nhs.uk", "North East Essex is moving a third of the gap each year over three years.", 4),
         ("david.kerr@pbc-network.nhs.uk", "Savings can only be re-invested once the cluster is within 1% of target.", 28),
     ], None, False),
    ("Urgent care", "tom.fairweather@pbc-network.nhs.uk",
     "Getting a grip on urgent care, which is killing the system financially",
     "A&E attendances are up again. Has anyone commissioned a minor injuries or urgent care centre that actually "
     "reduced attendances rather than adding to them?",
     14, ["Urgent care"], [
         ("lucy.thornton@pbc-network.nhs.uk", "We see most of our same-day demand in the practice with a triage nurse; it helped more than the walk-in centre.", 2),
         ("neil.parfitt@pbc-network.nhs.uk", "In emergencies there is limited or no choice of provider, so focus on the **urgent but not emergency** group.", 20),
     ], None, False),
    ("Practice-based providing", "william.ashdown@pbc-network.nhs.uk",
     "Is practice-based providing the evolution of PbC? Build, share or buy?",
     "GP-led provider companies seem to meet lots of barriers within PCTs. Where is the line between practice-based "
     "commissioning and practice-based providing, and how do we stay on the right side of the rules?",
     10, ["Musculoskeletal"], [
         ("priya.raman@pbc-network.nhs.uk", "Procurements are open to all. Declare the interest and let the PCT run the tender.", 6),
         ("helen.ng@pbc-network.nhs.uk", "It could be, but there would need to be careful rules to ensure value for money and choice.", 30),
     ], None, False),
    ("World Class Commissioning", "cluster.lead@pbc-network.nhs.uk",
     "What does World Class Commissioning mean for PbC clusters in practice?",
     "The eleven competencies are written for PCTs. Do they apply to PbC groups, and will the assurance framework "
     "assess us too?",
     8, [], [
         ("sarah.whitlock@pbc-network.nhs.uk", "Views of PbC groups will be a key input, and at least two of the competencies look at this.", 24),
         ("martin.pryce@pbc-network.nhs.uk", "As long as it does not become a box-ticking exercise for clusters as well.", 30),
     ], None, False),
    ("World Class Commissioning", "helen.ng@pbc-network.nhs.uk",
     "Where is children's commissioning fitting into World Class Commissioning?",
     "Nobody at the workshop could answer this. Our cluster wants to re-design community paediatrics: who leads?",
     6, ["Long-term conditions"], [], None, True),
    ("Questions for the SHA", "neil.parfitt@pbc-network.nhs.uk",
     "Might the SHA consider regional guidance on when to tender?",
     "Thresholds and criteria that should steer when to tender: money, risk, number of patients, noise.",
     5, [], [
         ("sha.editor@pbc-network.nhs.uk", "Possibly: we need to see the final procurement guidance first.", 22),
     ], None, True),
    ("Clinical pathways and re-design", "rajesh.patel@pbc-network.nhs.uk",
     "Community dermatology GPwSI service: who has a specification?",
     "We are re-designing dermatology in Chelmsford North. Has anyone a service specification and tariff they would share?",
     3, ["Dermatology"], [
         ("cluster.lead@pbc-network.nhs.uk", "Ours is in the template library; I will post the link once it is approved.", 2),
     ], None, False),
    ("Clinical pathways and re-design", "gareth.evans@pbc-network.nhs.uk",
     "How are you engaging allied health professionals in PbC?",
     "The challenge of clinical engagement: how do we get non-GP involvement, especially AHPs?",
     1, ["Musculoskeletal", "Falls prevention"], [], None, False),
]


@transaction.atomic
def build(region: dict) -> None:
    members = region["members"]
    areas = region["areas"]
    boards: dict[str, Board] = {}
    subsections: dict[str, Subsection] = {}
    for position, (name, description, board_specs) in enumerate(SUBSECTIONS, start=1):
        subsection, _ = Subsection.objects.update_or_create(name=name, defaults={"description": description, "position": position})
        subsections[name] = subsection
        for board_position, (board_name, board_description) in enumerate(board_specs, start=1):
            boards[board_name], _ = Board.objects.update_or_create(
                name=board_name,
                defaults={"subsection": subsection, "description": board_description, "position": board_position,
                          "is_sha_board": name == "Ask the SHA"},
            )
    name, subsection_name, description = MODERATORS_BOARD
    Board.objects.update_or_create(name=name, defaults={"subsection": subsections[subsection_name], "description": description,
                                                        "audience": Board.Audience.MODERATORS, "position": 99})

    sha_staff = {m.pk for m in members.values() if m.user.groups.filter(name=str(Role.SHA_EDITOR)).exists()}
    now = timezone.now()
    for board_name, asker, title, body, days_ago, area_names, replies, accepted, escalated in THREADS:
        created = now - timedelta(days=days_ago)
        author = members[asker]
        thread, _ = Thread.objects.update_or_create(
            board=boards[board_name], title=title,
            defaults={"body": body, "body_html": render_markdown(body), "author": author, "created_at": created},
        )
        thread.service_areas.set([areas[a] for a in area_names])
        Subscription.objects.get_or_create(member=author, thread=thread)
        stored = []
        for replier, reply_body, hours in replies:
            reply_author = members[replier]
            reply, _ = Reply.objects.update_or_create(
                thread=thread, author=reply_author, body=reply_body,
                defaults={"body_html": render_markdown(reply_body), "created_at": created + timedelta(hours=hours),
                          "is_from_sha": reply_author.pk in sha_staff},
            )
            stored.append(reply)
        thread.reply_count = len(stored)
        thread.last_activity_at = stored[-1].created_at if stored else created
        thread.accepted_reply = stored[accepted] if accepted is not None else None
        if escalated:
            thread.escalated_at = thread.escalated_at or (created if boards[board_name].is_sha_board else created + timedelta(days=5))
        thread.save(update_fields=["reply_count", "last_activity_at", "accepted_reply", "escalated_at"])

    # Watching: the demo member gets a daily digest of fair shares; the SHA editor watches their board.
    Subscription.objects.update_or_create(member=members["member@pbc-network.nhs.uk"], board=boards["Fair shares"],
                                          defaults={"frequency": Subscription.Frequency.DAILY})
    Subscription.objects.update_or_create(member=members["sha.editor@pbc-network.nhs.uk"], board=boards["Questions for the SHA"],
                                          defaults={"frequency": Subscription.Frequency.INSTANT})
