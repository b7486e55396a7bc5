"""The demonstration courses and meetings fall on working days, whatever day the demo is built."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from events import demo
from events.models import EventPage

LONDON = ZoneInfo("Europe/London")


def test_bank_holidays_are_englands_for_2026():
    assert sorted(demo.bank_holidays(2026)) == [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    ]


@pytest.mark.django_db
def test_demo_built_on_3_december_puts_no_event_on_christmas_eve_a_weekend_or_a_bank_holiday(roles):
    from portal.site.demo import build_region, build_site_pages

    # Built on 3 December 2026, the course 21 days on fell on Christmas Eve and the webinar 10 days on on a Sunday.
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=LONDON), tick=False):
        region = build_region()
        build_site_pages()
        demo.build(region)
        upcoming = list(EventPage.objects.upcoming())

    assert len(upcoming) == len(demo.UPCOMING)
    for event in upcoming:
        day = timezone.localtime(event.starts_at, LONDON).date()
        assert day.weekday() < 5, f"{event.title} is on a {day:%A}"
        assert day not in demo.bank_holidays(day.year), f"{event.title} is on a bank holiday, {day:%-d %B %Y}"
        assert (day.month, day.day) != (12, 24), f"{event.title} is on Christmas Eve"
