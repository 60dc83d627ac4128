from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from transfer.backup import restore
from transfer.decoding import FileRejected


class Command(BaseCommand):
    help = "Restore a JSON backup (from export_contacts --format json) into a user's empty account."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("file", type=Path)

    def handle(self, *args, user, file, **options):
        try:
            owner = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        try:
            count = restore(owner=owner, data=file.read_bytes())
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except FileRejected as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {count} people.")
