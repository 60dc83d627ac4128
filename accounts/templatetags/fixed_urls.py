"""`{% fixed_url "contacts:person_detail" person.pk %}`: `{% url %}` for integer ids, reversed once per process;
`{% fixed_static "css/app.css" %}`: `{% static %}`, looked up once per process."""

from functools import cache

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix

from ..fixed_urls import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str, *ids: int) -> str:
    """The URL of `name` with `ids` (see accounts.fixed_urls); `… as var` keeps it in a variable."""
    return _fixed_url(name, *ids)


@register.simple_tag
def fixed_static(path: str) -> str:
    """The static file's URL (with its content hash in production), as `{% static %}` gives it.

    The files do not change while a process runs (collectstatic runs before),
    so each is looked up once: every page links to the same five.
    """
    return _static(path, get_script_prefix())


@cache
def _static(path: str, prefix: str) -> str:
    return static(path)
