"""Demo data of the summit app: the 2026 edition, its rooms, and staff accounts.

The edition is the real one (8–10 December 2026, registration from 1 October to 7 December)
with ``real_dates``. Otherwise it is moved so that the demo works on the day it is loaded:
the first day is today (in the summit's time zone) and registration is open from two months
ago to the end of the last day. The agenda and the door's checkpoints follow the summit's
dates (sessions/demo.py, badges/checkin/demo.py).
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from summit.models import Room, Summit
from summit.roles import DOOR_STAFF, ORGANISER, sync_roles
from summit.selectors import CURRENT_SUMMIT_CACHE_KEY

DEMO_PASSWORD = "bayline-demo"
TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Edition:
    starts_on: datetime.date
    ends_on: datetime.date
    registration_opens_at: datetime.datetime
    registration_closes_at: datetime.datetime


def edition_dates(*, real_dates: bool) -> Edition:
    """The 2026 edition's dates, or the same edition starting today (in the summit's time
    zone) with registration open."""
    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    if real_dates:
        return Edition(
            starts_on=datetime.date(2026, 12, 8),
            ends_on=datetime.date(2026, 12, 10),
            registration_opens_at=datetime.datetime(2026, 10, 1, 9, 0, tzinfo=tz),
            registration_closes_at=datetime.datetime(2026, 12, 7, 18, 0, tzinfo=tz),
        )
    today = timezone.localdate(timezone.now(), tz)
    last_day = today + datetime.timedelta(days=2)
    return Edition(
        starts_on=today,
        ends_on=last_day,
        registration_opens_at=datetime.datetime.combine(
            today - datetime.timedelta(days=60), datetime.time(9, 0), tzinfo=tz
        ),
        registration_closes_at=datetime.datetime.combine(last_day, datetime.time(18, 0), tzinfo=tz),
    )


ROOMS = [
    # slug, English, 简体, 繁體, seats, floor
    ("plenary-hall", "Plenary Hall", "主会场", "主會場", 3200, "1F"),
    ("hall-a", "Hall A", "A厅", "A廳", 600, "2F"),
    ("hall-b", "Hall B", "B厅", "B廳", 500, "2F"),
    ("hall-c", "Hall C", "C厅", "C廳", 400, "2F"),
    ("room-301", "Room 301", "301会议室", "301會議室", 300, "3F"),
    ("room-302", "Room 302", "302会议室", "302會議室", 300, "3F"),
    ("room-303", "Room 303", "303会议室", "303會議室", 250, "3F"),
    ("room-305", "Room 305", "305会议室", "305會議室", 80, "3F"),
]


def seed(*, guests: int, real_dates: bool, stdout) -> Summit:
    sync_roles()
    edition = edition_dates(real_dates=real_dates)
    summit, _created = Summit.objects.update_or_create(
        slug="digital-gba-2026",
        defaults={
            "name_en": "Digital Government Summit and Forum on Digital GBA",
            "name_zh_hans": "数字政府建设峰会暨数字湾区发展论坛",
            "name_zh_hant": "數字政府建設峰會暨數字灣區發展論壇",
            "venue_en": "Guangzhou Baiyun International Convention Center",
            "venue_zh_hans": "广州白云国际会议中心",
            "venue_zh_hant": "廣州白雲國際會議中心",
            "city_en": "Guangzhou",
            "city_zh_hans": "广州",
            "city_zh_hant": "廣州",
            "starts_on": edition.starts_on,
            "ends_on": edition.ends_on,
            "time_zone": TIME_ZONE,
            "registration_opens_at": edition.registration_opens_at,
            "registration_closes_at": edition.registration_closes_at,
            "capacity": 3200,
            "approval_required": True,
            "contact_email": "summit@bayline.test",
        },
    )
    cache.delete(CURRENT_SUMMIT_CACHE_KEY)
    for position, (slug, name_en, name_hans, name_hant, seats, floor) in enumerate(ROOMS):
        Room.objects.update_or_create(
            summit=summit,
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh_hans": name_hans,
                "name_zh_hant": name_hant,
                "capacity": seats,
                "floor": floor,
                "position": position,
            },
        )
    _staff_account("organiser@bayline.test", ORGANISER)
    _staff_account("door@bayline.test", DOOR_STAFF)
    stdout.write(f"Summit {summit.slug}: {len(ROOMS)} rooms, organiser and door staff accounts.")
    return summit


def closing_lines() -> dict[str, str]:
    """The demo's logins, for seed_demo's closing lines."""
    return {
        "Organiser login": f"organiser@bayline.test / {DEMO_PASSWORD}",
        "Door staff login": f"door@bayline.test / {DEMO_PASSWORD}",
    }


def _staff_account(email: str, role: str) -> None:
    from allauth.account.models import EmailAddress

    user, created = get_user_model().objects.get_or_create(
        username=email.split("@")[0], defaults={"email": email}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    # allauth requires a verified address to log in.
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
