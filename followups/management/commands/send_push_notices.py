from django.core.management.base import BaseCommand

from followups import services


class Command(BaseCommand):
    help = (
        "Claim the morning notices whose time has come and hand them to the workers (beat runs this every 5 minutes)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"sent {services.dispatch_push_notices()} notices to the workers")
