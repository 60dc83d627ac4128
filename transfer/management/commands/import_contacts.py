from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from transfer import services
from transfer.cards import describe
from transfer.decoding import FileRejected
from transfer.models import DuplicateAction, ImportFormat, ImportStatus, RowKind

# The short names of the warnings (transfer.cards.WARNINGS), for the counts per reason.
REASONS = {
    "phone_unverified": "phone kept as written",
    "phone_dropped": "phone left out",
    "email_invalid": "e-mail left out",
    "url_kept": "web address kept as written",
    "url_dropped": "web address left out",
    "too_long": "text over its limit left out",
    "date_invalid": "date left out",
    "birthday_no_year": "birthday without a year",
    "too_many_points": "e-mails or phones over the limit left out",
    "too_many_tags": "tags over the limit left out",
    "tag_too_long": "long tag left out",
    "name_from": "no name (company or contact used)",
    "incomplete": "card without END:VCARD",
    "no_begin": "card without BEGIN:VCARD",
}


class Command(BaseCommand):
    help = "Import vCard or CSV files into a user's people (each file all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--duplicates",
            choices=[c.value for c in DuplicateAction],
            default=DuplicateAction.MERGE,
            help="what to do with people who look like someone already there (default: merge)",
        )

    def handle(self, *args, user, files, duplicates, **options):
        try:
            owner = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        failed = False
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from None
            try:
                job = services.start_import(owner=owner, filename=path.name, data=data, read_here=True)
            except FileRejected as error:
                self.stderr.write(f"{path}: {error}")
                failed = True
                continue
            if job.format == ImportFormat.GENERIC:
                self.stderr.write(f"{path}: the columns of this CSV are not known; import it on the web page.")
                failed = True
                continue
            refused: Counter[str] = Counter()
            for line, errors in job.rows.filter(kind=RowKind.INVALID).values_list("line", "errors"):
                self.stderr.write(f"{path}:{line}: {'; '.join(errors)}")
                refused.update(errors[:1])
            warned: Counter[str] = Counter()
            kept = job.rows.filter(kind__in=[RowKind.NEW, RowKind.DUPLICATE], data__has_key="warnings")
            for line, data in kept.values_list("line", "data").iterator(chunk_size=1000):
                for entry in data["warnings"]:
                    self.stderr.write(f"{path}:{line}: {describe(entry)}")
                    warned[REASONS.get(entry["code"], entry["code"])] += 1
            services.confirm_import(job=job, duplicate_action=duplicates, background=False)
            if job.status != ImportStatus.DONE:
                self.stderr.write(f"{path}: {job.message}")
                failed = True
                continue
            self.stdout.write(
                f"{path}: {job.created_count} created, {job.merged_count} merged, "
                f"{job.skipped_count} skipped, {refused.total()} refused"
            )
            for reason, count in sorted(refused.items()):
                self.stdout.write(f"  refused, {reason} {count}")
            if warned:
                self.stdout.write("  fields: " + ", ".join(f"{reason}: {n}" for reason, n in sorted(warned.items())))
            if job.created_count + job.merged_count == 0 and not job.skipped_count:
                self.stderr.write(f"{path}: nothing was imported.")
                failed = True
        if failed:
            raise CommandError("Some files were not imported.")
