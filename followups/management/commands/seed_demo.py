from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-jinmyaku"


class Command(BaseCommand):
    help = "Create the demo account with realistic demo data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--first-run",
            action="store_true",
            help="Do nothing when the demo account already exists (used by `make run`).",
        )

    def handle(self, *args, first_run: bool, **options):
        if User.objects.filter(username=DEMO_USERNAME).exists():
            if first_run:
                self.stdout.write(
                    "Demo data already loaded (log in as demo / demo-jinmyaku)."
                )
                return
            raise CommandError("The demo account already exists.")
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create an account with a published password while DEBUG is off."
            )
        with transaction.atomic():
            User.objects.create_user(
                username=DEMO_USERNAME, password=DEMO_PASSWORD, language="ja"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the demo account: {DEMO_USERNAME} / {DEMO_PASSWORD}"
            )
        )
