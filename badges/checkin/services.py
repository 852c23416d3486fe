"""Door check-in: how a scan is answered and recorded.

Every scan gets exactly one status (``Scan.Result``). When several apply, the first in this
list wins; problems with the badge itself come first (the guest is turned away at every door
and sent to the desk), then the door's own limits, then this guest at this door:

1. ``invalid``            not a code we signed, a badge we do not know, or another summit's
2. ``cancelled``          the registration is cancelled
3. ``revoked``            this badge was replaced by a newer one or revoked by an organiser
4. ``not_approved``       the registration is pending, waitlisted or rejected
5. ``checkpoint_closed``  the checkpoint is switched off
6. ``wrong_day``          the checkpoint admits on another day (in the summit's time zone)
7. ``not_enrolled``       the checkpoint admits one themed forum; the guest has no confirmed
                          place in it (nor in one of its sessions)
8. ``room_full``          the checkpoint's room is at capacity (badges/checkin/occupancy.py): not
                          admitted, unless the guest's category may enter a full room or
                          door staff override it
9. ``already_checked_in`` a single-entry checkpoint admitted this guest before
10. ``ok``                 admitted; at a re-entry checkpoint a repeat is ``ok`` again, with
                          ``re_entry`` and the first entry

The first admission of a guest at a checkpoint is an ``Admission`` row, unique per
(checkpoint, registration): when two doors scan one badge at the same moment, the database
lets exactly one insert through and the other scan becomes ``already_checked_in``.

A scan carries a ``scan_id`` chosen by the device: a retried request is answered from the
stored scan and nothing is counted twice.

A scan is an entry or an exit (``direction``). An exit of a badge we know is ``ok`` whatever
its state (the guest is leaving) and admits nobody; scans at a room's door and exits move the
guest (badges/checkin/occupancy.py, in the scan's one transaction).

A scan also carries the time the device scanned it (its clock, which may be wrong). A time no
door could have scanned at is refused (badges.checkin.scan_times).
"""

import contextlib
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from badges.checkin import occupancy
from badges.checkin.checkpoints import CheckpointInfo, checkpoint_info_by_id
from badges.checkin.devices import DeviceInfo
from badges.checkin.models import Admission, Scan
from badges.checkin.scan_times import check_scan_time, in_zone
from badges.checkin.selectors import DOOR, BadgeState, badge_state, first_admission
from badges.checkin.sql import admit_and_log, log_scan
from badges.signing import InvalidCode, verify_code
from registration.models import Category, Registration

Result = Scan.Result


@dataclass(frozen=True)
class Scanner:
    """Who scans: a registered door device, or a logged-in door-staff member."""

    device: DeviceInfo | None = None
    user_id: int | None = None

    @property
    def door(self) -> str:
        return self.device.name if self.device else ""


@dataclass(frozen=True)
class GuestCard:
    """The guest as the door sees them: names, organisation, category. No photo."""

    registration_id: int
    badge_id: int
    name: str
    name_latin: str
    organisation: str
    category: str
    registration_status: str

    def as_json(self) -> dict:
        return {
            "registration_id": self.registration_id,
            "badge_id": self.badge_id,
            "name": self.name,
            "name_latin": self.name_latin,
            "organisation": self.organisation,
            "category": self.category,
            "category_label": str(Category(self.category).label),
        }


@dataclass(frozen=True)
class FirstEntry:
    at: datetime
    door: str

    def as_json(self, checkpoint: CheckpointInfo) -> dict:
        return {
            "at": in_zone(self.at, checkpoint.tzinfo),
            "checkpoint": checkpoint.slug,
            "checkpoint_name": checkpoint.name,
            "door": self.door,
        }


@dataclass
class ScanAnswer:
    status: str
    scan_id: uuid.UUID
    scanned_at: datetime
    checkpoint: CheckpointInfo
    guest: GuestCard | None = None
    first_entry: FirstEntry | None = None
    offline: bool = False
    conflict: bool = False
    replayed: bool = field(default=False, compare=False)
    direction: str = Scan.Direction.ENTRY
    override: bool = False
    occupancy: "occupancy.Occupancy | None" = None

    @property
    def re_entry(self) -> bool:
        return self.status == Result.OK and self.first_entry is not None

    def as_json(self) -> dict:
        answer = {
            "status": self.status,
            "message": str(Result(self.status).label),
            "scan_id": str(self.scan_id),
            "scanned_at": in_zone(self.scanned_at, self.checkpoint.tzinfo),
            "checkpoint": {"slug": self.checkpoint.slug, "name": self.checkpoint.name},
            "guest": self.guest.as_json() if self.guest else None,
            "first_entry": (
                self.first_entry.as_json(self.checkpoint) if self.first_entry else None
            ),
            "re_entry": self.re_entry,
            "direction": self.direction,
        }
        if self.occupancy is not None:
            answer["occupancy"] = self.occupancy.as_json()
            answer["override"] = self.override
        if self.offline:
            answer["conflict"] = self.conflict
        return answer


