from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from insights import services


class Command(BaseCommand):
    help = "Rebuild the key-person suggestions here, for one user or everyone (what the weekly job does)."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Only this user (default: everyone with people).")

    def handle(self, *args, user: str | None, **options):
        if user:
            found = User.objects.filter(username=user).first()
            if found is None:
                raise CommandError(f"No user named {user!r}.")
            owners = [found.pk]
        else:
            owners = services.refresh_everyone(send=False)
        for owner_id in owners:
            outcome = services.refresh_suggestions(owner_id=owner_id)
            self.stdout.write(
                f"user {owner_id}: {outcome['created']} new, {outcome['updated']} changed, {outcome['deleted']} removed"
            )
