"""Demo data of room occupancy: a realistic first day of entries and exits.

Most confirmed guests arrive between 08:00 and 09:40 (most of them around 08:45); then, for
each session of day 1 in a forum they chose (and the main summit
for everyone), most enter its room a little before it starts and leave around its end. Some
step out and back in, some leave through the room's second door, some never scan out (the
automatic check-out closes those at the room's closing), and a few go straight to the next
room. Written in bulk, then each guest's presence is worked out from their latest scan and
the day is closed (``check_out_automatically``), so the charts and the report show a whole
day the first time.
"""

import datetime
import random
import uuid
from collections import defaultdict

from badges.checkin import occupancy
from badges.checkin.models import Admission, Checkpoint, Scan
from registration.models import Enrolment, Registration
from sessions.models import Forum, Session

SEED = 20261208
# Sessions of one forum closer than this are one stay in its room.
GAP = datetime.timedelta(minutes=45)


def seed_day(summit, *, stdout) -> int:
    """Replace the demo's scans of day 1 with a realistic day; returns how many scans."""
    rng = random.Random(SEED)
    tz = summit.tzinfo
    day = summit.starts_on
    start = datetime.datetime.combine(day, datetime.time.min, tz)
    end = start + datetime.timedelta(days=1)
    checkpoints = list(Checkpoint.objects.filter(summit=summit).select_related("room"))
    Checkpoint.objects.filter(summit=summit, room__isnull=False).update(
        direction=Checkpoint.Direction.BOTH
    )
    doors = defaultdict(list)
    for point in checkpoints:
        if point.room_id and point.forum_id:
            doors[point.forum_id].append(point)
    Scan.objects.filter(
        checkpoint__summit=summit, scanned_at__gte=start, scanned_at__lt=end
    ).delete()
    sessions = list(
        Session.objects.filter(forum__summit=summit, starts_at__gte=start, starts_at__lt=end)
        .select_related("forum")
        .order_by("starts_at")
    )
    plenary = {forum.pk for forum in Forum.objects.filter(summit=summit, kind=Forum.Kind.PLENARY)}
    chosen = defaultdict(set)
    for registration_id, forum_id, session_forum_id in Enrolment.objects.filter(
        registration__summit=summit, status=Enrolment.Status.CONFIRMED
    ).values_list("registration_id", "forum_id", "session__forum_id"):
        chosen[registration_id].add(forum_id or session_forum_id)
    scans: list[Scan] = []

    def add(point, registration_id, direction, at):
        scans.append(
            Scan(
                scan_id=uuid.uuid4(),
                checkpoint=point,
                registration_id=registration_id,
                result=Scan.Result.OK,
                direction=direction,
                scanned_at=at,
            )
        )

    minutes = datetime.timedelta(minutes=1)
    for registration_id in Registration.objects.filter(
        summit=summit, status=Registration.Status.CONFIRMED
    ).values_list("pk", flat=True):
        if rng.random() < 0.12:
            continue  # a no-show
        arrival = start + datetime.timedelta(hours=8, minutes=45) + rng.gauss(0, 18) * minutes
        arrival = max(arrival, start + datetime.timedelta(hours=8))
        # Not scanned at the main entrance: its single-entry checkpoint stays free for the
        # README's first scan (a demo guest's badge admits there).
        for forum_id, begins, ends in _blocks(sessions, chosen[registration_id], plenary, rng):
            if not doors[forum_id]:
                continue
            door = doors[forum_id][0]
            enter = max(begins - rng.uniform(2, 20) * minutes, arrival + 2 * minutes)
            leave = ends + rng.gauss(3, 6) * minutes
            add(door, registration_id, Scan.Direction.ENTRY, enter)
            if rng.random() < 0.1:  # stepped out for a call
                out = enter + rng.uniform(20, 40) * minutes
                add(door, registration_id, Scan.Direction.EXIT, out)
                add(door, registration_id, Scan.Direction.ENTRY, out + rng.uniform(3, 12) * minutes)
            roll = rng.random()
            if roll < 0.12:
                continue  # never scanned out: checked out automatically
            if roll < 0.17:
                leave = ends - rng.uniform(10, 40) * minutes  # left early
            exit_door = doors[forum_id][-1] if rng.random() < 0.3 else door
            add(exit_door, registration_id, Scan.Direction.EXIT, max(leave, enter + minutes))
    Scan.objects.bulk_create(scans, batch_size=2000)
    firsts = {}
    for scan in sorted(scans, key=lambda each: each.scanned_at):
        if scan.direction == Scan.Direction.ENTRY:
            firsts.setdefault((scan.checkpoint_id, scan.registration_id), scan)
    Admission.objects.filter(
        checkpoint__summit=summit, admitted_at__gte=start, admitted_at__lt=end
    ).delete()
    Admission.objects.bulk_create(
        [
            Admission(
                checkpoint_id=checkpoint_id,
                registration_id=registration_id,
                scan=scan,
                admitted_at=scan.scanned_at,
            )
            for (checkpoint_id, registration_id), scan in firsts.items()
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    occupancy.rebuild_presences(summit)
    closed = occupancy.check_out_automatically(summit, now=end)
    stdout.write(
        f"Occupancy: {len(scans)} scans of day 1 (entries and exits), {closed} automatic "
        "check-outs at the rooms' closing."
    )
    return len(scans) + closed


def _blocks(sessions, chosen, plenary, rng):
    """The stretches a guest spends in one room: the sessions they attend (their forums' and
    the main summit's, 85 % of them), back-to-back sessions of one forum joined into one."""
    blocks = []
    for session in sessions:
        forum_id = session.forum_id
        if forum_id not in plenary and forum_id not in chosen:
            continue
        if rng.random() < 0.15:
            continue
        if blocks and blocks[-1][0] == forum_id and session.starts_at - blocks[-1][2] < GAP:
            blocks[-1][2] = max(blocks[-1][2], session.ends_at)
            continue
        blocks.append([forum_id, session.starts_at, session.ends_at])
    # Sessions of two forums at once: the guest goes to the first one only.
    kept = []
    for block in blocks:
        if kept and block[1] < kept[-1][2]:
            continue
        kept.append(block)
    return kept
