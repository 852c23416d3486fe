"""Queue again every e-mail still waiting (after an outage of the worker or of the mail server)."""

from django.core.management.base import BaseCommand

from registration.models import OutgoingEmail
from registration.tasks import send_email


class Command(BaseCommand):
    help = "Enqueue a send task for every recorded e-mail that is not sent yet."

    def handle(self, *args, **options):
        ids = list(
            OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).values_list(
                "pk", flat=True
            )
        )
        for email_id in ids:
            send_email.enqueue(email_id)
        self.stdout.write(f"{len(ids)} e-mails queued.")
