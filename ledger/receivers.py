from . import services


def move_entries_on_merge(sender, keep, other, **kwargs):
    """A merge moves the merged person's entries (and mentions) to `keep`."""
    services.move_entries_on_merge(keep=keep, other=other)


def rebuild_tally_on_restore(owner_id: int, person_id: int) -> None:
    """A person back from the trash gets their tally again (tallies are not kept in the trash)."""
    services.refresh_ledger_tallies(owner_id, person_ids=[person_id])
