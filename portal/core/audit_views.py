"""The audit trail for network administrators: a filtered, paginated list and a CSV export.

Read only: there is no view that changes or deletes an event.  Network
administrators hold ``portal.view_auditevent`` (portal/core/roles.py); SHA editors
do not, because the trail covers member approvals, erasures and role changes,
which are the administrators' business; their guidance approvals are also in
Wagtail's own page history, which they can see.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.core.csv_stream import csv_lines
from portal.core.models import AuditEvent
from portal.core.permissions import permission_required

PAGE_SIZE = 50
VIEW_PERMISSION = "portal.view_auditevent"


class AuditFilterForm(forms.Form):
    """The trail's filters, read from the query string so they work without JavaScript."""

    actor = forms.ModelChoiceField(None, required=False, label="Who", empty_label="Anyone")
    action = forms.ChoiceField(required=False, label="What", choices=[])
    since = forms.DateField(required=False, label="From (date)", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To (date)", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = (
            get_user_model()
            .objects.filter(pk__in=AuditEvent.objects.exclude(actor=None).values("actor"))
            .select_related("member")
            .order_by("first_name", "last_name", "pk")
        )
        self.fields["actor"].label_from_instance = lambda user: AuditEvent._person(user, user.pk)
        # Offered in plain English: each code by the words its events were recorded with (the CSV keeps the codes).
        described = dict(AuditEvent.objects.order_by().values("action").annotate(words=Max("description")).values_list("action", "words"))
        self.fields["action"].choices = [("", "Any action")] + sorted(described.items(), key=lambda choice: choice[1].lower())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError("The ‘from’ date must be on or before the ‘to’ date.")
        return cleaned

    def events(self):
        events = AuditEvent.objects.select_related("actor__member", "subject__member")
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(actor=data["actor"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("since"):
            events = events.filter(occurred_at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(occurred_at__date__lte=data["until"])
        return events


@require_GET
@permission_required(VIEW_PERMISSION)
def audit_trail(request):
    form = AuditFilterForm(request.GET or None)
    page = Paginator(form.events(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/audit_trail.html", {
        "form": form,
        "page_obj": page,
        "query_string": query.urlencode(),
        "breadcrumbs": [{"title": "Home", "url": "/"}],
    })


CSV_COLUMNS = ["when", "who", "account", "roles", "action", "description", "target_type", "target_id", "target", "detail"]


def _csv_rows(events):
    for event in events:
        yield [
            timezone.localtime(event.occurred_at).isoformat(),
            event.actor_display,
            event.actor_account or "",
            event.actor_roles,
            event.action,
            event.description,
            event.target_type,
            event.target_id,
            event.target_display,
            json.dumps(event.detail, ensure_ascii=False),
        ]


@require_GET
@permission_required(VIEW_PERMISSION)
def audit_trail_csv(request):
    """The filtered trail as CSV, oldest last like the page."""
    events = AuditFilterForm(request.GET or None).events()
    response = StreamingHttpResponse(csv_lines(CSV_COLUMNS, _csv_rows(events.iterator(chunk_size=500))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pbc-audit-trail-{timezone.localdate():%Y-%m-%d}.csv"'
    return response
