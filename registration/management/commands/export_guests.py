"""python manage.py export_guests --format csv|xlsx [--out FILE] [filters]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registration import exports
from registration.models import Category, Region, Registration
from registration.selectors import GuestFilters, guests_for_export
from summit.selectors import current_summit


class Command(BaseCommand):
    help = "Export the guest list (optionally filtered) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", type=Path, help="File to write (default: standard output)")
        parser.add_argument("--status", choices=Registration.Status.values, default="")
        parser.add_argument("--category", choices=Category.values, default="")
        parser.add_argument("--region", choices=Region.values, default="")
        parser.add_argument("--search", default="", help="Text in names, organisation, e-mail")

    def handle(self, *args, **options):
        summit = current_summit()
        if summit is None:
            raise CommandError("No summit is set up yet; run `python manage.py seed_demo`.")
        filters = GuestFilters(
            query=options["search"],
            status=options["status"],
            category=options["category"],
            region=options["region"],
        )
        registrations = guests_for_export(summit, filters)
        writer = exports.write_xlsx if options["format"] == "xlsx" else exports.write_csv
        out: Path | None = options["out"]
        if out is None:
            if options["format"] == "xlsx" and sys.stdout.isatty():
                raise CommandError("XLSX is binary: give --out FILE.")
            count = writer(registrations, sys.stdout.buffer)
        else:
            with out.open("wb") as stream:
                count = writer(registrations, stream)
            self.stderr.write(f"{count} guests written to {out}.")
