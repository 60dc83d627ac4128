from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from transfer import services
from transfer.decoding import FileRejected
from transfer.models import DuplicateAction, ImportFormat, ImportStatus


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
            invalid = list(job.rows.filter(kind="invalid").values_list("line", "errors"))
            for line, errors in invalid:
                self.stderr.write(f"{path}:{line}: {'; '.join(errors)}")
            services.confirm_import(job=job, duplicate_action=duplicates, background=False)
            if job.status != ImportStatus.DONE:
                self.stderr.write(f"{path}: {job.message}")
                failed = True
                continue
            self.stdout.write(
                f"{path}: {job.created_count} created, {job.merged_count} merged, "
                f"{job.skipped_count} skipped, {len(invalid)} invalid"
            )
        if failed:
            raise CommandError("Some files were not imported.")
