import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from transfer.exporting import export_stream


class Command(BaseCommand):
    help = "Write a user's people as vCard 3.0/4.0 or CSV, or the full JSON backup, to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--format", required=True, choices=["vcard3", "vcard4", "csv", "json"])
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, user, format, output, **options):
        try:
            owner = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        try:
            for chunk in export_stream(owner, format):
                out.write(chunk)
        finally:
            if output:
                out.close()
            else:
                out.flush()
