"""Demonstration events from the seeds, plus upcoming network meetings so the calendar is never empty.

Seed 000: the LMC PbC training programme 2006 ("Max 10 places", "one
representative per practice … first come first served", 12.30–16.30 at the
LMC offices in Hatfield Peverel) and the "Why me? – Why now?" seminar at
Braxted Park.  Seed 002: the Chilford Hall workshop of 10 April 2008 that
asked for this portal, with its notes and agreed actions as materials.  The
upcoming meetings follow what that workshop asked for: half-day meetings three
or four times a year.  Their dates are set relative to the day the demo is
first built, so they stay upcoming, each moved on to a working day (never a
weekend, a bank holiday or Christmas Eve).  Keyed on slugs: running it again changes nothing.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from django.db import transaction
from django.utils import timezone

from events import services
from events.models import Booking, EventIndexPage, EventPage, EventSession
from events.services import organisation_for_limit
from portal.core.pages import home_page

LONDON = ZoneInfo("Europe/London")

LMC_VENUE = "Essex LMC offices\nHatfield Peverel, Essex"
LMC_NOTE = (
    "<p>Courtesy of Merck Sharp &amp; Dohme / Wyeth Pharmaceuticals. Open to all GPs and their staff. "
    "The session runs in the afternoon (12.30 to 16.30) and lasts about four hours.</p>"
    "<p>Places are limited to one representative per practice and are allocated on a first come, first served basis.</p>"
)

# (slug, title, date, capacity)
LMC_COURSES = [
    ("lmc-2006-communication-skills", "Communication skills", date(2006, 1, 18), 10),
    ("lmc-2006-team-working-skills", "Team working skills", date(2006, 1, 24), 10),
    ("lmc-2006-negotiating-skills", "Negotiating skills", date(2006, 2, 8), 10),
    ("lmc-2006-influencing-skills", "Influencing skills", date(2006, 4, 11), 10),
    ("lmc-2006-rapid-reading-skills", "Rapid reading skills", date(2006, 4, 25), 15),
]

CHILFORD_NOTES = (
    "<p>Facilitator: Judy Oliver. Andy Vowles, Assistant Director of Commissioning, NHS East of England, presented "
    "World Class Commissioning: competencies, the assurance framework and the support and development framework.</p>"
    "<p>Members asked for a website that is very easy to use and always up to date, with a directory of everyone and their "
    "special interests, separate debate on clinical and management issues, a calendar of events, service re-design "
    "information to avoid re-inventing the wheel, and structured education and training.</p>"
    "<p><b>Actions agreed:</b> notes to be sent to attendees by e-mail; a specification for the website and the network to be "
    "agreed with the advisory group; service re-design data to be collected into a matrix; an update on progress to all "
    "attendees by the end of April 2008.</p>"
)

# (slug, title, days from today, start hour, hours, summary, event_type, audience, capacity, organisation limit, areas)
UPCOMING = [
    ("network-meeting-commissioning-update", "Network meeting: commissioning update and shared problems", 35, 13, 4,
     "A half-day meeting: strategic update, successes and learning, and time to work on shared problems.",
     "network_meeting", "members", 80, None, ["Urgent care", "Prescribing"]),
    ("training-business-cases-for-service-redesign", "Writing a business case for service re-design", 21, 12, 4,
     "An afternoon course using the network's business-case templates. One representative per practice.",
     "training_course", "members", 10, 1, ["Musculoskeletal", "Dermatology"]),
    ("webinar-using-the-redesign-matrix", "Webinar: finding who else is re-designing your service", 10, 12, 1,
     "A short online session on the re-design matrix and case studies, so nobody re-invents the wheel.",
     "webinar", "public", None, None, ["Dermatology"]),
    ("network-meeting-spring", "Network meeting: clinical engagement and practice-based providing", 140, 13, 4,
     "How to involve nurses and allied health professionals, and where practice-based providing fits.",
     "network_meeting", "members", 80, None, ["Long-term conditions"]),
    ("network-meeting-summer", "Network meeting: hot topics with national speakers", 230, 10, 6,
     "A whole-day meeting with national speakers, as members asked for at Chilford Hall.",
     "network_meeting", "public", 120, None, ["Intermediate care", "Urgent care"]),
    ("network-meeting-autumn", "Network meeting: one year of the portal", 320, 13, 4,
     "What the portal has changed, what to improve, and the programme for the year ahead.",
     "network_meeting", "members", 80, None, []),
]


def bank_holidays(year: int) -> set[date]:
    """England's bank holidays in ``year`` (the regular ones; one-off holidays such as a coronation are not foreseeable)."""
    def substitute(day: date, taken: set[date]) -> date:
        while day.weekday() >= 5 or day in taken:
            day += timedelta(days=1)
        return day

    def first_monday(month: int) -> date:
        day = date(year, month, 1)
        return day + timedelta(days=(7 - day.weekday()) % 7)

    def last_monday(month: int) -> date:
        day = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return day - timedelta(days=day.weekday())

    good_friday = easter(year) - timedelta(days=2)
    days = {substitute(date(year, 1, 1), set()), good_friday, good_friday + timedelta(days=3),
            first_monday(5), last_monday(5), last_monday(8)}
    christmas = substitute(date(year, 12, 25), set())
    days |= {christmas, substitute(date(year, 12, 26), {christmas})}
    return days


