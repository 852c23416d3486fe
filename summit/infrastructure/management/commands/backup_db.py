from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from summit.infrastructure.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Write a backup of the whole database to a file (pg_dump custom format on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            type=Path,
            help="File to write (default: bayline-<date-time>.dump in the current directory).",
        )

    def handle(self, *args, out: Path | None, **options):
        out = out or Path(f"bayline-{timezone.now():%Y%m%d-%H%M%S}.dump")
        try:
            backup_database(out)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {out} ({out.stat().st_size:,} bytes).")
