"""The attendance figures: stays in rooms worked out from the scan log, and what follows.

One pass over the summit's admitted scans, ordered by guest and scan time (an offline batch
takes its place by when it was scanned, not when it arrived). For each guest:

- an entry at a room's door opens a stay there; an entry while already in that room is a
  re-entry (or the room's other door) and changes nothing; an entry into another room ends
  the stay in the previous one at that moment (``moved``);
- an exit ends the stay, wherever the guest was; an exit with no stay open is counted as an
  *exit without entry* and changes nothing (the guest slipped in, or the entry was missed);
- a stay still open when its room closes (the end of its last session that day plus
  ``occupancy.CLOSE_GRACE``, or midnight) ends then, *automatically*: a missed exit. An
  automatic exit written by ``check_out_automatically`` ends it the same way.

Entries at doors without a room (the main entrance) are arrivals, not stays. The live count
at the doors (badges/checkin/occupancy.py) follows the same rules, so the two agree.
"""

import datetime
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from badges.checkin import occupancy
from badges.checkin.models import Checkpoint, OccupancyRule, Scan
from badges.checkin.selectors import forum_places
from registration.models import Category, Region, Registration
from sessions.models import Forum, Session
from summit.i18n import localized
from summit.models import Room

BUCKET = datetime.timedelta(minutes=15)
STEP = datetime.timedelta(minutes=5)
# The regions of the report (the registration form asks for five).
REGION_GROUPS = {
    Region.GUANGDONG: "mainland",
    Region.MAINLAND: "mainland",
    Region.HONG_KONG: "hong_kong",
    Region.MACAO: "macao",
    Region.OVERSEAS: "abroad",
}
REGION_ORDER = ("mainland", "hong_kong", "macao", "abroad")


@dataclass
class Stay:
    registration_id: int
    room_id: int
    start: datetime.datetime
    end: datetime.datetime
    how: str  # "exit", "moved", "automatic", "inside" (still there)


@dataclass
class Counts:
    entries: int = 0
    exits: int = 0
    re_entries: int = 0
    exits_without_entry: int = 0
    moves: int = 0
    automatic_exits: int = 0
    still_inside: int = 0
    overrides: int = 0
    room_full: int = 0


@dataclass
class Figures:
    """Everything the attendance page, the PDF and the XLSX show."""

    summit_name: str
    generated_at: datetime.datetime
    days: list[datetime.date]
    totals: dict
    counts: Counts
    forums: list[dict]  # per day and forum
    rooms: list[dict]  # per day and room: peak, when, capacity, minutes
    regions: list[dict]
    categories: list[dict]
    arrivals: dict[datetime.date, list[tuple[str, int]]]
    timelines: dict[tuple[datetime.date, int], list[tuple[datetime.datetime, int]]]
    room_names: dict[int, str]
    capacities: dict[int, int]
    stays: list[Stay] = field(default_factory=list, repr=False)


def _closings(summit, tz) -> dict[tuple[int, datetime.date], datetime.datetime]:
    """The end of each room's last session, per day, plus the grace (occupancy.closes_at)."""
    ends = defaultdict(list)
    for room_id, starts_at, ends_at in Session.objects.filter(
        forum__summit=summit, room__isnull=False
    ).values_list("room_id", "starts_at", "ends_at"):
        ends[(room_id, starts_at.astimezone(tz).date())].append(ends_at)
    return {key: max(values) + occupancy.CLOSE_GRACE for key, values in ends.items()}


def _closes(closings, room_id, moment, tz) -> datetime.datetime:
    day = moment.astimezone(tz).date()
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tz)
    last = closings.get((room_id, day))
    if last is not None and moment < last:
        return min(last, midnight)
    return midnight


def build_stays(summit, *, now=None) -> tuple[list[Stay], Counts, dict]:
    """Stays in rooms from the scan log; the counts that explain them; and per guest per day
    the first entry (arrivals)."""
    tz = summit.tzinfo
    now = now or timezone.now()
    closings = _closings(summit, tz)
    rows = (
        Scan.objects.filter(
            checkpoint__summit=summit, result=Scan.Result.OK, registration__isnull=False
        )
        .order_by("registration_id", "scanned_at", "pk")
        .values_list(
            "registration_id", "checkpoint__room_id", "direction", "scanned_at", "automatic"
        )
    )
    stays, counts = [], Counts()
    first_entry: dict[tuple[int, datetime.date], datetime.datetime] = {}
    current: Stay | None = None
    closes = None
    guest = None

    def close(at, how):
        nonlocal current
        current.end, current.how = at, how
        stays.append(current)
        current = None

    for registration_id, room_id, direction, at, automatic in rows.iterator(chunk_size=5000):
        if registration_id != guest:
            if current is not None:
                _finish(current, closes, now, counts, close)
            guest, current = registration_id, None
        if current is not None and at >= closes:
            counts.automatic_exits += 1
            close(closes, "automatic")
        if direction == Scan.Direction.ENTRY:
            counts.entries += 1
            first_entry.setdefault((registration_id, at.astimezone(tz).date()), at)
            if room_id is None:
                continue
            if current is not None and current.room_id == room_id:
                counts.re_entries += 1
                closes = _closes(closings, room_id, at, tz)
                continue
            if current is not None:
                counts.moves += 1
                close(at, "moved")
            current = Stay(registration_id, room_id, at, at, "inside")
            closes = _closes(closings, room_id, at, tz)
        else:
            counts.exits += 1
            if current is None:
                if not automatic:
                    counts.exits_without_entry += 1
                continue
            if automatic:
                counts.automatic_exits += 1
            close(at, "automatic" if automatic else "exit")
    if current is not None:
        _finish(current, closes, now, counts, close)
    return stays, counts, first_entry