def working_day_from(day: date) -> date:
    """``day``, or the next day after it that is a working day: not a weekend, a bank holiday or Christmas Eve."""
    while day.weekday() >= 5 or day in bank_holidays(day.year) or (day.month, day.day) == (12, 24):
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _ensure_index():
    index = EventIndexPage.objects.first()
    if index:
        return index
    home = home_page()
    index = EventIndexPage(
        title="Events and training",
        slug="events",
        introduction="Network meetings, training courses and webinars. Book a place, join a waiting list or add events to your calendar.",
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def _event(index, slug: str, sessions: list[tuple[datetime, datetime]], areas: list, **fields):
    existing = EventPage.objects.filter(slug=slug).first()
    if existing:
        return existing
    page = EventPage(slug=slug, **fields)
    for start, end in sessions:
        page.sessions.add(EventSession(starts_at=start, ends_at=end))
    index.add_child(instance=page)
    page.service_areas.set(areas)
    page.save_revision().publish()
    return EventPage.objects.get(pk=page.pk)


def _historic_booking(event, member, attended: bool) -> None:
    """Bookings for past events are history, written as they happened (the services refuse past events, rightly)."""
    if Booking.objects.filter(event=event, member=member).exists():
        return
    taken = Booking.objects.filter(event=event).holding_place().count()
    Booking.objects.create(
        event=event,
        member=member,
        organisation=organisation_for_limit(member),
        status=Booking.Status.ATTENDED if attended else Booking.Status.CONFIRMED,
        place=taken + 1,
        created_at=event.starts_at - timedelta(days=20),
        confirmed_at=event.starts_at - timedelta(days=20),
        attended_at=event.starts_at if attended else None,
    )


@transaction.atomic
def build(region: dict) -> None:
    areas = region["areas"]
    members = region["members"]
    index = _ensure_index()

    for slug, title, day, capacity in LMC_COURSES:
        event = _event(
            index, slug, [(_at(day, 12, 30), _at(day, 16, 30))], [areas["Prescribing"]] if "Negotiating" in title else [],
            title=f"LMC PbC training: {title.lower()}", event_type="training_course", audience="members",
            summary=f"LMC PbC Training Programme 2006: {title.lower()}. Max {capacity} places, one representative per practice.",
            description=LMC_NOTE, venue=LMC_VENUE, capacity=capacity, organisation_limit=1,
        )
        if slug == "lmc-2006-negotiating-skills":
            for email in ("member@pbc-network.nhs.uk", "cluster.lead@pbc-network.nhs.uk", "tom.fairweather@pbc-network.nhs.uk"):
                if email in members:
                    _historic_booking(event, members[email], attended=True)

    _event(
        index, "why-me-why-now-seminar", [(_at(date(2005, 12, 6), 13), _at(date(2005, 12, 6), 16))], [],
        title="Practice based commissioning: why me? Why now?", event_type="external_event", audience="public",
        summary="A seminar for all Essex GPs and practice managers, presented by North and South Essex LMCs.",
        description="<p>A buffet lunch will be served from 12.30pm. Limited places.</p>",
        speakers="Laurie McMahon, Co-founder and Head, Centre for Inter-organisational Change, Office of Public Management\n"
                 "Dr Brian Balmer, Chief Executive/Secretary, Essex LMCs",
        venue="Pavilion, Walled Garden, Braxted Park Estate\nWitham, CM8 3EN", capacity=None, takes_bookings=False,
    )

    chilford = _event(
        index, "chilford-hall-workshop-2008", [(_at(date(2008, 4, 10), 10), _at(date(2008, 4, 10), 16))],
        [areas["Urgent care"]],
        title="East of England PbC Network workshop, Chilford Hall", event_type="network_meeting", audience="public",
        summary="The workshop where members agreed what the network should achieve, how it should work, and asked for this portal.",
        description="<p>Objectives: to agree what members want from the East of England Practice-based Commissioning Network and how "
                    "it should operate; to understand PbC in the context of World Class Commissioning and system management; "
                    "to agree a work plan for the way forward.</p>",
        speakers="Judy Oliver, facilitator\nAndy Vowles, Assistant Director of Commissioning, NHS East of England",
        venue="Chilford Hall\nBalsham Road, Linton, Cambridgeshire", capacity=60,
        materials=[{"type": "notes", "value": CHILFORD_NOTES}],
    )
    for email in ("admin@pbc-network.nhs.uk", "sha.editor@pbc-network.nhs.uk", "cluster.lead@pbc-network.nhs.uk", "priya.raman@pbc-network.nhs.uk"):
        if email in members:
            _historic_booking(chilford, members[email], attended=True)

    today = timezone.localdate()
    for slug, title, days, hour, hours, summary, event_type, audience, capacity, limit, area_names in UPCOMING:
        day = working_day_from(today + timedelta(days=days))
        online = event_type == "webinar"
        _event(
            index, slug, [(_at(day, hour), _at(day, hour + hours))], [areas[name] for name in area_names],
            title=title, event_type=event_type, audience=audience, summary=summary,
            description=f"<p>{summary}</p>",
            venue="" if online else "Chilford Hall\nBalsham Road, Linton, Cambridgeshire",
            online_url="https://meet.example.nhs.uk/pbc-network" if online else "",
            capacity=capacity, organisation_limit=limit,
        )

    # A course that is nearly full, so the waiting list can be seen working.
    course = EventPage.objects.get(slug="training-business-cases-for-service-redesign")
    if not course.bookings.exists():
        for email in ("member@pbc-network.nhs.uk", "cluster.lead@pbc-network.nhs.uk", "william.ashdown@pbc-network.nhs.uk",
                      "simon.carver@pbc-network.nhs.uk", "helen.ng@pbc-network.nhs.uk", "grace.adeyemi@pbc-network.nhs.uk",
                      "martin.pryce@pbc-network.nhs.uk", "elaine.morris@pbc-network.nhs.uk"):
            if email in members:
                with transaction.atomic():
                    services._book(course.pk, members[email], actor=None, on_behalf=True)
