from django import forms

from directory.models import Organisation


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(), required=False, label="Organisation", empty_label="Not set", help_text="Added to their profile when they join."
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason (sent to the applicant)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
