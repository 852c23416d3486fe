"""The attendance report for a full summit: 3,000 guests, 30,000 scans, 3 days, 8 rooms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
        .venv/bin/python bench/attendance_report.py [--guests 3000] [--scans-per-guest 10] \\
        [--lang zh-hans]

It loads the summit into the database (which it empties first: use a database of its own),
then times, in this process, the figures (one pass over the scan log), the PDF (WeasyPrint,
with a matplotlib SVG chart per room and day) and the XLSX of the same figures, as
``manage.py attendance_report`` makes them. Target: the report in under 10 s.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")

from bench import common  # noqa: E402

ROOMS = [("Main hall", 1200), ("Hall A", 600), ("Hall B", 500), ("Hall C", 400)] + [
    (f"Room {number}", 200 + 50 * number) for number in range(1, 5)
]


def load_data(guests: int, scans_per_guest: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from badges.checkin.models import Checkpoint, Scan
    from registration.models import Category, Enrolment, Region
    from sessions.models import Forum, Session
    from summit.models import Room, Summit

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE summit_summit CASCADE")
    else:
        Summit.objects.all().delete()
    now = timezone.now()
    tz = datetime.timezone(datetime.timedelta(hours=8))
    first_day = datetime.date(2026, 12, 8)
    summit = Summit.objects.create(
        slug="bench",
        name_en="Bench summit",
        name_zh_hans="基准峰会",
        starts_on=first_day,
        ends_on=first_day + datetime.timedelta(days=2),
        registration_opens_at=now - datetime.timedelta(days=60),
        registration_closes_at=now + datetime.timedelta(days=1),
        capacity=guests + 100,
    )
    rooms, forums, doors = [], [], []
    for position, (name, capacity) in enumerate(ROOMS):
        room = Room.objects.create(
            summit=summit,
            slug=f"room-{position}",
            name_en=name,
            name_zh_hans=f"{position}号厅",
            capacity=capacity,
            position=position,
        )
        forum = Forum.objects.create(
            summit=summit,
            slug=f"forum-{position}",
            title_en=f"Forum {position}",
            title_zh_hans=f"分论坛{position}",
            kind=Forum.Kind.PLENARY if position == 0 else Forum.Kind.THEMED,
            room=room,
            position=position,
        )
        rooms.append(room)
        forums.append(forum)
        doors.append(
            Checkpoint.objects.create(
                summit=summit,
                slug=f"door-{position}",
                name_en=f"{name} door",
                kind=Checkpoint.Kind.FORUM,
                forum=forum,
                room=room,
                direction=Checkpoint.Direction.BOTH,
            )
        )
        for offset in range(3):
            day = first_day + datetime.timedelta(days=offset)
            for start_hour in (9, 14):
                Session.objects.create(
                    forum=forum,
                    title_en=f"Session {position}-{offset}-{start_hour}",
                    starts_at=datetime.datetime.combine(day, datetime.time(start_hour), tz),
                    ends_at=datetime.datetime.combine(day, datetime.time(start_hour + 3), tz),
                    room=room,
                    capacity=room.capacity,
                )
    entrance = Checkpoint.objects.create(
        summit=summit, slug="entrance", name_en="Main entrance", direction="both"
    )
    registrations = common.confirmed_registrations(summit, guests, "report")
    chooser = random.Random(16)
    regions, categories = list(Region.values), list(Category.values)
    for registration in registrations:
        registration.region = chooser.choice(regions)
        registration.category = chooser.choice(categories)
    type(registrations[0]).objects.bulk_update(registrations, ["region", "category"])
    Enrolment.objects.bulk_create(
        Enrolment(registration=registration, forum=forum, status="confirmed")
        for registration in registrations
        for forum in chooser.sample(forums[1:], 2)
    )
    scans = []
    minute = datetime.timedelta(minutes=1)
    for registration in registrations:
        made = 0
        while made < scans_per_guest:
            day = first_day + datetime.timedelta(days=chooser.randrange(3))
            at = datetime.datetime.combine(day, datetime.time(8, 30), tz)
            at += chooser.gauss(0, 15) * minute
            plan = [(entrance, "entry", at)]
            for start_hour in (9, 14):
                door = chooser.choice(doors)
                start = datetime.datetime.combine(day, datetime.time(start_hour), tz)
                plan.append((door, "entry", start - chooser.uniform(0, 20) * minute))
                if chooser.random() < 0.85:  # the others never scan out
                    plan.append((door, "exit", start + chooser.uniform(150, 200) * minute))
            for checkpoint, direction, moment in plan[: scans_per_guest - made]:
                scans.append(
                    Scan(
                        scan_id=uuid.uuid4(),
                        checkpoint=checkpoint,
                        registration=registration,
                        result="ok",
                        direction=direction,
                        scanned_at=moment,
                    )
                )
                made += 1
    Scan.objects.bulk_create(scans, batch_size=5000)
    return {"summit": summit, "scans": len(scans), "guests": guests}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument("--scans-per-guest", type=int, default=10)
    parser.add_argument("--lang", default="en", choices=("en", "zh-hans", "zh-hant"))
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL (a database of its own: it is emptied).")
    data = load_data(options.guests, options.scans_per_guest)
    from django.utils import translation

    from badges.checkin.attendance_report import report
    from badges.checkin.attendance_report.figures import attendance_figures

    summit = data["summit"]
    timings = {}
    with translation.override(options.lang):
        started = time.perf_counter()
        figures = attendance_figures(summit)
        timings["figures_s"] = time.perf_counter() - started
        started = time.perf_counter()
        pdf = report.render_pdf(summit, lang=options.lang, figures=figures)
        timings["pdf_s"] = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = report.render_xlsx(summit, lang=options.lang, figures=figures)
        timings["xlsx_s"] = time.perf_counter() - started
    timings["report_s"] = timings["figures_s"] + timings["pdf_s"]
    timings["all_s"] = timings["report_s"] + timings["xlsx_s"]
    print(
        json.dumps(
            {
                "guests": data["guests"],
                "scans": data["scans"],
                "lang": options.lang,
                "rooms_and_days": len(figures.rooms),
                "pdf_bytes": len(pdf),
                "xlsx_bytes": len(xlsx),
                **{name: round(value, 2) for name, value in timings.items()},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
