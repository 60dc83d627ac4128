import uuid

from django import template

register = template.Library()


@register.simple_tag
def new_capture_key() -> str:
    """A fresh key for a capture row form (see Meeting.capture_key)."""
    return str(uuid.uuid4())
