from django.core.management.base import BaseCommand

from summit.infrastructure.workers import recover


class Command(BaseCommand):
    help = (
        "Hand back the work of dead task workers: e-mails left 'sending', print jobs left "
        "'running', task rows left RUNNING (run_worker does this itself every minute)."
    )

    def handle(self, *args, **options):
        counts = recover()
        listing = ", ".join(f"{name}: {count}" for name, count in counts.items())
        self.stdout.write(f"Recovered {sum(counts.values())} ({listing}).")
