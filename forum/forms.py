"""Forms for posting and moderating. Rendering comes from the portal's NHS.UK form renderer."""
from __future__ import annotations

from django import forms

from directory.models import ServiceArea
from forum.models import Board, Subscription


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


BODY_HELP = "You can use Markdown: **bold**, *italic*, lists, and links written as [text](https://…)."


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title", help_text="Your question in one line.")
    body = forms.CharField(label="Your question", widget=forms.Textarea(attrs={"rows": 8}), help_text=BODY_HELP, max_length=20_000)
    service_areas = forms.ModelMultipleChoiceField(
        queryset=ServiceArea.objects.order_by("name"), required=False, label="Service areas",
        help_text="Tag the services this is about, so members working on them can find it.",
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(required=False, label="Attach documents (optional)",
                                    help_text="PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt) or plain text; up to 10 MB each.")


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 6}), help_text=BODY_HELP, max_length=20_000)
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(required=False, label="Attach documents (optional)",
                                    help_text="PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt) or plain text; up to 10 MB each.")


class EditForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title", required=False)
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 8}), help_text=BODY_HELP, max_length=20_000)


class ReportForm(forms.Form):
    reason = forms.CharField(label="Why should a moderator look at this post?", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class HideForm(forms.Form):
    reason = forms.CharField(label="Reason (recorded in the moderation log)", max_length=500, required=False)


class MoveForm(forms.Form):
    board = forms.ModelChoiceField(queryset=Board.objects.all(), label="Move to board")


class WatchForm(forms.Form):
    frequency = forms.ChoiceField(choices=Subscription.Frequency.choices, label="E-mail me",
                                  initial=Subscription.Frequency.INSTANT)


class AnswerReportForm(forms.Form):
    """The date range of the time-to-answer report (UK dates, inclusive)."""

    MAX_DAYS = 3 * 366

    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end date must be the same as or after the start date.")
            elif (end - start).days > self.MAX_DAYS:
                self.add_error("start", "Choose a range of three years or less.")
        return data
