"""A piece of re-design work and everything that belongs to it, as one viewer may see it.

The links themselves are ``MatrixEntry.templates / case_studies / threads /
events`` (changed through ``redesign.services.link_to_entry``).  These
queries read them in both directions and leave out whatever the viewer may
not see: a members-only template or case study, a draft event, a hidden
thread or one on a moderators' board.  The matrix itself is members-only, so
other people see no entries at all.
"""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from events.models import EventPage
from forum.models import Thread
from portal.core.permissions import is_member
from redesign.models import CaseStudyPage, EntryChange, MatrixEntry, Template, TemplateVersion
from redesign.permissions import visible_case_studies, visible_templates


def linked_templates(entry: MatrixEntry, user) -> QuerySet:
    """The entry's business case, specification and other templates, each with its versions."""
    return visible_templates(entry.templates.all(), user).select_related("organisation").prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.select_related("document"))
    ).order_by("kind", "title")


def linked_case_studies(entry: MatrixEntry, user) -> QuerySet:
    return visible_case_studies(entry.case_studies.all(), user).order_by("title")


def linked_threads(entry: MatrixEntry, user) -> QuerySet:
    return Thread.objects.readable_by(user).visible().filter(matrix_entries=entry).select_related("board").order_by("-last_activity_at")


def linked_events(entry: MatrixEntry, user) -> QuerySet:
    return EventPage.objects.visible_to(user).filter(matrix_entries=entry).order_by("-starts_at")


def entry_connections(entry: MatrixEntry, user) -> dict[str, list]:
    """Everything linked to ``entry`` that ``user`` may see, by kind (one query each)."""
    return {
        "templates": list(linked_templates(entry, user)),
        "case_studies": list(linked_case_studies(entry, user)),
        "threads": list(linked_threads(entry, user)),
        "events": list(linked_events(entry, user)),
    }


def entries_linked_to(obj, user) -> list[MatrixEntry]:
    """The re-design work ``obj`` (a template, case study, thread or event) is linked to, for members only."""
    if not is_member(user):
        return []
    return list(obj.matrix_entries.select_related("organisation", "service_area").order_by("title"))


def link_choices(entry: MatrixEntry, user) -> dict[str, QuerySet]:
    """What an editor of ``entry`` may link to it: things they can see, those on its service area first."""
    area = entry.service_area_id
    return {
        "template": visible_templates(Template.objects.exclude(matrix_entries=entry), user).order_by("title"),
        "case_study": visible_case_studies(CaseStudyPage.objects.exclude(matrix_entries=entry), user).order_by("title"),
        "thread": Thread.objects.readable_by(user).visible().exclude(matrix_entries=entry)
        .filter(service_areas=area).order_by("-last_activity_at")[:100],
        "event": EventPage.objects.visible_to(user).exclude(matrix_entries=entry).order_by("-starts_at")[:100],
    }


def entries_for_thread_choice(thread, user) -> QuerySet:
    """Entries a thread's author can tag it with, as ``(pk, title, organisation name)``: work on the thread's
    service areas (or all work when it has none).

    Read on every view of the thread by its author or a moderator, up to 200 rows: plain tuples, because
    200 model instances with their organisations cost about 6 ms of CPU per view.
    """
    entries = MatrixEntry.objects.exclude(threads=thread).order_by("title")
    areas = [area.pk for area in thread.service_areas.all()]
    entries = entries.filter(service_area__in=areas) if areas else entries
    return entries.values_list("pk", "title", "organisation__name")[:200]


# The relation an ``EntryChange`` of a link names, the label ``redesign.services`` wrote before the title,
# and how a viewer's visible things of that kind are read.
_HISTORY_LINKS = {
    "templates": ("template", lambda user: visible_templates(Template.objects.all(), user)),
    "case_studies": ("case study", lambda user: visible_case_studies(CaseStudyPage.objects.all(), user)),
    "threads": ("forum thread", lambda user: Thread.objects.readable_by(user).visible()),
    "events": ("event", lambda user: EventPage.objects.visible_to(user)),
}


def entry_history(entry: MatrixEntry, user, connections: dict[str, list] | None = None) -> list[EntryChange]:
    """The entry's changes, newest first, with each link's title as ``user`` may see it today.

    A link's change keeps the title the thing had when it was linked.  Since then a thread may have been
    hidden or moved to the moderators' board, or a template made members-only, so the title is shown only
    while something of that kind with that title is still visible to the viewer; otherwise the change
    reads "a forum thread you cannot see".  Each change gets ``link_label``.  Titles of what is linked now
    come from ``connections`` (``entry_connections(entry, user)``, which the record page has read already);
    only a kind with other titles in its history costs a query.
    """
    changes = list(EntryChange.objects.filter(entry=entry).select_related("actor"))
    links = [c for c in changes if c.action in ("redesign.entry.linked", "redesign.entry.unlinked")]
    wanted: dict[str, set[str]] = {}
    for change in links:
        for relation, values in change.changes.items():
            if relation in _HISTORY_LINKS:
                label = values[1] if change.action == "redesign.entry.linked" else values[0]
                wanted.setdefault(relation, set()).add(label)
    visible: dict[str, set[str]] = {}
    for relation, labels in wanted.items():
        prefix = f"{_HISTORY_LINKS[relation][0]}: "
        visible[relation] = {f"{prefix}{item.title}" for item in (connections or {}).get(relation, ())} & labels
        titles = {label.removeprefix(prefix) for label in labels - visible[relation]}
        if titles:
            found = _HISTORY_LINKS[relation][1](user).filter(title__in=titles).values_list("title", flat=True)
            visible[relation] |= {f"{prefix}{title}" for title in found}
    for change in links:
        change.link_label = ""
        for relation, values in change.changes.items():
            if relation not in _HISTORY_LINKS:
                continue
            label = values[1] if change.action == "redesign.entry.linked" else values[0]
            change.link_label = label if label in visible.get(relation, ()) else f"a {_HISTORY_LINKS[relation][0]} you cannot see"
    return changes
