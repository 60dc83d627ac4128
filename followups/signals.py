"""Signals the follow-up engine sends, so apps that read follow-ups (insights) can follow
without the engine importing them."""

from django.dispatch import Signal

# Sent after commit with `owner_ids` when the engine wrote these owners'
# follow-ups, or finished their nightly run.
followups_written = Signal()
