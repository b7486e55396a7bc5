"""Attendance certificates as PDF, drawn with fpdf2 (pure Python, no system libraries)."""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from events.models import Booking


def _latin1(text: str) -> str:
    # The core PDF fonts cover Latin-1 only; typographic quotes and dashes become plain ones.
    replacements = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(booking: Booking) -> bytes:
    """A one-page certificate that ``booking.member`` attended ``booking.event``."""
    event = booking.event
    network = getattr(settings, "PORTAL_NETWORK_NAME", "PbC Network")
    sessions = list(event.sessions.order_by("starts_at"))
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(f"Certificate of attendance: {event.title}"))
    pdf.set_author(_latin1(network))
    pdf.add_page()
    pdf.set_draw_color(0, 94, 184)  # NHS blue
    pdf.set_line_width(2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(35)
    pdf.set_font("Helvetica", "B", 28)
    pdf.cell(0, 14, "Certificate of attendance", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 12, "This is to certify that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(0, 14, _latin1(booking.member.display_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 12, "attended", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, _latin1(event.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 13)
    for session in sessions:
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        hours = (session.ends_at - session.starts_at).total_seconds() / 3600
        line = f"{start:%A %-d %B %Y}, {start:%H:%M} to {end:%H:%M} ({hours:g} hours)"
        pdf.cell(0, 8, _latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    if event.venue:
        pdf.cell(0, 8, _latin1(event.venue.replace("\n", ", ")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(170)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, _latin1(network), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, _latin1(f"Certificate reference {event.pk}-{booking.pk}"), align="C")
    return bytes(pdf.output())
