"""Room occupancy at the doors: entries and exits, who is inside, and a room that is full.

Who is in a room is worked out from each guest's latest scan (``Presence``, one row per
guest), never from a running total, so the figure cannot drift or go negative:

- an **entry** at a room's door puts the guest in that room, which ends their presence in any
  other room; a second entry while inside (re-entry, two doors of one room) changes nothing;
- an **exit** at any door ends the guest's presence wherever it was; an exit without an entry
  changes nothing (reports count it, explained);
- a scan older than the guest's latest (an offline batch uploaded late) is logged but does not
  move the guest: presence follows the scan time, not the upload time;
- a guest who never scanned out is checked out automatically when the room's last session of
  the day ends (plus ``CLOSE_GRACE``), or at midnight: ``closes_at`` is set when they enter,
  and the room's count leaves out presences past it. ``check_out_automatically`` writes those
  exits as scans marked ``automatic``, for exports.

At a room's door an entry that would take the room beyond its capacity answers ``room_full``
(logged, not admitted) unless the guest's category may enter a full room
(``OccupancyRule.over_capacity_categories``) or door staff override it (``override``, logged
on the scan). An entry scanned offline was already let in: it is recorded, flagged as a
conflict for organisers. The count and the decision happen under a row lock on the room
(``FOR NO KEY UPDATE``), in the scan's one transaction, so two doors of a nearly full room
cannot both take its last seat.
"""

import datetime
import time
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from badges.checkin.checkpoints import CheckpointInfo
from badges.checkin.models import Checkpoint, OccupancyRule, Presence, Scan
from badges.checkin.sql import GateRow, gate_scan
from sessions.models import Session
from summit.i18n import localized
from summit.models import Room

DEFAULT_WARN_PERCENT = 90
# Guests linger after the last session of the day (questions, talks in the aisle).
CLOSE_GRACE = datetime.timedelta(minutes=30)
RULE_CACHE_SECONDS = 10.0
CLOSING_CACHE_SECONDS = 60.0
# A room's capacity and names as an exit or a refusal shows them (they decide nothing there);
# an entry that may be admitted reads them from the row it locks.
ROOM_CACHE_SECONDS = 10.0

ENTRY, EXIT = Scan.Direction.ENTRY, Scan.Direction.EXIT
OK, ROOM_FULL = Scan.Result.OK, Scan.Result.ROOM_FULL

NOTE_CATEGORY = "over capacity: category allowed"
NOTE_OVERRIDE = "over capacity: staff override"
NOTE_OFFLINE = "over capacity: admitted offline"

# The gate's reads, built once (fields and joins resolved); each scan adds its own filter.
_ROOM = Room.objects.order_by().values_list("capacity", "name_en", "name_zh_hans", "name_zh_hant")
_ROOM_LOCKED = _ROOM.select_for_update(no_key=True)
_INSIDE = Presence.objects.order_by().filter(inside=True)
_PRESENCE_LOCKED = Presence.objects.select_for_update().order_by()

_rules: dict[int, tuple[float, "Rule"]] = {}
_closings: dict[tuple[int, datetime.date], tuple[float, datetime.datetime | None]] = {}
_rooms: dict[int, tuple[float, tuple]] = {}


class DirectionRefused(ValueError):
    """This checkpoint does not count scans in that direction."""


@dataclass(frozen=True)
class Rule:
    warn_at_percent: int = DEFAULT_WARN_PERCENT
    over_capacity_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Occupancy:
    """A room's occupancy now, as the door and the attendance page show it."""

    room_id: int
    room_name: str
    inside: int
    capacity: int
    warn_at_percent: int = DEFAULT_WARN_PERCENT

    @property
    def percent(self) -> int:
        return round(100 * self.inside / self.capacity) if self.capacity else 100

    @property
    def level(self) -> str:
        """ "full" at capacity, "warn" from the organiser's threshold, else "ok"."""
        if self.inside >= self.capacity:
            return "full"
        if self.inside * 100 >= self.warn_at_percent * self.capacity:
            return "warn"
        return "ok"

    def as_json(self) -> dict:
        return {
            "room": self.room_name,
            "room_id": self.room_id,
            "inside": self.inside,
            "capacity": self.capacity,
            "percent": self.percent,
            "warn_at_percent": self.warn_at_percent,
            "level": self.level,
        }


# --- Rules and closing times, remembered per process ------------------------------------------


def rule_for(summit_id: int) -> Rule:
    now = time.monotonic()
    remembered = _rules.get(summit_id)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    row = (
        OccupancyRule.objects.filter(summit_id=summit_id)
        .values_list("warn_at_percent", "over_capacity_categories")
        .first()
    )
    rule = Rule(row[0], tuple(row[1] or ())) if row else Rule()
    _rules[summit_id] = (now + RULE_CACHE_SECONDS, rule)
    return rule


