"""Register a door device and print its token (shown this once; only a hash is stored)."""

from django.core.management.base import BaseCommand, CommandError

from badges.checkin.devices import create_device
from badges.checkin.models import Checkpoint


class Command(BaseCommand):
    help = "Register a door device and print its bearer token (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="A name door staff recognise, e.g. 'North door 1'.")
        parser.add_argument(
            "--checkpoint", help="Slug of the checkpoint the device scans at by default."
        )

    def handle(self, *args, name: str, checkpoint: str | None, **options):
        if not name.strip():
            raise CommandError("The device needs a name.")
        default = None
        if checkpoint:
            default = Checkpoint.objects.filter(slug=checkpoint).first()
            if default is None:
                known = ", ".join(Checkpoint.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No checkpoint {checkpoint!r} (known: {known}).")
        device, token = create_device(name, checkpoint=default)
        self.stderr.write(
            f"Device {device.name!r} registered (id {device.pk}). Its token, shown only now:"
        )
        self.stdout.write(token)
