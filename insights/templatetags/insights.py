from django import template

from ..forms import TagForm
from ..selectors import person_key_roles

register = template.Library()


@register.inclusion_tag("insights/person_key_roles.html", takes_context=True)
def person_key_roles_panel(context, person):
    """The person page's key-person section: the fields they are key in, tag and untag (two queries)."""
    return {
        "person": person,
        "roles": person_key_roles(person),
        "tag_form": TagForm(owner=context["request"].user),
        "csrf_token": context.get("csrf_token"),
    }