# --- Scans ------------------------------------------------------------------------------------


def record_scan(
    code: str,
    *,
    checkpoint: CheckpointInfo,
    scanner: Scanner,
    scan_id: uuid.UUID | None = None,
    scanned_at: datetime | None = None,
    offline: bool = False,
    offline_result: str = "",
    direction: str = "",
    override: bool = False,
) -> ScanAnswer:
    """Answer a scan and log it. Idempotent by ``scan_id``; see the module's docstring.

    ``offline`` marks a scan made offline and uploaded later, ``offline_result`` what the
    device answered then; if the device admitted the guest and the server would not have,
    the scan is flagged as a conflict for organisers. A ``scanned_at`` no door could have
    scanned at raises ScanTimeRefused, and nothing is written.
    """
    scan_id = scan_id or uuid.uuid4()
    if scanned_at is None:
        scanned_at = timezone.now()
    else:
        check_scan_time(scanned_at, checkpoint)
    try:
        badge_code = verify_code(code)
    except InvalidCode:
        badge_code = None
    direction = occupancy.direction_of(
        checkpoint, direction, scanner.device.direction if scanner.device else ""
    )
    state = badge_state(badge_code, checkpoint) if badge_code else None
    status = _decide(state, checkpoint, scanned_at)
    if direction == Scan.Direction.EXIT and state is not None:
        status = Result.OK
    answer = ScanAnswer(
        status=status,
        scan_id=scan_id,
        scanned_at=scanned_at,
        checkpoint=checkpoint,
        guest=_card(state) if state is not None else None,
        offline=offline,
        conflict=offline and offline_result == Result.OK and status != Result.OK,
        direction=direction,
    )
    values = {
        "scan_id": scan_id,
        "checkpoint_id": checkpoint.id,
        "device_id": scanner.device.id if scanner.device else None,
        "scanned_by_id": scanner.user_id,
        "badge_id": state.pk if state is not None else None,
        "registration_id": state.registration_id if state is not None else None,
        "result": status,
        "scanned_at": scanned_at,
        "received_at": timezone.now(),
        "offline": offline,
        "offline_result": offline_result,
        "conflict": answer.conflict,
        "code_digest": "" if state is not None else _digest(code),
        "note": "",
        "direction": direction,
        "override": False,
        "automatic": False,
    }
    if occupancy.counts_occupancy(checkpoint, direction) and connection.vendor == "postgresql":
        scan_pk = _through_gate(values, answer, checkpoint, state, override)
    elif occupancy.counts_occupancy(checkpoint, direction):
        # Only a scan that is ok may move a guest (an entry that may be admitted, or an exit);
        # a refused one reads the count and logs itself, one statement each, with no lock to
        # hold together and no BEGIN and COMMIT to send.
        moves = status == Result.OK
        with transaction.atomic() if moves else contextlib.nullcontext():
            gate, answer.status = occupancy.open_gate(
                checkpoint,
                values,
                status=status,
                category=state.category if state is not None else "",
                override=override,
                offline=offline,
            )
            values["result"] = answer.status
            answer.conflict = answer.conflict or values["conflict"]
            answer.override = values["override"]
            scan_pk = _write(values, answer, checkpoint)
            if scan_pk is not None:
                if values["conflict"] and not answer.replayed:
                    # The one-statement admission writes no conflict for an admitted scan.
                    Scan.objects.filter(pk=scan_pk, conflict=False).update(conflict=True)
                occupancy.pass_gate(gate, status=answer.status)
                answer.occupancy = gate.occupancy()
    else:
        scan_pk = _write(values, answer, checkpoint)
    if scan_pk is None:
        # A retry of a scan already recorded (the device did not get the answer).
        stored = Scan.objects.get(scan_id=scan_id)
        same_place = stored.checkpoint_id == checkpoint.id
        return answer_for_scan(stored, checkpoint=checkpoint if same_place else None)
    return answer


