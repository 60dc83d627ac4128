from django.core.management.base import BaseCommand

from followups import push


class Command(BaseCommand):
    help = (
        "Make a VAPID key pair for Web Push (the morning notice) and print it as environment variables. "
        "Set them once and keep them: devices turned on with one key pair stop getting notices when it changes."
    )

    def handle(self, *args, **options):
        private, public = push.generate_keys()
        self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"WEBPUSH_VAPID_PUBLIC_KEY={public}")
        self.stdout.write("WEBPUSH_VAPID_SUBJECT=mailto:you@example.com")
