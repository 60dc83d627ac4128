from django import template
from django.utils import timezone

from ..forms import ManualForm
from ..models import FollowUp, State

register = template.Library()


@register.inclusion_tag("followups/person_followups.html")
def person_followups(person):
    """The person page's follow-up section: what is open for them, and a form to add one (one query)."""
    items = list(FollowUp.objects.filter(person_id=person.pk, owner_id=person.owner_id, state=State.OPEN))
    today = timezone.localdate()
    return {"person": person, "items": items, "today": today, "form": ManualForm(initial={"due_on": today})}
