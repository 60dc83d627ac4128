"""Receivers: the cards app adds a scanned card's details to the capture row it fills in."""

from .forms import CardExtrasForm


def card_row_extras(sender, *, request, data=None, event=None, **kwargs) -> CardExtrasForm | None:
    """The card's details for a row saved from a scan (its form carries `card-scan`); None for a typed row."""
    if data is None or not data.get("card-scan"):
        return None
    return CardExtrasForm(data, owner=request.user, event=event)
