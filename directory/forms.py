import functools

from django import forms

from directory.models import Member, Organisation, ServiceArea, Visibility


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(), required=False, label="Organisation", empty_label="Not set", help_text="Added to their profile when they join."
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason (sent to the applicant)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ProfileForm(forms.Form):
    """A member's own profile, with a visibility choice for each contact detail."""

    first_name = forms.CharField(max_length=150, label="First name", widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=150, label="Last name", widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    job_role = forms.ChoiceField(label="Your role", choices=[])
    job_title = forms.CharField(max_length=120, required=False, label="Job title", widget=forms.TextInput(attrs={"autocomplete": "organization-title"}))
    organisations = forms.ModelMultipleChoiceField(
        Organisation.objects.none(), required=False, label="Organisations",
        help_text="Hold down Ctrl (or Cmd on a Mac) to choose more than one.",
    )
    specialties = forms.ModelMultipleChoiceField(None, required=False, label="Specialties", widget=forms.CheckboxSelectMultiple)
    interests = forms.ModelMultipleChoiceField(None, required=False, label="Special interests", widget=forms.CheckboxSelectMultiple)
    bio = forms.CharField(required=False, max_length=2000, label="About you", widget=forms.Textarea(attrs={"rows": 5}),
                          help_text="What you work on and what you could help others with.")
    photo = forms.FileField(required=False, label="Photo", help_text="A JPEG, PNG, GIF or WebP picture, under 5 MB.",
                            widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}))
    remove_photo = forms.BooleanField(required=False, label="Remove my photo")
    phone = forms.CharField(max_length=30, required=False, label="Telephone", widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    email_visibility = forms.ChoiceField(label="Who can see your e-mail address", widget=forms.RadioSelect, choices=[])
    phone_visibility = forms.ChoiceField(label="Who can see your telephone number", widget=forms.RadioSelect, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_role"].choices = [("", "Choose your role")] + list(Member.JobRole.choices)
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        self.fields["specialties"].queryset = ServiceArea.objects.all()
        self.fields["interests"].queryset = ServiceArea.objects.all()
        for name in ("email_visibility", "phone_visibility"):
            self.fields[name].choices = Visibility.choices

    @classmethod
    def initial_for(cls, member) -> dict:
        return {
            "first_name": member.user.first_name,
            "last_name": member.user.last_name,
            "job_role": member.job_role,
            "job_title": member.job_title,
            "organisations": list(member.organisations.all()),
            "specialties": list(member.specialties.all()),
            "interests": list(member.interests.all()),
            "bio": member.bio,
            "phone": member.phone,
            "email_visibility": member.email_visibility,
            "phone_visibility": member.phone_visibility,
        }


class DirectoryFilterForm(forms.Form):
    """The directory list's filters; read from the query string so they work without JavaScript."""

    q = forms.CharField(required=False, max_length=100, label="Search by name",
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "data-directory-search": ""}))
    organisation = forms.ModelChoiceField(None, required=False, label="Organisation", empty_label="Any organisation", to_field_name="slug")
    role = forms.ChoiceField(required=False, label="Role", choices=[])
    interest = forms.ModelMultipleChoiceField(
        None, required=False, label="Specialties or interests", to_field_name="slug", widget=forms.CheckboxSelectMultiple,
        help_text="Members with any of the ticked service areas as a specialty or an interest.",
    )
    locality = forms.ChoiceField(required=False, label="Locality", choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["role"].choices = [("", "Any role")] + list(Member.JobRole.choices)
        self.fields["interest"].queryset = ServiceArea.objects.all()
        # A callable, so the localities are read only when the form is rendered or a locality is chosen (and once).
        self.fields["locality"].choices = functools.cache(_locality_choices)


def _locality_choices() -> list[tuple[str, str]]:
    localities = Organisation.objects.exclude(locality="").order_by("locality").values_list("locality", flat=True).distinct()
    return [("", "Any locality")] + [(loc, loc) for loc in localities]


class CsvImportForm(forms.Form):
    KIND_CHOICES = [("members", "Members"), ("organisations", "Organisations")]

    kind = forms.ChoiceField(label="What the file contains", choices=KIND_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(label="CSV file", help_text="Saved from a spreadsheet as CSV (UTF-8). The first row names the columns.",
                           widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 2 MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text. In your spreadsheet choose \"CSV UTF-8\" when saving.") from None
