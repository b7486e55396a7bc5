"""Selects are drawn in Python by the portal's form renderer (portal/site/forms.py), exactly as Django's templates draw them.

Django renders a select through one template per option (and one for each
option's attributes); the directory's and the matrix's filter forms draw
about eighty options on every uncached page.  These tests compare the
portal's renderer with Django's own templates, character for character.
"""
from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from portal.site.forms import NHSFormRenderer


class Choices(forms.Form):
    role = forms.ChoiceField(choices=[("", "Any role"), ("gp", "GP"), ("nurse", "Nurse & AHP")])
    grouped = forms.ChoiceField(choices=[("Clinics & wards", [("1", "<Ward one>"), ("2", 'The "second"')]), ("3", "Three")])
    areas = forms.MultipleChoiceField(choices=[("derm", "Dermatology"), ("eye", "Ophthalmology"), ("msk", "MSK")])
    answered = forms.NullBooleanField()


def drawn(form: forms.Form, name: str, renderer) -> str:
    field = form[name]
    widget = field.field.widget
    attrs = field.build_widget_attrs({}, widget)
    attrs.setdefault("id", field.auto_id)
    return widget.render(field.html_name, field.value(), attrs, renderer)


@pytest.mark.parametrize("name", ["role", "grouped", "areas", "answered"])
@pytest.mark.parametrize("data", [None, {"role": "nurse", "grouped": "2", "areas": ["derm", "msk"], "answered": "true"}])
def test_select_is_drawn_exactly_as_djangos_templates_draw_it(name, data):
    form = Choices(data)

    assert drawn(form, name, NHSFormRenderer()) == drawn(form, name, TemplatesSetting())


def test_select_escapes_its_labels_and_marks_the_chosen_option():
    html = drawn(Choices({"grouped": "1"}), "grouped", NHSFormRenderer())

    assert '<optgroup label="Clinics &amp; wards">' in html
    assert '<option value="1" selected>&lt;Ward one&gt;</option>' in html
    assert "The &quot;second&quot;" in html


def test_a_select_with_its_own_option_template_is_drawn_by_its_templates():
    class OwnOptions(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Form(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A")], widget=OwnOptions)

    assert drawn(Form(), "choice", NHSFormRenderer()) == drawn(Form(), "choice", TemplatesSetting())
