"""Dates read as plain UK dates (23 November 2026), times in London time; table columns use the short month."""
import datetime as dt

from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_a_date_reads_as_a_plain_uk_date():
    assert render("{{ day|date }}", day=dt.date(2026, 11, 23)) == "23 November 2026"


def test_a_date_and_time_is_shown_in_london_summer_time():
    moment = dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)

    assert render('{{ moment|date:"DATETIME_FORMAT" }}', moment=moment) == "1 July 2026, 14:05"


def test_a_table_column_date_uses_the_short_month():
    assert render('{{ day|date:"SHORT_DATE_FORMAT" }}', day=dt.date(2026, 11, 23)) == "23 Nov 2026"
