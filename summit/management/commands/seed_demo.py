"""Load the demo summit: every app seeds its own part, left to right.

Each installed app of ours may have a ``demo`` module with
``seed(*, guests: int, real_dates: bool, stdout)``; a seed may return ``{label: value}`` to be
said once the whole summit is ready (logins, the door device's token), where it is not buried
in the seeds' own lines.
The apps are visited in dependency order (summit, agenda, registration, badges, check-in),
so each one finds what the apps to its left created. Every seed is idempotent: running the
command again updates the demo data instead of duplicating it.

By default the summit's first day is today and registration is open, so that every journey
works on the day the demo runs (a guest registers, the door admits day 1's badges); with
``--real-dates`` it is the real edition, 8–10 December 2026 (summit/demo.py). Running it
again on another day moves the summit, its agenda and its checkpoints to the new dates.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from summit.demo import closing_lines

SEEDED_APPS = ("summit", "agenda", "registration", "badges", "checkin")


class Command(BaseCommand):
    help = "Create or refresh the demo summit: forums, rooms, speakers, sessions and guests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--guests", type=int, default=300, help="How many guests to create (default 300)."
        )
        parser.add_argument(
            "--real-dates",
            action="store_true",
            help="The real edition's dates (8-10 December 2026) instead of a summit starting "
            "today with registration open.",
        )

    def handle(self, *args, guests: int, real_dates: bool, **options):
        if guests < 0:
            self.stderr.write("--guests must be 0 or more.")
            raise SystemExit(2)
        # What a seed wants said once everything is ready (it returns {label: value}).
        closing: dict[str, str] = {}
        for label in SEEDED_APPS:
            module_name = f"{apps.get_app_config(label).name}.demo"
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            with transaction.atomic():
                said = module.seed(guests=guests, real_dates=real_dates, stdout=self.stdout)
            if isinstance(said, dict):
                closing.update(said)
        closing = {**closing_lines(), **closing}
        self.stdout.write(self.style.SUCCESS("Demo summit ready."))
        width = max(map(len, closing), default=0)
        for label, value in closing.items():
            self.stdout.write(f"  {label + ':':<{width + 1}}  {value}")
