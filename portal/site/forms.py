"""Forms for accounts, and the renderer that gives every form NHS.UK markup."""
from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from directory.models import Member, Organisation
from portal.core.fields import NHSDateInput

REQUIRED = forms.Field.default_error_messages["required"]


class NHSBoundField(forms.BoundField):
    """Adds NHS.UK classes and links hints and errors to their inputs for screen readers."""

    WIDGET_CLASSES = {
        forms.Textarea: "nhsuk-textarea",
        forms.Select: "nhsuk-select",
        forms.SelectMultiple: "nhsuk-select",
        forms.CheckboxInput: "nhsuk-checkboxes__input",
        forms.ClearableFileInput: "nhsuk-file-upload",
        forms.FileInput: "nhsuk-file-upload",
    }

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            return attrs
        css = next((c for kind, c in self.WIDGET_CLASSES.items() if isinstance(widget, kind)), "nhsuk-input")
        if self.errors and css in {"nhsuk-input", "nhsuk-textarea", "nhsuk-select"}:
            css += f" {css}--error"
        attrs["class"] = " ".join(filter(None, [attrs.get("class", ""), css]))
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}-hint")
        if self.errors:
            described.append(f"{self.auto_id}-error")
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


    @property
    def named_errors(self) -> list[str]:
        """The field's errors, with Django's bare "This field is required." naming the field instead.

        The NHS.UK error pattern: the summary and the message say what to do
        ("Enter the title", "Choose your role"), so each makes sense on its own.
        """
        return [self.required_message() if str(error) == str(REQUIRED) else str(error) for error in self.errors]

    def required_message(self) -> str:
        label = str(self.label or self.name.replace("_", " "))
        label = label.removesuffix(" (optional)")
        what = label if label.lower().startswith(("your ", "a ", "an ", "the ")) else f"the {label[:1].lower()}{label[1:]}"
        widget = self.field.widget
        verb = "Choose" if isinstance(widget, (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple)) else "Enter"
        if isinstance(widget, forms.CheckboxInput):
            verb = "Tick"
        return f"{verb} {what}"

    @property
    def first_input_id(self) -> str:
        """Where the error summary's link for this field goes: the first of several inputs when there are several."""
        widget = self.field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            subwidgets = self.subwidgets
            return subwidgets[0].id_for_label if subwidgets else self.auto_id
        if isinstance(widget, NHSDateInput):
            return f"{self.auto_id}_0"
        return self.auto_id


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _html_attrs(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html``, in Python."""
    return "".join(f" {name}" if value is True else f' {name}="{escape(str(value))}"'
                   for name, value in attrs.items() if value is not False)


def render_select(widget: dict) -> str:
    """Django's ``select.html`` and ``select_option.html`` for a select's context, in Python, character for character.

    The templates include one template per option (and its attributes' template): a select of 45 organisations
    cost more CPU than the rest of the filter form it sits in, and the directory and the matrix draw one on every
    uncached page.
    """
    parts = [f'<select name="{escape(widget["name"])}"{_html_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            parts.append(f'\n  <option value="{escape(str(option["value"]))}"{_html_attrs(option["attrs"])}>{escape(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


FIELD_TEMPLATE = "forms/nhsuk_field.html"
CHOICE_LIST_WIDGETS = {"radioselect", "checkboxselectmultiple", "pickercheckboxes"}


def _shown(value) -> str:
    """A value as ``{{ value }}`` shows it in an autoescaped template (localised, then escaped unless already safe)."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def render_choice_list(field) -> str:
    """``forms/nhsuk_field.html`` for radios and checkboxes as the renderer returns it (stripped), in Python,
    character for character.

    The template draws each option with a dozen lookups and a ``widget_type`` (a regular expression) per class
    name: the directory's twenty service areas cost more CPU than the rest of its filter form.
    """
    kind = field.widget_type
    radios = kind == "radioselect"
    picker = kind == "pickercheckboxes"
    auto_id = _shown(field.auto_id)
    help_text = field.help_text
    label = _shown(field.label)
    errors = field.errors
    parts = ['<div class="nhsuk-form-group', " nhsuk-form-group--error" if errors else "", '">\n  <fieldset class="nhsuk-fieldset"']
    if help_text or errors:
        parts.append(f' aria-describedby="{f"{auto_id}-hint" if help_text else ""}{f" {auto_id}-error" if errors else ""}"')
    parts.append(f'>\n    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{label}</legend>\n    ')
    if help_text:
        parts.append(f'<div class="nhsuk-hint" id="{auto_id}-hint">{_shown(help_text)}</div>')
    parts.append("\n    ")
    for error in field.named_errors:
        parts.append(f'<span class="nhsuk-error-message" id="{auto_id}-error"><span class="nhsuk-u-visually-hidden">Error:</span> {_shown(error)}</span>')
    parts.append(f'\n    <div class="{"nhsuk-radios" if radios else "nhsuk-checkboxes"}{" portal-picker" if picker else ""}"'
                 f'{f" data-picker={chr(34)}{label}{chr(34)}" if picker else ""}>\n      ')
    item, control, label_class = (
        ("nhsuk-radios__item", "nhsuk-radios__input", "nhsuk-radios__label") if radios
        else ("nhsuk-checkboxes__item", "nhsuk-checkboxes__input", "nhsuk-checkboxes__label")
    )
    for option in field:
        data = option.data
        option_id = _shown(option.id_for_label)
        parts.append(
            f'\n      <div class="{item}">\n        <input class="{control}" id="{option_id}" name="{_shown(data["name"])}"'
            f' type="{_shown(data["type"])}" value="{_shown(data["value"])}"{" checked" if data["selected"] else ""}>\n'
            f'        <label class="nhsuk-label {label_class}" for="{option_id}">{_shown(option.choice_label)}</label>\n'
            "      </div>\n      "
        )
    parts.append("\n    </div>\n  </fieldset>\n</div>")  # the renderer strips what a template draws around it
    return "".join(parts)


class NHSFormRenderer(TemplatesSetting):
    form_template_name = "forms/nhsuk_form.html"
    field_template_name = "forms/nhsuk_field.html"
    bound_field_class = NHSBoundField

    def render(self, template_name, context, request=None):
        # Selects are drawn in Python when they use Django's own templates (every option the same markup).
        if template_name == SELECT_TEMPLATE and all(
            option["template_name"] == OPTION_TEMPLATE for _name, options, _index in context["widget"]["optgroups"] for option in options
        ):
            return mark_safe(render_select(context["widget"]))  # noqa: S308 - every value is escaped in render_select
        # Radios and checkboxes likewise, when drawn by the portal's field template.
        if template_name == FIELD_TEMPLATE and set(context) == {"field"} and context["field"].widget_type in CHOICE_LIST_WIDGETS:
            return mark_safe(render_choice_list(context["field"]))  # noqa: S308 - every value is escaped
        return super().render(template_name, context, request=request)


class SignupDetailsForm(forms.Form):
    """The details allauth's sign-up form asks for besides e-mail and password."""

    first_name = forms.CharField(max_length=150, label="First name", widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=150, label="Last name", widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    job_role = forms.ChoiceField(label="Your role", choices=[])
    organisation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Your organisation",
        help_text="The practice, cluster, consortium, PCT or SHA you work for. Leave blank if it is not listed.",
        empty_label="Not listed",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_role"].choices = [("", "Choose your role")] + list(Member.JobRole.choices)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