def _finish(current, closes, now, counts, close):
    if closes <= now:
        counts.automatic_exits += 1
        close(closes, "automatic")
    else:
        counts.still_inside += 1
        close(now, "inside")


def _timeline(stays: list[Stay], start, end) -> tuple[list, int, datetime.datetime | None]:
    """Occupancy every STEP from ``start`` to ``end``; the exact peak and when it began."""
    events = sorted(
        [(stay.start, 1) for stay in stays] + [(stay.end, -1) for stay in stays],
        key=lambda event: (event[0], event[1]),
    )
    level, peak, peak_at = 0, 0, None
    moments, levels = [], []
    for moment, change in events:
        level += change
        moments.append(moment)
        levels.append(level)
        if level > peak:
            peak, peak_at = level, moment
    points = []
    moment = start
    while moment <= end:
        index = bisect_right(moments, moment) - 1
        points.append((moment, levels[index] if index >= 0 else 0))
        moment += STEP
    return points, peak, peak_at


def attendance_figures(summit, *, now=None) -> Figures:
    """Every figure of the attendance report, in the reader's language (names of rooms and
    forums); a constant number of queries."""
    tz = summit.tzinfo
    now = now or timezone.now()
    stays, counts, first_entry = build_stays(summit, now=now)
    counts.overrides = Scan.objects.filter(checkpoint__summit=summit, override=True).count()
    counts.room_full = Scan.objects.filter(
        checkpoint__summit=summit, result=Scan.Result.ROOM_FULL
    ).count()
    rooms = {room.pk: room for room in Room.objects.filter(summit=summit)}
    room_names = {pk: room.name for pk, room in rooms.items()}
    capacities = {pk: room.capacity for pk, room in rooms.items()}
    days = summit.days

    # Per day and room: stays clipped to the day.
    by_day_room: dict[tuple[datetime.date, int], list[Stay]] = defaultdict(list)
    for stay in stays:
        day = stay.start.astimezone(tz).date()
        by_day_room[(day, stay.room_id)].append(stay)
    timelines, room_rows = {}, []
    for (day, room_id), room_stays in sorted(
        by_day_room.items(), key=lambda item: (item[0][0], rooms[item[0][1]].position, item[0][1])
    ):
        start = datetime.datetime.combine(day, datetime.time(7), tz)
        latest = max(stay.end for stay in room_stays).astimezone(tz)
        end = max(datetime.datetime.combine(day, datetime.time(19), tz), latest)
        end = min(end, datetime.datetime.combine(day, datetime.time(23, 55), tz))
        points, peak, peak_at = _timeline(room_stays, start, end)
        timelines[(day, room_id)] = points
        guests = {stay.registration_id for stay in room_stays}
        minutes = sum((stay.end - stay.start).total_seconds() for stay in room_stays) / 60
        room_rows.append(
            {
                "day": day,
                "room_id": room_id,
                "room": room_names[room_id],
                "capacity": capacities[room_id],
                "peak": peak,
                "peak_at": peak_at.astimezone(tz) if peak_at else None,
                "peak_percent": round(100 * peak / capacities[room_id])
                if capacities[room_id]
                else 0,
                "guests": len(guests),
                "minutes_per_guest": round(minutes / len(guests)) if guests else 0,
                "automatic_exits": sum(1 for stay in room_stays if stay.how == "automatic"),
            }
        )
    peaks = {(row["day"], row["room_id"]): row for row in room_rows}

    confirmed = dict(
        Registration.objects.filter(
            summit=summit, status=Registration.Status.CONFIRMED
        ).values_list("pk", "region")
    )
    categories_of = dict(
        Registration.objects.filter(
            summit=summit, status=Registration.Status.CONFIRMED
        ).values_list("pk", "category")
    )
    attended_any = {registration_id for registration_id, _day in first_entry}

    # Per day and forum.
    checkpoint_forum = dict(
        Checkpoint.objects.filter(summit=summit, forum__isnull=False).values_list("pk", "forum_id")
    )
    attended_forum_day: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
    for checkpoint_id, registration_id, at in Scan.objects.filter(
        checkpoint_id__in=list(checkpoint_forum),
        result=Scan.Result.OK,
        direction=Scan.Direction.ENTRY,
        registration__isnull=False,
    ).values_list("checkpoint_id", "registration_id", "scanned_at"):
        attended_forum_day[(checkpoint_forum[checkpoint_id], at.astimezone(tz).date())].add(
            registration_id
        )
    enrolled_in: dict[int, set[int]] = defaultdict(set)
    for registration_id, forum_id in forum_places(summit).values_list(
        "registration_id", "place_forum"
    ):
        enrolled_in[forum_id].add(registration_id)
    forum_days = defaultdict(set)
    for forum_id, starts_at in Session.objects.filter(forum__summit=summit).values_list(
        "forum_id", "starts_at"
    ):
        forum_days[forum_id].add(starts_at.astimezone(tz).date())
    for forum_id, day in attended_forum_day:
        forum_days[forum_id].add(day)
    forum_rows = []
    forums = list(Forum.objects.filter(summit=summit).order_by("position", "pk"))
    for day in days:
        for forum in forums:
            if day not in forum_days[forum.pk]:
                continue
            enrolled = set(confirmed) if forum.kind == Forum.Kind.PLENARY else enrolled_in[forum.pk]
            attended = attended_forum_day[(forum.pk, day)]
            came = len(attended & enrolled)
            room_row = peaks.get((day, forum.room_id)) if forum.room_id else None
            forum_rows.append(
                {
                    "day": day,
                    "forum": localized(forum, "title"),
                    "room": room_names.get(forum.room_id, ""),
                    "enrolled": len(enrolled),
                    "attended": len(attended),
                    "no_show_rate": _rate(len(enrolled) - came, len(enrolled)),
                    "capacity": capacities.get(forum.room_id, 0),
                    "peak": room_row["peak"] if room_row else 0,
                    "peak_at": room_row["peak_at"] if room_row else None,
                    "minutes_per_guest": room_row["minutes_per_guest"] if room_row else 0,
                }
            )

    region_labels = {
        "mainland": _("Mainland"),
        "hong_kong": str(Region.HONG_KONG.label),
        "macao": str(Region.MACAO.label),
        "abroad": _("Abroad"),
    }
    by_region = Counter(REGION_GROUPS.get(region, "abroad") for region in confirmed.values())
    came_region = Counter(
        REGION_GROUPS.get(confirmed[pk], "abroad") for pk in attended_any if pk in confirmed
    )
    regions = [
        {
            "key": key,
            "label": region_labels[key],
            "confirmed": by_region[key],
            "attended": came_region[key],
            "no_show_rate": _rate(by_region[key] - came_region[key], by_region[key]),
        }
        for key in REGION_ORDER
    ]
    by_category = Counter(categories_of.values())
    came_category = Counter(categories_of[pk] for pk in attended_any if pk in categories_of)
    categories = [
        {
            "key": key,
            "label": str(label),
            "confirmed": by_category[key],
            "attended": came_category[key],
            "no_show_rate": _rate(by_category[key] - came_category[key], by_category[key]),
        }
        for key, label in Category.choices
    ]

    arrivals = {}
    firsts_by_day = defaultdict(list)
    for (_registration_id, day), at in first_entry.items():
        firsts_by_day[day].append(at)
    for day in days:
        arrivals[day] = _arrivals(firsts_by_day.get(day, []), day, tz)

    attended_confirmed = len(attended_any & set(confirmed))
    rule = OccupancyRule.objects.filter(summit=summit).first()
    totals = {
        "confirmed": len(confirmed),
        "attended": attended_confirmed,
        "no_shows": len(confirmed) - attended_confirmed,
        "no_show_rate": _rate(len(confirmed) - attended_confirmed, len(confirmed)),
        "scans": Scan.objects.filter(checkpoint__summit=summit).count(),
        "warn_at_percent": rule.warn_at_percent if rule else occupancy.DEFAULT_WARN_PERCENT,
        "last_scan_at": Scan.objects.filter(checkpoint__summit=summit).aggregate(
            last=Max("scanned_at")
        )["last"],
    }
    return Figures(
        summit_name=summit.name,
        generated_at=now.astimezone(tz),
        days=days,
        totals=totals,
        counts=counts,
        forums=forum_rows,
        rooms=room_rows,
        regions=regions,
        categories=categories,
        arrivals=arrivals,
        timelines=timelines,
        room_names=room_names,
        capacities=capacities,
        stays=stays,
    )


def _rate(part: int, whole: int) -> float:
    """A share in per cent, one decimal (0 when there is nothing to share)."""
    return round(100 * part / whole, 1) if whole else 0.0


def _arrivals(moments, day, tz) -> list[tuple[str, int]]:
    """First entries per 15 minutes, from 07:00 to the last busy quarter (at least 12:00)."""
    start = datetime.datetime.combine(day, datetime.time(7), tz)
    counts = Counter(int((moment - start) / BUCKET) for moment in moments if moment >= start)
    early = sum(1 for moment in moments if moment < start)
    last = max([*counts, 19])
    rows = []
    for index in range(last + 1):
        moment = start + index * BUCKET
        extra = early if index == 0 else 0
        rows.append((moment.strftime("%H:%M"), counts.get(index, 0) + extra))
    return rows
