"""Signals other apps use to add to what contacts does, without contacts importing them."""

from django.dispatch import Signal

# Sent when the capture screen builds a row form, with `request` and `data`
# (the POST data, or None for a blank row). A receiver returns a form-like
# object (is_valid(), save(person=...), template_name) to show and save with
# the row, or None. The cards app adds a scanned card's details and photos.
capture_row_extras = Signal()
