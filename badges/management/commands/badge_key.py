"""Print a new Ed25519 signing key for BADGE_SIGNING_KEYS."""

import base64

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Generate a badge signing key. Put the printed item first in BADGE_SIGNING_KEYS "
        "(comma-separated) to sign new badges with it; keep older items to go on verifying "
        "badges they signed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--id", type=int, default=1, help="Key id, 0-255, printed in each code (default 1)."
        )

    def handle(self, *args, id: int, **options):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
            PublicFormat,
        )

        if not 0 <= id <= 255:
            self.stderr.write("--id must be between 0 and 255.")
            raise SystemExit(2)
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.stdout.write(f"{id}:{base64.b64encode(private).decode()}")
        self.stderr.write(
            f"Public key {id} (for scanners): {base64.b64encode(public).decode()}\n"
            "Keep the line above secret: it signs badges."
        )
