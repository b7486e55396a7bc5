"""Forms for recording re-design work, filtering the matrix and uploading documents."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from wagtail.documents.forms import BaseDocumentForm

from directory.models import Member, Organisation, ServiceArea
from directory.privacy import ContactPolicy, person_label
from portal.core.fields import NHSDateField, PickerCheckboxes
from portal.core.uploads import ALLOWED_TEXT, max_upload_size, validate_upload
from redesign.models import MatrixEntry, Stage, Template
from redesign.permissions import template_organisations_for


class SafeUploadField(forms.FileField):
    """A file field that accepts only what ``portal.core.uploads.validate_upload`` accepts."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", f"{ALLOWED_TEXT}. Up to {max_upload_size() // (1024 * 1024)} MB. Files with macros are refused.")
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file and file is not initial:
            validate_upload(file)
        return file


class SafeDocumentForm(BaseDocumentForm):
    """Wagtail's document form with the portal's upload check (``WAGTAILDOCS_DOCUMENT_FORM_BASE``)."""

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and file != self.original_file:
            validate_upload(file)
        return file


def _member_choices():
    return (
        Member.objects.approved().select_related("user").prefetch_related("organisations")
        .order_by("user__last_name", "user__first_name")
    )


class LeadChoiceField(forms.ModelMultipleChoiceField):
    """Approved members as leads, labelled by ``directory.privacy.person_label`` (never an e-mail address)."""

    def label_from_instance(self, member):
        return person_label(member)


class EntryStartForm(forms.Form):
    """Step one of recording work: the service area and organisation, so we can show what exists."""

    service_area = forms.ModelChoiceField(ServiceArea.objects.all(), label="Service area", empty_label="Choose a service area", to_field_name="slug")
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(), label="Organisation doing the work", empty_label="Choose an organisation", to_field_name="slug",
        help_text="The PbC cluster, consortium or PCT.",
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.commissioning()
        only = list(self.fields["organisation"].queryset[:2])
        if len(only) == 1 and not self.is_bound:
            # A member who records work for one organisation only has it chosen for them.
            self.initial.setdefault("organisation", only[0].slug)


class EntryForm(forms.ModelForm):
    """The details of a piece of work (organisation and service area are chosen in step one)."""

    title = forms.CharField(max_length=200, label="Title", error_messages={"required": "Enter a title for the work"})
    leads = LeadChoiceField(queryset=Member.objects.none(), required=False, label="Leads",
                            help_text="Who to contact about this work. Tick one or more people.", widget=PickerCheckboxes)
    start_date = NHSDateField(label="Start date", required=False)
    expected_go_live = NHSDateField(label="Expected go-live date", required=False)
    actual_go_live = NHSDateField(label="Actual go-live date", required=False)

    class Meta:
        model = MatrixEntry
        fields = [
            "title", "summary", "leads", "start_date", "expected_go_live", "actual_go_live",
            "expected_savings", "realised_savings", "freed_up_resources", "ppi", "outcomes",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "ppi": forms.Textarea(attrs={"rows": 3}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "expected_savings": "Expected savings (£)",
            "realised_savings": "Realised savings (£)",
            "freed_up_resources": "Freed-up resources (£)",
            "expected_go_live": "Expected go-live date",
            "actual_go_live": "Actual go-live date",
        }

    def __init__(self, *args, policy: ContactPolicy, **kwargs):
        """``policy``: whose e-mail addresses the person filling the form may see (``directory.privacy.policy_for``)."""
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = _member_choices()
        self.fields["leads"].policy = policy
        for name in ("expected_savings", "realised_savings", "freed_up_resources"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal"})

    def clean(self):
        cleaned = super().clean()
        start, expected = cleaned.get("start_date"), cleaned.get("expected_go_live")
        if start and expected and expected < start:
            self.add_error("expected_go_live", "The expected go-live date must be after the start date.")
        return cleaned


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move to stage", choices=[])
    reason = forms.CharField(label="Reason (needed when stopping)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, entry: MatrixEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = entry.allowed_next_stages()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to_stage") == Stage.STOPPED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why the work was stopped, so others can learn from it.")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="One row per piece of work, with a header row. Nothing is imported if any row has a problem.")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > 5 * 1024 * 1024:
            raise ValidationError("The CSV file must be 5 MB or smaller.")
        return file


class AttachmentForm(forms.Form):
    title = forms.CharField(max_length=255, label="Document title")
    file = SafeUploadField(label="Document")


class TemplateForm(forms.ModelForm):
    file = SafeUploadField(label="Document")
    notes = forms.CharField(max_length=255, required=False, label="Notes on this version")

    class Meta:
        model = Template
        fields = ["title", "kind", "description", "service_area", "organisation", "licence", "audience"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        """Only the organisations ``user`` may share a template as are offered (``template_organisations_for``);
        anyone but an administrator must choose one."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = template_organisations_for(user).order_by("name")
        self.fields["organisation"].required = not user.has_perm("redesign.change_template")


class TemplateVersionForm(forms.Form):
    file = SafeUploadField(label="New version")
    notes = forms.CharField(max_length=255, required=False, label="What changed in this version")


class MatrixFilterForm(forms.Form):
    """Filters shared by the matrix, the entry list and the CSV export (all GET, so links can be shared)."""

    q = forms.CharField(required=False, label="Words in the title or summary")
    service_area = forms.ModelChoiceField(ServiceArea.objects.all(), required=False, to_field_name="slug", empty_label="All service areas")
    organisation = forms.ModelChoiceField(Organisation.objects.commissioning(), required=False, to_field_name="slug", empty_label="All organisations")
    stage = forms.ChoiceField(required=False, choices=[("", "All stages")] + list(Stage.choices))
    stale = forms.BooleanField(required=False, label="Only work not updated for 90 days")

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("q"):
            from django.db.models import Q

            queryset = queryset.filter(Q(title__icontains=data["q"]) | Q(summary__icontains=data["q"]))
        if data.get("service_area"):
            queryset = queryset.filter(service_area=data["service_area"])
        if data.get("organisation"):
            queryset = queryset.filter(organisation=data["organisation"])
        if data.get("stage"):
            queryset = queryset.filter(stage=data["stage"])
        if data.get("stale"):
            queryset = queryset.stale()
        return queryset
