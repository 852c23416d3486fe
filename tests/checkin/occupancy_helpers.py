"""What the occupancy tests share: a hall with two doors, and scans at them."""

import uuid

from badges.checkin import checkpoints, services
from badges.checkin.models import Checkpoint, Presence
from tests import factories
from tests.checkin.conftest import code_of


def hall_with_doors(summit, *, capacity: int, doors: int = 2, name: str = "Hall A"):
    """A room and ``doors`` checkpoints of it counting both directions."""
    room = factories.RoomFactory(summit=summit, capacity=capacity, name_en=name)
    slug = name.lower().replace(" ", "-")
    points = [
        factories.CheckpointFactory(
            summit=summit,
            slug=f"{slug}-door-{number}",
            kind=Checkpoint.Kind.FORUM,
            room=room,
            direction=Checkpoint.Direction.BOTH,
            policy=Checkpoint.Policy.REENTRY,
        )
        for number in range(1, doors + 1)
    ]
    return room, points


def scan(badge, slug, direction="entry", *, at=None, offline=False, **options):
    """Record one scan of ``badge`` at the checkpoint ``slug``; the answer."""
    return services.record_scan(
        code_of(badge),
        checkpoint=checkpoints.checkpoint_info(slug),
        scanner=services.Scanner(),
        scan_id=uuid.uuid4(),
        scanned_at=at,
        direction=direction,
        offline=offline,
        offline_result="ok" if offline else "",
        **options,
    )


def inside(room) -> int:
    """Guests in the room now, as the door counts them."""
    from django.utils import timezone

    return Presence.objects.filter(room=room, inside=True, closes_at__gt=timezone.now()).count()
