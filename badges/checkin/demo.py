"""Demo data of door check-in: checkpoints and one door device.

A main entrance per day (single entry: a badge passed back outside is caught) and one
checkpoint per themed forum, in the forum's room (re-entry allowed). Forums are looked up by
the summit, whatever the agenda's demo calls them.
"""

from badges.checkin.devices import create_device, rotate_device_token
from badges.checkin.models import Checkpoint, Device
from sessions.models import Forum
from summit.models import Summit

DEMO_DEVICE = "Demo door phone"


def seed(*, guests: int, real_dates: bool, stdout) -> dict[str, str]:
    summit = Summit.objects.order_by("-starts_on", "-pk").first()
    if summit is None:
        return {}
    position = 0
    entrances = []
    for number, day in enumerate(summit.days, start=1):
        checkpoint, _created = Checkpoint.objects.update_or_create(
            slug=f"main-entrance-day-{number}",
            defaults={
                "summit": summit,
                "name_en": f"Main entrance, day {number}",
                "name_zh_hans": f"主入口（第{number}天）",
                "name_zh_hant": f"主入口（第{number}天）",
                "kind": Checkpoint.Kind.ENTRANCE,
                "day": day,
                "policy": Checkpoint.Policy.SINGLE,
                "position": position,
            },
        )
        entrances.append(checkpoint)
        position += 1
    forums = Forum.objects.filter(summit=summit).select_related("room").order_by("position", "pk")
    for forum in forums:
        days = {
            session.starts_at.astimezone(summit.tzinfo).date() for session in forum.sessions.all()
        }
        Checkpoint.objects.update_or_create(
            slug=f"forum-{forum.slug}"[:50],
            defaults={
                "summit": summit,
                "name_en": f"{forum.title_en} ({forum.room.name_en})"
                if forum.room
                else forum.title_en,
                "name_zh_hans": forum.title_zh_hans,
                "name_zh_hant": forum.title_zh_hant,
                "kind": Checkpoint.Kind.FORUM,
                "forum": forum,
                "room": forum.room,
                # A forum held on one day admits on that day only.
                "day": days.pop() if len(days) == 1 else None,
                "policy": Checkpoint.Policy.REENTRY,
                "position": position,
            },
        )
        position += 1
    default = entrances[0] if entrances else None
    device = Device.objects.filter(name=DEMO_DEVICE).first()
    if device is None:
        device, token = create_device(DEMO_DEVICE, checkpoint=default)
    else:
        device.checkpoint = default
        device.save(update_fields=["checkpoint"])
        token = rotate_device_token(device)
    stdout.write(f"Check-in: {position} checkpoints; device {DEMO_DEVICE!r} with a new token.")
    return {
        # A token is stored only as its hash: each seed gives the device a new one.
        "Door device token": f"{token}  ({DEMO_DEVICE}; new at each seed_demo, the last one no "
        "longer works)",
    }
