"""A form renderer that writes the common widgets in Python.

Django renders every widget, and every `<option>` of a select, through the
template engine: about 0.1 ms per option, so a filter form with a few long
selects costs more than the rest of its page. This renderer writes the same
HTML, byte for byte, for the plain widgets (inputs, textareas, selects and
their options) in Python and leaves every other template to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "url",
        "password",
        "hidden",
        "checkbox",
        "color",
    )
}


def _attrs(attrs: dict) -> str:
    """The attributes as django/forms/widgets/attrs.html writes them."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{conditional_escape(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict) -> str:
    return f'<option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>'


def _select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append("\n  " + _option(option) + "\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the plain widgets written in Python."""

    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return mark_safe(_input(context["widget"]))  # nosec B308 B703 - every value is escaped above
        if template_name == f"{WIDGETS}select.html" and all(
            option["template_name"] == f"{WIDGETS}select_option.html"
            for _group, options, _index in context["widget"]["optgroups"]
            for option in options
        ):
            return mark_safe(_select(context["widget"]))  # nosec B308 B703 - every value is escaped above
        if template_name == f"{WIDGETS}textarea.html":
            return mark_safe(_textarea(context["widget"]))  # nosec B308 B703 - every value is escaped above
        return super().render(template_name, context, request)
