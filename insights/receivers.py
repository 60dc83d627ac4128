def move_rows_on_merge(sender, keep, other, **kwargs):
    """Keep the merged person's dismissals on `keep`; their suggestions are derived and go."""
    from .models import Dismissal, Suggestion

    kept_fields = Dismissal.objects.filter(person=keep).values("field_id")
    Dismissal.objects.filter(person=other).exclude(field_id__in=kept_fields).update(person=keep)
    Suggestion.objects.filter(person=other).delete()


def figures_moved(sender, owner_id=None, owner_ids=(), **kwargs):
    """People or follow-ups changed (after commit): the owners' insights figures are stale."""
    from . import figures

    for pk in [owner_id] if owner_id is not None else owner_ids:
        figures.mark_stale(pk)
