"""Forms for administrators' booking tools."""
from __future__ import annotations

from django import forms

from directory.models import Member


class BookOnBehalfForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        label="Member",
        help_text="Approved members who do not already have a booking for this event.",
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Member.objects.approved().select_related("user")
        if event is not None:
            queryset = queryset.exclude(event_bookings__event=event, event_bookings__status__in=["confirmed", "waitlisted", "attended"])
        self.fields["member"].queryset = queryset


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        min_value=0, required=False, label="Number of places",
        help_text="Leave empty for no limit. Lowering it never cancels a confirmed place.",
    )


class EmailAttendeesForm(forms.Form):
    subject = forms.CharField(max_length=150, label="Subject")
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=5000, label="Message")
    include_waiting_list = forms.BooleanField(required=False, label="Also send to people on the waiting list")