def forget_rules() -> None:
    _rules.clear()
    _closings.clear()
    _rooms.clear()


def forget_room(room_id: int) -> None:
    """A room was saved: its capacity and names are read again (in this process at once,
    in the others within ``ROOM_CACHE_SECONDS``)."""
    _rooms.pop(room_id, None)


def _room_row(room_id: int, *, locked: bool) -> tuple:
    now = time.monotonic()
    if not locked:
        remembered = _rooms.get(room_id)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
    row = (_ROOM_LOCKED if locked else _ROOM).get(pk=room_id)
    if len(_rooms) > 1000:
        _rooms.clear()
    _rooms[room_id] = (now + ROOM_CACHE_SECONDS, row)
    return row


@transaction.atomic
def save_occupancy_rule(
    summit_id: int, *, warn_at_percent: int, over_capacity_categories: list[str]
) -> OccupancyRule:
    """Set the door's warning threshold and the categories admitted to a full room."""
    rule, _created = OccupancyRule.objects.update_or_create(
        summit_id=summit_id,
        defaults={
            "warn_at_percent": warn_at_percent,
            "over_capacity_categories": sorted(set(over_capacity_categories)),
        },
    )
    rule.full_clean()
    transaction.on_commit(forget_rules)
    return rule


def closes_at(room_id: int, moment: datetime.datetime, tz) -> datetime.datetime:
    """When a guest who entered the room at ``moment`` is checked out automatically: the end
    of the room's last session that day plus ``CLOSE_GRACE`` (if still ahead), or midnight."""
    day = moment.astimezone(tz).date()
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tz)
    now = time.monotonic()
    remembered = _closings.get((room_id, day))
    if remembered is not None and remembered[0] > now:
        last_end = remembered[1]
    else:
        start = midnight - datetime.timedelta(days=1)
        last_end = Session.objects.filter(
            room_id=room_id, starts_at__gte=start, starts_at__lt=midnight
        ).aggregate(last=Max("ends_at"))["last"]
        if len(_closings) > 1000:
            _closings.clear()
        _closings[(room_id, day)] = (now + CLOSING_CACHE_SECONDS, last_end)
    if last_end is not None and moment < last_end + CLOSE_GRACE:
        return min(last_end + CLOSE_GRACE, midnight)
    return midnight


# --- A scan's direction ------------------------------------------------------------------------


def direction_of(checkpoint: CheckpointInfo, requested: str, device_direction: str = "") -> str:
    """The direction a scan counts: asked for by the door page, else the scanner's bound
    direction, else the checkpoint's (a checkpoint of both directions counts entries).
    Raises DirectionRefused for a direction the checkpoint does not count."""
    direction = requested or device_direction
    if not direction:
        return EXIT if checkpoint.direction == Checkpoint.Direction.EXITS else ENTRY
    if (checkpoint.direction, direction) in (
        (Checkpoint.Direction.ENTRIES, EXIT),
        (Checkpoint.Direction.EXITS, ENTRY),
    ):
        raise DirectionRefused(direction)
    return direction


def counts_occupancy(checkpoint: CheckpointInfo, direction: str) -> bool:
    """Whether a scan here moves a guest: every scan at a room's door, and exits anywhere."""
    return checkpoint.room_id is not None or direction == EXIT


# --- The gate: inside the scan's transaction ----------------------------------------------------


@dataclass
class Gate:
    """A scan passing a room's door, between the room's lock and the scan's commit."""

    checkpoint: CheckpointInfo
    direction: str
    registration_id: int | None
    scanned_at: datetime.datetime
    presence: Presence | None = None
    room_name: str = ""
    capacity: int = 0
    inside: int = 0
    already_inside: bool = False
    warn_at_percent: int = DEFAULT_WARN_PERCENT

    def occupancy(self) -> Occupancy | None:
        if self.checkpoint.room_id is None:
            return None
        return Occupancy(
            self.checkpoint.room_id,
            self.room_name,
            self.inside,
            self.capacity,
            self.warn_at_percent,
        )


