from django.core.management.base import BaseCommand

from followups import services


class Command(BaseCommand):
    help = "Claim the weekly digests whose Monday morning has come and send the due ones (beat runs this every 15 minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"sent {services.dispatch_digests()} digests to the workers")
