"""python manage.py import_guests FILE.csv: import a delegation, all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registration.imports import import_guests
from summit.selectors import current_summit


class Command(BaseCommand):
    help = (
        "Import guests from a UTF-8 CSV file (see docs/guests-and-badges.md). Every row is "
        "checked first; if any "
        "row is wrong nothing is imported and each problem is printed with its line number."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        summit = current_summit()
        if summit is None:
            raise CommandError("No summit is set up yet; run `python manage.py seed_demo`.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        result = import_guests(summit, data)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s) in {file}.")
        self.stdout.write(self.style.SUCCESS(f"{len(result.created)} guests imported."))
