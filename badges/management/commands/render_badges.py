"""Render confirmed guests' badges into one print-ready PDF file."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from badges.layout import LAYOUT_A4_4UP, LAYOUT_A6
from badges.printing import render_print_file
from badges.selectors import ORDER_NAME, ORDER_ORGANISATION, badges_to_print, registrations_to_print
from badges.services import issue_missing_badges
from registration.models import Category, Region
from sessions.models import Forum
from summit.selectors import current_summit


class Command(BaseCommand):
    help = (
        "Render the badges of all confirmed guests (or a filtered set) into one PDF: one A6 "
        "badge per page, or four on A4 with crop marks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The PDF file to write.")
        parser.add_argument("--layout", choices=[LAYOUT_A6, LAYOUT_A4_4UP], default=LAYOUT_A6)
        parser.add_argument("--order", choices=[ORDER_NAME, ORDER_ORGANISATION], default=ORDER_NAME)
        parser.add_argument("--forum", help="Only guests enrolled in this forum (its slug).")
        parser.add_argument("--category", choices=Category.values)
        parser.add_argument("--region", choices=Region.values)
        parser.add_argument(
            "--workers", type=int, default=None, help="Rendering processes (default: one per core)."
        )

    def handle(self, *args, out, layout, order, forum, category, region, workers, **options):
        summit = current_summit()
        if summit is None:
            raise CommandError("No summit is set up yet; run `python manage.py seed_demo`.")
        if forum and not Forum.objects.filter(summit=summit, slug=forum).exists():
            raise CommandError(f"No forum with the slug {forum!r}.")
        filters = {"forum": forum, "category": category, "region": region}
        issued = issue_missing_badges(registrations_to_print(summit, filters))
        if issued:
            self.stdout.write(f"Issued {issued} missing badge(s).")
        badges = badges_to_print(summit, filters=filters, order=order)
        path = Path(out)
        started = time.perf_counter()
        last_report = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if done == total or now - last_report[0] >= 2:
                last_report[0] = now
                self.stderr.write(f"{done}/{total} badges")

        try:
            with path.open("wb") as target:
                count = render_print_file(
                    badges,
                    summit,
                    target,
                    layout_name=layout,
                    title=f"{summit.name_en} · badges",
                    progress=progress,
                    workers=workers,
                )
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error}") from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {count} badge(s) to {path} in {seconds:.1f} s.")
        )
