import datetime

from django.core.management.base import BaseCommand

from jobs import services


class Command(BaseCommand):
    help = "Send again the chunks a dead worker left unfinished (nightly follow-ups), and recomputes still waiting."

    def add_arguments(self, parser):
        parser.add_argument("--stale-after", type=int, default=None, help="seconds (default: FOLLOWUPS_STALE_AFTER)")

    def handle(self, *args, stale_after=None, **options):
        stale = datetime.timedelta(seconds=stale_after) if stale_after is not None else None
        self.stdout.write(f"sent again {services.reap(stale_after=stale)} chunks")
