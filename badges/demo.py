"""Demo data of the badges app: a badge for every confirmed guest."""

from badges.services import issue_missing_badges
from registration.models import Registration
from summit.models import Summit


def seed(*, guests: int, real_dates: bool, stdout) -> dict[str, str]:
    summit = Summit.objects.order_by("-starts_on", "-pk").first()
    if summit is None:
        return {}
    issued = issue_missing_badges(Registration.objects.filter(summit=summit))
    stdout.write(f"Badges: {issued} issued to confirmed guests without one.")
    return {"A guest's badge code (QR text)": ".venv/bin/python manage.py badge_code"}
