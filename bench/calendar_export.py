"""How long the calendar files take to build and serve.

    .venv/bin/python bench/calendar_export.py [--rounds 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline \
        .venv/bin/python bench/calendar_export.py

Creates a throw-away test database (SQLite in memory by default, or ``test_<name>`` next to
DATABASE_URL's database), fills it and times, per request, the server side of:

- the whole agenda (``/calendar/agenda.ics``) of the demo summit (``seed_demo``'s sessions
  when the agenda app seeds any, else a synthetic 45-session summit shaped like it) and of a
  synthetic 500-session agenda;
- one forum's file and one session's file;
- a guest's private feed (plenary sessions, two forums and a few chosen sessions);
- the builder alone (``build_calendar`` on sessions already in memory).

Requests go through Django's test client (middleware, URL routing, the view, the database),
so the figures are server time without the network. Prints median and 95th percentile.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import datetime
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
os.environ.setdefault("DEBUG", "1")


def timed(function, rounds: int) -> tuple[float, float]:
    function()  # warm-up: first-use imports, translation catalogues, the summit id cache
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def synthetic_agenda(summit, *, forums: int, sessions_per_forum: int, speakers: int = 2) -> None:
    """Forums of sessions over the summit's three days, each with speakers, in bulk."""
    from sessions.models import Forum, Session, SessionSpeaker, Speaker
    from summit.models import Room
    from tests.factories import at

    rooms = list(Room.objects.filter(summit=summit)) or [
        Room.objects.create(summit=summit, slug=f"hall-{n}", name_en=f"Hall {n}", capacity=500)
        for n in range(8)
    ]
    speaker_pool = Speaker.objects.bulk_create(
        Speaker(
            summit=summit,
            slug=f"bench-speaker-{n}",
            name=f"陳大文{n}",
            name_latin=f"Chan Tai Man {n}",
            affiliation_en="Digital Policy Office",
            affiliation_zh_hans="数字政策办公室",
        )
        for n in range(200)
    )
    start_position = Forum.objects.filter(summit=summit).count()
    for index in range(forums):
        forum = Forum.objects.create(
            summit=summit,
            slug=f"bench-forum-{start_position + index}",
            position=start_position + index,
            kind=Forum.Kind.PLENARY if index == 0 and start_position == 0 else Forum.Kind.THEMED,
            title_en=f"Forum {index}: digital government, data, and trust",
            title_zh_hans=f"第{index}分论坛：数字政府、数据与信任",
            title_zh_hant=f"第{index}分論壇：數字政府、數據與信任",
            room=rooms[index % len(rooms)],
        )
        sessions = Session.objects.bulk_create(
            Session(
                forum=forum,
                title_en=f"Session {n}: cross-boundary data, rules; and services",
                title_zh_hans=f"议程{n}：跨境数据、规则与服务",
                title_zh_hant=f"議程{n}：跨境數據、規則與服務",
                description_en="How the Greater Bay Area shares data.\nPanel and Q&A. " * 4,
                description_zh_hans="粤港澳大湾区如何共享数据。\n圆桌讨论与问答。" * 4,
                starts_at=at(1 + n % 3, 9 + (n // 3) % 8, 30 * (n % 2)),
                ends_at=at(1 + n % 3, 9 + (n // 3) % 8, 30 * (n % 2))
                + datetime.timedelta(minutes=45),
                room=forum.room,
                requires_enrolment=n % 5 == 4,
            )
            for n in range(sessions_per_forum)
        )
        SessionSpeaker.objects.bulk_create(
            SessionSpeaker(
                session=session,
                speaker=speaker_pool[(n * speakers + k) % len(speaker_pool)],
                position=k,
            )
            for n, session in enumerate(sessions)
            for k in range(speakers)
        )


def demo_summit():
    """seed_demo's summit; a synthetic agenda of its size if the agenda app seeds none."""
    from django.core.management import call_command

    from sessions.models import Session
    from summit.models import Summit

    call_command("seed_demo", "--guests", "0", stdout=open(os.devnull, "w"))  # noqa: SIM115
    summit = Summit.objects.get(slug="digital-gba-2026")
    seeded = Session.objects.filter(forum__summit=summit).count()
    if seeded < 40:
        synthetic_agenda(summit, forums=8, sessions_per_forum=6)
    return summit, seeded


def guest_with_programme(summit):
    from registration.models import Enrolment, Registration
    from sessions.models import Forum, Session

    registration = Registration.objects.create(
        summit=summit,
        email="bench-guest@example.org",
        name="陳大文",
        name_latin="Chan Tai Man",
        organisation="Digital Policy Office",
        region="hong_kong",
        language="zh-hant",
        status=Registration.Status.CONFIRMED,
        consent_given_at=datetime.datetime.now(datetime.UTC),
        consent_version="bench",
    )
    themed = list(Forum.objects.filter(summit=summit, kind=Forum.Kind.THEMED)[:2])
    for forum in themed:
        Enrolment.objects.create(registration=registration, forum=forum, status="confirmed")
        for session in Session.objects.filter(forum=forum, requires_enrolment=True)[:2]:
            Enrolment.objects.create(registration=registration, session=session, status="confirmed")
    return registration


def measure(label: str, summit, registration, rounds: int, client) -> list[str]:
    from django.urls import reverse

    from sessions.calendar import build_calendar
    from sessions.selectors import published_sessions

    forum = summit.forums.order_by("-pk").first()
    session = published_sessions(summit).last()
    sessions = list(published_sessions(summit))
    feed = reverse("registration:calendar-feed", kwargs={"token": registration.calendar_token})
    feed_size = len(client.get(feed).content)
    agenda_en = reverse("agenda:calendar-agenda") + "?lang=en"
    agenda_etag = client.get(agenda_en)["ETag"]
    cases = [
        ("agenda file, en", lambda: client.get(reverse("agenda:calendar-agenda") + "?lang=en")),
        (
            "agenda file, zh-hans",
            lambda: client.get(reverse("agenda:calendar-agenda") + "?lang=zh-hans"),
        ),
        (
            "agenda file, 304 (If-None-Match)",
            lambda: client.get(agenda_en, HTTP_IF_NONE_MATCH=agenda_etag),
        ),
        (
            "forum file",
            lambda: client.get(reverse("agenda:calendar-forum", kwargs={"slug": forum.slug})),
        ),
        (
            "session file",
            lambda: client.get(reverse("agenda:calendar-session", kwargs={"pk": session.pk})),
        ),
        ("personal feed", lambda: client.get(feed)),
        (
            "builder only, whole agenda",
            lambda: build_calendar(sessions, summit=summit, name="Agenda", language="en"),
        ),
    ]
    size = len(client.get(reverse("agenda:calendar-agenda") + "?lang=en").content)
    from registration.calendar.selectors import guest_sessions

    rows = [
        f"{label}: {len(sessions)} sessions, agenda file {size / 1024:.0f} KiB; personal feed "
        f"{len(guest_sessions(registration))} sessions, {feed_size / 1024:.0f} KiB"
    ]
    for name, function in cases:
        median, p95 = timed(function, rounds)
        rows.append(f"  {name:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from summit.models import Summit

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        client = Client()
        summit, seeded = demo_summit()
        guest = guest_with_programme(summit)
        source = "seed_demo" if seeded >= 40 else "synthetic, shaped like the demo"
        print(f"Database: {connection.vendor}; rounds: {args.rounds}")
        for row in measure(f"Demo agenda ({source})", summit, guest, args.rounds, client):
            print(row)

        # A bigger edition: 500 sessions in 10 forums.
        big = Summit.objects.create(
            slug="bench-500",
            name_en="Benchmark summit",
            starts_on=datetime.date(2027, 12, 8),
            ends_on=datetime.date(2027, 12, 10),
            registration_opens_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
            registration_closes_at=datetime.datetime(2027, 12, 1, tzinfo=datetime.UTC),
            capacity=5000,
        )
        synthetic_agenda(big, forums=10, sessions_per_forum=50)
        from django.core.cache import cache

        cache.clear()  # the newest edition is now the current one
        big_guest = guest_with_programme(big)
        for row in measure("Synthetic agenda", big, big_guest, max(5, args.rounds // 2), client):
            print(row)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
