"""The portal's date formats for en-GB: plain UK dates, 24-hour times (shown in Europe/London).

The one place user-facing dates are spelled.  Templates write ``{{ value|date }}``
(23 November 2026), ``{{ value|date:"DATETIME_FORMAT" }}`` (23 November 2026, 14:05)
and ``django.utils.formats.date_format`` in Python.  The SHORT_ formats
(23 Nov 2026) are for table columns only, where the full month name would
wrap a narrow column on a phone or a printed page.  Input formats, number
formats and everything else come from Django's own en_GB locale.
"""
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
