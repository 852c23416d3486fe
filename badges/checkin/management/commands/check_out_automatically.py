"""python manage.py check_out_automatically: write the automatic exits of guests still inside
rooms that have closed. Task workers do this every minute; the command is for a site that
runs none, or to do it at once."""

from django.core.management.base import BaseCommand

from badges.checkin import occupancy
from summit.selectors import current_summit


class Command(BaseCommand):
    help = "Check out automatically the guests still inside rooms whose day or sessions ended."

    def handle(self, *args, **options):
        summit = current_summit()
        if summit is None:
            self.stdout.write("No summit is set up yet.")
            return
        written = occupancy.check_out_automatically(summit)
        self.stdout.write(f"Automatic check-outs: {written}.")
