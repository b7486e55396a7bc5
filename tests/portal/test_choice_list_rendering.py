"""Radios and checkboxes are drawn in Python by the portal's form renderer (portal/site/forms.py), exactly as
``forms/nhsuk_field.html`` draws them.

The template draws each option through a dozen lookups; the directory's filter form draws twenty service areas
on every uncached page.  These tests compare the renderer with the template, character for character.
"""
from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from portal.core.fields import PickerCheckboxes
from portal.site.forms import NHSFormRenderer


class Choices(forms.Form):
    default_renderer = NHSFormRenderer

    areas = forms.MultipleChoiceField(
        choices=[("derm", "Dermatology"), ("eye", "Eyes & <ears>"), ("msk", 'The "MSK" service')],
        widget=forms.CheckboxSelectMultiple, help_text="Tick <any> that apply.",
    )
    visibility = forms.ChoiceField(choices=[("members", "Members"), ("organisation", "My organisation")], widget=forms.RadioSelect)
    people = forms.MultipleChoiceField(choices=[(1, "Ann Smith"), (2, "Bob Jones")], widget=PickerCheckboxes, label="Leads",
                                       required=False)
    number = forms.TypedChoiceField(choices=[(1000, "A thousand"), (2, "Two")], coerce=int, widget=forms.RadioSelect,
                                    required=False, label="How <many>")


def by_template(field) -> str:
    return TemplatesSetting().render("forms/nhsuk_field.html", {"field": field})


@pytest.mark.parametrize("name", ["areas", "visibility", "people", "number"])
@pytest.mark.parametrize("data", [None, {}, {"areas": ["derm", "msk"], "visibility": "organisation", "people": ["2"], "number": "1000"},
                                  {"areas": ["nope"], "visibility": "nope"}])
def test_choice_lists_are_drawn_exactly_as_the_field_template_draws_them(name, data):
    form = Choices(data)
    if data is not None:
        form.is_valid()

    assert form[name].as_field_group() == by_template(form[name])


def test_choice_lists_escape_labels_and_mark_the_chosen_options():
    html = Choices({"areas": ["eye"], "visibility": "members"})["areas"].as_field_group()

    assert "Eyes &amp; &lt;ears&gt;" in html
    assert 'value="eye" checked>' in html
    assert 'value="derm">' in html
    assert "Tick &lt;any&gt; that apply." in html


class TemplatesOnly(NHSFormRenderer):
    """The portal's renderer drawing everything through its templates (no field drawn in Python)."""

    def render(self, template_name, context, request=None):
        return TemplatesSetting.render(self, template_name, context, request=request)


@pytest.mark.django_db
def test_the_directory_filter_form_is_drawn_as_its_templates_draw_it():
    from directory.forms import DirectoryFilterForm
    from directory.models import Organisation, ServiceArea

    ServiceArea.objects.create(name="Dermatology & skin", slug="dermatology")
    ServiceArea.objects.create(name="Eyes", slug="eyes")
    Organisation.objects.create(name="Leeds <North>", slug="leeds-north", kind=Organisation.Kind.choices[0][0], locality="Leeds")

    for data in (None, {"interest": ["eyes"], "organisation": "leeds-north", "locality": "Leeds"}):
        assert DirectoryFilterForm(data).render() == DirectoryFilterForm(data, renderer=TemplatesOnly()).render()


def test_a_choice_list_with_an_error_is_marked_as_in_error_and_names_its_message():
    form = Choices({"areas": ["nope"], "visibility": "members"})
    form.is_valid()

    html = form["areas"].as_field_group()

    assert 'class="nhsuk-form-group nhsuk-form-group--error"' in html
    assert 'aria-describedby="id_areas-hint id_areas-error"' in html
    assert 'id="id_areas-error"' in html


class Text(forms.Form):
    default_renderer = NHSFormRenderer

    title = forms.CharField(label="Title")


def test_a_text_field_with_an_error_is_marked_as_in_error_around_its_input():
    form = Text({})
    form.is_valid()

    html = form["title"].as_field_group()

    assert 'class="nhsuk-form-group nhsuk-form-group--error"' in html
    assert 'class="nhsuk-input nhsuk-input--error"' in html
    assert "Enter the title" in html


def test_a_field_without_an_error_is_not_marked_as_in_error():
    form = Text({"title": "Dermatology"})
    form.is_valid()

    assert "--error" not in form["title"].as_field_group()
