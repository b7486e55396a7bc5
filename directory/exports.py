"""The directory in other formats: CSV export and vCards.

Both take a ``ContactPolicy`` (``directory.privacy``) so they carry exactly
the contact details the person downloading may see, and nothing else.
"""
from __future__ import annotations

from collections.abc import Iterable

from directory.models import Member
from directory.privacy import CONTACT_FIELDS, ContactPolicy
from portal.core.csv_stream import csv_lines

EXPORT_COLUMNS = ["first_name", "last_name", "job_role", "job_title", "organisations", "specialties", "interests", "email", "phone"]


def members_csv_rows(members: Iterable[Member], policy: ContactPolicy):
    """Yield CSV lines (header first): the same columns the import reads, hidden fields left blank."""

    def rows():
        for member in members:
            shown = policy.visible_fields(member)
            yield [
                member.user.first_name,
                member.user.last_name,
                member.get_job_role_display(),
                member.job_title,
                "; ".join(o.name for o in member.organisations.all()),
                "; ".join(a.name for a in member.specialties.all()),
                "; ".join(a.name for a in member.interests.all()),
                *[shown.get(field, "") for field, _label, _attr in CONTACT_FIELDS],
            ]

    return csv_lines(EXPORT_COLUMNS, rows())


def _vcard_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "").replace(",", "\\,").replace(";", "\\;")


def member_vcard(member: Member, policy: ContactPolicy) -> str:
    """A vCard 3.0 for one member, with only the contact details ``policy`` allows."""
    shown = policy.visible_fields(member)
    first, last = member.user.first_name, member.user.last_name
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_vcard_escape(last)};{_vcard_escape(first)};;;",
        f"FN:{_vcard_escape(member.display_name)}",
    ]
    orgs = list(member.organisations.all())
    if orgs:
        lines.append(f"ORG:{_vcard_escape(orgs[0].name)}")
    if member.job_title or member.job_role:
        lines.append(f"TITLE:{_vcard_escape(member.job_title or member.get_job_role_display())}")
    if "email" in shown:
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{_vcard_escape(shown['email'])}")
    if "phone" in shown:
        lines.append(f"TEL;TYPE=WORK,VOICE:{_vcard_escape(shown['phone'])}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
