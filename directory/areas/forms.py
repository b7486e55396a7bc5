from __future__ import annotations

from django import forms

from directory.areas.models import ServiceAreaWatch
from directory.models import ServiceArea


class FollowForm(forms.Form):
    digest = forms.ChoiceField(choices=ServiceAreaWatch.Digest.choices, initial=ServiceAreaWatch.Digest.WEEKLY,
                               label="E-mail about this area")


class ExpertiseForm(forms.Form):
    area = forms.ModelChoiceField(queryset=ServiceArea.objects.order_by("name"), to_field_name="slug", required=False,
                                  label="Service area", empty_label="Choose a service area")
    q = forms.CharField(required=False, max_length=80, label="Or describe it in a few words",
                        help_text="For example: skin, eczema, diabetes foot care.")
