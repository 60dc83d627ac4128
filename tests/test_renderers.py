"""The fast form renderer writes exactly what Django's templates write."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from networking.renderers import FastWidgetRenderer

HOSTILE = '"><script>alert(1)</script>&amp;'

WIDGETS = [
    (forms.TextInput(attrs={"maxlength": 100, "autofocus": True, "hidden": False}), "name", HOSTILE),
    (forms.TextInput(), "name", None),
    (forms.EmailInput(attrs={"placeholder": HOSTILE}), "email", "a@example.jp"),
    (forms.NumberInput(attrs={"min": 0}), "n", 12),
    (forms.DateInput(attrs={"type": "date"}), "day", datetime.date(2026, 11, 24)),
    (forms.PasswordInput(), "password", "secret"),
    (forms.HiddenInput(), "version", 3),
    (forms.CheckboxInput(), "flag", True),
    (forms.CheckboxInput(), "flag", False),
    (forms.Textarea(attrs={"rows": 3}), "notes", "line 1\n" + HOSTILE),
    (forms.Textarea(), "notes", ""),
    (forms.Select(choices=[("", "—"), (1, "IT"), (2, HOSTILE), (3, mark_safe("<b>safe</b>"))]), "field", "2"),
    (forms.Select(choices=[("Group <1>", [(1, "a"), (2, "b")]), (3, "c")]), "grouped", 1),
    (forms.SelectMultiple(choices=[(1, "a"), (2, "b"), (3, "c")]), "many", ["1", "3"]),
    (forms.NullBooleanSelect(), "maybe", None),
]


@pytest.mark.parametrize(("widget", "name", "value"), WIDGETS)
def test_it_writes_the_same_html_as_django(widget, name, value):
    attrs = {"id": f"id_{name}", "required": True, "aria-describedby": HOSTILE}
    expected = widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
    assert widget.render(name, value, attrs=attrs, renderer=FastWidgetRenderer()) == expected


def test_other_widgets_still_render_through_their_templates():
    widget = forms.RadioSelect(choices=[(1, "a"), (2, "b")])
    expected = widget.render("r", "1", renderer=DjangoTemplates())
    assert widget.render("r", "1", renderer=FastWidgetRenderer()) == expected