def open_gate(
    checkpoint: CheckpointInfo,
    values: dict,
    *,
    status: str,
    category: str,
    override: bool,
    offline: bool,
) -> tuple[Gate, str]:
    """Lock the room, count who is inside and decide an entry: returns the gate and the
    scan's status (``room_full`` for an entry the room has no place for). Sets the scan's
    ``override``, ``conflict`` and ``note`` in ``values`` when a full room is entered anyway.
    Call inside the scan's transaction."""
    gate = Gate(
        checkpoint=checkpoint,
        direction=values["direction"],
        registration_id=values["registration_id"],
        scanned_at=values["scanned_at"],
    )
    now = timezone.now()
    rule = Rule()
    if checkpoint.room_id is not None:
        # An entry that may be admitted takes the lock every door of this room queues on, held
        # until the scan commits. Exits and refusals only lower the count or leave it: they
        # read it without queueing (an exit not yet committed makes a locked entry's count
        # one too high, never too low).
        admitting = gate.direction == ENTRY and status == OK
        room = _room_row(checkpoint.room_id, locked=admitting)
        gate.capacity = room[0]
        gate.room_name = _room_name(room)
        rule = rule_for(checkpoint.summit_id)
        gate.warn_at_percent = rule.warn_at_percent
        gate.inside = _INSIDE.filter(room_id=checkpoint.room_id, closes_at__gt=now).count()
    if gate.registration_id is not None and status == OK:
        gate.presence = next(iter(_PRESENCE_LOCKED.filter(pk=gate.registration_id)), None)
        presence = gate.presence
        gate.already_inside = bool(
            presence
            and presence.inside
            and presence.room_id == checkpoint.room_id
            and presence.closes_at > now
        )
    full = gate.capacity and gate.inside >= gate.capacity
    if gate.direction == ENTRY and status == OK and full and not gate.already_inside:
        note, over, conflict = exceeding(rule, category, override=override, offline=offline)
        if note is None:
            status = ROOM_FULL
        else:
            values["note"], values["override"] = note, over
            values["conflict"] = values["conflict"] or conflict
    return gate, status


def exceeding(
    rule: Rule, category: str, *, override: bool, offline: bool
) -> tuple[str | None, bool, bool]:
    """What an entry into a full room becomes: (note, override, conflict) of the scan that is
    admitted anyway (the guest's category is allowed, staff overrode it, or the door admitted
    offline), or a note of None: refused as ``room_full``."""
    if category in rule.over_capacity_categories:
        return NOTE_CATEGORY, False, False
    if override:
        return NOTE_OVERRIDE, True, False
    if offline:
        return NOTE_OFFLINE, False, True
    return None, False, False


def through_gate(
    checkpoint: CheckpointInfo,
    values: dict,
    *,
    category: str,
    override: bool,
    offline: bool,
    lost_status: str,
    lost_conflict: bool,
) -> tuple[GateRow, Occupancy | None] | None:
    """PostgreSQL: the gate, the scan and the guest's move in one database call (the rules of
    ``open_gate`` and ``pass_gate``, in ``checkin_gate``). Returns the logged scan's row and
    the room's occupancy after it, or None for a scan logged before (a retry)."""
    rule = rule_for(checkpoint.summit_id)
    closing = None
    if checkpoint.room_id is not None and values["direction"] == ENTRY and values["result"] == OK:
        closing = closes_at(checkpoint.room_id, values["scanned_at"], checkpoint.tzinfo)
    row = gate_scan(
        values,
        room_id=checkpoint.room_id,
        closing=closing,
        exceed=exceeding(rule, category, override=override, offline=offline),
        lost_status=lost_status,
        lost_conflict=lost_conflict,
        now=timezone.now(),
    )
    if row is None or checkpoint.room_id is None:
        return (row, None) if row else None
    room = _room_row(checkpoint.room_id, locked=False)
    figures = Occupancy(
        checkpoint.room_id, _room_name(room), row.inside, row.capacity, rule.warn_at_percent
    )
    return row, figures


def pass_gate(gate: Gate, *, status: str) -> None:
    """Move the guest after their scan was logged with ``status`` (same transaction)."""
    if status != OK or gate.registration_id is None:
        return
    presence, at, now = gate.presence, gate.scanned_at, timezone.now()
    if presence is not None and presence.last_scan_at > at:
        return  # a newer scan already placed this guest
    was_here = bool(
        presence
        and presence.inside
        and presence.room_id == gate.checkpoint.room_id
        and presence.closes_at > now
    )
    if gate.direction == EXIT:
        if presence is not None:
            Presence.objects.filter(pk=presence.pk).update(inside=False, last_scan_at=at)
        if was_here:
            gate.inside -= 1
        return
    if gate.checkpoint.room_id is None:
        return
    closing = closes_at(gate.checkpoint.room_id, at, gate.checkpoint.tzinfo)
    if presence is None:
        Presence.objects.create(
            registration_id=gate.registration_id,
            room_id=gate.checkpoint.room_id,
            since=at,
            closes_at=closing,
            last_scan_at=at,
        )
    else:
        moved = (
            {} if was_here else {"room_id": gate.checkpoint.room_id, "since": at, "inside": True}
        )
        Presence.objects.filter(pk=presence.pk).update(closes_at=closing, last_scan_at=at, **moved)
    if not was_here and closing > now:
        gate.inside += 1


