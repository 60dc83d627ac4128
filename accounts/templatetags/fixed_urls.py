"""`{% fixed_url "contacts:person_detail" person.pk %}`: `{% url %}` for integer ids, reversed once per process."""

from django import template

from ..fixed_urls import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str, *ids: int) -> str:
    """The URL of `name` with `ids` (see accounts.fixed_urls); `… as var` keeps it in a variable."""
    return _fixed_url(name, *ids)
