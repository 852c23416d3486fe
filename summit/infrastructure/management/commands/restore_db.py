from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from summit.infrastructure.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by backup_db."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (for scripts)."
        )

    def handle(self, *args, file: Path, yes: bool, **options):
        if not yes:
            answer = input("This replaces everything in the database. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("Not restored.")
        try:
            restore_database(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Database restored from {file}.")