def _through_gate(
    values: dict,
    answer: "ScanAnswer",
    checkpoint: CheckpointInfo,
    state: BadgeState | None,
    override: bool,
) -> int | None:
    """PostgreSQL: a scan at a room's door, or an exit, in one database call (the gate, the
    log, the first admission, the guest's move); the scan's id, or None for a retry."""
    lost_status, lost_conflict = _repeat(checkpoint, values)
    passed = occupancy.through_gate(
        checkpoint,
        values,
        category=state.category if state is not None else "",
        override=override,
        offline=answer.offline,
        lost_status=lost_status,
        lost_conflict=lost_conflict,
    )
    if passed is None:
        return None
    row, answer.occupancy = passed
    answer.status, answer.conflict, answer.override = row.result, row.conflict, row.override
    if row.first_at is not None:
        answer.first_entry = FirstEntry(at=row.first_at, door=row.first_door or "")
    return row.scan_pk


def _write(values: dict, answer: "ScanAnswer", checkpoint: CheckpointInfo) -> int | None:
    if answer.status == Result.OK and values["direction"] == Scan.Direction.ENTRY:
        return _admit(values, answer, checkpoint)
    return _log(values)


def _log(values: dict) -> int | None:
    """Log the scan; its id, or None if a scan with its scan_id was logged before."""
    if connection.vendor == "postgresql":
        return log_scan(values)
    try:
        if transaction.get_autocommit():
            # Outside a transaction the INSERT is a transaction of its own: when it is refused
            # there is nothing to roll back, and no BEGIN and COMMIT to send.
            return Scan.objects.create(**values).pk
        with transaction.atomic():
            return Scan.objects.create(**values).pk
    except IntegrityError:
        if Scan.objects.filter(scan_id=values["scan_id"]).exists():
            return None  # a retried request, or the same one twice at once
        raise


def _admit(values: dict, answer: "ScanAnswer", checkpoint: CheckpointInfo) -> int | None:
    """Log a scan that may admit, and record the guest's first admission here.

    Whether the guest was admitted here before is decided by this write, not read first: the
    admission's unique constraint lets exactly one scan admit, even when two doors scan one
    badge at the same moment. A scan that finds the admission taken follows the checkpoint's
    policy (``already_checked_in``, or ``ok`` again at a re-entry checkpoint) and is answered
    with the first entry. Returns the scan's id, or None if it was recorded before.
    """
    lost_status, lost_conflict = _repeat(checkpoint, values)
    if connection.vendor == "postgresql":
        try:
            logged = admit_and_log(values, lost_status=lost_status, lost_conflict=lost_conflict)
        except IntegrityError:
            # The same scan_id arrived twice at once and the other request logged it first:
            # this admission pointed at a scan that was never written, and nothing was kept.
            return None
        if logged is None:
            return None
        scan_pk, admitted, first_at, first_door = logged
        if not admitted and first_at is not None:
            answer.first_entry = FirstEntry(at=first_at, door=first_door or "")
    else:
        with transaction.atomic():
            scan_pk = _log(values)
            if scan_pk is None:
                return None
            admitted = _insert_admission(scan_pk, values)
            if not admitted and lost_status != Result.OK:
                Scan.objects.filter(pk=scan_pk).update(result=lost_status, conflict=lost_conflict)
    if not admitted:
        answer.status, answer.conflict = lost_status, lost_conflict
        if answer.first_entry is None:
            answer.first_entry = _first_entry(checkpoint, values["registration_id"])
    return scan_pk


def _repeat(checkpoint: CheckpointInfo, values: dict) -> tuple[str, bool]:
    """(status, conflict) of an entry that finds the guest admitted here before: by the
    checkpoint's policy, a conflict when a single-entry door admitted them offline."""
    if not checkpoint.single_entry:
        return Result.OK, False
    return Result.ALREADY_CHECKED_IN, values["offline_result"] == Result.OK


def _insert_admission(scan_pk: int, values: dict) -> bool:
    """Record the first admission; False if the guest was admitted here before."""
    try:
        with transaction.atomic():
            Admission.objects.create(
                checkpoint_id=values["checkpoint_id"],
                registration_id=values["registration_id"],
                scan_id=scan_pk,
                admitted_at=values["scanned_at"],
            )
    except IntegrityError:
        return False
    return True


