"""Demo data of the badges app: every confirmed demo guest has a badge."""

from badges.services import issue_missing_badges
from registration.models import Registration
from summit.models import Summit


def seed(*, guests: int, stdout) -> None:
    summit = Summit.objects.order_by("-starts_on", "-pk").first()
    if summit is None:
        return
    issued = issue_missing_badges(Registration.objects.filter(summit=summit))
    stdout.write(f"Badges: {issued} issued to confirmed guests without one.")
