"""Demo data for the key-person page, the insights page and the goals page."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts.models import Field, KeyPerson, Meeting, MeetingKind, Person, Profile, Stage, Status, Wish

from . import services
from .models import Goal, Suggestion

KEY_FIELDS = 3


def seed_insights(*, owner: User, rng: random.Random, today: datetime.date | None = None) -> None:
    """A profile, goals, some joint work with mutual ties, suggestions and a few key persons.

    Key persons are written directly (no follow-up recompute per tag): the
    demo seeding recomputes everyone's follow-ups afterwards.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        Profile.objects.update_or_create(
            owner=owner,
            defaults={
                "stage": Stage.STARTING,
                "what_i_do": "Web 制作のフリーランス（小さな会社のサイトと業務アプリ）",
                "what_i_want": "顧問の税理士と、一緒に案件を受けられるデザイナーを探しています",
            },
        )
        fields = list(Field.objects.filter(owner=owner).order_by("position", "pk"))
        mutual = list(
            Person.objects.filter(
                owner=owner,
                status=Status.ACTIVE,
                i_want_to_meet_again=Wish.YES,
                they_want_to_meet_again=Wish.YES,
            ).order_by("pk")[:12]
        )
        meetings, links = [], []
        for person in mutual:
            for _ in range(rng.randint(1, 3)):
                date = today - datetime.timedelta(days=rng.randint(5, 170))
                meetings.append(
                    Meeting(owner=owner, date=date, kind=rng.choice([MeetingKind.JOINT_WORK, MeetingKind.COFFEE]))
                )
                links.append(person.pk)
        created = Meeting.objects.bulk_create(meetings)
        Meeting.people.through.objects.bulk_create(
            [Meeting.people.through(meeting_id=m.pk, person_id=p) for m, p in zip(created, links, strict=True)]
        )
        for person in mutual:
            latest = max(m.date for m, p in zip(created, links, strict=True) if p == person.pk)
            if person.last_contact_on is None or person.last_contact_on < latest:
                Person.objects.filter(pk=person.pk).update(last_contact_on=latest)
        if len(fields) > 4:
            tax = Goal.objects.create(owner=owner, description="税理士")
            tax.fields.set([fields[4]])
        Goal.objects.create(owner=owner, description="土曜にゴルフできる人")
        Goal.objects.create(owner=owner, description="デザイナー", met_on=today - datetime.timedelta(days=40))

    services.refresh_suggestions(owner_id=owner.pk, today=today)
    tagged = 0
    with transaction.atomic():
        for suggestion in Suggestion.objects.filter(owner=owner, rank=1).order_by("-score", "pk"):
            if tagged >= KEY_FIELDS:
                break
            KeyPerson.objects.get_or_create(
                owner=owner,
                person_id=suggestion.person_id,
                field_id=suggestion.field_id,
                defaults={
                    "tagged_on": today - datetime.timedelta(days=rng.randint(10, 200)),
                    "note": "月に一度はランチ",
                },
            )
            suggestion.delete()
            tagged += 1
    services.refresh_suggestions(owner_id=owner.pk, today=today)