def _first_entry(checkpoint: CheckpointInfo, registration_id: int) -> FirstEntry | None:
    first = first_admission(checkpoint.id, registration_id)
    return FirstEntry(at=first[0], door=first[1] or "") if first else None


def _decide(state: BadgeState | None, checkpoint: CheckpointInfo, scanned_at: datetime) -> str:
    if state is None:
        return Result.INVALID
    if state.registration_status == Registration.Status.CANCELLED:
        return Result.CANCELLED
    if state.revoked:
        return Result.REVOKED
    if state.registration_status != Registration.Status.CONFIRMED:
        return Result.NOT_APPROVED
    if not checkpoint.is_active:
        return Result.CHECKPOINT_CLOSED
    if checkpoint.day and scanned_at.astimezone(checkpoint.tzinfo).date() != checkpoint.day:
        return Result.WRONG_DAY
    if not state.enrolled:
        return Result.NOT_ENROLLED
    return Result.OK


def _card(state: BadgeState) -> GuestCard:
    return GuestCard(
        registration_id=state.registration_id,
        badge_id=state.pk,
        name=state.name,
        name_latin=state.name_latin,
        organisation=state.organisation,
        category=state.category,
        registration_status=state.registration_status,
    )


def _digest(code: str) -> str:
    return hashlib.sha256((code or "").encode("utf-8", "replace")).hexdigest()


def answer_for_scan(scan: Scan, *, checkpoint: CheckpointInfo | None = None) -> ScanAnswer:
    """The answer a stored scan was given, rebuilt for a retried request. At a room's door it
    carries the room's figure now: the figure the first answer showed is not stored, and
    unless a scan came in between, it is this one."""
    checkpoint = checkpoint or checkpoint_info_by_id(scan.checkpoint_id)
    guest = None
    first_entry = None
    if scan.registration_id:
        registration = Registration.objects.get(pk=scan.registration_id)
        guest = GuestCard(
            registration_id=registration.pk,
            badge_id=scan.badge_id,
            name=registration.name,
            name_latin=registration.name_latin,
            organisation=registration.organisation,
            category=registration.category,
            registration_status=registration.status,
        )
        admission = (
            Admission.objects.filter(
                checkpoint_id=scan.checkpoint_id, registration_id=scan.registration_id
            )
            .values_list("scan_id", "admitted_at", DOOR)
            .first()
        )
        if admission and admission[0] != scan.pk and scan.result in _WITH_FIRST_ENTRY:
            first_entry = FirstEntry(at=admission[1], door=admission[2] or "")
    return ScanAnswer(
        status=scan.result,
        scan_id=scan.scan_id,
        scanned_at=scan.scanned_at,
        checkpoint=checkpoint,
        guest=guest,
        first_entry=first_entry,
        offline=scan.offline,
        conflict=scan.conflict,
        replayed=True,
        direction=scan.direction,
        override=scan.override,
        occupancy=occupancy.checkpoint_occupancy(checkpoint),
    )


_WITH_FIRST_ENTRY = {Result.OK, Result.ALREADY_CHECKED_IN}


@dataclass(frozen=True)
class BatchItem:
    code: str
    checkpoint: CheckpointInfo
    scan_id: uuid.UUID
    scanned_at: datetime
    offline_result: str
    direction: str = ""


def record_batch(items: list[BatchItem], *, scanner: Scanner) -> list[ScanAnswer]:
    """Scans queued by a device while offline, in the order they were made.

    Each is answered as if it had been sent then (a retried upload counts nothing twice);
    the answers carry ``conflict`` where the device admitted a guest the server would not.
    The same scan may come twice (answered twice, counted once); two different scans with one
    ``scan_id`` raise ValueError before anything is written (the API refuses them first).
    """
    by_id = {item.scan_id: item for item in items}
    if any(by_id[item.scan_id] != item for item in items):
        # Answers are keyed by scan_id: the other scan would never be recorded.
        raise ValueError("Two different scans of one batch have the same scan_id.")
    ordered = sorted(items, key=lambda item: item.scanned_at)
    answers = {
        item.scan_id: record_scan(
            item.code,
            checkpoint=item.checkpoint,
            scanner=scanner,
            scan_id=item.scan_id,
            scanned_at=item.scanned_at,
            offline=True,
            offline_result=item.offline_result,
            direction=item.direction,
        )
        for item in ordered
    }
    return [answers[item.scan_id] for item in items]
