"""Form fields and widgets every app's forms may use: the NHS.UK date input and a searchable list of checkboxes.

The renderer that gives every form NHS.UK markup (portal/site/forms.py) draws them;
their templates are portal/templates/forms/.
"""
from __future__ import annotations

import datetime as dt

from django import forms


class PickerCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes in a scrolling box that portal/js/picker.js makes searchable by name (plain checkboxes without it)."""


class NHSDateInput(forms.MultiWidget):
    """The NHS.UK date input: day, month and year in three short boxes, not the browser's date picker.

    People type the dates they have on paper; a picker makes them click
    through months and is hard to use with a keyboard or a screen reader.
    """

    template_name = "forms/nhsuk_date_input.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "class": "nhsuk-input nhsuk-date-input__input"}
        super().__init__(
            [
                forms.TextInput({**box, "class": box["class"] + " nhsuk-input--width-2", "maxlength": "2"}),
                forms.TextInput({**box, "class": box["class"] + " nhsuk-input--width-2", "maxlength": "2"}),
                forms.TextInput({**box, "class": box["class"] + " nhsuk-input--width-4", "maxlength": "4"}),
            ],
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value.count("-") == 2:  # an ISO date from initial data
            year, month, day = value.split("-")
            return [day.lstrip("0"), month.lstrip("0"), year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, part in zip(context["widget"]["subwidgets"], ("Day", "Month", "Year"), strict=True):
            subwidget["part"] = part
        return context


class NHSDateField(forms.MultiValueField):
    """A date typed as day, month and year (``NHSDateInput``), checked on the server with plain messages."""

    widget = NHSDateInput

    def __init__(self, *, label: str = "", **kwargs):
        super().__init__(
            fields=[forms.CharField(), forms.CharField(), forms.CharField()],
            require_all_fields=False,
            label=label,
            **kwargs,
        )

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (part.strip() if part else "" for part in data_list)
        name = str(self.label or "the date")
        name = name[:1].lower() + name[1:]
        missing = [part for part, value in (("day", day), ("month", month), ("year", year)) if not value]
        if missing:
            raise forms.ValidationError(f"The {name} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(f"Enter the {name} as numbers, for example 27 3 2008")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"The {name} must be a real date") from None
