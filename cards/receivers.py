"""Receivers: the cards app adds a scanned card's details to the capture row it fills in."""

from .forms import CardExtrasForm


def card_row_extras(sender, *, request, data=None, event=None, **kwargs) -> CardExtrasForm | None:
    """The card's details for a row saved from a scan (its form carries `card-scan`); None for a typed row."""
    if data is None or not data.get("card-scan"):
        return None
    return CardExtrasForm(data, owner=request.user, event=event)


def forget_trashed_card_files(sender, instance, **kwargs) -> None:
    """When a trashed person is deleted for good, delete their card photos' files too.

    The trash keeps the CardImage rows serialized and leaves the files in
    place, so a restore finds them again. A restore also deletes the trash
    row, but then the photos' rows exist again and their files are kept.
    """
    import json

    from django.db import transaction

    from contacts.models import TrashedPerson

    from .models import CardImage

    # Read from the table: the instance may have been loaded without its rows (.only("pk", "name")).
    text = TrashedPerson.objects.filter(pk=instance.pk).values_list("rows", flat=True).first()
    try:
        rows = json.loads(text or "[]")
    except (TypeError, ValueError):
        return
    names = [
        row.get("fields", {}).get("image")
        for row in rows
        if isinstance(row, dict) and row.get("model") == "cards.cardimage"
    ]
    names = [name for name in names if name]
    if not names:
        return

    def delete_files() -> None:
        kept = set(CardImage.objects.filter(image__in=names).values_list("image", flat=True))
        storage = CardImage._meta.get_field("image").storage
        for name in set(names) - kept:
            storage.delete(name)

    transaction.on_commit(delete_files)
