"""Print the text of a guest's badge QR code, to try the check-in API by hand (README)."""

from django.core.management.base import BaseCommand, CommandError

from badges.models import Badge
from badges.signing import sign_badge
from registration.models import Registration
from summit.selectors import current_summit


class Command(BaseCommand):
    help = (
        "Print the QR text of a guest's active badge: the guest with this e-mail address, or "
        "else the first confirmed guest who has one (the guest is named on stderr)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", help="The guest's e-mail address.")

    def handle(self, *args, email: str | None, **options):
        summit = current_summit()
        if summit is None:
            raise CommandError("No summit yet: run `python manage.py seed_demo`.")
        badges = Badge.objects.filter(
            revoked_at__isnull=True, registration__summit=summit
        ).select_related("registration")
        if email:
            badge = badges.filter(registration__email__iexact=email).first()
            if badge is None:
                status = (
                    Registration.objects.filter(summit=summit, email__iexact=email)
                    .values_list("status", flat=True)
                    .first()
                )
                why = f"its registration is {status}" if status else "nobody registered with it"
                raise CommandError(f"No active badge for {email}: {why}.")
        else:
            badge = (
                badges.filter(registration__status=Registration.Status.CONFIRMED)
                .order_by("registration_id")
                .first()
            )
            if badge is None:
                raise CommandError("No confirmed guest has a badge yet.")
        registration = badge.registration
        self.stderr.write(
            f"Badge {badge.pk} (serial {badge.serial}) of {registration.display_name} "
            f"<{registration.email}>, {registration.get_status_display().lower()}:"
        )
        self.stdout.write(sign_badge(badge.pk, badge.serial))