def _room_name(row) -> str:
    """The room's name in the active language, from a row of (capacity, three names)."""
    _capacity, en, zh_hans, zh_hant = row
    return localized(
        SimpleNamespace(name_en=en, name_zh_hans=zh_hans, name_zh_hant=zh_hant), "name"
    )


# --- Reads ---------------------------------------------------------------------------------------


def room_occupancy(room: Room, *, summit_id: int) -> Occupancy:
    """The room's occupancy now (no lock: for pages that show it)."""
    inside = Presence.objects.filter(
        room_id=room.pk, inside=True, closes_at__gt=timezone.now()
    ).count()
    return Occupancy(room.pk, room.name, inside, room.capacity, rule_for(summit_id).warn_at_percent)


def checkpoint_occupancy(checkpoint: CheckpointInfo) -> Occupancy | None:
    """The occupancy of the checkpoint's room now, as a scan's answer shows it (None at a door
    that is not a room's): for a retried scan, answered from the stored one."""
    if checkpoint.room_id is None:
        return None
    room = _room_row(checkpoint.room_id, locked=False)
    inside = _INSIDE.filter(room_id=checkpoint.room_id, closes_at__gt=timezone.now()).count()
    return Occupancy(
        checkpoint.room_id,
        _room_name(room),
        inside,
        room[0],
        rule_for(checkpoint.summit_id).warn_at_percent,
    )


def rooms_occupancy(summit) -> list[Occupancy]:
    """Every room of the summit with a checkpoint, nearest to full first."""
    now = timezone.now()
    rooms = (
        Room.objects.filter(summit=summit, checkpoints__isnull=False)
        .distinct()
        .annotate(
            inside_now=Count(
                "presences",
                filter=Q(presences__inside=True, presences__closes_at__gt=now),
                distinct=True,
            )
        )
    )
    warn = rule_for(summit.pk).warn_at_percent
    figures = [
        Occupancy(room.pk, room.name, room.inside_now, room.capacity, warn) for room in rooms
    ]
    return sorted(figures, key=lambda item: (-item.inside / max(item.capacity, 1), item.room_name))


# --- Automatic check-out -----------------------------------------------------------------------


@transaction.atomic
def check_out_automatically(summit, *, now: datetime.datetime | None = None) -> int:
    """Write an automatic exit scan for every guest still inside a room that has closed (its
    last session over, or the day), at the closing time; returns how many."""
    now = now or timezone.now()
    door_of = {}
    for room_id, checkpoint_id in (
        Checkpoint.objects.filter(summit=summit, room__isnull=False)
        .order_by("position", "pk")
        .values_list("room_id", "pk")
    ):
        door_of.setdefault(room_id, checkpoint_id)
    stale = list(
        Presence.objects.select_for_update()
        .filter(room__summit=summit, inside=True, closes_at__lte=now)
        .select_related(None)
    )
    scans = []
    for presence in stale:
        if presence.room_id not in door_of:
            continue
        scans.append(
            Scan(
                checkpoint_id=door_of[presence.room_id],
                registration_id=presence.registration_id,
                result=OK,
                direction=EXIT,
                automatic=True,
                scanned_at=presence.closes_at,
                note="automatic check-out",
            )
        )
        presence.inside = False
        presence.last_scan_at = presence.closes_at
    Scan.objects.bulk_create(scans)
    Presence.objects.bulk_update(stale, ["inside", "last_scan_at"])
    return len(scans)


@transaction.atomic
def rebuild_presences(summit) -> int:
    """Work out every guest's presence again from their latest scan (after scans were written
    in bulk, by the demo or an import); returns how many guests are placed in a room."""
    tz = summit.tzinfo
    latest: dict[int, tuple] = {}
    for registration_id, room_id, direction, at in (
        Scan.objects.filter(checkpoint__summit=summit, result=OK, registration__isnull=False)
        .filter(Q(checkpoint__room__isnull=False) | Q(direction=EXIT))
        .order_by("registration_id", "scanned_at", "pk")
        .values_list("registration_id", "checkpoint__room_id", "direction", "scanned_at")
    ):
        previous = latest.get(registration_id)
        since = at
        if (
            previous is not None
            and direction == ENTRY
            and previous[1] == ENTRY
            and previous[0] == room_id
        ):
            since = previous[3]  # a re-entry: the stay began with the first entry
        latest[registration_id] = (room_id, direction, at, since)
    Presence.objects.filter(room__summit=summit).delete()
    rows = [
        Presence(
            registration_id=registration_id,
            room_id=room_id,
            inside=direction == ENTRY,
            since=since,
            closes_at=closes_at(room_id, since, tz),
            last_scan_at=at,
        )
        for registration_id, (room_id, direction, at, since) in latest.items()
        if room_id is not None
    ]
    Presence.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
