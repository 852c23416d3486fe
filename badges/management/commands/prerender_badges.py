"""Render and store the PDF of every active badge whose stored copy is missing or stale."""

import time

from django.core.management.base import BaseCommand, CommandError

from badges.models import Badge
from badges.prerendering import prerender_badge
from summit.selectors import current_summit


class Command(BaseCommand):
    help = (
        "Render and store the PDF of every active badge of the summit whose stored copy is "
        "missing or stale (after a change to the summit's names or dates, or to the layout), "
        "so that guests and the desk are served at once."
    )

    def handle(self, *args, **options):
        summit = current_summit()
        if summit is None:
            raise CommandError("No summit is set up yet; run `python manage.py seed_demo`.")
        badge_ids = list(
            Badge.objects.filter(registration__summit=summit, revoked_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        started = time.perf_counter()
        rendered = sum(prerender_badge(badge_id) for badge_id in badge_ids)
        self.stdout.write(
            f"Rendered {rendered} of {len(badge_ids)} active badges "
            f"({len(badge_ids) - rendered} were current) in {time.perf_counter() - started:.1f} s."
        )
