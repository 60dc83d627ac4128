from . import services


def recompute_changed_people(sender, owner_id, person_ids, **kwargs):
    """A person, their meetings or their ledger changed (after commit): recompute their follow-ups."""
    services.request_recompute(owner_id=owner_id, person_ids=person_ids)


def move_followups_on_merge(sender, keep, other, **kwargs):
    """Move the merged person's follow-ups to `keep`: all closed ones, and open ones `keep` lacks."""
    from .models import FollowUp, State

    kept_reasons = FollowUp.objects.filter(person=keep, state=State.OPEN).values("reason")
    FollowUp.objects.filter(person=other, state=State.OPEN).exclude(reason__in=kept_reasons).update(person=keep)
    FollowUp.objects.filter(person=other).exclude(state=State.OPEN).update(person=keep)


def rotate_feed_on_password_change(sender, user, **kwargs):
    """A new password ends every old secret: a calendar feed that was on gets a new address."""
    services.rotate_feed(owner=user)


# Follow-ups the rules open by themselves: made again whenever the person is recomputed.
RULE_REASONS = {"thank_you", "keep_in_touch", "next_step", "give_back", "key_person", "birthday"}


def opened_by_the_rules(followup, meeting) -> bool:
    """Whether a follow-up was opened (or closed) by the rules, not made or handled by the user."""
    return followup.reason in RULE_REASONS and followup.state in ("open", "closed")
