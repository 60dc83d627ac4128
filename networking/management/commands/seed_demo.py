import datetime
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User, account_created
from contacts.models import Person, Status
from followups import rules, services
from networking.demo import seed_network

DEMO_USERNAME = "demo"
# The documented demo login (README), for a local demo account.
DEMO_PASSWORD = "demo-jinmyaku"  # nosec B105
DEMO_PEOPLE = 80
# People per follow-up recompute while seeding.
CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Create the demo account with realistic demo data, or with --user, seed N people "
        "(with events, meetings and introductions) for that user, creating the user if needed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--first-run",
            action="store_true",
            help="Do nothing when the demo account already exists (used by `make run`).",
        )
        parser.add_argument(
            "--user",
            help="Seed this user (created with the demo password when missing).",
        )
        parser.add_argument("--people", type=int, default=DEMO_PEOPLE, help="How many people to create.")
        parser.add_argument(
            "--others",
            type=int,
            default=0,
            help="Also create this many other users with their own people beside them.",
        )
        parser.add_argument("--others-people", type=int, default=200, help="People per other user.")
        parser.add_argument(
            "--no-followups",
            dest="followups",
            action="store_false",
            help="Leave the follow-ups to the nightly job (benchmarks time it).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=42,
            help="Random seed (the same seed gives the same data).",
        )

    def handle(
        self,
        *args,
        first_run: bool,
        user: str | None,
        people: int,
        others: int,
        others_people: int,
        seed: int,
        followups: bool = True,
        **options,
    ):
        if people < 0 or others < 0 or others_people < 0:
            raise CommandError("Counts must not be negative.")
        rng = random.Random(seed)
        if user is None:
            if User.objects.filter(username=DEMO_USERNAME).exists():
                if first_run:
                    self.stdout.write(f"Demo data already loaded (log in as {DEMO_USERNAME} / {DEMO_PASSWORD}).")
                    return
                raise CommandError("The demo account already exists.")
            if not settings.DEBUG:
                raise CommandError("Refusing to create an account with a published password while DEBUG is off.")
            user = DEMO_USERNAME
        started = time.monotonic()
        owner = self._user(user)
        result = seed_network(owner=owner, people=people, rng=rng)
        for i in range(others):
            seed_network(owner=self._user(f"{user}-other-{i + 1}"), people=others_people, rng=rng)
        if followups:
            from insights.demo import seed_insights

            seed_insights(owner=owner, rng=rng)
            self._seed_followups(owner, rng)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.people} people, {result.events} events and {result.meetings} meetings for {owner.username}"
                + (f", and {others} other users with {others_people} people each" if others else "")
                + f" in {time.monotonic() - started:.1f} s. Log in as {owner.username} / {DEMO_PASSWORD}."
            )
        )

    def _seed_followups(self, owner: User, rng: random.Random) -> None:
        """What the rules give the demo data today, and a few follow-ups asked for by hand."""
        today = timezone.localdate()
        if connection.vendor == "postgresql":
            # Fresh tables have no statistics: without them PostgreSQL plans the
            # recompute's sub-queries as if the tables were empty (minutes at 100,000 people).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # In chunks of people, as the nightly job does.
        ids = list(Person.objects.filter(owner=owner).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rules.recompute(rules.people_of(owner.pk, first_id=chunk[0], last_id=chunk[-1]), today=today)
        notes = ["年賀状の住所を確認する", "紹介のお礼を伝える", "Send the deck we talked about"]
        people = list(Person.objects.filter(owner=owner, status=Status.ACTIVE).order_by("pk")[:40])
        for note, person in zip(notes, rng.sample(people, len(notes)), strict=False):
            services.add_manual(
                owner=owner, person=person, due_on=today + datetime.timedelta(days=rng.randint(-2, 9)), note=note
            )

    def _user(self, username: str) -> User:
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username, defaults={"language": "ja"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                account_created.send(sender=User, user=user)
        return user
