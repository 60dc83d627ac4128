from django.core.management.base import BaseCommand
from django.utils import timezone

from followups import services


class Command(BaseCommand):
    help = (
        "The nightly follow-up job: rebuild ledger tallies and recompute everyone's follow-ups. "
        "By default it hands the chunks to the Celery workers, like beat does; --here runs them in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument("--here", action="store_true", help="run every chunk in this process")

    def handle(self, *args, here=False, **options):
        day = timezone.localdate()
        if here:
            outcome = services.run_nightly_here(day=day)
            self.stdout.write(f"created {outcome.created}, moved {outcome.moved}, closed {outcome.closed}")
        elif services.start_nightly(day=day) is None:
            self.stdout.write(f"The run of {day} was already claimed; the reaper finishes what is left.")
        else:
            self.stdout.write(f"The run of {day} was handed to the workers.")
