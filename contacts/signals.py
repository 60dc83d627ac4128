"""Signals other apps use to add to what contacts does, without contacts importing them."""

from django.dispatch import Signal

# Sent when the capture screen builds a row form, with `request` and `data`
# (the POST data, or None for a blank row). A receiver returns a form-like
# object to show and save with the row, or None: is_valid(), template_name,
# save(person=..., known=...) and, for a person met again, details() (person
# columns) and contact_points() ((kind, value, normalized) tuples), which go
# through `services.keep_new_details` with the row's own. The cards app adds
# a scanned card's details and photos.
capture_row_extras = Signal()


class RowConflict(Exception):
    """Raised by an extra's save() when what it saves was taken meanwhile (the same card saved in
    another tab): the row is rolled back and shown again, its forms validated afresh to say why."""
